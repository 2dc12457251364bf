import type { Actor } from './actor';
import type { AppealReview, DecideAppeal, DecideExtension, DecideReturn, DirectoryFacts, RequestExtension, ReturnPart, WorkflowCommand } from './commands';
import type { CaseState, PartState } from './case.state';
import { assignPart } from './deadlines';
import { Forbidden, Invalid, InvalidState, WorkflowRefused } from './errors';
import type { CaseEvent } from './events';
import { policyVersionOf, workflowLimitsOf, type CasePolicy, type DeadlineBasis, type TimeLimit } from './policy';
import { filedEvidence } from './notes';
import { hasText } from './text';

/**
 * The practice's moves beyond the happy path: 延期 (extensions), 退单 with 审定 (returns the command centre
 * arbitrates) and 申诉 (appeals the assessment office decides). Pure, like decide(): time, policy and
 * directory facts come with the command.
 */
export function decideWorkflow(cmd: WorkflowCommand, state: CaseState, policy: CasePolicy): CaseEvent[] {
  switch (cmd.type) {
    case 'RequestExtension':
      return requestExtension(cmd, state, policy);
    case 'DecideExtension':
      return decideExtension(cmd, state, policy);
    case 'ReturnPart':
      return returnPart(cmd, state, policy);
    case 'DecideReturn':
      return decideReturn(cmd, state, policy);
    case 'AppealReview':
      return appealReview(cmd, state, policy);
    case 'DecideAppeal':
      return decideAppeal(cmd, state);
  }
}

/** Appeals concern reviews, and the review that closed the last part closed the case: they are decided on closed cases too. */
export const actsOnClosedCases = (type: string) => type === 'AppealReview' || type === 'DecideAppeal';

/** A move the department may not make while its return awaits the command centre. */
export function refuseWhileReturnPending(part: PartState, wanted: string): void {
  if (part.workflow?.pendingReturn) throw InvalidState.part(part.departmentId, 'returned (awaiting the command centre)', wanted);
}

const WORKING_DAY: TimeLimit = { amount: 1, unit: 'days', clock: 'working' };

/** The instant `limit` after `from` on the county's calendar (the policy's arithmetic). */
function after(
  policy: CasePolicy,
  countyId: string,
  from: string,
  limit: TimeLimit,
): { dueAt: string; remindAt: string; calendarVersion: string | null; provisionalYears: string[] } {
  const s = policy.schedule(countyId, { completion: { from, limit } });
  return { ...s.completion!, calendarVersion: s.calendarVersion, provisionalYears: s.provisionalYears };
}

function ownOpenPart(state: CaseState, actor: Actor, action: string): PartState {
  if (actor.role !== 'department') throw Forbidden.role(actor.role, action);
  const part = state.parts.find((p) => p.departmentId === actor.orgId && p.status !== 'closed');
  if (!part) throw Forbidden.notPartHolder(actor.orgId);
  return part;
}

function centrePart(actor: Actor, state: CaseState, departmentId: string, action: string): PartState {
  if (actor.role !== 'command_centre') throw Forbidden.role(actor.role, action);
  const part = state.parts.find((p) => p.departmentId === departmentId && p.status !== 'closed');
  if (!part) throw Invalid.field('departmentId', `${departmentId} holds no open part of this case`);
  return part;
}

function requireCountyDepartment(facts: DirectoryFacts, field: string, id: string): void {
  if (!facts.countyDepartments.includes(id)) throw Invalid.field(field, `${id} is not a department of this county`);
}

function requireWorkingDays(field: string, days: unknown): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) throw Invalid.field(field, 'must be a whole number of working days, at least 1');
  return days;
}

function requestExtension(cmd: RequestExtension, state: CaseState, policy: CasePolicy): CaseEvent[] {
  const part = ownOpenPart(state, cmd.actor, 'request an extension');
  if (part.status !== 'in_progress')
    throw InvalidState.part(part.departmentId, part.status, 'extend it (report in first; a completed part needs no extension)');
  refuseWhileReturnPending(part, 'extend it');
  const workingDays = requireWorkingDays('workingDays', cmd.data.workingDays);
  if (!hasText(cmd.data.reason)) throw Invalid.field('reason', 'an extension needs a reason');
  if (part.workflow.pendingExtension) throw WorkflowRefused.limit(`the part of ${part.departmentId} already has an extension request pending`);
  const limits = workflowLimitsOf(policy);
  const max = limits.maxExtensions;
  if (part.workflow.extensionsApproved >= max)
    throw WorkflowRefused.limit(`the part of ${part.departmentId} has had ${max} extensions approved, the most the policy allows`);
  const evidence = filedEvidence(cmd);
  return [
    {
      type: 'ExtensionRequested',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        departmentId: part.departmentId,
        round: part.round,
        reason: cmd.data.reason,
        workingDays,
        ...policyVersionOf(limits),
        ...evidence,
      },
    },
  ];
}

