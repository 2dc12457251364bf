import { criticalInstants, emptyCounts, evaluatePart, type CountField, type PartCounts, type PartEvaluation } from './evaluate';
import type { PartFacts } from './facts';
import type { ScoringPolicy } from './policy';
import { monthsOf, periodOf, type Period } from './time';

export interface DepartmentRef {
  id: string;
  name: string;
}

/** One row of the scorecard: exactly the fields of scoring.md, in issue 3's order. */
export interface ScorecardRow {
  departmentId: string;
  name: string;
  received: number;
  responded: number;
  respondedOnTime: number;
  responseDue: number;
  responseRate: number | null;
  medianResponseMinutes: number | null;
  p90ResponseMinutes: number | null;
  completionDue: number;
  completedOnTime: number;
  completionRate: number | null;
  reviewed: number;
  resolved: number;
  resolutionRate: number | null;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  satisfactionRate: number | null;
  transfersOut: number;
  transfersIn: number;
  reopened: number;
  overdue: number;
  returnsUpheld: number;
  returnsRejected: number;
  extensionsApproved: number;
  appealsUpheld: number;
  appealsRejected: number;
  leadParts: number;
  compositeScore: number | null;
  rank: number | null;
}

export const ROW_FIELDS: readonly (keyof ScorecardRow)[] = [
  'departmentId',
  'name',
  'received',
  'responded',
  'respondedOnTime',
  'responseDue',
  'responseRate',
  'medianResponseMinutes',
  'p90ResponseMinutes',
  'completionDue',
  'completedOnTime',
  'completionRate',
  'reviewed',
  'resolved',
  'resolutionRate',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
  'satisfactionRate',
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
  'compositeScore',
  'rank',
];

export interface Scorecard {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  departments: ScorecardRow[];
}

export interface ScorecardOptions {
  /** Local dates YYYY-MM-DD in `timeZone`; the period is [from, to). */
  from: string;
  to: string;
  /** Epoch ms or ISO-8601. */
  asOf: number | string;
  policy: ScoringPolicy;
  /** The departments to list, in any order; departments holding parts but missing here are added (name = id). */
  departments: readonly DepartmentRef[];
  timeZone: string;
}

const toMs = (t: number | string) => (typeof t === 'number' ? t : Date.parse(t));

/** A rate: numerator / denominator, null when the denominator is 0. Unrounded. */
export const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** Nearest-rank percentile (p in 1..100) of ascending values: the value at rank ceil(p/100 · N). */
export function nearestRank(sortedAscending: ArrayLike<number>, p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  return sortedAscending[rank - 1];
}

/** A duration in ms as minutes to two decimals (half up, from the integer ms: exact). */
export const minutesOf = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 600) / 100);

/**
 * compositeScore = 100 · Σ w·rate / Σ w over the rates that are defined, to two decimals, half up —
 * computed on the exact fractions (BigInt), so no floating-point rounding can move the second decimal.
 * Null when no rate is defined or the defined rates' weights sum to 0. Returns hundredths.
 */
export function compositeHundredths(rates: readonly { n: number; d: number; w: number }[]): number | null {
  const defined = rates.filter((r) => r.d > 0);
  const weight = defined.reduce((s, r) => s + r.w, 0);
  if (defined.length === 0 || weight === 0) return null;
  const D = defined.reduce((p, r) => p * BigInt(r.d), 1n);
  const num = defined.reduce((s, r) => s + BigInt(r.w) * BigInt(r.n) * (D / BigInt(r.d)), 0n) * 10_000n;
  const den = BigInt(weight) * D;
  return Number((2n * num + den) / (2n * den));
}

interface Accumulator {
  counts: PartCounts;
  responseMs: number[];
}

