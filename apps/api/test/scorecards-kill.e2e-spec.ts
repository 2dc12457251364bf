import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BusinessCalendar } from '@chuishao/calendar';
import { Catalog } from '@chuishao/catalog';
import { countyPolicy } from '@chuishao/deadlines';
import { Directory } from '@chuishao/directory';
import { SqliteEventStore, type EventData, type RecordedEvent } from '@chuishao/event-store';
import { activeGeneration, CASE_INBOX, inboxTables, partitionCheckpoint, readCheckpoint } from '@chuishao/projections';
import {
  applyScoringEvent,
  computeScorecard,
  evaluatePart,
  explainPart,
  formatLocalDate,
  fromRow,
  localDateOf,
  MemoryFactsStore,
  ms,
  periodOf,
  SCORING_PROJECTION,
  ScoringPolicies,
  scoringGenerations,
  tablesOf,
  type CaseFacts,
  type PartFacts,
  type PartRow,
  type Scorecard,
} from '@chuishao/scoring';
import { generateHistories, seededRandom, type HistorySink } from '@chuishao/histories';
import { ASSESSMENT, COMMAND_CENTRE } from './harness';
import { client, freePort, kill, startServer, track } from './server-process';

/**
 * kill -9 around the scorecards (issue 3 "Done when", issue 4 "Overdue counts on scorecards agree with
 * the watcher's events"), with every process built from dist/ and really SIGKILLed:
 *
 * - the API with PROCESSORS=external (CLOCK=simulated) and the projector as its own process, on one
 *   DATA_DIR; a background history of ~25k events made by the real domain (generateHistories in @chuishao/histories)
 *   is in the store before they start, then a live load over HTTP runs while the projector is killed
 *   at random moments and restarted;
 * - the rebuild command killed mid-build and again between its switch and its drop, then rerun, while
 *   the API serves and the load goes on (and the projector is killed once more during it);
 * - the API restarted with its deadline watcher, the clock moved past deadlines, and the scorecards'
 *   `overdue` checked against the rungs the watcher recorded.
 *
 * "From scratch" is the recomputation in this process: every event read back from the store
 * (store.readAll) and folded by the reducer into fresh in-memory facts, then `computeScorecard` /
 * `evaluatePart` / `explainPart` at the same asOf as the API's answer. Besides the API's answers, the
 * projected rows themselves (parts and cases tables of the active generation) must equal those facts,
 * field by field: a double-applied or lost event shows there even where a count would hide it.
 *
 * Every random choice (history, load, kill moments) comes from one seed, shown in the suite's name;
 * SCORECARDS_KILL_SEED=<seed> makes the same choices again (the timing of processes still varies).
 */

