/**
 * Realistic case histories over weeks, for benchmarks and the kill -9 e2e tests, made by the real domain: every command goes through
 * `decide()` with the county's policy (catalogue + working calendar), so every event is one the
 * service could have recorded. Time is simulated (never the wall clock): a discrete-event
 * simulation walks a priority queue of scheduled actions in time order, and the store records each
 * event at the simulated instant of its commit (recordedAt ≥ occurredAt, at most two minutes later).
 *
 * What happens to a whistle (rates differ per department, so scorecards and ranks differ):
 * - a township blows it, for a catalogue matter (its departments and limits) or ad hoc with 1–3
 *   departments; more during office hours and on working days;
 * - each department reports in (mostly on time, some late, a few never), or transfers the part (转办);
 * - then completes its round (mostly on time); the township reviews it (一事一评): resolved or not,
 *   satisfied / basically / dissatisfied; unresolved → 退回重办 (rework round) while rounds remain;
 * - the deadline watcher checks at each reminder and deadline (提醒 / 催办 / 督办, as in production);
 *   after an escalation the command centre urges or reassigns some parts, and urged departments act;
 * - a few whistles are withdrawn by their township.
 */
import {
  nextDeadlineCheck,
  systemActor,
  type Actor,
  type CaseCommand,
  type CaseEvent,
  type CasePolicy,
  type CaseState,
  type Category,
  type PartState,
  type Satisfaction,
} from '@chuishao/domain';
import type { EventData } from '@chuishao/event-store';
import type { Matter } from '@chuishao/catalog';
import { seededRandom } from './random';
import { CaseRecorder } from './recorder';

export interface HistorySink {
  /** Appends one command's events to the case's stream (fire and forget; the generator awaits `drain`). */
  append(streamName: string, events: EventData[]): void;
  /** Called before each flush point with the simulated instant the store should record by. */
  setNow(ms: number): void;
  /** Waits until every append so far is committed (so the next flush is recorded at its own instant). */
  drain(): Promise<void>;
}

export interface Org {
  id: string;
  countyId: string;
}

export interface GenerateOptions {
  policy: CasePolicy;
  matters: readonly Matter[];
  townships: readonly Org[];
  departments: readonly Org[];
  commandCentreId: string;
  /** Epoch ms of the first whistle. */
  start: number;
  /** Whistles per average day (the arrival rate follows office hours and working days). */
  whistlesPerDay: number;
  /** Stop once this many events are recorded (the command that crosses it is recorded whole). */
  targetEvents: number;
  /** Or once the simulated clock reaches this instant (epoch ms), whichever comes first. */
  end?: number;
  seed: number;
  onProgress?: (p: GenerateStats) => void;
}

