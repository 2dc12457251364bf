import type { CaseEvent, Category, Location, PartOutcome, Satisfaction, WhistleBlown } from './events';
import type { DeadlineBasis, MatterLimits } from './policy';

export type CaseStatus = 'open' | 'closed' | 'withdrawn';
/** awaiting_response → in_progress → completed → (reviewed) closed, or back to in_progress on rework. */
export type PartStatus = 'awaiting_response' | 'in_progress' | 'completed' | 'closed';

export interface Review {
  round: number;
  resolved: boolean;
  satisfaction: Satisfaction;
  comment?: string;
  reviewedAt: string;
}

/** How far the watcher has gone on one clock of a part: 提醒 → 催办 → 督办. */
export type AlertLevel = 'none' | 'reminded' | 'overdue' | 'escalated';

export interface Transfer {
  /** transfer: by the department (转办); reassignment: by the command centre; return: a 退单 the command centre upheld. */
  kind: 'transfer' | 'reassignment' | 'return';
  fromDepartmentId: string;
  toDepartmentId: string;
  reason: string;
  at: string;
}

/** The practice's moves on one department's holding of a part (延期, 退单, 申诉); reset when the part changes hands. */
export interface PartWorkflow {
  /** 延期 approved on this holding (at most the policy's maxExtensions). */
  extensionsApproved: number;
  pendingExtension: { round: number; reason: string; workingDays: number; requestedAt: string } | null;
  /** 退单 awaiting the command centre's decision (审定); the part's clocks keep running meanwhile. */
  pendingReturn: {
    reason: string;
    suggestedDepartmentId: string | null;
    returnedAt: string;
    /** null: returned before the reminder instant was recorded (no 提醒 for it). */
    decisionRemindAt: string | null;
    decisionDueAt: string;
    alert: AlertLevel;
  } | null;
  /** 申诉 awaiting the assessment office's decision. */
  openAppeal: { round: number; reason: string; appealedAt: string } | null;
  /** Decided appeals, by the round of the review they contested: an upheld one voids that review for scoring. */
  appeals: { round: number; upheld: boolean; decidedAt: string }[];
}

export const noWorkflow = (): PartWorkflow => ({ extensionsApproved: 0, pendingExtension: null, pendingReturn: null, openAppeal: null, appeals: [] });

export interface PartState {
  partId: string;
  departmentId: string;
  status: PartStatus;
  /** 1 for the first handling; each rework (退回重办) adds one. */
  round: number;
  assignedAt: string;
  /** When the current round's completion clock started: the assignment, or the review that opened the rework. */
  roundStartedAt: string;
  responseRemindAt: string;
  responseDueAt: string;
  respondedAt: string | null;
  completionRemindAt: string;
  completionDueAt: string;
  /** The rules the current deadlines were computed with. */
  basis: DeadlineBasis;
  completedAt: string | null;
  result: string | null;
  /** The latest review; earlier rounds' reviews stay in the event history. */
  review: Review | null;
  reviewedRound: number;
  outcome: PartOutcome | null;
  transfers: Transfer[];
  responseAlert: AlertLevel;
  completionAlert: AlertLevel;
  urges: number;
  workflow: PartWorkflow;
}

export interface CaseState {
  caseId: string;
  townshipId: string;
  countyId: string;
  title: string;
  description: string;
  category: Category;
  location: Location;
  matterCode?: string;
  sourceRef?: string;
  status: CaseStatus;
  raisedAt: string;
  closedAt: string | null;
  policyVersion: string;
  limits: MatterLimits;
  parts: PartState[];
  /** 牵头: the part of the lead department (the lead moves with the part when it changes hands). */
  leadPartId: string;
  /** Every department that ever held a part: they keep read access (a department sees what it held). */
  involvedDepartmentIds: string[];
}

/** State before the first event: no case. */
export type CaseStateOrNone = CaseState | null;

export const initialState = (): CaseStateOrNone => null;

function updatePart(state: CaseState, partId: string, change: (p: PartState) => PartState): CaseState {
  return { ...state, parts: state.parts.map((p) => (p.partId === partId ? change(p) : p)) };
}