const ROOT = resolve(__dirname, '../../..');
const PROJECTOR = join(ROOT, 'dist/apps/projector/src/main.js');
const REBUILD = join(ROOT, 'dist/apps/projector/src/rebuild.command.js');
const COUNTY = 'county-qingchuan';
const TZ = 'Asia/Shanghai';
const SEED = Number(process.env.SCORECARDS_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MIN = 60_000;

const directory = Directory.demo();
const orgsOf = (type: string) => directory.list().filter((o) => o.type === type && o.countyId === COUNTY);
const TOWNSHIPS = orgsOf('township').map((o) => o.id);
const DEPARTMENTS = orgsOf('department').map((o) => o.id);
const DEPARTMENT_REFS = orgsOf('department').map((o) => ({ id: o.id, name: o.name }));
const catalog = Catalog.demo();
const policies = new ScoringPolicies();

const random = seededRandom(SEED);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, timeoutMs: number, test: () => Promise<boolean> | boolean, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (seed ${SEED})`);
    await sleep(everyMs);
  }
}

/** A built entry point (dist/) as its own process, with its output kept for the assertions and for failures. */
class Proc {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(script: string, env: Record<string, string>, args: string[] = []) {
    this.child = track(
      spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), script, ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => this.child.once('exit', (code, signal) => r({ code, signal })));
  }
  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// From scratch: the store's events folded into fresh facts, and the scorecard computed from them
// ---------------------------------------------------------------------------------------------

async function readAllEvents(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after: number | null = null; ; ) {
    const page = await store.readAll({ after, limit: 5000 });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].position;
  }
}

function fromScratch(events: readonly RecordedEvent[]): { parts: PartFacts[]; cases: CaseFacts[] } {
  const facts = new MemoryFactsStore();
  for (const e of events) applyScoringEvent(facts, e);
  return { parts: [...facts.parts.values()], cases: [...facts.cases.values()] };
}

interface Period {
  from: string;
  to: string;
}
type ApiCard = Scorecard & { countyId: string };

function expectedCard(parts: readonly PartFacts[], period: Period, asOf: string): ApiCard {
  const at = Date.parse(asOf);
  const card = computeScorecard(
    parts.filter((p) => p.countyId === COUNTY),
    {
      from: period.from,
      to: period.to,
      asOf: at,
      policy: policies.inForceAt(at),
      departments: DEPARTMENT_REFS,
      timeZone: TZ,
    },
  );
  return { ...card, countyId: COUNTY };
}

function expectedExplain(parts: readonly PartFacts[], period: Period, asOf: string, departmentId: string) {
  const at = Date.parse(asOf);
  const card = expectedCard(parts, period, asOf);
  const { fromMs, toMs } = periodOf(period.from, period.to, TZ);
  const mine = parts
    .filter((p) => p.countyId === COUNTY && p.departmentId === departmentId && p.assigned.at >= fromMs && p.assigned.at < toMs)
    .sort((a, b) => a.assigned.at - b.assigned.at || (a.holdingId < b.holdingId ? -1 : 1));
  return {
    from: card.from,
    to: card.to,
    asOf: card.asOf,
    policyVersion: card.policyVersion,
    countyId: COUNTY,
    department: card.departments.find((r) => r.departmentId === departmentId),
    parts: mine
      .map((p) => evaluatePart(p, at))
      .filter((e) => e !== null)
      .map((e) => ({ ...explainPart(e, at), townshipName: directory.get(e.facts.townshipId)?.name ?? null })),
  };
}

/** The active generation's rows, in one read transaction with the checkpoint they stand at. */
function projectedFacts(file: string) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.exec('BEGIN');
    const generation = activeGeneration(db, SCORING_PROJECTION);
    const t = tablesOf(generation);
    const checkpoint = readCheckpoint(db, SCORING_PROJECTION);
    const parts = (db.prepare(`SELECT * FROM ${t.parts}`).all() as unknown as PartRow[]).map(fromRow);
    const cases = (
      db.prepare(`SELECT * FROM ${t.cases}`).all() as unknown as {
        case_id: string;
        county_id: string;
        township_id: string;
        known: number;
        position: number;
        current: string;
      }[]
    ).map(
      (r): CaseFacts => ({
        caseId: r.case_id,
        countyId: r.county_id,
        townshipId: r.township_id,
        known: r.known,
        position: r.position,
        current: JSON.parse(r.current),
      }),
    );
    db.exec('COMMIT');
    return { generation, checkpoint, parts, cases, tables: scoringGenerations.existingGenerations(db) };
  } finally {
    db.close();
  }
}

const byHolding = (a: PartFacts, b: PartFacts) => (a.holdingId < b.holdingId ? -1 : a.holdingId > b.holdingId ? 1 : 0);
const byCase = (a: CaseFacts, b: CaseFacts) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// The watcher's view of overdue, from its own events (issue 4 cross-check)
// ---------------------------------------------------------------------------------------------

interface Rung {
  level: 'reminded' | 'overdue' | 'escalated';
  kind: 'response' | 'completion';
  round: number;
  departmentId: string;
}
interface Holding {
  key: string;
  departmentId: string;
  assignedAt: number;
  responded: boolean;
  round: number;
  roundCompleted: boolean;
  ended: boolean;
  receivedBy: 'whistle' | 'transfer' | 'reassignment';
  rung: Rung | null;
}

/**
 * What the deadline watcher says is overdue at T, from the raw events alone (neither the scoring code
 * nor the domain's fold): each case's stream is replayed up to T — the prefix whose running
 * max(occurredAt, recordedAt) is ≤ T, which is what a scorecard as of T sees — keeping for every
 * holding of every part (whistle, transfer or reassignment to a department) whether it reported in,
 * its current round and whether that round is completed, whether it ended (transferred, reassigned,
 * closed, withdrawn), and its LATEST watcher rung: the last DeadlineReminderSent (提醒),
 * ResponseOverdue / CompletionOverdue (催办) or CaseEscalated (督办) recorded for it.
 *
 * A holding counts for department D at T iff
 *   (1) its latest rung is 催办 or 督办 (overdue / escalated), recorded for D;
 *   (2) D still holds it at T (no transfer, reassignment, closure or withdrawal since);
 *   (3) the clock of that rung is still unmet at T: a response rung → no report-in since; a completion
 *       rung → the rung's round is still the current round and it is not completed;
 *   (4) it was assigned in the period.
 * The scorecard's `overdue` is computed the other way, from the deadlines written on the assignments
 * and rework rounds compared with asOf (scoring.md). The two agree only if the watcher recorded every
 * breach before T, exactly for the holder of the part at the time, and if scoring charges overdue to
 * the same department and round as the watcher escalated.
 *
 * Also returned: the exactly-once check (one 催办 and one 督办 per clock), and why other overdue rungs
 * do not count (met later, or the part left the department), so the check is known not to be vacuous.
 */
function watcherOverdue(events: readonly RecordedEvent[], T: number, period: { fromMs: number; toMs: number }) {
  const cases = new Map<string, { known: number; frozen: boolean; parts: Map<string, Holding> }>();
  const all: Holding[] = [];
  const rungCount = new Map<string, number>();
  const hold = (caseId: string, a: { partId: string; departmentId: string; assignedAt: string }, seq: number, receivedBy: Holding['receivedBy']): Holding => {
    const h: Holding = {
      key: `${caseId}/${a.partId}/${seq}`,
      departmentId: a.departmentId,
      assignedAt: Date.parse(a.assignedAt),
      responded: false,
      round: 1,
      roundCompleted: false,
      ended: false,
      receivedBy,
      rung: null,
    };
    all.push(h);
    return h;
  };
  for (const e of events) {
    const d = e.data as Record<string, any>;
    const caseId = d.caseId as string;
    let c = cases.get(caseId);
    if (!c) cases.set(caseId, (c = { known: -Infinity, frozen: false, parts: new Map() }));
    if (c.frozen) continue;
    c.known = Math.max(c.known, ms(d.occurredAt), ms(e.recordedAt));
    if (c.known > T) {
      c.frozen = true;
      continue;
    }
    const h = d.partId ? c.parts.get(d.partId) : undefined;
    const seqOf = (x: Holding) => Number(x.key.slice(x.key.lastIndexOf('/') + 1));
    const rung = (level: Rung['level'], kind: Rung['kind']) => {
      if (!h) return;
      h.rung = { level, kind, round: d.round, departmentId: d.departmentId };
      if (level !== 'reminded') {
        const key = `${h.key}|${kind}|${d.round}|${level}`;
        rungCount.set(key, (rungCount.get(key) ?? 0) + 1);
      }
    };
    switch (e.type) {
      case 'WhistleBlown':
        for (const a of d.parts) c.parts.set(a.partId, hold(caseId, a, 0, 'whistle'));
        break;
      case 'DepartmentResponded':
        if (h) h.responded = true;
        break;
      case 'CaseTransferred':
      case 'PartReassigned':
        if (h) h.ended = true;
        c.parts.set(d.partId, hold(caseId, d.assignment, h ? seqOf(h) + 1 : 0, e.type === 'CaseTransferred' ? 'transfer' : 'reassignment'));
        break;
      case 'HandlingCompleted':
        if (h && d.round === h.round) h.roundCompleted = true;
        break;
      case 'CaseReopened':
        if (h) {
          h.round = d.round;
          h.roundCompleted = false;
        }
        break;
      case 'PartClosed':
        if (h) h.ended = true;
        break;
      case 'CaseWithdrawn':
        for (const x of c.parts.values()) x.ended = true;
        break;
      case 'DeadlineReminderSent':
        rung('reminded', d.deadline);
        break;
      case 'ResponseOverdue':
        rung('overdue', 'response');
        break;
      case 'CompletionOverdue':
        rung('overdue', 'completion');
        break;
      case 'CaseEscalated':
        rung('escalated', d.deadline);
        break;
    }
  }
  const counted = new Map<string, Set<string>>();
  const excluded = { met: 0, leftTheDepartment: 0 };
  const countedKinds = { response: 0, completion: 0, transferredOrReassignedIn: 0, reworkRound: 0 };
  for (const h of all) {
    const r = h.rung;
    if (!r || r.level === 'reminded' || h.assignedAt < period.fromMs || h.assignedAt >= period.toMs) continue;
    if (h.ended || r.departmentId !== h.departmentId) {
      excluded.leftTheDepartment++;
      continue;
    }
    const unmet = r.kind === 'response' ? !h.responded : r.round === h.round && !h.roundCompleted;
    if (!unmet) {
      excluded.met++;
      continue;
    }
    if (!counted.has(h.departmentId)) counted.set(h.departmentId, new Set());
    counted.get(h.departmentId)!.add(h.key);
    countedKinds[r.kind]++;
    if (h.receivedBy !== 'whistle') countedKinds.transferredOrReassignedIn++;
    if (r.round > 1) countedKinds.reworkRound++;
  }
  const duplicates = [...rungCount].filter(([, n]) => n > 1).map(([k]) => k);
  return { counted, excluded, countedKinds, duplicates, rungs: [...rungCount.keys()].length };
}

// ---------------------------------------------------------------------------------------------
// Live load over HTTP
// ---------------------------------------------------------------------------------------------

interface PartView {
  partId: string;
  departmentId: string;
  status: string;
  round: number;
  transfers: unknown[];
  responseAlert: string;
  completionAlert: string;
}
interface CaseView {
  caseId: string;
  townshipId: string;
  status: string;
  parts: PartView[];
}
type Api = ReturnType<typeof client>;

/** Deterministic per part holding: departments that let a clock run out (so there is something overdue). */
function neglects(caseId: string, p: PartView, stage: 'response' | 'completion'): boolean {
  let h = 2166136261 ^ SEED;
  for (const ch of `${caseId}/${p.partId}/${p.transfers.length}/${p.round}/${stage}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) % 100 < (stage === 'response' ? 18 : 14);
}

