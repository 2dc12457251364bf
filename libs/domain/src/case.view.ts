import type { CaseState } from './case.state';

/** The practice's moves a case can be waiting on: 延期 to approve, 退单 to decide, 申诉 to rule on. */
export const PENDING_MOVES = ['extension', 'return', 'appeal'] as const;
export type PendingMove = (typeof PENDING_MOVES)[number];

/** The moves some part of the case awaits a decision on, in PENDING_MOVES order (empty: none). */
export function pendingMovesOf(state: CaseState): PendingMove[] {
  const waiting = {
    extension: state.parts.some((p) => p.workflow.pendingExtension),
    return: state.parts.some((p) => p.workflow.pendingReturn),
    appeal: state.parts.some((p) => p.workflow.openAppeal),
  };
  return PENDING_MOVES.filter((m) => waiting[m]);
}

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
    /** 牵头: the lead part, and the outcome the case shows (the township's review of the lead part). */
    leadPartId: state.leadPartId,
    outcome: state.parts.find((p) => p.partId === state.leadPartId)?.outcome ?? null,
    pending: pendingMovesOf(state),
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
      lead: p.partId === state.leadPartId,
      extensionsApproved: p.workflow.extensionsApproved,
      pendingExtension: p.workflow.pendingExtension,
      pendingReturn: p.workflow.pendingReturn,
      openAppeal: p.workflow.openAppeal,
      appeals: p.workflow.appeals,
    })),
    version,
    position,
  };
}

export type CaseView = ReturnType<typeof toCaseView>;