function accumulate(evaluations: Iterable<PartEvaluation>): Map<string, Accumulator> {
  const byDepartment = new Map<string, Accumulator>();
  for (const e of evaluations) {
    let acc = byDepartment.get(e.facts.departmentId);
    if (!acc) byDepartment.set(e.facts.departmentId, (acc = { counts: emptyCounts(), responseMs: [] }));
    const a = acc.counts;
    const c = e.counts;
    a.received += c.received;
    a.responded += c.responded;
    a.respondedOnTime += c.respondedOnTime;
    a.responseDue += c.responseDue;
    a.completionDue += c.completionDue;
    a.completedOnTime += c.completedOnTime;
    a.reviewed += c.reviewed;
    a.resolved += c.resolved;
    a.satisfied += c.satisfied;
    a.basicallySatisfied += c.basicallySatisfied;
    a.dissatisfied += c.dissatisfied;
    a.transfersOut += c.transfersOut;
    a.transfersIn += c.transfersIn;
    a.reopened += c.reopened;
    a.overdue += c.overdue;
    a.returnsUpheld += c.returnsUpheld;
    a.returnsRejected += c.returnsRejected;
    a.extensionsApproved += c.extensionsApproved;
    a.appealsUpheld += c.appealsUpheld;
    a.appealsRejected += c.appealsRejected;
    a.leadParts += c.leadParts;
    if (e.responseMs !== null) acc.responseMs.push(e.responseMs);
  }
  return byDepartment;
}

function rowOf(department: DepartmentRef, acc: Accumulator | undefined, policy: ScoringPolicy): ScorecardRow {
  const c = acc?.counts ?? emptyCounts();
  // A typed array sorts numbers natively, without a comparator call per comparison.
  const responseMs = Float64Array.from(acc?.responseMs ?? []).sort();
  const hundredths = compositeHundredths([
    { n: c.respondedOnTime, d: c.responseDue, w: policy.weights.wR },
    { n: c.resolved, d: c.reviewed, w: policy.weights.wS },
    { n: c.satisfied + c.basicallySatisfied, d: c.reviewed, w: policy.weights.wF },
  ]);
  return {
    departmentId: department.id,
    name: department.name,
    received: c.received,
    responded: c.responded,
    respondedOnTime: c.respondedOnTime,
    responseDue: c.responseDue,
    responseRate: rate(c.respondedOnTime, c.responseDue),
    medianResponseMinutes: minutesOf(nearestRank(responseMs, 50)),
    p90ResponseMinutes: minutesOf(nearestRank(responseMs, 90)),
    completionDue: c.completionDue,
    completedOnTime: c.completedOnTime,
    completionRate: rate(c.completedOnTime, c.completionDue),
    reviewed: c.reviewed,
    resolved: c.resolved,
    resolutionRate: rate(c.resolved, c.reviewed),
    satisfied: c.satisfied,
    basicallySatisfied: c.basicallySatisfied,
    dissatisfied: c.dissatisfied,
    satisfactionRate: rate(c.satisfied + c.basicallySatisfied, c.reviewed),
    transfersOut: c.transfersOut,
    transfersIn: c.transfersIn,
    reopened: c.reopened,
    overdue: c.overdue,
    returnsUpheld: c.returnsUpheld,
    returnsRejected: c.returnsRejected,
    extensionsApproved: c.extensionsApproved,
    appealsUpheld: c.appealsUpheld,
    appealsRejected: c.appealsRejected,
    leadParts: c.leadParts,
    compositeScore: hundredths === null ? null : hundredths / 100,
    rank: null,
  };
}

/**
 * Ranks by compositeScore as published (two decimals), highest first; equal scores share a rank and
 * the next rank skips (1, 2, 2, 4). Departments with fewer than minRankedParts responseDue parts, or
 * without a composite score, get rank null. Rows come back ranked first (by rank), then unranked; ties
 * in order by departmentId.
 */
export function rank(rows: ScorecardRow[], policy: ScoringPolicy): ScorecardRow[] {
  const ranked = rows.filter((r) => r.responseDue >= policy.minRankedParts && r.compositeScore !== null);
  for (const r of rows) r.rank = null;
  for (const r of ranked) r.rank = 1 + ranked.filter((o) => o.compositeScore! > r.compositeScore!).length;
  return rows.sort(byRankThenScoreThenId);
}

