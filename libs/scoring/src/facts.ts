import { decode, type PartAssignment, type Satisfaction } from '@chuishao/domain';

/**
 * The scoring fact model. A scoring *part* is one department's holding of one part of one case: from
 * its assignment (the whistle, a transfer to it, a reassignment to it) until it is transferred or
 * reassigned away, closed, or the case is withdrawn. A transfer A→B therefore makes two scoring parts.
 *
 * Every fact keeps the instant it happened (`at`, the event's occurredAt) and the instant it became
 * known (`known`): the running maximum, over the case's stream up to that event, of occurredAt and
 * the store's recordedAt. A scorecard as of T counts a fact only when known <= T. Because `known` is
 * a running maximum, what a scorecard sees of a case is always a prefix of its history. Instants are
 * epoch milliseconds.
 */
export interface Stamp {
  at: number;
  known: number;
}

export type ReceivedBy = 'whistle' | 'transfer' | 'reassignment' | 'return';
/** returned: a return (退单) the command centre upheld — the part was misrouted (see evaluate.ts). */
export type EndKind = 'transferred' | 'reassigned' | 'closed' | 'withdrawn' | 'returned';

/**
 * The practice's moves on one holding (延期, 退单/审定, 申诉), each with the instant it happened and became known.
 * An approved extension's new deadline is also a DeadlineChange (so every deadline field follows it from the
 * decision on); an upheld return is the holding's end (kind 'returned').
 */
export interface PartMoves {
  /** 牵头: the holding is the lead department's part. */
  lead: boolean;
  extensions: { round: number; dueAt: number; at: number; known: number }[];
  returnsRejected: Stamp[];
  /** Decided appeals, by the round of the review they contested. */
  appeals: { round: number; upheld: boolean; at: number; known: number }[];
}

export const noMoves = (lead = false): PartMoves => ({ lead, extensions: [], returnsRejected: [], appeals: [] });

/** One handling round: round 1 from the assignment, each rework (退回重办) opens the next. */
export interface RoundFacts {
  round: number;
  dueAt: number;
  opened: Stamp;
  completed: Stamp | null;
}

/**
 * A deadline moved by a re-basing (DeadlinesRebased): from `known` on, the clock's deadline is `dueAt`;
 * before it, the one it had. Only clocks still running are moved, so a response or completion is always
 * judged against the deadline in force when it happened.
 */
export interface DeadlineChange {
  kind: 'response' | 'completion';
  /** The round whose completion deadline moved (1 for a response deadline). */
  round: number;
  dueAt: number;
  at: number;
  known: number;
}

export interface ReviewFacts {
  round: number;
  resolved: boolean;
  satisfaction: Satisfaction;
  at: number;
  known: number;
}

export interface EndFacts {
  kind: EndKind;
  at: number;
  known: number;
  /** transferred / reassigned: the department that received the part. */
  toDepartmentId: string | null;
}

export interface PartFacts {
  /** `${caseId}/${partId}/${seq}` */
  holdingId: string;
  caseId: string;
  partId: string;
  /** 0 for the whistle's assignment, +1 for each transfer or reassignment of the part. */
  seq: number;
  countyId: string;
  townshipId: string;
  departmentId: string;
  receivedBy: ReceivedBy;
  fromDepartmentId: string | null;
  assigned: Stamp;
  responseDueAt: number;
  /** 报到 (DepartmentResponded). A transfer away also counts as a response: see evaluate.ts. */
  reportedIn: Stamp | null;
  /** Round 1 first; its dueAt is the assignment's completionDueAt and it opens with the assignment. */
  rounds: RoundFacts[];
  /** Every review in the order recorded; the latest known one counts. */
  reviews: ReviewFacts[];
  /** Deadlines moved after they were set, in the order recorded (empty for most parts). */
  deadlineChanges: DeadlineChange[];
  end: EndFacts | null;
  moves: PartMoves;
  /** Global position of the last event applied to this part. */
  position: number;
}