/** Folds one event into the state. Pure; never throws on a well-formed history. */
export function evolve(state: CaseStateOrNone, event: CaseEvent): CaseStateOrNone {
  if (event.type === 'WhistleBlown') {
    const d = event.data;
    return {
      caseId: d.caseId,
      townshipId: d.townshipId,
      countyId: d.countyId,
      title: d.title,
      description: d.description,
      category: d.category,
      location: d.location,
      matterCode: d.matterCode,
      sourceRef: d.sourceRef,
      status: 'open',
      raisedAt: d.occurredAt,
      closedAt: null,
      policyVersion: d.policyVersion,
      limits: d.limits,
      parts: d.parts.map((a) => ({
        ...a,
        roundStartedAt: a.assignedAt,
        status: 'awaiting_response',
        round: 1,
        respondedAt: null,
        completedAt: null,
        result: null,
        review: null,
        reviewedRound: 0,
        outcome: null,
        transfers: [],
        responseAlert: 'none',
        completionAlert: 'none',
        urges: 0,
        workflow: noWorkflow(),
      })),
      leadPartId: leadPartOf(d),
      involvedDepartmentIds: d.parts.map((a) => a.departmentId),
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'DepartmentResponded':
      return updatePart(state, event.data.partId, (p) => ({ ...p, status: 'in_progress', respondedAt: event.data.occurredAt }));
    case 'CaseTransferred':
    case 'PartReassigned': {
      const { assignment, fromDepartmentId, toDepartmentId, reason, occurredAt } = event.data;
      const kind = event.type === 'CaseTransferred' ? 'transfer' : 'reassignment';
      const next = updatePart(state, event.data.partId, (p) => ({
        ...p,
        ...assignment,
        roundStartedAt: assignment.assignedAt,
        status: 'awaiting_response',
        round: 1,
        respondedAt: null,
        completedAt: null,
        result: null,
        review: null,
        reviewedRound: 0,
        responseAlert: 'none',
        completionAlert: 'none',
        transfers: [...p.transfers, { kind, fromDepartmentId, toDepartmentId, reason, at: occurredAt }],
        workflow: noWorkflow(),
      }));
      const involved = next.involvedDepartmentIds.includes(toDepartmentId) ? next.involvedDepartmentIds : [...next.involvedDepartmentIds, toDepartmentId];
      return { ...next, involvedDepartmentIds: involved };
    }
    case 'DeadlineReminderSent': {
      const deadline = event.data.deadline;
      if (deadline === 'return_decision') return updatePart(state, event.data.partId, (p) => returnAlert(p, 'reminded'));
      return updatePart(state, event.data.partId, (p) => raiseAlert(p, deadline, 'reminded'));
    }
    case 'ResponseOverdue':
      return updatePart(state, event.data.partId, (p) => raiseAlert(p, 'response', 'overdue'));
    case 'CompletionOverdue':
      return updatePart(state, event.data.partId, (p) => raiseAlert(p, 'completion', 'overdue'));
    case 'CaseEscalated': {
      const deadline = event.data.deadline;
      if (deadline === 'return_decision') return updatePart(state, event.data.partId, (p) => returnAlert(p, 'escalated'));
      return updatePart(state, event.data.partId, (p) => raiseAlert(p, deadline, 'escalated'));
    }
    case 'DeadlinesRebased': {
      // Alerts stay as they are: a reminder or breach already recorded is not recorded again.
      let next = state;
      for (const r of event.data.parts) {
        next = updatePart(next, r.partId, (p) => ({
          ...p,
          ...(r.response ? { responseRemindAt: r.response.remindAt, responseDueAt: r.response.dueAt } : {}),
          completionRemindAt: r.completion.remindAt,
          completionDueAt: r.completion.dueAt,
          basis: r.basis,
        }));
      }
      return next;
    }
    case 'DepartmentUrged':
      return updatePart(state, event.data.partId, (p) => ({ ...p, urges: p.urges + 1 }));
    case 'HandlingCompleted':
      return updatePart(state, event.data.partId, (p) => ({
        ...p,
        status: 'completed',
        completedAt: event.data.occurredAt,
        result: event.data.result,
      }));
    case 'ReviewCompleted': {
      const { round, resolved, satisfaction, comment, occurredAt } = event.data;
      return updatePart(state, event.data.partId, (p) => ({
        ...p,
        review: { round, resolved, satisfaction, comment, reviewedAt: occurredAt },
        reviewedRound: round,
      }));
    }
    case 'CaseReopened':
      return updatePart(state, event.data.partId, (p) => ({
        ...p,
        status: 'in_progress',
        round: event.data.round,
        roundStartedAt: event.data.occurredAt,
        completionRemindAt: event.data.completionRemindAt,
        completionDueAt: event.data.completionDueAt,
        basis: event.data.basis,
        completedAt: null,
        result: null,
        completionAlert: 'none',
      }));
    case 'PartClosed':
      return updatePart(state, event.data.partId, (p) => ({ ...p, status: 'closed', outcome: event.data.outcome }));
    case 'CaseWithdrawn':
      return { ...state, status: 'withdrawn', closedAt: event.data.occurredAt };
    case 'ExtensionRequested':
    case 'ExtensionDecided':
    case 'PartReturned':
    case 'ReturnDecided':
    case 'ReviewAppealed':
    case 'AppealDecided':
      return evolveWorkflow(state, event);
    case 'CaseClosed':
      return { ...state, status: 'closed', closedAt: event.data.occurredAt };
    // A note changes nothing the rules decide on; it is read from the case's events.
    case 'NoteAdded':
      return state;
  }
}

/** 牵头: the lead department's part; a whistle recorded before leads existed is led by its first part. */
function leadPartOf(d: WhistleBlown['data']): string {
  const lead = d.leadDepartmentId === undefined ? undefined : d.parts.find((a) => a.departmentId === d.leadDepartmentId);
  return (lead ?? d.parts[0]).partId;
}

type WorkflowEvent = Extract<
  CaseEvent,
  { type: 'ExtensionRequested' | 'ExtensionDecided' | 'PartReturned' | 'ReturnDecided' | 'ReviewAppealed' | 'AppealDecided' }
>;

/** The practice's moves (延期, 退单/审定, 申诉) folded into the part they concern. */
function evolveWorkflow(state: CaseState, event: WorkflowEvent): CaseState {
  const d = event.data;
  const at = d.occurredAt;
  const flow =
    (change: (w: PartWorkflow) => Partial<PartWorkflow>) =>
    (p: PartState): PartState => ({ ...p, workflow: { ...p.workflow, ...change(p.workflow) } });
  switch (event.type) {
    case 'ExtensionRequested': {
      const { round, reason, workingDays } = event.data;
      return updatePart(
        state,
        d.partId,
        flow(() => ({ pendingExtension: { round, reason, workingDays, requestedAt: at } })),
      );
    }
    case 'ExtensionDecided': {
      const e = event.data;
      return updatePart(state, d.partId, (p) => {
        const decided = flow((w) => ({ pendingExtension: null, extensionsApproved: w.extensionsApproved + (e.approved ? 1 : 0) }))(p);
        if (!e.approved || !e.completionDueAt || !e.completionRemindAt || !e.basis) return decided;
        // The new deadline is watched afresh: its reminder and breach are recorded against it.
        return { ...decided, completionDueAt: e.completionDueAt, completionRemindAt: e.completionRemindAt, basis: e.basis, completionAlert: 'none' };
      });
    }
    case 'PartReturned': {
      const { reason, suggestedDepartmentId, decisionDueAt, decisionRemindAt } = event.data;
      return updatePart(
        state,
        d.partId,
        flow(() => ({
          pendingReturn: {
            reason,
            suggestedDepartmentId: suggestedDepartmentId ?? null,
            returnedAt: at,
            decisionRemindAt: decisionRemindAt ?? null,
            decisionDueAt,
            alert: 'none',
          },
        })),
      );
    }
    case 'ReturnDecided': {
      const { upheld, assignment, toDepartmentId, note } = event.data;
      if (!upheld || !assignment || !toDepartmentId)
        return updatePart(
          state,
          d.partId,
          flow(() => ({ pendingReturn: null })),
        );
      const next = updatePart(state, d.partId, (p) => ({
        ...p,
        ...assignment,
        roundStartedAt: assignment.assignedAt,
        status: 'awaiting_response',
        round: 1,
        respondedAt: null,
        completedAt: null,
        result: null,
        review: null,
        reviewedRound: 0,
        responseAlert: 'none',
        completionAlert: 'none',
        transfers: [
          ...p.transfers,
          { kind: 'return', fromDepartmentId: p.departmentId, toDepartmentId, reason: p.workflow.pendingReturn?.reason ?? note ?? '', at },
        ],
        workflow: noWorkflow(),
      }));
      const involved = next.involvedDepartmentIds.includes(toDepartmentId) ? next.involvedDepartmentIds : [...next.involvedDepartmentIds, toDepartmentId];
      return { ...next, involvedDepartmentIds: involved };
    }
    case 'ReviewAppealed': {
      const { round, reason } = event.data;
      return updatePart(
        state,
        d.partId,
        flow(() => ({ openAppeal: { round, reason, appealedAt: at } })),
      );
    }
    case 'AppealDecided': {
      const { round, upheld } = event.data;
      return updatePart(
        state,
        d.partId,
        flow((w) => ({ openAppeal: null, appeals: [...w.appeals, { round, upheld, decidedAt: at }] })),
      );
    }
  }
}

function raiseAlert(p: PartState, clock: 'response' | 'completion', level: AlertLevel): PartState {
  return clock === 'response' ? { ...p, responseAlert: level } : { ...p, completionAlert: level };
}

/** The watcher's rung on the command centre's decision of a pending return (none once decided). */
function returnAlert(p: PartState, level: AlertLevel): PartState {
  const pending = p.workflow.pendingReturn;
  return pending ? { ...p, workflow: { ...p.workflow, pendingReturn: { ...pending, alert: level } } } : p;
}

export function foldCase(events: readonly CaseEvent[]): CaseStateOrNone {
  return events.reduce<CaseStateOrNone>(evolve, initialState());
}
