import type { EndFacts, PartFacts, ReviewFacts, RoundFacts } from './facts';

/**
 * One scoring part as of an instant: what it counts toward on the scorecard (scoring.md, per row).
 * Every choice where scoring.md leaves room is written here and in libs/scoring/README.md:
 *
 * - Knowledge: a fact counts when it is known at or before asOf (facts.ts: known = running max of
 *   occurredAt and recordedAt). A part is on the scorecard only if its assignment is known.
 * - Response: the report-in (报到), or — if earlier or without one — the transfer away (转办 by the
 *   department). A reassignment away by the command centre (督办) is NOT a response: the department
 *   lost the part, it did not act on it.
 * - Clock stop: a part that leaves the department without being transferred by it — reassigned away
 *   by the command centre, or its case withdrawn by the township — stops its clocks at that instant:
 *   a deadline later than that never becomes due ("charged only for the time it held a part"). A
 *   deadline that had already passed stays due and missed: withdrawing does not erase a breach.
 * - Transferred away (by the department) excludes the part from completionDue and completedOnTime
 *   (completedOnTime is kept a subset of completionDue, so completionRate stays within [0, 1]).
 *   Reassignment away is not "transferred away": its completion clock just stops.
 * - Completion: the first completion is that of the earliest round completed (always round 1, since
 *   a rework round only opens after a completion and review); it is on time when at or before the
 *   deadline of that round. completionDue uses the round-1 deadline when nothing is completed.
 * - overdue: a part still held at asOf (no transfer, reassignment, closure or withdrawal known) whose
 *   response deadline has passed (deadline < asOf) without a response, or whose current round's
 *   completion deadline has passed without that round's completion. Strictly "past": a deadline equal
 *   to asOf is due but not yet overdue.
 * - transfersOut / transfersIn count 转办 only (CaseTransferred), not the command centre's reassignments.
 * - reopened counts the rework rounds (CaseReopened) known on the part, charged to the period of the
 *   part's assignment like every other field.
 * - Re-based deadlines (DeadlinesRebased): a moved deadline counts from the instant the move is known;
 *   before it, the deadline the part had. Re-basing moves only running clocks, so a response or a
 *   completion is judged against the deadline in force when it happened, and a part never re-based keeps
 *   the deadline it was given (provisional or not).
 */
export interface PartEvaluation {
  facts: PartFacts;
  /** The end of the holding as known at asOf, or null while the department holds it. */
  end: EndFacts | null;
  response: { at: number; kind: 'report_in' | 'transfer' } | null;
  /** Response instant minus assignment instant, natural time, in ms. */
  responseMs: number | null;
  /** The response deadline in force at asOf. */
  responseDueAt: number;
  /** Deadlines are judged against this: asOf, or the earlier instant the clocks stopped. */
  clockStop: number;
  transferredAway: boolean;
  /** How many of the part's rounds are known at asOf (1 + rework rounds opened). */
  visibleRounds: number;
  firstCompletion: { round: number; at: number; dueAt: number } | null;
  latestReview: ReviewFacts | null;
  reviewCount: number;
  overdueResponse: boolean;
  overdueCompletion: boolean;
  counts: PartCounts;
}

/** The scorecard's count fields, each part contributing 0 or 1 (reopened: the number of rounds). */
export const COUNT_FIELDS = [
  'received',
  'responded',
  'respondedOnTime',
  'responseDue',
  'completionDue',
  'completedOnTime',
  'reviewed',
  'resolved',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
  'transfersOut',
  'transfersIn',
  'reopened',
  'overdue',
  'returnsUpheld',
  'returnsRejected',
  'extensionsApproved',
  'appealsUpheld',
  'appealsRejected',
  'leadParts',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];
export type PartCounts = Record<CountField, number>;

export const emptyCounts = (): PartCounts => ({
  received: 0,
  responded: 0,
  respondedOnTime: 0,
  responseDue: 0,
  completionDue: 0,
  completedOnTime: 0,
  reviewed: 0,
  resolved: 0,
  satisfied: 0,
  basicallySatisfied: 0,
  dissatisfied: 0,
  transfersOut: 0,
  transfersIn: 0,
  reopened: 0,
  overdue: 0,
  returnsUpheld: 0,
  returnsRejected: 0,
  extensionsApproved: 0,
  appealsUpheld: 0,
  appealsRejected: 0,
  leadParts: 0,
});

/** The part as of `asOf` (epoch ms), or null when its assignment is not yet known then. Allocation-light: it runs per part per scorecard. */
/** A clock's deadline in force at asOf: the latest known change of it, else the one it was given. */
export function dueAsOf(p: PartFacts, kind: 'response' | 'completion', round: number, given: number, asOf: number): number {
  let due = given;
  for (const c of p.deadlineChanges) if (c.kind === kind && c.round === round && c.known <= asOf) due = c.dueAt;
  return due;
}

