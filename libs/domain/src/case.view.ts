import type { CaseState } from './case.state';

/** The case as the API shows it: state plus where it stands in the store (ETag and read-your-writes). */
export function toCaseView(state: CaseState, version: number, position: number) {
  return {
    caseId: state.caseId,
    townshipId: state.townshipId,
    countyId: state.countyId,
    title: state.title,
    description: state.description,
    category: state.category,
    location: state.location,
    matterCode: state.matterCode ?? null,
    sourceRef: state.sourceRef ?? null,
    status: state.status,
    raisedAt: state.raisedAt,
    closedAt: state.closedAt,
    policyVersion: state.policyVersion,
    limits: state.limits,
    parts: state.parts.map((p) => ({
      partId: p.partId,
      departmentId: p.departmentId,
      status: p.status,
      round: p.round,
      assignedAt: p.assignedAt,
      responseRemindAt: p.responseRemindAt,
      responseDueAt: p.responseDueAt,
      respondedAt: p.respondedAt,
      completionRemindAt: p.completionRemindAt,
      completionDueAt: p.completionDueAt,
      completedAt: p.completedAt,
      // Events recorded before calendars had provisional years carry no flag: they rested on official years only.
      deadlineBasis: { ...p.basis, provisional: p.basis.provisional ?? false, provisionalYears: p.basis.provisionalYears ?? [] },
      result: p.result,
      review: p.review,
      outcome: p.outcome,
      transfers: p.transfers,
      responseAlert: p.responseAlert,
      completionAlert: p.completionAlert,
      urges: p.urges,
    })),
    version,
    position,
  };
}

export type CaseView = ReturnType<typeof toCaseView>;