/** The deadline moved by `workingDays` working days from `dueAt`, and the basis that records it. */
export function extendedClock(policy: CasePolicy, countyId: string, basis: DeadlineBasis, dueAt: string, workingDays: number, approvedAt: string) {
  const s = after(policy, countyId, dueAt, { ...WORKING_DAY, amount: workingDays });
  const provisionalYears = [...new Set([...(basis.provisionalYears ?? []), ...s.provisionalYears])].sort();
  const next: DeadlineBasis = {
    ...basis,
    calendarVersion: s.calendarVersion ?? basis.calendarVersion,
    provisional: provisionalYears.length > 0,
    provisionalYears,
    extensions: [...(basis.extensions ?? []), { workingDays, previousDueAt: dueAt, approvedAt }],
  };
  return { completionRemindAt: s.remindAt, completionDueAt: s.dueAt, basis: next };
}

function decideExtension(cmd: DecideExtension, state: CaseState, policy: CasePolicy): CaseEvent[] {
  const { departmentId, approved, note } = cmd.data;
  const part = centrePart(cmd.actor, state, departmentId, 'decide an extension');
  const pending = part.workflow.pendingExtension;
  if (!pending) throw InvalidState.part(departmentId, 'without a pending extension request', 'decide one');
  if (part.status !== 'in_progress' || part.round !== pending.round)
    throw InvalidState.part(departmentId, part.status, 'extend it: the round the request was for is over');
  const base = { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId, round: part.round, ...(note === undefined ? {} : { note }) };
  if (!approved) {
    if (cmd.data.workingDays !== undefined) throw Invalid.field('workingDays', 'only an approval grants working days');
    return [{ type: 'ExtensionDecided', data: { ...base, approved: false, workingDays: 0 } }];
  }
  const workingDays = cmd.data.workingDays === undefined ? pending.workingDays : requireWorkingDays('workingDays', cmd.data.workingDays);
  if (workingDays > pending.workingDays) throw Invalid.field('workingDays', `the department asked for ${pending.workingDays}; grant at most that`);
  const limits = workflowLimitsOf(policy);
  if (part.workflow.extensionsApproved >= limits.maxExtensions)
    throw WorkflowRefused.limit(`the part of ${departmentId} has had ${limits.maxExtensions} extensions approved, the most the policy allows`);
  const clock = extendedClock(policy, state.countyId, part.basis, part.completionDueAt, workingDays, cmd.now);
  return [
    {
      type: 'ExtensionDecided',
      data: { ...base, approved: true, workingDays, previousDueAt: part.completionDueAt, ...clock, ...policyVersionOf(limits) },
    },
  ];
}

function returnPart(cmd: ReturnPart, state: CaseState, policy: CasePolicy): CaseEvent[] {
  const { reason, suggestedDepartmentId } = cmd.data;
  if (suggestedDepartmentId !== undefined) requireCountyDepartment(cmd.facts, 'suggestedDepartmentId', suggestedDepartmentId);
  const part = ownOpenPart(state, cmd.actor, 'return a part');
  if (part.status !== 'awaiting_response' && part.status !== 'in_progress') throw InvalidState.part(part.departmentId, part.status, 'return it once completed');
  if (part.workflow.pendingReturn) throw InvalidState.part(part.departmentId, 'returned (awaiting the command centre)', 'return it again');
  if (!hasText(reason)) throw Invalid.field('reason', 'a return needs a reason (职能不符, 属地不符, 权属不清 …)');
  if (suggestedDepartmentId === part.departmentId) throw Invalid.field('suggestedDepartmentId', 'must be another department');
  const evidence = filedEvidence(cmd);
  const limits = workflowLimitsOf(policy);
  const decision = after(policy, state.countyId, cmd.now, limits.returnDecision);
  return [
    {
      type: 'PartReturned',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        departmentId: part.departmentId,
        reason,
        ...(suggestedDepartmentId === undefined ? {} : { suggestedDepartmentId }),
        decisionDueAt: decision.dueAt,
        decisionRemindAt: decision.remindAt,
        ...policyVersionOf(limits),
        ...evidence,
      },
    },
  ];
}

