import type { Category, PartAssignment } from './events';

/**
 * Time limits, versioned so every deadline can say which rules produced it. Natural time for now;
 * the catalogue and working-time calendars replace `deadlinesFor` later without touching decide().
 */
export interface CasePolicy {
  version: string;
  /** Rework rounds (退回重办) allowed after the first handling; then the part closes unresolved. */
  maxReworkRounds: number;
  responseLimitMinutes(category: Category): number;
  completionLimitMinutes(category: Category): number;
}

export const DEFAULT_POLICY: CasePolicy = {
  version: 'default-2026.1',
  maxReworkRounds: 2,
  // Pinggu origin rule: an emergency is reported in within 30 minutes.
  responseLimitMinutes: (category) => (category === 'emergency' ? 30 : 120),
  completionLimitMinutes: () => 3 * 24 * 60,
};

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

export function assignPart(
  policy: CasePolicy,
  category: Category,
  partId: string,
  departmentId: string,
  assignedAt: string,
): PartAssignment {
  return {
    partId,
    departmentId,
    assignedAt,
    responseDueAt: addMinutes(assignedAt, policy.responseLimitMinutes(category)),
    completionDueAt: addMinutes(assignedAt, policy.completionLimitMinutes(category)),
  };
}