export interface CaseFacts {
  caseId: string;
  countyId: string;
  townshipId: string;
  /** Running maximum of occurredAt/recordedAt over the stream so far. */
  known: number;
  /** Global position of the last event applied: events at or before it are ignored (idempotence). */
  position: number;
  /** partId → seq of the holding that has the part now. */
  current: Record<string, number>;
}

/** Where the reducer reads and writes facts: in memory (recomputation) or SQLite (the projection). */
export interface FactsStore {
  getCase(caseId: string): CaseFacts | undefined;
  putCase(facts: CaseFacts): void;
  getPart(holdingId: string): PartFacts | undefined;
  putPart(facts: PartFacts): void;
}

/** What the reducer needs of a recorded event. */
export interface ScoringEvent {
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  position: number;
}

export const holdingIdOf = (caseId: string, partId: string, seq: number) => `${caseId}/${partId}/${seq}`;

/** Event types that change scoring facts; the watcher's reminders, overdue marks and urges do not. */
export const SCORED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'WhistleBlown',
  'DepartmentResponded',
  'CaseTransferred',
  'PartReassigned',
  'HandlingCompleted',
  'ReviewCompleted',
  'CaseReopened',
  'PartClosed',
  'CaseWithdrawn',
  'DeadlinesRebased',
  'ExtensionDecided',
  'ReturnDecided',
  'AppealDecided',
]);

/**
 * ISO-8601 → epoch ms. The service writes instants as toISOString() ("2026-03-02T01:00:00.000Z");
 * those are read digit by digit (Date.parse is the projection's hottest call otherwise), anything
 * else goes through Date.parse.
 */