function decideReturn(cmd: DecideReturn, state: CaseState, policy: CasePolicy): CaseEvent[] {
  const { departmentId, upheld, toDepartmentId, note } = cmd.data;
  if (toDepartmentId !== undefined) requireCountyDepartment(cmd.facts, 'toDepartmentId', toDepartmentId);
  const part = centrePart(cmd.actor, state, departmentId, 'decide a return');
  if (!part.workflow.pendingReturn) throw InvalidState.part(departmentId, 'not returned', 'decide a return');
  const base = { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId, upheld, ...(note === undefined ? {} : { note }) };
  if (!upheld) {
    if (toDepartmentId !== undefined) throw Invalid.field('toDepartmentId', 'a rejected return stays with its department');
    return [{ type: 'ReturnDecided', data: base }];
  }
  if (toDepartmentId === undefined) throw Invalid.field('toDepartmentId', 'an upheld return names the department it goes to');
  if (toDepartmentId === departmentId) throw Invalid.field('toDepartmentId', 'must be a different department');
  if (state.parts.some((p) => p.departmentId === toDepartmentId && p.status !== 'closed')) {
    throw Invalid.field('toDepartmentId', `${toDepartmentId} already holds a part of this case`);
  }
  const assignment = assignPart(policy, state.countyId, state.limits, state.matterCode, part.partId, toDepartmentId, cmd.now);
  return [{ type: 'ReturnDecided', data: { ...base, toDepartmentId, assignment } }];
}

function appealReview(cmd: AppealReview, state: CaseState, policy: CasePolicy): CaseEvent[] {
  if (cmd.actor.role !== 'department') throw Forbidden.role(cmd.actor.role, 'appeal a review');
  const departmentId = cmd.data.departmentId ?? cmd.actor.orgId;
  if (departmentId !== cmd.actor.orgId) throw Forbidden.role(cmd.actor.role, `appeal the review of another department (${departmentId})`);
  const held = state.parts.filter((p) => p.departmentId === departmentId);
  if (held.length === 0) throw Forbidden.notPartHolder(departmentId);
  const part = held.find((p) => p.status !== 'closed' && p.review) ?? held.find((p) => p.review);
  if (!part?.review) throw InvalidState.part(departmentId, 'not reviewed', 'appeal a review');
  const review = part.review;
  if (!hasText(cmd.data.reason)) throw Invalid.field('reason', 'an appeal needs a reason');
  if (part.workflow.openAppeal)
    throw WorkflowRefused.limit(`the review of round ${part.workflow.openAppeal.round} of ${departmentId} already has an open appeal`);
  if (part.workflow.appeals.some((a) => a.round === review.round))
    throw WorkflowRefused.limit(`the review of round ${review.round} of ${departmentId} was already appealed`);
  const limits = workflowLimitsOf(policy);
  const window = limits.appealWindow;
  const closesAt = after(policy, state.countyId, review.reviewedAt, window).dueAt;
  if (Date.parse(cmd.now) > Date.parse(closesAt)) {
    throw WorkflowRefused.windowClosed(
      `the appeal window for the review of ${review.reviewedAt} closed at ${closesAt} (${window.amount} ${window.clock} ${window.unit})`,
    );
  }
  const evidence = filedEvidence(cmd);
  return [
    {
      type: 'ReviewAppealed',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        departmentId,
        round: review.round,
        reason: cmd.data.reason,
        ...policyVersionOf(limits),
        ...evidence,
      },
    },
  ];
}

function decideAppeal(cmd: DecideAppeal, state: CaseState): CaseEvent[] {
  if (cmd.actor.role !== 'assessment_office') throw Forbidden.role(cmd.actor.role, 'decide an appeal');
  const { departmentId, upheld, note } = cmd.data;
  const part = state.parts.find((p) => p.departmentId === departmentId && p.workflow.openAppeal);
  if (!part?.workflow.openAppeal) throw InvalidState.part(departmentId, 'without an open appeal', 'decide one');
  if (!hasText(note)) throw Invalid.field('note', 'say why the appeal is upheld or rejected');
  return [
    {
      type: 'AppealDecided',
      data: { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId, round: part.workflow.openAppeal.round, upheld, note },
    },
  ];
}
