import {
  CATEGORIES,
  nextDeadlineCheck,
  SATISFACTIONS,
  type Actor,
  type AttachmentFact,
  type CaseCommand,
  type PartState,
  type PartStatus,
  type Satisfaction,
} from '@chuishao/domain';
import { actorOf, systemOf, TEST_COUNTY, TWO_COUNTIES, type CountyOrgs } from './orgs';
import { CaseRecorder, shiftingCalendars, type CaseAppend, type RecorderOptions } from './recorder';
import { seededRandom } from './random';
import { Script, T0 } from './script';

/**
 * Random histories as a list of actions: each says what to try (a kind) and carries the numbers that
 * choose its target and details, so one interpreter serves fast-check (which draws and shrinks actions)
 * and seeded traffic (which draws them from a PRNG). The domain decides; a refused command is skipped.
 */

/** Kinds, repeated by weight (the default mix). */
export const ACTION_KINDS = [
  'blow',
  'blow',
  'respond',
  'respond',
  'respond',
  'transfer',
  'complete',
  'complete',
  'complete',
  'review',
  'review',
  'review',
  'withdraw',
  'reassign',
  'check',
  'urge',
  'rebase',
  // The practice's moves: 延期, 退单/审定, 申诉 (each asked, then decided).
  'extend',
  'decideExtension',
  'decideExtension',
  'return',
  'decideReturn',
  'appeal',
  'appeal',
  'appeal',
  'decideAppeal',
  'decideAppeal',
  'note',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface Action {
  /** Minutes the clock moves before the action. */
  advance: number;
  kind: ActionKind;
  a: number;
  b: number;
  c: number;
  resolved: boolean;
  satisfaction: Satisfaction;
  /** When the store records the events, relative to when they occurred (negative: clock skew). */
  lagMs: number;
}

/** Where each kind applies: actions are aimed at such a part, so histories get far. */
const WANTED: Partial<Record<ActionKind, PartStatus[]>> = {
  respond: ['awaiting_response'],
  transfer: ['awaiting_response', 'in_progress'],
  complete: ['in_progress'],
  review: ['completed'],
  reassign: ['awaiting_response', 'in_progress'],
  urge: ['awaiting_response', 'in_progress'],
  rebase: ['awaiting_response', 'in_progress'],
  extend: ['in_progress'],
  return: ['awaiting_response', 'in_progress'],
};

/** The moves that answer a pending request aim at a part that has one. */
const WANTED_WORKFLOW: Partial<Record<ActionKind, (p: PartState) => boolean>> = {
  decideExtension: (p) => p.workflow.pendingExtension !== null,
  decideReturn: (p) => p.workflow.pendingReturn !== null,
  appeal: (p) => p.review !== null,
  decideAppeal: (p) => p.workflow.openAppeal !== null,
};

export interface InterpreterOptions {
  counties?: readonly CountyOrgs[];
  /** Case ids: c1, c2 … (readable in test failures) or UUIDs from the seeded stream (what the API makes). */
  caseIds?: 'sequential' | 'uuid';
  /** Data the API accepts but the rules ignore (grid, coordinates, matter codes, notes): on for contract samples. */
  richData?: boolean;
  /**
   * A check runs when the case's next clock says so (as the watcher wakes), moving the shared clock
   * there: with many cases open, reminders happen as well as overdue parts.
   */
  watcherWakes?: boolean;
}

/** The attachmentIds naming these uploads, when there are some. */
const evidence = (uploads: readonly AttachmentFact[]) => (uploads.length ? { attachmentIds: uploads.map((u) => u.id) } : {});

/** Runs actions against a recorder; the clock is shared by all cases. */
export class ActionInterpreter {
  now: number;
  private cases = 0;
  private readonly counties: readonly CountyOrgs[];
  private readonly countyById: Map<string, CountyOrgs>;
  private readonly open = new Set<string>();

  constructor(
    readonly recorder: CaseRecorder,
    start = T0,
    private readonly options: InterpreterOptions = {},
  ) {
    this.now = start;
    this.counties = options.counties ?? [TEST_COUNTY];
    this.countyById = new Map(this.counties.map((c) => [c.countyId, c]));
  }

  get openCases(): number {
    return this.open.size;
  }

  /** One action: the append it recorded, or null (nothing applied, or the domain refused). */
  apply(x: Action): CaseAppend | null {
    this.now += x.advance * 60_000;
    const result = this.attempt(x);
    if (result) {
      const state = this.recorder.state(result.caseId)!;
      if (state.status === 'open') this.open.add(result.caseId);
      else this.open.delete(result.caseId);
    }
    return result;
  }

  private attempt(x: Action): CaseAppend | null {
    // The directory's facts for a command naming departments: those of the actor's county.
    const facts = (countyId: string) => ({ countyDepartments: [...(this.counties.find((c) => c.countyId === countyId)?.departments ?? [])] });
    const run = (command: Omit<CaseCommand, 'now' | 'facts'>) =>
      this.recorder.tryRecord({ ...command, facts: facts(command.actor.countyId), now: new Date(this.now).toISOString() } as CaseCommand, x.lagMs);
    if (x.kind === 'blow') {
      const county = this.counties[x.b % this.counties.length];
      // Up to four departments, a non-empty subset chosen by `a`, from a window chosen by `c`.
      const n = Math.min(4, county.departments.length);
      const window = Array.from({ length: n }, (_, i) => county.departments[(x.c + i) % county.departments.length]);
      const mask = (x.a % (2 ** n - 1)) + 1;
      const departmentIds = window.filter((_, i) => mask & (1 << i));
      const township = county.townships[Math.floor(x.b / this.counties.length) % county.townships.length];
      const caseId = this.options.caseIds === 'uuid' ? this.recorder.newId() : `c${++this.cases}`;
      const rich = this.options.richData;
      return run({
        type: 'BlowWhistle',
        caseId,
        actor: actorOf(township, 'township', county.countyId),
        data: {
          title: rich ? `占道经营及噪声扰民 #${caseId.slice(0, 8)}` : '随机',
          description: rich ? '沿街商户长期占道经营，夜间噪声扰民，多次劝导无效，需市场监管、综合执法联合处置。' : '随机事项',
          category: CATEGORIES[x.c % CATEGORIES.length],
          departmentIds,
          location: rich ? { address: `${township} 人民路 ${1 + (x.a % 300)} 号`, grid: `G-${x.b % 900}`, lat: 32.55, lng: 105.23 } : { address: '某地' },
          ...(rich && x.a % 2 === 0 ? { matterCode: `M-${100 + (x.c % 50)}` } : {}),
          // 牵头: sometimes named (any of the departments), otherwise the first leads.
          ...(x.c % 3 === 0 ? { leadDepartmentId: departmentIds[x.b % departmentIds.length] } : {}),
        },
      });
    }
    const statuses = WANTED[x.kind];
    const wanted = WANTED_WORKFLOW[x.kind];
    const candidates = [...this.open]
      .map((id) => this.recorder.state(id)!)
      .flatMap((c) => c.parts.filter((p) => (!statuses || statuses.includes(p.status)) && (!wanted || wanted(p))).map((p) => ({ c, p })));
    if (candidates.length === 0) return null;
    const { c: state, p: part } = candidates[x.a % candidates.length];
    const county = this.countyById.get(state.countyId)!;
    const caseId = state.caseId;
    const dept = actorOf(part.departmentId, 'department', county.countyId);
    const township = actorOf(state.townshipId, 'township', county.countyId);
    const centre = actorOf(county.commandCentreId, 'command_centre', county.countyId);
    const other = county.departments[x.c % county.departments.length];
    const rich = this.options.richData;
    switch (x.kind) {
      case 'respond':
        return run({ type: 'RespondToCase', caseId, actor: dept, data: rich && x.b % 2 === 0 ? { note: '已报到，人员赶赴现场' } : {} });
      case 'transfer':
        return run({ type: 'TransferCase', caseId, actor: dept, data: { toDepartmentId: other, reason: '不属本部门职责，转相关部门办理' } });
      case 'complete': {
        // With rich data, some completions carry before/after photos the department uploaded.
        const uploads = rich && x.b % 3 === 0 ? [this.upload(dept, x.c, '整改前.jpg'), this.upload(dept, x.c + 1, '整改后.jpg')] : [];
        return run({
          type: 'CompleteHandling',
          caseId,
          actor: dept,
          data: { result: '已现场处置，责令整改并复查', ...evidence(uploads) },
          uploads,
        } as Omit<CaseCommand, 'now' | 'facts'>);
      }
      case 'review':
        return run({
          type: 'ReviewHandling',
          caseId,
          actor: township,
          data: {
            departmentId: part.departmentId,
            resolved: x.resolved,
            satisfaction: x.satisfaction,
            ...(rich && x.b % 2 === 0 ? { comment: x.resolved ? '处置及时' : '问题仍存在' } : {}),
          },
        });
      case 'withdraw':
        return x.b % 3 === 0 ? run({ type: 'WithdrawCase', caseId, actor: township, data: { reason: '群众诉求已自行解决' } }) : null;
      case 'reassign':
        return run({
          type: 'ReassignPart',
          caseId,
          actor: centre,
          data: { fromDepartmentId: part.departmentId, toDepartmentId: other, reason: '逾期未处置，改派' },
        });
      case 'check':
        if (this.options.watcherWakes) {
          const due = nextDeadlineCheck(state);
          if (due === null) return null;
          this.now = Math.max(this.now, Date.parse(due));
        }
        return run({ type: 'CheckDeadlines', caseId, actor: systemOf(county.countyId, 'deadline-watcher'), data: { commandCentreId: county.commandCentreId } });
      case 'rebase':
        this.recorder.nextCalendar();
        return run({ type: 'RebaseDeadlines', caseId, actor: systemOf(county.countyId, 'calendar'), data: {} });
      case 'urge':
        return run({ type: 'UrgeDepartment', caseId, actor: centre, data: { departmentId: part.departmentId, note: '请于今日内反馈处置进展' } });
      case 'extend': {
        // With rich data, some requests carry the lab's receipt (and so do some returns and appeals: a photo).
        const uploads = rich && x.c % 2 === 0 ? [this.upload(dept, x.c, '送检回执.pdf')] : [];
        return run({
          type: 'RequestExtension',
          caseId,
          actor: dept,
          data: { reason: '需送检等待检测报告', workingDays: 1 + (x.b % 5), ...evidence(uploads) },
          uploads,
        } as Omit<CaseCommand, 'now' | 'facts'>);
      }
      case 'decideExtension': {
        const asked = part.workflow.pendingExtension!.workingDays;
        const approved = x.resolved;
        return run({
          type: 'DecideExtension',
          caseId,
          actor: centre,
          data: {
            departmentId: part.departmentId,
            approved,
            ...(approved && x.b % 2 === 0 ? { workingDays: 1 + (x.c % asked) } : {}),
            ...(rich && x.c % 2 === 0 ? { note: approved ? '同意延期' : '理由不充分' } : {}),
          },
        });
      }
      case 'return': {
        const uploads = rich && x.c % 3 === 0 ? [this.upload(dept, x.a, '现场照片.jpg')] : [];
        return run({
          type: 'ReturnPart',
          caseId,
          actor: dept,
          data: {
            reason: '职能不符，非本部门职责',
            ...(x.b % 2 === 0 && other !== part.departmentId ? { suggestedDepartmentId: other } : {}),
            ...evidence(uploads),
          },
          uploads,
        } as Omit<CaseCommand, 'now' | 'facts'>);
      }
      case 'decideReturn': {
        const upheld = x.resolved;
        return run({
          type: 'DecideReturn',
          caseId,
          actor: centre,
          data: {
            departmentId: part.departmentId,
            upheld,
            ...(upheld ? { toDepartmentId: other } : {}),
            ...(rich && x.c % 2 === 0 ? { note: upheld ? '退单属实，改派' : '退单理由不成立' } : {}),
          },
        });
      }
      case 'appeal': {
        const uploads = rich && x.c % 2 === 1 ? [this.upload(dept, x.a, '整改后.jpg')] : [];
        return run({
          type: 'AppealReview',
          caseId,
          actor: dept,
          data: { ...(x.b % 2 === 0 ? { departmentId: part.departmentId } : {}), reason: '评价与实际处置不符', ...evidence(uploads) },
          uploads,
        } as Omit<CaseCommand, 'now' | 'facts'>);
      }
      case 'decideAppeal':
        return run({
          type: 'DecideAppeal',
          caseId,
          actor: actorOf(`assess-${county.countyId}`, 'assessment_office', county.countyId),
          data: { departmentId: part.departmentId, upheld: x.resolved, note: x.resolved ? '申诉成立' : '申诉不成立' },
        });
      case 'note': {
        const author = [township, dept, centre][x.b % 3];
        const uploads = rich && x.c % 2 === 0 ? [this.upload(author, x.a, x.a % 2 === 0 ? '现场照片.jpg' : '协调纪要.pdf')] : [];
        return run({
          type: 'AddNote',
          caseId,
          actor: author,
          data: { text: '已电话协调，明日联合现场核查', ...evidence(uploads) },
          uploads,
        } as Omit<CaseCommand, 'now' | 'facts'>);
      }
    }
  }

  /** A file the actor's org uploaded just now, as the blob store would report it (ids from the seeded stream). */
  private upload(by: Actor, n: number, fileName: string): AttachmentFact {
    const pdf = fileName.endsWith('.pdf');
    return {
      id: this.recorder.newId(),
      sha256: (n >>> 0).toString(16).padStart(8, '0').repeat(8),
      size: 1024 + (n % 500_000),
      type: pdf ? 'application/pdf' : 'image/jpeg',
      fileName,
      uploadedBy: { orgId: by.orgId, userId: by.userId },
      uploadedAt: new Date(this.now).toISOString(),
    };
  }
}

/** The history of a list of actions (fast-check's, or `randomActions`'), on the unit tests' county. */
export function historyOf(actions: readonly Action[], options: RecorderOptions & InterpreterOptions = {}): Script {
  const script = new Script(T0, options);
  const interpreter = new ActionInterpreter(script, T0, options);
  for (const x of actions) interpreter.apply(x);
  return script;
}

/**
 * One action drawn from a PRNG: the same distributions the property tests give fast-check. `mix` are
 * the kinds repeated by weight.
 */
export function randomAction(random: () => number, mix: readonly ActionKind[] = ACTION_KINDS): Action {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const band = Math.floor(random() * 3);
  return {
    // Minutes: within a response window (120), across it, and across completion windows (4320).
    advance: band === 0 ? int(0, 30) : band === 1 ? int(30, 600) : int(600, 6000),
    kind: mix[Math.floor(random() * mix.length)],
    a: int(0, 2 ** 31 - 1),
    b: int(0, 2 ** 31 - 1),
    c: int(0, 2 ** 31 - 1),
    resolved: random() < 0.5,
    satisfaction: SATISFACTIONS[Math.floor(random() * SATISFACTIONS.length)],
    // The store records an event at, after, or (clock skew) slightly before it occurred.
    lagMs: random() < 0.5 ? 0 : int(-120_000, 3_600_000),
  };
}

export const randomActions = (seed: number, count: number, mix?: readonly ActionKind[]) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomAction(random, mix));
};