export function ms(iso: string): number {
  if (iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */ && iso.charCodeAt(19) === 46 /* . */) {
    const c = (i: number) => iso.charCodeAt(i) - 48;
    const month = c(5) * 10 + c(6);
    const day = c(8) * 10 + c(9);
    const hour = c(11) * 10 + c(12);
    const minute = c(14) * 10 + c(15);
    const second = c(17) * 10 + c(18);
    const milli = c(20) * 100 + c(21) * 10 + c(22);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60 && milli >= 0 && milli < 1000) {
      // Days from the civil date (proleptic Gregorian), as in H. Hinnant's chrono algorithms.
      const y = c(0) * 1000 + c(1) * 100 + c(2) * 10 + c(3) - (month <= 2 ? 1 : 0);
      const era = Math.floor(y / 400);
      const yoe = y - era * 400;
      const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
      const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
      return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
    }
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return t;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/**
 * Epoch ms → ISO-8601, exactly as toISOString() writes it ("2026-03-02T01:00:00.000Z"), digit by
 * digit for 1970–9999 (explain writes about ten instants per part, and toISOString was its hottest
 * call); anything else goes through toISOString.
 */
export function isoOf(t: number): string {
  if (t >= 0 && t < 253_402_300_800_000 && Number.isInteger(t)) {
    const days = Math.floor(t / 86_400_000);
    let rest = t - days * 86_400_000;
    // The civil date of a day number (proleptic Gregorian), as in H. Hinnant's chrono algorithms.
    const z = days + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const hour = Math.floor(rest / 3_600_000);
    rest -= hour * 3_600_000;
    const minute = Math.floor(rest / 60_000);
    rest -= minute * 60_000;
    const second = Math.floor(rest / 1000);
    const milli = rest - second * 1000;
    const d = TWO_DIGITS;
    return `${d[Math.floor(year / 100)]}${d[year % 100]}-${d[month]}-${d[day]}T${d[hour]}:${d[minute]}:${d[second]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
  return new Date(t).toISOString();
}

function newPart(
  c: CaseFacts,
  a: PartAssignment,
  seq: number,
  receivedBy: ReceivedBy,
  from: string | null,
  stamp: Stamp,
  position: number,
  lead: boolean,
): PartFacts {
  const assigned = { at: ms(a.assignedAt), known: stamp.known };
  return {
    holdingId: holdingIdOf(c.caseId, a.partId, seq),
    caseId: c.caseId,
    partId: a.partId,
    seq,
    countyId: c.countyId,
    townshipId: c.townshipId,
    departmentId: a.departmentId,
    receivedBy,
    fromDepartmentId: from,
    assigned,
    responseDueAt: ms(a.responseDueAt),
    reportedIn: null,
    rounds: [{ round: 1, dueAt: ms(a.completionDueAt), opened: assigned, completed: null }],
    reviews: [],
    deadlineChanges: [],
    end: null,
    moves: noMoves(lead),
    position,
  };
}

/**
 * Folds one recorded event into the facts. Returns false when the event is ignored: not a scored
 * type, of a case never blown, or at/before the case's last applied position (a redelivery).
 */
export function applyScoringEvent(store: FactsStore, recorded: ScoringEvent): boolean {
  if (!SCORED_EVENT_TYPES.has(recorded.type)) return false;
  const event = decode(recorded);
  const d = event.data;
  const occurredAt = ms(d.occurredAt);
  const recordedAt = ms(recorded.recordedAt);
  const { position } = recorded;

  if (event.type === 'WhistleBlown') {
    if (store.getCase(d.caseId)) return false;
    const c: CaseFacts = {
      caseId: d.caseId,
      countyId: event.data.countyId,
      townshipId: event.data.townshipId,
      known: Math.max(occurredAt, recordedAt),
      position,
      current: {},
    };
    const stamp = { at: occurredAt, known: c.known };
    // decode() names the first department the lead of a whistle recorded before leads existed.
    const lead = event.data.leadDepartmentId ?? event.data.parts[0]?.departmentId;
    for (const a of event.data.parts) {
      c.current[a.partId] = 0;
      store.putPart(newPart(c, a, 0, 'whistle', null, stamp, position, a.departmentId === lead));
    }
    store.putCase(c);
    return true;
  }

  const c = store.getCase(d.caseId);
  if (!c || position <= c.position) return false;
  c.known = Math.max(c.known, occurredAt, recordedAt);
  c.position = position;
  const stamp: Stamp = { at: occurredAt, known: c.known };

  switch (event.type) {
    case 'DepartmentResponded': {
      const p = currentPart(store, c, event.data.partId);
      if (p && !p.reportedIn) {
        p.reportedIn = stamp;
        touchPart(store, p, position);
      }
      break;
    }
    case 'CaseTransferred':
    case 'PartReassigned': {
      const p = currentPart(store, c, event.data.partId);
      const kind = event.type === 'CaseTransferred' ? 'transferred' : 'reassigned';
      if (p) {
        if (!p.end) p.end = { kind, at: occurredAt, known: c.known, toDepartmentId: event.data.toDepartmentId };
        touchPart(store, p, position);
      }
      const seq = (c.current[event.data.partId] ?? -1) + 1;
      c.current[event.data.partId] = seq;
      const receivedBy = event.type === 'CaseTransferred' ? 'transfer' : 'reassignment';
      // The lead moves with the part.
      store.putPart(newPart(c, event.data.assignment, seq, receivedBy, event.data.fromDepartmentId, stamp, position, p?.moves.lead ?? false));
      break;
    }
    case 'ExtensionDecided': {
      const p = currentPart(store, c, event.data.partId);
      const { approved, round, completionDueAt } = event.data;
      if (p && !p.end && approved && completionDueAt) {
        const dueAt = ms(completionDueAt);
        p.deadlineChanges.push({ kind: 'completion', round, dueAt, at: occurredAt, known: c.known });
        p.moves.extensions.push({ round, dueAt, at: occurredAt, known: c.known });
        touchPart(store, p, position);
      }
      break;
    }
    case 'ReturnDecided': {
      const p = currentPart(store, c, event.data.partId);
      if (!event.data.upheld || !event.data.assignment) {
        if (p && !p.end) {
          p.moves.returnsRejected.push(stamp);
          touchPart(store, p, position);
        }
        break;
      }
      if (p && !p.end) {
        p.end = { kind: 'returned', at: occurredAt, known: c.known, toDepartmentId: event.data.toDepartmentId ?? null };
        touchPart(store, p, position);
      }
      const seq = (c.current[event.data.partId] ?? -1) + 1;
      c.current[event.data.partId] = seq;
      store.putPart(newPart(c, event.data.assignment, seq, 'return', event.data.departmentId, stamp, position, p?.moves.lead ?? false));
      break;
    }
    case 'AppealDecided': {
      const p = currentPart(store, c, event.data.partId);
      if (p) {
        p.moves.appeals.push({ round: event.data.round, upheld: event.data.upheld, at: occurredAt, known: c.known });
        touchPart(store, p, position);
      }
      break;
    }
    case 'HandlingCompleted': {
      const p = currentPart(store, c, event.data.partId);
      const round = p?.rounds.find((r) => r.round === event.data.round);
      if (p && round && !round.completed) {
        round.completed = stamp;
        touchPart(store, p, position);
      }
      break;
    }
    case 'ReviewCompleted': {
      const p = currentPart(store, c, event.data.partId);
      if (p) {
        const { round, resolved, satisfaction } = event.data;
        p.reviews.push({ round, resolved, satisfaction, at: occurredAt, known: c.known });
        touchPart(store, p, position);
      }
      break;
    }
    case 'CaseReopened': {
      const p = currentPart(store, c, event.data.partId);
      if (p && !p.rounds.some((r) => r.round === event.data.round)) {
        p.rounds.push({ round: event.data.round, dueAt: ms(event.data.completionDueAt), opened: stamp, completed: null });
        touchPart(store, p, position);
      }
      break;
    }
    case 'DeadlinesRebased': {
      for (const r of event.data.parts) {
        const p = currentPart(store, c, r.partId);
        if (!p || p.end) continue;
        if (r.response) p.deadlineChanges.push({ kind: 'response', round: 1, dueAt: ms(r.response.dueAt), at: occurredAt, known: c.known });
        p.deadlineChanges.push({ kind: 'completion', round: r.round, dueAt: ms(r.completion.dueAt), at: occurredAt, known: c.known });
        touchPart(store, p, position);
      }
      break;
    }
    case 'PartClosed': {
      const p = currentPart(store, c, event.data.partId);
      if (p && !p.end) {
        p.end = { kind: 'closed', at: occurredAt, known: c.known, toDepartmentId: null };
        touchPart(store, p, position);
      }
      break;
    }
    case 'CaseWithdrawn': {
      // Every part still held stops here: its clocks stop at the withdrawal (see evaluate.ts).
      for (const [partId, seq] of Object.entries(c.current)) {
        const p = store.getPart(holdingIdOf(c.caseId, partId, seq));
        if (p && !p.end) {
          p.end = { kind: 'withdrawn', at: occurredAt, known: c.known, toDepartmentId: null };
          touchPart(store, p, position);
        }
      }
      break;
    }
    default:
      break;
  }
  store.putCase(c);
  return true;
}

/** The holding that has the part now. */
function currentPart(store: FactsStore, c: CaseFacts, partId: string): PartFacts | undefined {
  const seq = c.current[partId];
  return seq === undefined ? undefined : store.getPart(holdingIdOf(c.caseId, partId, seq));
}

function touchPart(store: FactsStore, p: PartFacts, position: number): void {
  p.position = position;
  store.putPart(p);
}

/** Facts in memory: the from-scratch recomputation, and the projection's per-batch working set. */
export class MemoryFactsStore implements FactsStore {
  readonly cases = new Map<string, CaseFacts>();
  readonly parts = new Map<string, PartFacts>();
  getCase(caseId: string) {
    return this.cases.get(caseId);
  }
  putCase(facts: CaseFacts) {
    this.cases.set(facts.caseId, facts);
  }
  getPart(holdingId: string) {
    return this.parts.get(holdingId);
  }
  putPart(facts: PartFacts) {
    this.parts.set(facts.holdingId, facts);
  }
}

/** The facts of a whole history, from scratch. */
export function factsFromEvents(events: Iterable<ScoringEvent>): PartFacts[] {
  const store = new MemoryFactsStore();
  for (const e of events) applyScoringEvent(store, e);
  return [...store.parts.values()];
}