export function evaluatePart(p: PartFacts, asOf: number): PartEvaluation | null {
  if (p.assigned.known > asOf) return null;
  const changed = p.deadlineChanges.length > 0;
  const responseDueAt = changed ? dueAsOf(p, 'response', 1, p.responseDueAt, asOf) : p.responseDueAt;
  const roundDue = (r: RoundFacts) => (changed ? dueAsOf(p, 'completion', r.round, r.dueAt, asOf) : r.dueAt);

  const end = p.end && p.end.known <= asOf ? p.end : null;
  const transferredAway = end?.kind === 'transferred';
  const clockStop = end && (end.kind === 'reassigned' || end.kind === 'withdrawn') ? Math.min(asOf, end.at) : asOf;

  let response: PartEvaluation['response'] = p.reportedIn && p.reportedIn.known <= asOf ? { at: p.reportedIn.at, kind: 'report_in' } : null;
  if (transferredAway && (!response || end!.at < response.at)) response = { at: end!.at, kind: 'transfer' };
  const responseMs = response ? response.at - p.assigned.at : null;

  // Rounds known at asOf: round 1, then each rework round once its reopening is known (in order).
  let visibleRounds = 1;
  while (visibleRounds < p.rounds.length && p.rounds[visibleRounds].opened.known <= asOf) visibleRounds++;
  let firstCompletion: PartEvaluation['firstCompletion'] = null;
  for (let i = 0; i < visibleRounds && !firstCompletion; i++) {
    const r = p.rounds[i];
    if (r.completed && r.completed.known <= asOf) firstCompletion = { round: r.round, at: r.completed.at, dueAt: roundDue(r) };
  }
  const current = p.rounds[visibleRounds - 1];
  const currentCompleted = current.completed !== null && current.completed.known <= asOf;

  // 申诉: an appeal upheld (known at asOf) voids the review of its round from the decision on.
  const m = p.moves;
  let voided: number[] | null = null;
  let appealsUpheld = 0;
  let appealsRejected = 0;
  for (const a of m.appeals) {
    if (a.known > asOf) continue;
    if (a.upheld) {
      appealsUpheld++;
      (voided ??= []).push(a.round);
    } else appealsRejected++;
  }
  let latestReview: ReviewFacts | null = null;
  let reviewCount = 0;
  let voidedReworks = 0;
  for (const r of p.reviews) {
    if (r.known <= asOf) {
      if (voided?.includes(r.round)) {
        // The rework round a void review opened is not counted in reopened.
        if (!r.resolved && r.round < visibleRounds) voidedReworks++;
        continue;
      }
      latestReview = r;
      reviewCount++;
    }
  }

  const held = end === null;
  const overdueResponse = held && !response && responseDueAt < asOf;
  const overdueCompletion = held && !currentCompleted && roundDue(current) < asOf;

  const counts = emptyCounts();
  const evaluation: PartEvaluation = {
    facts: p,
    end,
    response,
    responseMs,
    responseDueAt,
    clockStop,
    transferredAway,
    visibleRounds,
    firstCompletion,
    latestReview,
    reviewCount,
    overdueResponse,
    overdueCompletion,
    counts,
  };
  // 退单 upheld: the part was misrouted; from the decision it counts for nothing of the department but returnsUpheld.
  if (end?.kind === 'returned') {
    counts.returnsUpheld = 1;
    return {
      ...evaluation,
      response: null,
      responseMs: null,
      firstCompletion: null,
      latestReview: null,
      reviewCount: 0,
      overdueResponse: false,
      overdueCompletion: false,
    };
  }
  counts.received = 1;
  if (response) {
    counts.responded = 1;
    if (response.at <= responseDueAt) counts.respondedOnTime = 1;
  }
  if (response || responseDueAt <= clockStop) counts.responseDue = 1;
  if (!transferredAway) {
    if (firstCompletion || roundDue(p.rounds[0]) <= clockStop) counts.completionDue = 1;
    if (firstCompletion && firstCompletion.at <= firstCompletion.dueAt) counts.completedOnTime = 1;
  }
  if (latestReview) {
    counts.reviewed = 1;
    if (latestReview.resolved) counts.resolved = 1;
    if (latestReview.satisfaction === 'satisfied') counts.satisfied = 1;
    else if (latestReview.satisfaction === 'basically_satisfied') counts.basicallySatisfied = 1;
    else counts.dissatisfied = 1;
  }
  if (transferredAway) counts.transfersOut = 1;
  if (p.receivedBy === 'transfer') counts.transfersIn = 1;
  counts.reopened = visibleRounds - 1 - voidedReworks;
  if (overdueResponse || overdueCompletion) counts.overdue = 1;
  for (const r of m.returnsRejected) if (r.known <= asOf) counts.returnsRejected++;
  for (const x of m.extensions) if (x.known <= asOf) counts.extensionsApproved++;
  counts.appealsUpheld = appealsUpheld;
  counts.appealsRejected = appealsRejected;
  if (m.lead) counts.leadParts = 1;
  return evaluation;
}

/** The rounds of the part as known at the evaluation's asOf (a completion not yet known shows as null), with the deadlines in force then. */
export function roundsAsOf(e: PartEvaluation, asOf: number): RoundFacts[] {
  return e.facts.rounds.slice(0, e.visibleRounds).map((r) => ({
    ...r,
    dueAt: dueAsOf(e.facts, 'completion', r.round, r.dueAt, asOf),
    completed: r.completed && r.completed.known <= asOf ? r.completed : null,
  }));
}

/**
 * Every instant at which some part's evaluation can change (what stableInterval in scorecard.ts bounds asOf
 * by): the result of evaluatePart over these
 * parts is the same for every asOf strictly between two consecutive ones (a comparison `x <= asOf`
 * or `x < asOf` only flips as asOf crosses x). Used to cache a scorecard across asOf values.
 */
export function criticalInstants(p: PartFacts, into: number[]): void {
  into.push(p.assigned.known, p.responseDueAt);
  if (p.reportedIn) into.push(p.reportedIn.known);
  if (p.end) into.push(p.end.known);
  for (const r of p.rounds) {
    into.push(r.dueAt, r.opened.known);
    if (r.completed) into.push(r.completed.known);
  }
  for (const r of p.reviews) into.push(r.known);
  for (const c of p.deadlineChanges) into.push(c.known, c.dueAt);
  for (const r of p.moves.returnsRejected) into.push(r.known);
  for (const a of p.moves.appeals) into.push(a.known);
}
