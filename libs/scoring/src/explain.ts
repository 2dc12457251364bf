import { roundsAsOf, type CountField, type PartEvaluation } from './evaluate';
import { isoOf } from './facts';
import { minutesOf } from './scorecard';

export type RateName = 'responseRate' | 'completionRate' | 'resolutionRate' | 'satisfactionRate';

/** Which count field is which rate's numerator and denominator (scoring.md). */
export const RATE_TERMS: Record<RateName, { numerator: CountField[]; denominator: CountField }> = {
  responseRate: { numerator: ['respondedOnTime'], denominator: 'responseDue' },
  completionRate: { numerator: ['completedOnTime'], denominator: 'completionDue' },
  resolutionRate: { numerator: ['resolved'], denominator: 'reviewed' },
  satisfactionRate: { numerator: ['satisfied', 'basicallySatisfied'], denominator: 'reviewed' },
};

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : isoOf(ms));

/** One counted part as `explain` shows it: the instants it was scored on and what it entered. */
export interface ExplainedPart {
  caseId: string;
  partId: string;
  /** 0: assigned by the whistle; n: the n-th transfer or reassignment of this part. */
  holding: number;
  townshipId: string;
  departmentId: string;
  receivedBy: 'whistle' | 'transfer' | 'reassignment' | 'return';
  /** 牵头: the lead department's part. */
  lead: boolean;
  fromDepartmentId: string | null;
  assignedAt: string;
  responseDueAt: string;
  completionDueAt: string;
  respondedAt: string | null;
  responseKind: 'report_in' | 'transfer' | null;
  /** The sample this part gave the median / p90 (null: not responded, not in the sample). */
  responseMinutes: number | null;
  rounds: { round: number; completionDueAt: string; openedAt: string; completedAt: string | null }[];
  /** Deadlines re-based after they were set, known at asOf: the due dates above are the ones in force then. */
  deadlineChanges: { kind: 'response' | 'completion'; round: number; dueAt: string; at: string }[];
  firstCompletedAt: string | null;
  latestReview: { round: number; resolved: boolean; satisfaction: string; reviewedAt: string } | null;
  reviews: number;
  ended: { kind: string; at: string; toDepartmentId: string | null } | null;
  /** 延期 approved (known at asOf): each moved the round's completion deadline to dueAt at `at`. */
  extensions: { round: number; dueAt: string; at: string }[];
  /** 退单 the command centre rejected (known at asOf); an upheld one is `ended.kind = returned`. */
  returnsRejectedAt: string[];
  /** 申诉 decided (known at asOf); an upheld one voids the review of its round from `at`. */
  appeals: { round: number; upheld: boolean; at: string }[];
  /** When the clocks stopped before asOf (reassigned away, case withdrawn); deadlines after it never fell due. */
  clocksStoppedAt: string | null;
  overdue: { response: boolean; completion: boolean };
  /** What this part adds to each count field of the row (0 or 1; reopened: rounds). */
  counts: Record<CountField, number>;
  numerators: RateName[];
  denominators: RateName[];
}

export function explainPart(e: PartEvaluation, asOf: number): ExplainedPart {
  const p = e.facts;
  const entered = (fields: CountField[]) => fields.some((f) => e.counts[f] > 0);
  const rates = Object.keys(RATE_TERMS) as RateName[];
  return {
    caseId: p.caseId,
    partId: p.partId,
    holding: p.seq,
    townshipId: p.townshipId,
    departmentId: p.departmentId,
    receivedBy: p.receivedBy,
    lead: p.moves.lead,
    fromDepartmentId: p.fromDepartmentId,
    assignedAt: iso(p.assigned.at)!,
    responseDueAt: iso(e.responseDueAt)!,
    completionDueAt: iso(roundsAsOf(e, asOf)[0].dueAt)!,
    deadlineChanges: p.deadlineChanges.filter((c) => c.known <= asOf).map((c) => ({ kind: c.kind, round: c.round, dueAt: iso(c.dueAt)!, at: iso(c.at)! })),
    respondedAt: iso(e.response?.at),
    responseKind: e.response?.kind ?? null,
    responseMinutes: minutesOf(e.responseMs),
    rounds: roundsAsOf(e, asOf).map((r) => ({
      round: r.round,
      completionDueAt: iso(r.dueAt)!,
      openedAt: iso(r.opened.at)!,
      completedAt: iso(r.completed?.at),
    })),
    firstCompletedAt: iso(e.firstCompletion?.at),
    latestReview: e.latestReview
      ? { round: e.latestReview.round, resolved: e.latestReview.resolved, satisfaction: e.latestReview.satisfaction, reviewedAt: iso(e.latestReview.at)! }
      : null,
    reviews: e.reviewCount,
    ended: e.end ? { kind: e.end.kind, at: iso(e.end.at)!, toDepartmentId: e.end.toDepartmentId } : null,
    extensions: p.moves.extensions.filter((x) => x.known <= asOf).map((x) => ({ round: x.round, dueAt: iso(x.dueAt)!, at: iso(x.at)! })),
    returnsRejectedAt: p.moves.returnsRejected.filter((r) => r.known <= asOf).map((r) => iso(r.at)!),
    appeals: p.moves.appeals.filter((a) => a.known <= asOf).map((a) => ({ round: a.round, upheld: a.upheld, at: iso(a.at)! })),
    clocksStoppedAt: e.clockStop < asOf ? iso(e.clockStop) : null,
    overdue: { response: e.overdueResponse, completion: e.overdueCompletion },
    counts: { ...e.counts },
    numerators: rates.filter((r) => entered(RATE_TERMS[r].numerator)),
    denominators: rates.filter((r) => entered([RATE_TERMS[r].denominator])),
  };
}