export interface GenerateStats {
  events: number;
  commands: number;
  refused: number;
  cases: number;
  simulatedNow: number;
  byType: Record<string, number>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Simulated time per store commit. */
const WINDOW_MS = 2 * MIN;

type ActionKind = 'blow' | 'respond' | 'transfer' | 'complete' | 'review' | 'withdraw' | 'check' | 'urge' | 'reassign';
interface Action {
  at: number;
  seq: number;
  kind: ActionKind;
  caseId: string;
  partId: string;
  /** The part's holding (number of transfers/reassignments) the action was planned for: stale otherwise. */
  holding: number;
  round: number;
}

/** A binary min-heap on (at, seq). */
class Agenda {
  private readonly heap: Action[] = [];
  get size() {
    return this.heap.length;
  }
  push(a: Action): void {
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  peek(): Action | undefined {
    return this.heap[0];
  }
  pop(): Action | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Action, b: Action) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

interface SimCase {
  state: CaseState;
  /** When the watcher is next due to look at this case (null: nothing scheduled). */
  checkAt: number | null;
  withdrawn: boolean;
}

/** How a department behaves: some are diligent, some are not (so the ranking means something). */
interface Temper {
  lateResponse: number;
  neverResponds: number;
  transfers: number;
  lateCompletion: number;
  neverCompletes: number;
  unresolved: number;
}

export async function generateHistories(sink: HistorySink, o: GenerateOptions): Promise<GenerateStats> {
  const random = seededRandom(o.seed);
  // Same seed, same ids: the whole history replays.
  const recorder = new CaseRecorder({ policy: () => o.policy, idSeed: o.seed, keepEvents: false });
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const chance = (p: number) => random() < p;
  const tempers = new Map<string, Temper>();
  for (const d of o.departments) {
    const q = random(); // 0: diligent … 1: sluggish
    tempers.set(d.id, {
      lateResponse: 0.02 + 0.12 * q,
      neverResponds: 0.003 + 0.02 * q,
      transfers: 0.02 + 0.05 * random(),
      lateCompletion: 0.03 + 0.15 * q,
      neverCompletes: 0.002 + 0.015 * q,
      unresolved: 0.05 + 0.15 * q,
    });
  }
  const countyOf = new Map([...o.townships, ...o.departments].map((x) => [x.id, x.countyId]));
  const deptActor = (id: string): Actor => ({ orgId: id, role: 'department', userId: `${id}-handler`, countyId: countyOf.get(id)! });
  const twpActor = (id: string): Actor => ({ orgId: id, role: 'township', userId: `${id}-clerk`, countyId: countyOf.get(id)! });
  const ccActor = (county: string): Actor => ({ orgId: o.commandCentreId, role: 'command_centre', userId: 'cc-duty', countyId: county });
  // One county (one command centre): its departments are the directory's facts for every command naming one.
  const facts = { countyDepartments: o.departments.map((d) => d.id) };

  const agenda = new Agenda();
  const cases = new Map<string, SimCase>();
  let seq = 0;
  const plan = (at: number, kind: ActionKind, caseId: string, partId = '', holding = 0, round = 0) =>
    agenda.push({ at: Math.round(at), seq: seq++, kind, caseId, partId, holding, round });

  const stats: GenerateStats = { events: 0, commands: 0, refused: 0, cases: 0, simulatedNow: o.start, byType: {} };

  // Arrivals: a Poisson process whose rate follows office hours (Asia/Shanghai) and working days.
  const weight = (t: number) => {
    const local = new Date(t + 8 * HOUR);
    const h = local.getUTCHours();
    const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
    const w = h >= 8 && h < 18 ? 2.2 : h >= 6 && h < 22 ? 0.8 : 0.15;
    return weekend ? w * 0.45 : w;
  };
  const meanWeight = 1.05; // ≈ the weekly average of weight(): keeps whistlesPerDay the daily mean
  const maxRatePerMs = (o.whistlesPerDay / DAY) * (2.2 / meanWeight);
  let nextArrival = o.start;
  const scheduleArrival = () => {
    // Thinning: candidate arrivals at the peak rate, kept with probability weight/peak.
    for (;;) {
      nextArrival += -Math.log(1 - random()) / maxRatePerMs;
      if (random() < weight(nextArrival) / 2.2) break;
    }
    plan(nextArrival, 'blow', '');
  };
  scheduleArrival();

  const partOf = (c: SimCase, partId: string) => c.state.parts.find((p) => p.partId === partId);
  const holdingOf = (p: PartState) => p.transfers.length;
  const responseSpan = (p: PartState) => Math.max(MIN, Date.parse(p.responseDueAt) - Date.parse(p.assignedAt));

  /** The department's next move on a part it has just received. */
  const planResponse = (caseId: string, p: PartState) => {
    const t = tempers.get(p.departmentId)!;
    const assigned = Date.parse(p.assignedAt);
    const span = responseSpan(p);
    const holding = holdingOf(p);
    const r = random();
    if (r < t.transfers) plan(assigned + span * uniform(0.1, 0.9), 'transfer', caseId, p.partId, holding);
    else if (r < t.transfers + t.neverResponds)
      return; // the watcher will escalate it
    else if (r < t.transfers + t.neverResponds + t.lateResponse) plan(assigned + span * uniform(1.05, 3), 'respond', caseId, p.partId, holding);
    else plan(assigned + span * uniform(0.03, 0.95), 'respond', caseId, p.partId, holding);
  };
  const planCompletion = (caseId: string, p: PartState, from: number) => {
    const t = tempers.get(p.departmentId)!;
    const due = Date.parse(p.completionDueAt);
    const r = random();
    if (r < t.neverCompletes) return;
    const at =
      r < t.neverCompletes + t.lateCompletion || due <= from + HOUR ? Math.max(due, from) + uniform(HOUR, 5 * DAY) : from + (due - from) * uniform(0.1, 0.95);
    plan(at, 'complete', caseId, p.partId, holdingOf(p), p.round);
  };
  const planCheck = (caseId: string, c: SimCase) => {
    const next = nextDeadlineCheck(c.state);
    if (next === null) return;
    // The watcher looks within a second or so of the instant (its interval).
    const at = Date.parse(next) + 1000 + Math.floor(random() * 1000);
    if (c.checkAt !== null && c.checkAt <= at) return;
    c.checkAt = at;
    plan(at, 'check', caseId);
  };

  /** Runs a command through decide() at the action's instant; records and returns the events (null: refused). */
  const run = (_c: SimCase | null, _caseId: string, now: number, _actor: Actor, build: (now: string) => CaseCommand): CaseEvent[] | null => {
    const appended = recorder.tryRecord(build(new Date(now).toISOString()));
    if (!appended) {
      stats.refused++;
      return null;
    }
    if (appended.events.length === 0) return appended.decided;
    sink.append(appended.streamName, appended.events);
    stats.commands++;
    stats.events += appended.events.length;
    for (const e of appended.decided) stats.byType[e.type] = (stats.byType[e.type] ?? 0) + 1;
    return appended.decided;
  };

  // The recorder has folded the events already; the case follows its state.
  const apply = (c: SimCase, _events: CaseEvent[]) => {
    c.state = recorder.state(c.state.caseId)!;
  };

  const blow = (now: number) => {
    const township = pick(o.townships);
    let category: Category;
    let departmentIds: string[];
    let matterCode: string | undefined;
    let title: string;
    if (chance(0.65)) {
      const m = pick(o.matters);
      matterCode = m.code;
      category = m.category;
      departmentIds = [...m.departmentIds].slice(0, 3);
      title = m.name;
    } else {
      category = pick(['joint_enforcement', 'joint_enforcement', 'key_task', 'resident_request', 'resident_request', 'emergency'] as const);
      const n = chance(0.5) ? 1 : chance(0.7) ? 2 : 3;
      const set = new Set<string>();
      while (set.size < n) set.add(pick(o.departments).id);
      departmentIds = [...set];
      title = `${category === 'emergency' ? '突发' : ''}群众反映事项`;
    }
    const caseId = recorder.newId();
    const events = run(null, caseId, now, twpActor(township.id), (iso) => ({
      type: 'BlowWhistle',
      caseId,
      actor: twpActor(township.id),
      now: iso,
      facts,
      data: {
        title,
        description: `${title}：网格员巡查发现，群众多次反映，请相关部门到场处置。`,
        category,
        departmentIds,
        matterCode,
        location: { address: `${township.id} 第${1 + Math.floor(random() * 30)}网格` },
      },
    }));
    if (!events) return;
    const c: SimCase = { state: recorder.state(caseId)!, checkAt: null, withdrawn: false };
    cases.set(caseId, c);
    stats.cases++;
    for (const p of c.state.parts) planResponse(caseId, p);
    if (chance(0.02)) plan(now + uniform(10 * MIN, 2 * DAY), 'withdraw', caseId);
    planCheck(caseId, c);
  };

  const step = (a: Action) => {
    if (a.kind === 'blow') {
      blow(a.at);
      scheduleArrival();
      return;
    }
    const c = cases.get(a.caseId);
    if (c?.state.status !== 'open') return;
    const p = a.partId ? partOf(c, a.partId) : undefined;
    if (a.partId && (!p || holdingOf(p) !== a.holding)) return; // the part moved on since this was planned
    const caseId = a.caseId;
    const now = a.at;
    switch (a.kind) {
      case 'respond': {
        if (p!.status !== 'awaiting_response') return;
        const ev = run(c, caseId, now, deptActor(p!.departmentId), (iso) => ({
          type: 'RespondToCase',
          caseId,
          actor: deptActor(p!.departmentId),
          now: iso,
          data: {},
        }));
        if (!ev) return;
        apply(c, ev);
        planCompletion(caseId, partOf(c, p!.partId)!, now);
        break;
      }
      case 'transfer': {
        if (p!.status !== 'awaiting_response' && p!.status !== 'in_progress') return;
        const held = new Set(c.state.parts.filter((x) => x.status !== 'closed').map((x) => x.departmentId));
        const to = o.departments.filter((d) => !held.has(d.id));
        if (to.length === 0) return;
        const target = pick(to).id;
        const ev = run(c, caseId, now, deptActor(p!.departmentId), (iso) => ({
          type: 'TransferCase',
          caseId,
          actor: deptActor(p!.departmentId),
          now: iso,
          facts,
          data: { toDepartmentId: target, reason: '经核实不属本部门职责，转相关部门办理' },
        }));
        if (!ev) return;
        apply(c, ev);
        planResponse(caseId, partOf(c, p!.partId)!);
        break;
      }
      case 'complete': {
        if (p!.status !== 'in_progress' || p!.round !== a.round) return;
        const ev = run(c, caseId, now, deptActor(p!.departmentId), (iso) => ({
          type: 'CompleteHandling',
          caseId,
          actor: deptActor(p!.departmentId),
          now: iso,
          data: { result: '已到场处置，整改完毕' },
        }));
        if (!ev) return;
        apply(c, ev);
        plan(now + uniform(HOUR, 3 * DAY), 'review', caseId, p!.partId, a.holding, a.round);
        break;
      }
      case 'review': {
        if (p!.status !== 'completed' || p!.round !== a.round) return;
        const t = tempers.get(p!.departmentId)!;
        const resolved = !chance(t.unresolved);
        const satisfaction: Satisfaction = resolved
          ? pick(['satisfied', 'satisfied', 'satisfied', 'satisfied', 'satisfied', 'basically_satisfied', 'basically_satisfied', 'dissatisfied'] as const)
          : pick(['dissatisfied', 'dissatisfied', 'basically_satisfied'] as const);
        const township = c.state.townshipId;
        const ev = run(c, caseId, now, twpActor(township), (iso) => ({
          type: 'ReviewHandling',
          caseId,
          actor: twpActor(township),
          now: iso,
          data: { departmentId: p!.departmentId, resolved, satisfaction },
        }));
        if (!ev) return;
        apply(c, ev);
        const after = partOf(c, p!.partId)!;
        if (after.status === 'in_progress') planCompletion(caseId, after, now); // 退回重办
        break;
      }
      case 'withdraw': {
        const township = c.state.townshipId;
        const ev = run(c, caseId, now, twpActor(township), (iso) => ({
          type: 'WithdrawCase',
          caseId,
          actor: twpActor(township),
          now: iso,
          data: { reason: '群众诉求已自行解决，乡镇撤回' },
        }));
        if (!ev) return;
        apply(c, ev);
        c.withdrawn = true;
        break;
      }
      case 'check': {
        if (c.checkAt !== a.at) return; // superseded by an earlier check
        c.checkAt = null;
        const actor = systemActor(c.state.countyId, 'deadline-watcher');
        const ev = run(c, caseId, now, actor, (iso) => ({ type: 'CheckDeadlines', caseId, actor, now: iso, data: { commandCentreId: o.commandCentreId } }));
        if (ev) {
          apply(c, ev);
          for (const e of ev) {
            if (e.type !== 'CaseEscalated') continue;
            const part = partOf(c, e.data.partId)!;
            if (chance(0.45)) plan(now + uniform(30 * MIN, 8 * HOUR), 'urge', caseId, part.partId, holdingOf(part));
            else if (chance(0.12)) plan(now + uniform(HOUR, 2 * DAY), 'reassign', caseId, part.partId, holdingOf(part));
          }
        }
        break;
      }
      case 'urge': {
        if (p!.status !== 'awaiting_response' && p!.status !== 'in_progress') return;
        const actor = ccActor(c.state.countyId);
        const ev = run(c, caseId, now, actor, (iso) => ({
          type: 'UrgeDepartment',
          caseId,
          actor,
          now: iso,
          data: { departmentId: p!.departmentId, note: '请立即处置并反馈' },
        }));
        if (!ev) return;
        apply(c, ev);
        // Urged, the department acts (if it had planned nothing, or planned it later: the earlier action wins, the other goes stale).
        if (chance(0.8))
          plan(now + uniform(30 * MIN, DAY), p!.status === 'awaiting_response' ? 'respond' : 'complete', caseId, p!.partId, holdingOf(p!), p!.round);
        break;
      }
      case 'reassign': {
        if (p!.status !== 'awaiting_response' && p!.status !== 'in_progress') return;
        const held = new Set(c.state.parts.filter((x) => x.status !== 'closed').map((x) => x.departmentId));
        const to = o.departments.filter((d) => !held.has(d.id));
        if (to.length === 0) return;
        const target = pick(to).id;
        const actor = ccActor(c.state.countyId);
        const ev = run(c, caseId, now, actor, (iso) => ({
          type: 'ReassignPart',
          caseId,
          actor,
          now: iso,
          facts,
          data: { fromDepartmentId: p!.departmentId, toDepartmentId: target, reason: '原承办部门逾期未处置，指挥中心改派' },
        }));
        if (!ev) return;
        apply(c, ev);
        planResponse(caseId, partOf(c, p!.partId)!);
        break;
      }
    }
    if (c.state.status === 'open') planCheck(caseId, c);
    else {
      cases.delete(caseId);
      recorder.forget(caseId);
    }
  };

  // Walk the agenda in time order, one simulated window per commit: the store records the window's
  // events at its last instant, so recordedAt is never before occurredAt and at most a window after.
  // (Each window is awaited: the writer thread would otherwise group several into one commit, all
  // recorded at the latest instant.)
  let lastProgress = 0;
  const end = o.end ?? Infinity;
  while (stats.events < o.targetEvents && agenda.size > 0 && agenda.peek()!.at < end) {
    const windowEnd = agenda.peek()!.at + WINDOW_MS;
    let last = agenda.peek()!.at;
    while (agenda.size > 0 && agenda.peek()!.at < Math.min(windowEnd, end) && stats.events < o.targetEvents) {
      const a = agenda.pop()!;
      last = a.at;
      step(a);
    }
    stats.simulatedNow = last;
    sink.setNow(last);
    await sink.drain();
    if (o.onProgress && stats.events - lastProgress >= 100_000) {
      lastProgress = stats.events;
      o.onProgress(stats);
    }
  }
  await sink.drain();
  return stats;
}