function byRankThenScoreThenId(a: ScorecardRow, b: ScorecardRow): number {
  if (a.rank !== b.rank) return a.rank === null ? 1 : b.rank === null ? -1 : a.rank - b.rank;
  if (a.compositeScore !== b.compositeScore) {
    return a.compositeScore === null ? 1 : b.compositeScore === null ? -1 : b.compositeScore - a.compositeScore;
  }
  return a.departmentId < b.departmentId ? -1 : a.departmentId > b.departmentId ? 1 : 0;
}

/** The parts of a period as of an instant: known at asOf and assigned in [from, to). */
export function evaluatePeriod(parts: Iterable<PartFacts>, period: Period, asOf: number): PartEvaluation[] {
  const out: PartEvaluation[] = [];
  for (const p of parts) {
    if (p.assigned.at < period.fromMs || p.assigned.at >= period.toMs) continue;
    const e = evaluatePart(p, asOf);
    if (e) out.push(e);
  }
  return out;
}

/** The scorecard of scoring.md over the given parts (already scoped to one county). */
export function computeScorecard(parts: Iterable<PartFacts>, options: ScorecardOptions): Scorecard {
  const asOf = toMs(options.asOf);
  if (Number.isNaN(asOf)) throw new RangeError('asOf is not an instant');
  const period = periodOf(options.from, options.to, options.timeZone);
  const byDepartment = accumulate(evaluatePeriod(parts, period, asOf));
  const departments = new Map(options.departments.map((d) => [d.id, d]));
  for (const id of byDepartment.keys()) if (!departments.has(id)) departments.set(id, { id, name: id });
  const rows = [...departments.values()].map((d) => rowOf(d, byDepartment.get(d.id), options.policy));
  return {
    from: options.from,
    to: options.to,
    asOf: new Date(asOf).toISOString(),
    policyVersion: options.policy.version,
    departments: rank(rows, options.policy),
  };
}

export interface TrendPoint extends ScorecardRow {
  month: string;
  from: string;
  to: string;
}

/** One department month by month over [from, to) (months cut to the range), ranked within each month. */
export function computeTrend(parts: readonly PartFacts[], options: ScorecardOptions, departmentId: string): TrendPoint[] {
  return monthsOf(options.from, options.to).map(({ month, from, to }) => {
    const card = computeScorecard(parts, { ...options, from, to });
    const row = card.departments.find((r) => r.departmentId === departmentId)!;
    return { month, ...row, from, to };
  });
}

/**
 * The asOf interval around `asOf` over which a scorecard of these parts cannot change: [lo, hi).
 * Anything computed at asOf holds for every asOf' in it (same facts, same period, same policy): only a
 * critical instant (criticalInstants in evaluate.ts) can change a part's evaluation.
 */
export function stableInterval(parts: Iterable<PartFacts>, asOf: number): { lo: number; hi: number } {
  return intervalAround(periodInstants(parts), asOf);
}

/** Every critical instant of the parts, in one array: what stableInterval scans (the reader keeps it per period). */
export function periodInstants(parts: Iterable<PartFacts>): Float64Array {
  const into: number[] = [];
  for (const p of parts) criticalInstants(p, into);
  return Float64Array.from(into);
}

/** stableInterval over instants already collected (periodInstants). */
export function intervalAround(instants: Float64Array, asOf: number): { lo: number; hi: number } {
  let lo = -Infinity;
  let hi = Infinity;
  for (let i = 0; i < instants.length; i++) {
    const x = instants[i];
    if (x < asOf) {
      if (x + 1 > lo) lo = x + 1;
    } else if (x > asOf) {
      if (x < hi) hi = x;
    } else return { lo: asOf, hi: asOf + 1 };
  }
  return { lo, hi };
}

export type { CountField };