class Load {
  readonly cases = new Map<string, CaseView>();
  private readonly busy = new Set<string>();
  readonly failures: string[] = [];
  commands = 0;
  readonly done: Record<string, number> = {};
  constructor(
    private api: Api,
    private readonly tokens: Map<string, string>,
  ) {}

  setApi(api: Api) {
    this.api = api;
  }

  async send(org: string, method: string, path: string, body: object, caseId?: string): Promise<CaseView | null> {
    const res = await this.api.call(method, path, this.tokens.get(org), body);
    if (res.status >= 300) {
      this.failures.push(`${method} ${path} by ${org}: ${res.status} ${res.body?.code} ${res.body?.detail ?? ''}`);
      return null;
    }
    this.commands++;
    const view = res.body as CaseView;
    if (caseId ?? view.caseId) this.cases.set(view.caseId, view);
    return view;
  }

  candidates(filter: (c: CaseView, p: PartView) => boolean): { c: CaseView; p: PartView }[] {
    const out: { c: CaseView; p: PartView }[] = [];
    for (const c of this.cases.values()) {
      if (c.status !== 'open' || this.busy.has(c.caseId)) continue;
      for (const p of c.parts) if (filter(c, p)) out.push({ c, p });
    }
    return out;
  }

  private freeDepartment(c: CaseView): string | null {
    const held = new Set(c.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
    const free = DEPARTMENTS.filter((d) => !held.has(d));
    return free.length ? pick(free) : null;
  }

  /** One random action of a township, a department or the command centre. */
  async step(): Promise<void> {
    const kinds: [string, number][] = [
      ['blow', 20],
      ['respond', 25],
      ['transfer', 4],
      ['complete', 18],
      ['review', 18],
      ['withdraw', 1.5],
      ['reassign', 2.5],
      ['urge', 2],
    ];
    let r = random() * kinds.reduce((s, [, w]) => s + w, 0);
    const kind = kinds.find(([, w]) => (r -= w) < 0)![0];
    if (kind === 'blow') return this.blow();
    const want: Record<string, (c: CaseView, p: PartView) => boolean> = {
      respond: (c, p) => p.status === 'awaiting_response' && !neglects(c.caseId, p, 'response'),
      transfer: (_, p) => p.status === 'awaiting_response' || p.status === 'in_progress',
      complete: (c, p) => p.status === 'in_progress' && !neglects(c.caseId, p, 'completion'),
      review: (_, p) => p.status === 'completed',
      withdraw: () => true,
      reassign: (_, p) => p.status === 'awaiting_response' || p.status === 'in_progress',
      urge: (_, p) => p.status === 'awaiting_response' || p.status === 'in_progress',
    };
    const options = this.candidates(want[kind]);
    if (options.length === 0) return this.blow();
    const { c, p } = pick(options);
    this.busy.add(c.caseId);
    try {
      await this.act(kind, c, p);
    } finally {
      this.busy.delete(c.caseId);
    }
  }

  async act(kind: string, c: CaseView, p: PartView): Promise<void> {
    const path = `/v1/cases/${c.caseId}`;
    this.done[kind] = (this.done[kind] ?? 0) + 1;
    switch (kind) {
      case 'respond':
        await this.send(p.departmentId, 'POST', `${path}/responses`, { note: '已到场' }, c.caseId);
        break;
      case 'transfer': {
        const to = this.freeDepartment(c);
        if (to) await this.send(p.departmentId, 'POST', `${path}/transfers`, { toDepartmentId: to, reason: '经核实属其他部门职责' }, c.caseId);
        break;
      }
      case 'complete':
        await this.send(p.departmentId, 'POST', `${path}/completions`, { result: '已处置完毕' }, c.caseId);
        break;
      case 'review': {
        const resolved = random() < 0.7;
        const satisfaction = resolved ? pick(['satisfied', 'satisfied', 'basically_satisfied']) : pick(['dissatisfied', 'basically_satisfied']);
        await this.send(c.townshipId, 'POST', `${path}/reviews`, { departmentId: p.departmentId, resolved, satisfaction }, c.caseId);
        break;
      }
      case 'withdraw':
        await this.send(c.townshipId, 'POST', `${path}/withdrawal`, { reason: '群众诉求已自行解决' }, c.caseId);
        break;
      case 'reassign': {
        const to = this.freeDepartment(c);
        if (to)
          await this.send(
            COMMAND_CENTRE,
            'POST',
            `${path}/reassignments`,
            { fromDepartmentId: p.departmentId, toDepartmentId: to, reason: '指挥中心改派' },
            c.caseId,
          );
        break;
      }
      case 'urge':
        await this.send(COMMAND_CENTRE, 'POST', `${path}/urges`, { departmentId: p.departmentId, note: '请加快办理' }, c.caseId);
        break;
    }
  }

  async blow(): Promise<void> {
    this.done.blow = (this.done.blow ?? 0) + 1;
    const township = pick(TOWNSHIPS);
    if (random() < 0.5) {
      const matter = pick(catalog.list().filter((m) => m.departmentIds.length <= 3));
      await this.send(township, 'POST', '/v1/whistles', {
        title: matter.name,
        description: `${matter.name}，群众反映，请到场处置`,
        matterCode: matter.code,
        location: { address: '网格内' },
      });
      return;
    }
    const n = 1 + Math.floor(random() * 3);
    const departmentIds = new Set<string>();
    while (departmentIds.size < n) departmentIds.add(pick(DEPARTMENTS));
    const category = pick(['joint_enforcement', 'key_task', 'resident_request', 'emergency']);
    await this.send(township, 'POST', '/v1/whistles', {
      title: category === 'emergency' ? '突发险情' : '群众反映问题',
      description: '网格员上报，需多部门协同处置',
      category,
      departmentIds: [...departmentIds],
      location: { address: '网格内' },
    });
  }

  /** `actions` actions by `workers` concurrent clients (never two on one case at once). */
  async run(actions: number, workers: number): Promise<void> {
    let left = actions;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (left-- > 0) await this.step();
      }),
    );
  }
}

