import type { PartAssignment } from './events';
import { deadlineBasis, type CasePolicy, type DeadlineBasis, type MatterLimits } from './policy';

/** A department's fresh clocks on a part: at the whistle, a transfer or a reassignment. */
export function assignPart(
  policy: CasePolicy,
  limits: MatterLimits,
  matterCode: string | undefined,
  partId: string,
  departmentId: string,
  assignedAt: string,
): PartAssignment {
  return {
    partId,
    departmentId,
    assignedAt,
    responseRemindAt: policy.due(assignedAt, limits.response, policy.reminderFraction),
    responseDueAt: policy.due(assignedAt, limits.response),
    completionRemindAt: policy.due(assignedAt, limits.completion, policy.reminderFraction),
    completionDueAt: policy.due(assignedAt, limits.completion),
    basis: deadlineBasis(policy, limits, matterCode),
  };
}

/** A rework round's new completion clock (退回重办), from the moment of the review. */
export function reworkClock(
  policy: CasePolicy,
  limits: MatterLimits,
  matterCode: string | undefined,
  from: string,
): { completionRemindAt: string; completionDueAt: string; basis: DeadlineBasis } {
  return {
    completionRemindAt: policy.due(from, limits.completion, policy.reminderFraction),
    completionDueAt: policy.due(from, limits.completion),
    basis: deadlineBasis(policy, limits, matterCode),
  };
}
