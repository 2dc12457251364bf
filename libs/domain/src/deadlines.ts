import type { PartAssignment } from './events';
import { deadlineBasis, type CasePolicy, type DeadlineBasis, type MatterLimits } from './policy';

/** A department's fresh clocks on a part: at the whistle, a transfer or a reassignment. */
export function assignPart(
  policy: CasePolicy,
  countyId: string,
  limits: MatterLimits,
  matterCode: string | undefined,
  partId: string,
  departmentId: string,
  assignedAt: string,
): PartAssignment {
  const s = policy.schedule(countyId, {
    response: { from: assignedAt, limit: limits.response },
    completion: { from: assignedAt, limit: limits.completion },
  });
  return {
    partId,
    departmentId,
    assignedAt,
    responseRemindAt: s.response!.remindAt,
    responseDueAt: s.response!.dueAt,
    completionRemindAt: s.completion!.remindAt,
    completionDueAt: s.completion!.dueAt,
    basis: deadlineBasis(policy, limits, matterCode, s),
  };
}

/** A rework round's new completion clock (退回重办), from the moment of the review. */
export function reworkClock(
  policy: CasePolicy,
  countyId: string,
  limits: MatterLimits,
  matterCode: string | undefined,
  from: string,
): { completionRemindAt: string; completionDueAt: string; basis: DeadlineBasis } {
  const s = policy.schedule(countyId, { completion: { from, limit: limits.completion } });
  return { completionRemindAt: s.completion!.remindAt, completionDueAt: s.completion!.dueAt, basis: deadlineBasis(policy, limits, matterCode, s) };
}