/**
 * The JSON client of server-process.ts, resilient to one thing: fetch's keep-alive race, where a
 * request goes out on a pooled connection the server has just closed as idle ("other side closed").
 * Such a request never reached the server, so it is sent again; commands carry an Idempotency-Key
 * all the same, so even a retry of one that did arrive would be answered from the first.
 */
let requests = 0;
function resilient(url: string, child: ChildProcess): Api {
  const base = client(url);
  return {
    ...base,
    call: async (method: string, path: string, token?: string, body?: object) => {
      const key = method === 'POST' && !path.startsWith('/v1/dev/') ? `kill-test-${SEED}-${++requests}` : null;
      for (let attempt = 1; ; attempt++) {
        try {
          if (!key) return await base.call(method, path, token, body);
          const res = await fetch(`${url}${path}`, {
            method,
            headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          });
          return { status: res.status, body: (await res.json()) as any };
        } catch (error) {
          const alive = child.exitCode === null && child.signalCode === null;
          if (!alive || attempt >= 3)
            throw new Error(`${method} ${path}: ${String(error)} (${String((error as any)?.cause)}); server ${alive ? 'running' : 'exited'}`);
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe(`scorecards under SIGKILL: projector during live load, rebuild midway, and the watcher’s overdue (seed ${SEED})`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-scorecards-kill-'));
  const readModelFile = join(dataDir, 'read-models.sqlite');
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    STORE_SYNCHRONOUS: 'NORMAL',
    CLOCK: 'simulated',
    READ_MODEL_WAIT_MS: '30000',
    PROCESSORS: 'external',
    CALENDAR_FILE: '',
  };
  let api: Api;
  let port: number;
  let server: ChildProcess | null = null;
  let projector: Proc | null = null;
  let store: SqliteEventStore;
  let load: Load;
  const tokens = new Map<string, string>();
  let period: Period;
  /** Scorecards served during the load at quiet moments, and (a)'s final one: each must be reproducible. */
  const served: { query: string; card: ApiCard }[] = [];
  const others: Proc[] = [];

  const clockFile = join(dataDir, 'simulated-clock.json');
  const serverNow = () => Date.now() + (existsSync(clockFile) ? (JSON.parse(readFileSync(clockFile, 'utf8')).offsetMs as number) : 0);
  const startProjector = async (): Promise<Proc> => {
    const p = new Proc(PROJECTOR, env);
    await until(
      'the projector to start',
      20_000,
      () => {
        if (!p.running) throw new Error(`projector exited: ${p.out}`);
        return /running from checkpoint/.test(p.out);
      },
      20,
    );
    return p;
  };
  const startApi = async (extra: Record<string, string> = {}) => {
    const child = await startServer(dataDir, port, { ...env, ...extra });
    server = child;
    api = resilient(`http://127.0.0.1:${port}`, child);
    load?.setApi(api);
  };
  const head = async () => (await store.headPosition()) ?? 0;
  const readModel = () => new DatabaseSync(readModelFile, { readOnly: true });
  const getCard = async (query: string, asOf?: string): Promise<ApiCard> => {
    const path = `/v1/scorecards?${query}${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const res = await api.call('GET', path, tokens.get(ASSESSMENT));
      if (res.status === 200) return res.body as ApiCard;
      if (res.status !== 503 || attempt > 5) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  const getExplain = async (query: string, departmentId: string, asOf: string) => {
    const res = await api.call('GET', `/v1/scorecards/${departmentId}/explain?${query}&asOf=${encodeURIComponent(asOf)}`, tokens.get(ASSESSMENT));
    expect(res.status).toBe(200);
    return res.body;
  };
  const periodQuery = () => `from=${period.from}&to=${period.to}`;
  const monthQueries = () => {
    const out: string[] = [];
    let y = Number(period.from.slice(0, 4));
    let m = Number(period.from.slice(5, 7));
    for (;;) {
      const from = `${y}-${String(m).padStart(2, '0')}-01`;
      if (from >= period.to) return out;
      [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
      out.push(`from=${from}&to=${y}-${String(m).padStart(2, '0')}-01`);
    }
  };

  /**
   * Everything the API serves now equals the from-scratch recomputation at the same asOf: the rows
   * projected (parts and cases), the scorecard of the whole period and of each month, explain for the
   * busiest departments, and every scorecard served earlier (asOf reproduces it). Needs a still store.
   */
  async function expectEqualsFromScratch(label: string): Promise<{ card: ApiCard; events: RecordedEvent[] }> {
    const card = await getCard(periodQuery()); // waits until the projector holds the head
    const events = await readAllEvents(store);
    const last = events[events.length - 1].position;
    const { parts, cases } = fromScratch(events);
    const projected = projectedFacts(readModelFile);
    expect({ label, checkpoint: projected.checkpoint }).toEqual({ label, checkpoint: last });
    expect(projected.parts.length).toBe(parts.length);
    expect(projected.parts.sort(byHolding)).toEqual([...parts].sort(byHolding));
    expect(projected.cases.sort(byCase)).toEqual([...cases].sort(byCase));

    expect(card).toEqual(expectedCard(parts, period, card.asOf));
    for (const q of monthQueries()) {
      const p = { from: q.slice(5, 15), to: q.slice(19, 29) };
      expect(await getCard(q, card.asOf)).toEqual(expectedCard(parts, p, card.asOf));
    }
    const busiest = [...card.departments]
      .sort((a, b) => b.received - a.received)
      .slice(0, 2)
      .map((r) => r.departmentId);
    const transferring = card.departments.find((r) => r.transfersIn > 0 && r.overdue > 0)?.departmentId;
    for (const dept of new Set([...busiest, ...(transferring ? [transferring] : [])])) {
      expect(await getExplain(periodQuery(), dept, card.asOf)).toEqual(expectedExplain(parts, period, card.asOf, dept));
    }
    for (const s of served) {
      const p = { from: s.query.slice(5, 15), to: s.query.slice(19, 29) };
      expect(s.card).toEqual(expectedCard(parts, p, s.card.asOf)); // what was served then, under the kills
      expect(await getCard(s.query, s.card.asOf)).toEqual(s.card); // and what is served for it now
    }
    return { card, events };
  }

  beforeAll(async () => {
    port = await freePort();
    // A background history made by the real domain over the ten days before now: 25k events, with
    // the watcher's rungs decided by the same domain check (checkDeadlines) the watcher runs.
    const now = Date.now();
    let simulated = now - 10 * 24 * 3_600_000;
    store = new SqliteEventStore({ file: join(dataDir, 'events.sqlite'), synchronous: 'OFF', clock: () => new Date(simulated) });
    let pending: Promise<unknown>[] = [];
    const sink: HistorySink = {
      append: (stream: string, events: EventData[]) => void pending.push(store.append(stream, events, { expectedRevision: 'any' })),
      setNow: (t: number) => void (simulated = t),
      drain: async () => {
        const wait = pending;
        pending = [];
        await Promise.all(wait);
      },
    };
    const start = simulated;
    await generateHistories(sink, {
      policy: countyPolicy(BusinessCalendar.national(), catalog),
      matters: catalog.list(),
      townships: orgsOf('township'),
      departments: orgsOf('department'),
      commandCentreId: COMMAND_CENTRE,
      start,
      whistlesPerDay: 400,
      targetEvents: 25_000,
      end: now - 3_600_000,
      seed: SEED,
    });
    await store.close();
    store = new SqliteEventStore({ file: join(dataDir, 'events.sqlite'), synchronous: 'NORMAL' });
    // The period: whole months from the history's start to well past what the simulated clock reaches.
    const first = localDateOf(start, TZ);
    const last = localDateOf(now + 40 * 24 * 3_600_000, TZ);
    period = {
      from: formatLocalDate({ year: first.year, month: first.month, day: 1 }),
      to: formatLocalDate(last.month === 12 ? { year: last.year + 1, month: 1, day: 1 } : { year: last.year, month: last.month + 1, day: 1 }),
    };
    await startApi();
    for (const org of [...TOWNSHIPS, ...DEPARTMENTS, COMMAND_CENTRE, ASSESSMENT]) tokens.set(org, await api.token(org));
    load = new Load(api, tokens);
  }, 120_000);

  afterAll(async () => {
    if (server) await kill(server);
    await projector?.kill9();
    for (const p of others) await p.kill9();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('(a) SIGKILL of the projector at random moments under live load, then restart: equal to the from-scratch recomputation', async () => {
    const seeded = await head();
    expect(seeded).toBeGreaterThan(20_000);
    projector = await startProjector();

    // The killer: SIGKILL the projector every 0.6–2.5 s, restart it after 0–400 ms. Recorded with
    // where the scoring projection stood, to show the kills hit it mid-work.
    const kills: { checkpoint: number | null; head: number }[] = [];
    let loading = true;
    const killer = (async () => {
      while (loading) {
        await sleep(uniform(600, 2500));
        if (!loading) break;
        await projector!.kill9();
        const rm = readModel();
        kills.push({ checkpoint: readCheckpoint(rm, SCORING_PROJECTION), head: await head() });
        rm.close();
        await sleep(uniform(0, 400));
        projector = await startProjector();
      }
    })();

    // Rounds of concurrent commands; between rounds, the clock moves (minutes to two days, so
    // deadlines pass) and now and then a scorecard is taken at a quiet moment: served at T, it must
    // equal the recomputation at asOf=T later.
    const rounds = 36;
    try {
      for (let round = 0; round < rounds || kills.length < 4; round++) {
        await load.run(35, 6);
        const r = random();
        const minutes = Math.round(r < 0.55 ? uniform(5, 90) : r < 0.9 ? uniform(120, 600) : uniform(1440, 2880));
        expect((await api.call('POST', '/v1/dev/clock/advance', undefined, { minutes })).status).toBe(200);
        if (round % 6 === 5) {
          const month = formatLocalDate({ ...localDateOf(serverNow(), TZ), day: 1 });
          const query = round % 12 === 5 ? periodQuery() : monthQueries().find((q) => q.startsWith(`from=${month}`))!;
          served.push({ query, card: await getCard(query) });
        }
      }
    } finally {
      loading = false;
      await killer;
    }
    expect(load.failures).toEqual([]);
    expect(kills.length).toBeGreaterThanOrEqual(3);
    // At least one kill caught the projector with work to do (catching up the seeded history or the load).
    expect(kills.some((k) => k.checkpoint === null || k.checkpoint < k.head)).toBe(true);
    expect(load.commands).toBeGreaterThan(1000);
    for (const kind of ['transfer', 'review', 'withdraw', 'reassign']) expect(load.done[kind] ?? 0).toBeGreaterThan(0);

    const { card, events } = await expectEqualsFromScratch('after the projector kills');
    served.push({ query: periodQuery(), card });
    // The history has what the scorecard must handle: transfers, reassignments, rework, withdrawals, unresolved reviews.
    const types = new Set(events.map((e) => e.type));
    for (const t of ['CaseTransferred', 'PartReassigned', 'CaseReopened', 'CaseWithdrawn', 'ResponseOverdue', 'CompletionOverdue']) expect(types).toContain(t);
    expect(events.some((e) => e.type === 'ReviewCompleted' && e.data.resolved === false)).toBe(true);
    console.log(
      `(a) seed ${SEED}: ${seeded} seeded events + ${events.length - seeded} from ${load.commands} HTTP commands; ` +
        `${kills.length} projector kills at scoring checkpoint/head ${kills.map((k) => `${k.checkpoint}/${k.head}`).join(', ')}`,
    );
  }, 150_000);

  it('(b) SIGKILL of the rebuild midway and after its switch, then rerun, while the API serves: equal to the from-scratch recomputation', async () => {
    if (!projector?.running) projector = await startProjector();
    const reference = await getCard(periodQuery()); // served before any rebuild, at a still moment
    const rm = readModel();
    const generations = () =>
      rm.prepare('SELECT active, building FROM projection_generations WHERE name = ?').get(SCORING_PROJECTION) as { active: number; building: number | null };
    const before = generations().active;

    // The service keeps serving through the rebuilds: the reference scorecard at its asOf, and now.
    let serving = true;
    const answers = { same: 0, now: 0, failed: [] as string[] };
    const reader = (async () => {
      while (serving) {
        const res = await api.call('GET', `/v1/scorecards?${periodQuery()}&asOf=${encodeURIComponent(reference.asOf)}`, tokens.get(ASSESSMENT));
        if (res.status !== 200) answers.failed.push(`${res.status} ${JSON.stringify(res.body)}`);
        else if (JSON.stringify(res.body) !== JSON.stringify(reference)) answers.failed.push('a different scorecard for the same asOf');
        else answers.same++;
        const now = await api.call('GET', `/v1/scorecards?${periodQuery()}`, tokens.get(ASSESSMENT));
        if (now.status !== 200) answers.failed.push(`now: ${now.status} ${JSON.stringify(now.body)}`);
        else answers.now++;
      }
    })();
    let loading = true;
    const writer = (async () => {
      while (loading) await load.run(10, 2);
    })();

    let building = 0;
    let killedAt = 0;
    const total = await head();
    try {
      // Transactions of 2,000 events, so there is a midway to kill it in (the default would take these ~27k in one);
      // two partition workers, so the kill lands in the partitioned phase.
      const rebuildEnv = { ...env, READ_MODEL_FILE: readModelFile, REBUILD_BATCH: '2000', REBUILD_THREADS: '2' };
      // 1. Killed while building: after some of its partitions' batches, before the switch.
      const first = new Proc(REBUILD, rebuildEnv, ['scoring-parts']);
      others.push(first);
      const fraction = uniform(0.2, 0.7);
      await until(
        'the rebuild to be partway',
        60_000,
        () => {
          if (!first.running) throw new Error(`the rebuild ended before it could be killed midway: ${first.out}`);
          const g = generations();
          if (g.building === null) return false;
          // The partitions' checkpoints, until they merge into the generation's own.
          const partitions = [0, 1].map((index) => readCheckpoint(rm, partitionCheckpoint(SCORING_PROJECTION, g.building!, { index, count: 2 })));
          const at =
            readCheckpoint(rm, { projection: SCORING_PROJECTION, generation: g.building }) ??
            (partitions.includes(null) ? null : Math.min(...(partitions as number[])));
          if (at === null || at < fraction * total) return false;
          building = g.building;
          first.child.kill('SIGKILL');
          killedAt = at;
          return true;
        },
        2,
      );
      await first.exited;
      expect(generations()).toEqual({ active: before, building });
      expect(killedAt).toBeLessThan(total);

      // 2. Rerun: it resumes the same generation; killed right after its switch, before it drops the old tables.
      const second = new Proc(REBUILD, rebuildEnv, ['scoring-parts']);
      others.push(second);
      await until(
        'the resumed rebuild to switch',
        60_000,
        () => {
          if (!second.running) throw new Error(`the rebuild ended before its grace period: ${second.out}`);
          if (generations().active !== building) return false;
          second.child.kill('SIGKILL');
          return true;
        },
        2,
      );
      await second.exited;
      expect(generations()).toEqual({ active: building, building: null });
      expect(scoringGenerations.existingGenerations(rm)).toEqual([before, building]); // the old one left behind

      // 3. Rerun to the end on one thread (the unpartitioned path); meanwhile the projector is killed once more, mid-rebuild.
      const third = new Proc(REBUILD, { ...rebuildEnv, REBUILD_THREADS: '1' }, ['scoring-parts']);
      others.push(third);
      await until('the third rebuild to be building', 60_000, () => generations().building !== null || !third.running, 5);
      await projector!.kill9();
      await sleep(uniform(50, 300));
      projector = await startProjector();
      const ended = await third.exited;
      expect({ ended, out: third.out }).toEqual({
        ended: { code: 0, signal: null },
        out: expect.stringContaining(`scoring-parts rebuilt as generation ${building + 1} (was ${building})`),
      });
      expect(generations()).toEqual({ active: building + 1, building: null });
      expect(scoringGenerations.existingGenerations(rm)).toEqual([building + 1]);
    } finally {
      loading = false;
      await writer;
      serving = false;
      await reader;
    }
    rm.close();
    expect(answers.failed).toEqual([]);
    expect(answers.same).toBeGreaterThan(3);
    expect(load.failures).toEqual([]);

    const { card } = await expectEqualsFromScratch('after the rebuild kills');

    // The rebuild command into a fresh read-model file, served by a second API instance: the same answers.
    const freshFile = join(dataDir, 'fresh-read-models.sqlite');
    const fresh = new Proc(REBUILD, { ...env, READ_MODEL_FILE: freshFile }, ['scoring-parts']);
    others.push(fresh);
    expect((await fresh.exited).code).toBe(0);
    const port2 = await freePort();
    const second2 = await startServer(dataDir, port2, { ...env, READ_MODEL_FILE: freshFile });
    try {
      const api2 = client(`http://127.0.0.1:${port2}`);
      const res = await api2.call('GET', `/v1/scorecards?${periodQuery()}&asOf=${encodeURIComponent(card.asOf)}`, tokens.get(ASSESSMENT));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(card);
      const dept = card.departments[0].departmentId;
      const explained = await api2.call('GET', `/v1/scorecards/${dept}/explain?${periodQuery()}&asOf=${encodeURIComponent(card.asOf)}`, tokens.get(ASSESSMENT));
      expect(explained.body).toEqual(await getExplain(periodQuery(), dept, card.asOf));
    } finally {
      await kill(second2);
    }
    console.log(
      `(b) rebuild killed at ${killedAt}/${total} of generation ${building}, resumed and killed after its switch, ` +
        `rerun as generation ${building + 1}; the API answered ${answers.same} + ${answers.now} scorecards meanwhile`,
    );
  }, 120_000);

  it('(c) the scorecards’ overdue agree with the rungs the deadline watcher recorded (issue 4), across a SIGKILL of the watcher', async () => {
    // The API again, now with its deadline watcher (the projector stays a process of its own).
    if (!projector?.running) projector = await startProjector();
    await kill(server!);
    const started = serverNow();
    await startApi({ PROCESSORS: 'watcher', WATCHER_INTERVAL_MS: '100' });
    const rm = readModel();
    const idle = async () => {
      // The watcher has nothing left to do: both projections hold the head, and no case has a clock due by now.
      let last = -1;
      let still = 0;
      await until(
        'the watcher to be idle',
        90_000,
        async () => {
          const h = await head();
          const caught = readCheckpoint(rm, 'case-inbox') === h && readCheckpoint(rm, SCORING_PROJECTION) === h;
          const due = (
            rm
              .prepare(`SELECT COUNT(*) AS n FROM ${inboxTables(activeGeneration(rm, CASE_INBOX)).cases} WHERE next_check_at <= ?`)
              .get(new Date(serverNow()).toISOString()) as { n: number }
          ).n;
          still = caught && due === 0 && h === last ? still + 1 : 0;
          last = h;
          return still >= 3;
        },
        150,
      );
    };
    /** Moves the clock by about `minutes`, choosing the amount so that no deadline falls within a minute before or five after the new time. */
    const advancePastDeadlines = async (minutes: number) => {
      const deadlines = (await readAllEvents(store)).flatMap((e) => {
        const d = e.data as Record<string, any>;
        if (e.type === 'WhistleBlown') return d.parts.flatMap((a: any) => [ms(a.responseDueAt), ms(a.completionDueAt)]);
        if (e.type === 'CaseTransferred' || e.type === 'PartReassigned') return [ms(d.assignment.responseDueAt), ms(d.assignment.completionDueAt)];
        if (e.type === 'CaseReopened') return [ms(d.completionDueAt)];
        return [];
      });
      const now = serverNow();
      let m = minutes;
      while (deadlines.some((t) => t > now + m * MIN - MIN && t < now + m * MIN + 5 * MIN)) m++;
      const res = await api.call('POST', '/v1/dev/clock/advance', undefined, { minutes: m });
      expect(res.status).toBe(200);
      return Date.parse(res.body.now);
    };

    const check = async (label: string, advancedTo: number) => {
      await idle();
      const card = await getCard(periodQuery());
      const T = Date.parse(card.asOf);
      expect(T - advancedTo).toBeLessThan(5 * MIN); // no deadline fell between the watcher's last round and T
      const events = await readAllEvents(store);
      const w = watcherOverdue(events, T, periodOf(period.from, period.to, TZ));
      expect(w.duplicates).toEqual([]); // one 催办 and one 督办 per breached clock, across the kill too
      const byDept = Object.fromEntries(card.departments.map((r) => [r.departmentId, r.overdue]));
      const expected = Object.fromEntries(card.departments.map((r) => [r.departmentId, w.counted.get(r.departmentId)?.size ?? 0]));
      expect({ label, overdue: byDept }).toEqual({ label, overdue: expected });
      // Part by part: explain's overdue flags name exactly the holdings the watcher's rungs name.
      for (const r of card.departments) {
        if (r.overdue === 0 && !w.counted.has(r.departmentId)) continue;
        const explained = await getExplain(periodQuery(), r.departmentId, card.asOf);
        const flagged = (explained.parts as { caseId: string; partId: string; holding: number; overdue: { response: boolean; completion: boolean } }[])
          .filter((p) => p.overdue.response || p.overdue.completion)
          .map((p) => `${p.caseId}/${p.partId}/${p.holding}`)
          .sort();
        expect({ label, department: r.departmentId, flagged }).toEqual({
          label,
          department: r.departmentId,
          flagged: [...(w.counted.get(r.departmentId) ?? [])].sort(),
        });
      }
      // And the whole scorecard is still the from-scratch one (the watcher's events are not scored).
      expect(card).toEqual(expectedCard(fromScratch(events).parts, period, card.asOf));
      return { card, w, events };
    };

    // Instant 1: a few hours on; the watcher is killed -9 while it records the breaches, and restarted.
    const t1 = await advancePastDeadlines(Math.round(uniform(180, 420)));
    await sleep(150);
    await kill(server!);
    await startApi({ PROCESSORS: 'watcher', WATCHER_INTERVAL_MS: '100' });
    const first = await check('instant 1', t1);

    // Between the instants, departments act late on overdue parts (responded / completed after the
    // 催办), parts leave their departments (transfer, reassignment, withdrawal), and the township
    // reviews with rework: the cross-check must tell these apart.
    const overdueAtFirst = new Set([...first.w.counted.values()].flatMap((s) => [...s]));
    const overdueOf = (kind: 'response' | 'completion') =>
      load.candidates(
        (c, p) =>
          (kind === 'response' ? p.status === 'awaiting_response' : p.status === 'in_progress') &&
          overdueAtFirst.has(`${c.caseId}/${p.partId}/${p.transfers.length}`),
      );
    const late = overdueOf('response');
    for (const { c, p } of late.slice(0, 6)) await load.act('respond', c, p);
    for (const { c, p } of overdueOf('completion').slice(0, 6)) await load.act('complete', c, p);
    const leaving = overdueOf('response');
    if (leaving[0]) await load.act('transfer', leaving[0].c, leaving[0].p);
    if (leaving[1]) await load.act('reassign', leaving[1].c, leaving[1].p);
    if (leaving[2]) await load.act('withdraw', leaving[2].c, leaving[2].p);
    await load.run(60, 4);

    // Instant 2: two to three days on, so completion deadlines pass too.
    const t2 = await advancePastDeadlines(Math.round(uniform(2 * 1440, 3 * 1440)));
    const second = await check('instant 2', t2);
    expect(load.failures).toEqual([]);

    // Not vacuous: many overdue parts, of both clocks and of parts received by transfer or reassignment;
    // and rungs that do not count because the clock was met late or the part left the department.
    const total = second.card.departments.reduce((s, r) => s + r.overdue, 0);
    expect(total).toBeGreaterThan(20);
    expect(second.w.countedKinds.response).toBeGreaterThan(0);
    expect(second.w.countedKinds.completion).toBeGreaterThan(0);
    expect(first.w.countedKinds.transferredOrReassignedIn + second.w.countedKinds.transferredOrReassignedIn).toBeGreaterThan(0);
    expect(second.w.excluded.met).toBeGreaterThan(0);
    expect(second.w.excluded.leftTheDepartment).toBeGreaterThan(0);
    // The rungs after the restart are the watcher process's own (not only the seeded history's).
    const byWatcher = second.events.filter(
      (e) => (e.type === 'ResponseOverdue' || e.type === 'CompletionOverdue') && Date.parse(e.recordedAt) >= started,
    ).length;
    expect(byWatcher).toBeGreaterThan(20);
    rm.close();
    console.log(
      `(c) overdue at instant 1: ${first.card.departments.reduce((s, r) => s + r.overdue, 0)}, at instant 2: ${total} ` +
        `(${JSON.stringify(second.w.countedKinds)}); not counted: ${JSON.stringify(second.w.excluded)}; ${byWatcher} overdue rungs recorded by the watcher process`,
    );
  }, 150_000);
});
