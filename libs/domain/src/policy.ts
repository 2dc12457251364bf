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

/** Which rules a deadline was computed with: recorded on every assignment and rework. */
export interface DeadlineBasis {
  policyVersion: string;
  calendarVersion: string | null;
  catalogVersion: string | null;
  matterCode: string | null;
  response: TimeLimit;
  completion: TimeLimit;
}

/**
 * Time limits and their arithmetic, versioned. decide() asks the policy, never the wall clock; the
 * default runs on natural time, a county policy (libs/deadlines) on its catalogue and working calendar.
 */
export interface CasePolicy {
  version: string;
  calendarVersion: string | null;
  catalogVersion: string | null;
  limitsFor(category: Category, matterCode?: string): MatterLimits;
  /** The instant a limit runs out when it starts at `from`; `fraction` < 1 gives the reminder instant. */
  due(from: string, limit: TimeLimit, fraction?: number): string;
  /** Share of a limit after which the department is reminded (提醒). */
  reminderFraction: number;
}

const MINUTES = { minutes: 1, hours: 60, days: 24 * 60 } as const;

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

export const minutesOf = (limit: TimeLimit) => limit.amount * MINUTES[limit.unit];

/** Natural time only: the rules before any catalogue or calendar is configured. */
export const DEFAULT_POLICY: CasePolicy = {
  version: 'default-2026.1',
  calendarVersion: null,
  catalogVersion: null,
  reminderFraction: 0.8,
  limitsFor: (category) => ({
    // Pinggu origin rule: an emergency is reported in within 30 minutes.
    response: category === 'emergency' ? { amount: 30, unit: 'minutes', clock: 'natural' } : { amount: 2, unit: 'hours', clock: 'natural' },
    completion: { amount: 3, unit: 'days', clock: 'natural' },
    maxReworkRounds: 2,
  }),
  due: (from, limit, fraction = 1) => addMinutes(from, Math.round(minutesOf(limit) * fraction)),
};

export function deadlineBasis(policy: CasePolicy, limits: MatterLimits, matterCode?: string): DeadlineBasis {
  return {
    policyVersion: policy.version,
    calendarVersion: policy.calendarVersion,
    catalogVersion: policy.catalogVersion,
    matterCode: matterCode ?? null,
    response: limits.response,
    completion: limits.completion,
  };
}