export interface TrafficOptions extends InterpreterOptions {
  seed?: number;
  /** Cases open at once, at most; events of different cases interleave in the store like real traffic. */
  openCases?: number;
  /** Simulated time of the first command. */
  start?: number;
  mix?: readonly ActionKind[];
  policy?: RecorderOptions['policy'];
}

/**
 * Case traffic for the relay's tests and benchmarks: every `next()` is one recorded command (one append
 * to one case stream), drawn from the seeded PRNG over many open cases, on two counties by default.
 * Recorded events are not kept (streamed histories of 100k events).
 */
export class CaseTraffic {
  private readonly random: () => number;
  private readonly interpreter: ActionInterpreter;
  private readonly recorder: CaseRecorder;
  private readonly openCases: number;
  private readonly mix: readonly ActionKind[];
  private readonly withoutBlow: readonly ActionKind[];

  constructor(options: TrafficOptions = {}) {
    const seed = options.seed ?? 1;
    this.random = seededRandom(seed);
    // Two calendars in turn: every re-basing changes the deadlines, without moving them ever later.
    const shifting = shiftingCalendars();
    const recorder = new CaseRecorder({ idSeed: seed, keepEvents: false, policy: options.policy ?? ((calendar) => shifting(calendar % 2)) });
    this.recorder = recorder;
    this.interpreter = new ActionInterpreter(recorder, options.start ?? T0, {
      counties: options.counties ?? TWO_COUNTIES,
      caseIds: options.caseIds ?? 'uuid',
      richData: options.richData ?? true,
      watcherWakes: options.watcherWakes ?? true,
    });
    this.openCases = options.openCases ?? 200;
    this.mix = options.mix ?? ACTION_KINDS;
    this.withoutBlow = this.mix.filter((k) => k !== 'blow');
  }

  next(): CaseAppend {
    for (;;) {
      const open = this.interpreter.openCases;
      const mix = open === 0 ? (['blow'] as const) : open >= this.openCases ? this.withoutBlow : this.mix;
      // About five hours between two steps of one case, whatever the number open: some clocks are
      // met, some run out, and the watcher finds reminders as well as overdue parts.
      const advance = (this.random() * 600) / this.openCases;
      const appended = this.interpreter.apply({ ...randomAction(this.random, mix), advance, lagMs: 0 });
      if (!appended || appended.events.length === 0) continue;
      if (this.recorder.state(appended.caseId)!.status !== 'open') this.recorder.forget(appended.caseId);
      return appended;
    }
  }
}
