import type { Category } from './events';

/** A time limit as the county's rules state it: "2 working hours", "30 minutes", "5 working days". */
export interface TimeLimit {
  amount: number;
  unit: 'minutes' | 'hours' | 'days';
  clock: 'natural' | 'working';
}

/** The limits that apply to one whistle, and where they came from (so any deadline can be recomputed). */
export interface MatterLimits {
  response: TimeLimit;
  completion: TimeLimit;
  /** Rework rounds (退回重办) allowed after the first handling; then the part closes unresolved. */
  maxReworkRounds: number;
}

/** Which rules a deadline was computed with: recorded on every assignment, rework and re-basing. */
export interface DeadlineBasis {
  policyVersion: string;
  /** The working calendar's version; with `+provisional-<year>` for each provisional year it rested on. */
  calendarVersion: string | null;
  catalogVersion: string | null;
  matterCode: string | null;
  response: TimeLimit;
  completion: TimeLimit;
  /**
   * True when a day these deadlines were computed over came from a provisional year: derived from the
   * statutory holidays because the year's official arrangement was not loaded yet. Such deadlines are
   * re-based when the official year arrives (DeadlinesRebased).
   */
  provisional: boolean;
  /** Those provisional years, ascending (empty when not provisional). */
  provisionalYears: string[];
  /** Approved extensions (延期) of the current round's completion deadline, in order; absent when none. */
  extensions?: ExtensionBasis[];
}

/** One approved extension as the deadline basis records it: from which deadline, by how many working days, when. */
export interface ExtensionBasis {
  workingDays: number;
  previousDueAt: string;
  approvedAt: string;
}

/** One clock's instants: the 提醒 reminder and the deadline. */
export interface ClockInstants {
  remindAt: string;
  dueAt: string;
}

/** Clocks to start: each from its own instant (a re-basing restarts the response and completion clocks from different ones). */
export interface ClockStarts {
  response?: { from: string; limit: TimeLimit };
  completion?: { from: string; limit: TimeLimit };
}

/** The instants of the clocks asked for, and the calendar they were computed on. */
export interface Schedule {
  response?: ClockInstants;
  completion?: ClockInstants;
  calendarVersion: string | null;
  /** Provisional calendar years any of these computations crossed, ascending. */
  provisionalYears: string[];
}

/**
 * Time limits and their arithmetic, versioned. decide() asks the policy, never the wall clock; the
 * default runs on natural time, a county policy (libs/deadlines) on its catalogue and the county's
 * working calendar.
 */
export interface CasePolicy {
  readonly version: string;
  readonly catalogVersion: string | null;
  limitsFor(category: Category, matterCode?: string): MatterLimits;
  /** The clocks that start at the given instants for a case of `countyId`. */
  schedule(countyId: string, starts: ClockStarts): Schedule;
  /** Share of a limit after which the department is reminded (提醒). */
  reminderFraction: number;
  /** The limits of the practice's moves (延期, 退单, 申诉); DEFAULT_WORKFLOW_LIMITS when absent. */
  readonly workflow?: WorkflowLimits;
}

/** The limits of the practice's moves: extensions (延期), return decisions (退单审定), appeals (申诉). */
export interface WorkflowLimits {
  /** Approved extensions allowed per part (per department's holding of it). */
  maxExtensions: number;
  /** How long after a review the department may appeal it. */
  appealWindow: TimeLimit;
  /** How long the command centre has to decide a return. */
  returnDecision: TimeLimit;
  /** The assessment-policy version these limits come from (libs/policy): recorded on each move a limit decided. */
  version?: string;
}

export const DEFAULT_WORKFLOW_LIMITS: WorkflowLimits = {
  maxExtensions: 2,
  appealWindow: { amount: 3, unit: 'days', clock: 'working' },
  returnDecision: { amount: 2, unit: 'hours', clock: 'working' },
};

export const workflowLimitsOf = (policy: CasePolicy): WorkflowLimits => policy.workflow ?? DEFAULT_WORKFLOW_LIMITS;

/** `{ policyVersion }` of the limits a move was decided under, for its event; nothing when they name no version. */
export const policyVersionOf = (limits: WorkflowLimits): { policyVersion?: string } => (limits.version === undefined ? {} : { policyVersion: limits.version });

const MINUTES = { minutes: 1, hours: 60, days: 24 * 60 } as const;

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

export const minutesOf = (limit: TimeLimit) => limit.amount * MINUTES[limit.unit];

const DEFAULT_REMINDER_FRACTION = 0.8;

/** Natural time only: the rules before any catalogue or calendar is configured. */
export const DEFAULT_POLICY: CasePolicy = {
  version: 'default-2026.1',
  catalogVersion: null,
  reminderFraction: DEFAULT_REMINDER_FRACTION,
  workflow: DEFAULT_WORKFLOW_LIMITS,
  limitsFor: (category) => ({
    // Pinggu origin rule: an emergency is reported in within 30 minutes.
    response: category === 'emergency' ? { amount: 30, unit: 'minutes', clock: 'natural' } : { amount: 2, unit: 'hours', clock: 'natural' },
    completion: { amount: 3, unit: 'days', clock: 'natural' },
    maxReworkRounds: 2,
  }),
  schedule(_countyId, starts) {
    const clock = (s: { from: string; limit: TimeLimit } | undefined): ClockInstants | undefined =>
      s && { remindAt: addMinutes(s.from, Math.round(minutesOf(s.limit) * DEFAULT_REMINDER_FRACTION)), dueAt: addMinutes(s.from, minutesOf(s.limit)) };
    return { response: clock(starts.response), completion: clock(starts.completion), calendarVersion: null, provisionalYears: [] };
  },
};

export function deadlineBasis(policy: CasePolicy, limits: MatterLimits, matterCode: string | undefined, schedule: Schedule): DeadlineBasis {
  return {
    policyVersion: policy.version,
    calendarVersion: schedule.calendarVersion,
    catalogVersion: policy.catalogVersion,
    matterCode: matterCode ?? null,
    response: limits.response,
    completion: limits.completion,
    provisional: schedule.provisionalYears.length > 0,
    provisionalYears: schedule.provisionalYears,
  };
}
