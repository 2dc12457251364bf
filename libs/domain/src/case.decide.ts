import type { Actor } from './actor';
import type {
  BlowWhistle,
  CaseCommand,
  DirectoryFacts,
  CompleteHandling,
  RebaseDeadlines,
  ReassignPart,
  RespondToCase,
  ReviewHandling,
  TransferCase,
  UrgeDepartment,
  WithdrawCase,
} from './commands';
import { checkDeadlines } from './deadline-check';
import { CaseAlreadyExists, CaseNotFound, Forbidden, Invalid, InvalidState } from './errors';
import type { CaseEvent, PartClosed, RebasedPart } from './events';
import { assignPart, reworkClock } from './deadlines';
import { deadlineBasis, type CasePolicy } from './policy';
import { absentOrHasText, hasText } from './text';
import { addNote, filedEvidence } from './notes';
import type { CaseState, CaseStateOrNone, PartState } from './case.state';
import { actsOnClosedCases, decideWorkflow, extendedClock, refuseWhileReturnPending } from './workflow.decide';

/**
 * The case's business rules: given the current state and a command, the events it produces, or a
 * DomainError saying why not. Pure: no clock, no I/O (time and policy come in with the command).
 */
export function decide(command: CaseCommand, state: CaseStateOrNone, policy: CasePolicy): CaseEvent[] {
  if (command.type === 'BlowWhistle') return blowWhistle(command, state, policy);
  if (!state) throw CaseNotFound.because(command.caseId);
  if (state.status !== 'open' && !(state.status === 'closed' && actsOnClosedCases(command.type))) throw InvalidState.caseNotOpen(state.caseId, state.status);
  switch (command.type) {
    case 'RespondToCase':
      return respond(command, state);
    case 'TransferCase':
      return transfer(command, state, policy);
    case 'CompleteHandling':
      return complete(command, state);
    case 'ReviewHandling':
      return review(command, state, policy);
    case 'WithdrawCase':
      return withdraw(command, state);
    case 'ReassignPart':
      return reassign(command, state, policy);
    case 'UrgeDepartment':
      return urge(command, state);
    case 'CheckDeadlines':
      return checkDeadlines(command, state);
    case 'RebaseDeadlines':
      return rebase(command, state, policy);
    case 'RequestExtension':
    case 'DecideExtension':
    case 'ReturnPart':
    case 'DecideReturn':
    case 'AppealReview':
    case 'DecideAppeal':
      return decideWorkflow(command, state, policy);
    case 'AddNote':
      return addNote(command, state);
  }
}

/**
 * Named departments must be departments of the county (the directory's facts come with the command). Checked before
 * the rest of a command's rules, so a request naming an unknown org hears about that first.
 */
function requireCountyDepartments(facts: DirectoryFacts, named: { field: string; id: string }[]): void {
  const errors = named
    .filter(({ id }) => !facts.countyDepartments.includes(id))
    .map(({ field, id }) => ({ field, message: `${id} is not a department of this county` }));
  if (errors.length) throw Invalid.fields(errors);
}

function blowWhistle(cmd: BlowWhistle, state: CaseStateOrNone, policy: CasePolicy): CaseEvent[] {
  requireCountyDepartments(
    cmd.facts,
    cmd.data.departmentIds.map((id, i) => ({ field: `departmentIds[${i}]`, id })),
  );
  if (state) throw CaseAlreadyExists.because(cmd.caseId);
  if (cmd.actor.role !== 'township') throw Forbidden.role(cmd.actor.role, 'blow a whistle');
  const ids = cmd.data.departmentIds;
  if (ids.length === 0) throw Invalid.field('departmentIds', 'name at least one department');
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw Invalid.field('departmentIds', `department ${dup} is named twice`);
  const leadDepartmentId = cmd.data.leadDepartmentId ?? ids[0];
  if (!ids.includes(leadDepartmentId)) throw Invalid.field('leadDepartmentId', `${leadDepartmentId} must be one of departmentIds`);
  const blank = [
    ['title', cmd.data.title],
    ['description', cmd.data.description],
    ['location.address', cmd.data.location.address],
  ].filter(([, text]) => !hasText(text));
  // Optional texts: left out, or saying something.
  const blankOptional = [
    ['location.grid', cmd.data.location.grid],
    ['sourceRef', cmd.data.sourceRef],
  ].filter(([, text]) => !absentOrHasText(text));
  if (blank.length || blankOptional.length) {
    throw Invalid.fields([
      ...blank.map(([field]) => ({ field: field!, message: 'must say something (not only spaces or invisible characters)' })),
      ...blankOptional.map(([field]) => ({ field: field!, message: 'must say something (not only spaces or invisible characters), or be left out' })),
    ]);
  }
  const { caseId, now } = cmd;
  const { title, description, category, location, matterCode, sourceRef } = cmd.data;
  const limits = policy.limitsFor(category, matterCode);
  return [
    {
      type: 'WhistleBlown',
      data: {
        caseId,
        occurredAt: now,
        townshipId: cmd.actor.orgId,
        countyId: cmd.actor.countyId,
        title,
        description,
        category,
        location,
        matterCode,
        sourceRef,
        leadDepartmentId,
        policyVersion: policy.version,
        limits,
        parts: ids.map((departmentId, i) => assignPart(policy, cmd.actor.countyId, limits, matterCode, `p${i + 1}`, departmentId, now)),
      },
    },
  ];
}

/** The open part the acting department holds; departments act only on their own part. */
function heldPart(state: CaseState, actor: Actor, action: string): PartState {
  if (actor.role !== 'department') throw Forbidden.role(actor.role, action);
  const part = state.parts.find((p) => p.departmentId === actor.orgId && p.status !== 'closed');
  if (!part) throw Forbidden.notPartHolder(actor.orgId);
  return part;
}

function respond(cmd: RespondToCase, state: CaseState): CaseEvent[] {
  const part = heldPart(state, cmd.actor, 'report in');
  if (part.status !== 'awaiting_response') throw InvalidState.part(part.departmentId, part.status, 'report in');
  if (!absentOrHasText(cmd.data.note)) throw Invalid.field('note', 'must say something (not only spaces or invisible characters), or be left out');
  return [
    {
      type: 'DepartmentResponded',
      data: { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId: part.departmentId, note: cmd.data.note },
    },
  ];
}

function transfer(cmd: TransferCase, state: CaseState, policy: CasePolicy): CaseEvent[] {
  requireCountyDepartments(cmd.facts, [{ field: 'toDepartmentId', id: cmd.data.toDepartmentId }]);
  const part = heldPart(state, cmd.actor, 'transfer a case');
  if (part.status !== 'awaiting_response' && part.status !== 'in_progress') {
    throw InvalidState.part(part.departmentId, part.status, 'transfer it');
  }
  refuseWhileReturnPending(part, 'transfer it');
  const { toDepartmentId, reason } = cmd.data;
  if (!hasText(reason)) throw Invalid.field('reason', 'a transfer needs a reason');
  if (toDepartmentId === part.departmentId) throw Invalid.field('toDepartmentId', 'must be a different department');
  if (state.parts.some((p) => p.departmentId === toDepartmentId && p.status !== 'closed')) {
    throw Invalid.field('toDepartmentId', `${toDepartmentId} already holds a part of this case`);
  }
  return [
    {
      type: 'CaseTransferred',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        fromDepartmentId: part.departmentId,
        toDepartmentId,
        reason,
        assignment: assignPart(policy, state.countyId, state.limits, state.matterCode, part.partId, toDepartmentId, cmd.now),
      },
    },
  ];
}

function complete(cmd: CompleteHandling, state: CaseState): CaseEvent[] {
  const part = heldPart(state, cmd.actor, 'complete handling');
  if (part.status === 'awaiting_response') throw InvalidState.part(part.departmentId, part.status, 'complete before reporting in');
  if (part.status !== 'in_progress') throw InvalidState.part(part.departmentId, part.status, 'complete it');
  refuseWhileReturnPending(part, 'complete it');
  if (!hasText(cmd.data.result)) throw Invalid.field('result', 'say what was done');
  const evidence = filedEvidence(cmd);
  return [
    {
      type: 'HandlingCompleted',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        departmentId: part.departmentId,
        round: part.round,
        result: cmd.data.result,
        ...evidence,
      },
    },
  ];
}

function review(cmd: ReviewHandling, state: CaseState, policy: CasePolicy): CaseEvent[] {
  if (cmd.actor.role !== 'township') throw Forbidden.role(cmd.actor.role, 'review handling');
  if (cmd.actor.orgId !== state.townshipId) throw Forbidden.notRaisingTownship('review handling');
  const { departmentId, resolved, satisfaction, comment } = cmd.data;
  const part = state.parts.find((p) => p.departmentId === departmentId && p.status !== 'closed') ?? state.parts.find((p) => p.departmentId === departmentId);
  if (!part) throw Invalid.field('departmentId', `${departmentId} holds no part of this case`);
  if (part.reviewedRound === part.round) throw InvalidState.alreadyReviewed(departmentId, part.round);
  if (part.status !== 'completed') throw InvalidState.part(departmentId, part.status, 'review it before completion');
  if (!absentOrHasText(comment)) throw Invalid.field('comment', 'must say something (not only spaces or invisible characters), or be left out');

  const base = { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId };
  const events: CaseEvent[] = [{ type: 'ReviewCompleted', data: { ...base, round: part.round, resolved, satisfaction, comment } }];
  const reworkRoundsUsed = part.round - 1;
  if (!resolved && reworkRoundsUsed < state.limits.maxReworkRounds) {
    const clock = reworkClock(policy, state.countyId, state.limits, state.matterCode, cmd.now);
    events.push({ type: 'CaseReopened', data: { ...base, round: part.round + 1, ...clock } });
    return events;
  }
  const closed: PartClosed = { type: 'PartClosed', data: { ...base, outcome: resolved ? 'resolved' : 'unresolved' } };
  events.push(closed, ...closeCaseIfDone(state, part.partId, closed, cmd.now));
  return events;
}

/** The case closes with its last part. */
function closeCaseIfDone(state: CaseState, closingPartId: string, closing: PartClosed, now: string): CaseEvent[] {
  const others = state.parts.filter((p) => p.partId !== closingPartId);
  if (others.some((p) => p.status !== 'closed')) return [];
  const outcomes = [...others.map((p) => p.outcome), closing.data.outcome];
  return [
    {
      type: 'CaseClosed',
      data: {
        caseId: state.caseId,
        occurredAt: now,
        resolvedParts: outcomes.filter((o) => o === 'resolved').length,
        unresolvedParts: outcomes.filter((o) => o === 'unresolved').length,
      },
    },
  ];
}

function withdraw(cmd: WithdrawCase, state: CaseState): CaseEvent[] {
  if (cmd.actor.role !== 'township') throw Forbidden.role(cmd.actor.role, 'withdraw a case');
  if (cmd.actor.orgId !== state.townshipId) throw Forbidden.notRaisingTownship('withdraw it');
  if (!hasText(cmd.data.reason)) throw Invalid.field('reason', 'a withdrawal needs a reason');
  return [{ type: 'CaseWithdrawn', data: { caseId: state.caseId, occurredAt: cmd.now, townshipId: state.townshipId, reason: cmd.data.reason } }];
}

/** The command centre (督办) acts on parts of cases in its county; the part must still be in a department's hands. */
function commandCentrePart(cmd: ReassignPart | UrgeDepartment, state: CaseState, departmentId: string, action: string): PartState {
  if (cmd.actor.role !== 'command_centre') throw Forbidden.role(cmd.actor.role, action);
  const part = state.parts.find((p) => p.departmentId === departmentId && p.status !== 'closed');
  if (!part) throw Invalid.field(cmd.type === 'ReassignPart' ? 'fromDepartmentId' : 'departmentId', `${departmentId} holds no open part of this case`);
  return part;
}

function reassign(cmd: ReassignPart, state: CaseState, policy: CasePolicy): CaseEvent[] {
  const { fromDepartmentId, toDepartmentId, reason } = cmd.data;
  requireCountyDepartments(cmd.facts, [{ field: 'toDepartmentId', id: toDepartmentId }]);
  const part = commandCentrePart(cmd, state, fromDepartmentId, 'reassign a part');
  if (part.status === 'completed') throw InvalidState.part(fromDepartmentId, part.status, 'reassign it while it awaits review');
  if (!hasText(reason)) throw Invalid.field('reason', 'a reassignment needs a reason');
  if (toDepartmentId === fromDepartmentId) throw Invalid.field('toDepartmentId', 'must be a different department');
  if (state.parts.some((p) => p.departmentId === toDepartmentId && p.status !== 'closed')) {
    throw Invalid.field('toDepartmentId', `${toDepartmentId} already holds a part of this case`);
  }
  return [
    {
      type: 'PartReassigned',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        partId: part.partId,
        fromDepartmentId,
        toDepartmentId,
        reason,
        assignment: assignPart(policy, state.countyId, state.limits, state.matterCode, part.partId, toDepartmentId, cmd.now),
      },
    },
  ];
}

function urge(cmd: UrgeDepartment, state: CaseState): CaseEvent[] {
  const part = commandCentrePart(cmd, state, cmd.data.departmentId, 'urge a department');
  if (!hasText(cmd.data.note)) throw Invalid.field('note', 'say what is urged');
  return [
    { type: 'DepartmentUrged', data: { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId: part.departmentId, note: cmd.data.note } },
  ];
}

/**
 * Re-basing (the calendar changed): each part whose deadlines rest on a provisional year and whose clocks
 * still run is recomputed from the instants its clocks started, under the calendar in force. A part whose
 * recomputation rests on the same calendar version as before has nothing new and is left alone, so the
 * command records nothing when repeated: once per case and calendar version, however often it is sent.
 * A stopped clock (reported in, completed) keeps the deadline it stopped against.
 */
function rebase(cmd: RebaseDeadlines, state: CaseState, policy: CasePolicy): CaseEvent[] {
  if (cmd.actor.role !== 'system') throw Forbidden.role(cmd.actor.role, 're-base deadlines');
  const parts: RebasedPart[] = [];
  for (const p of state.parts) {
    if (!p.basis.provisional || (p.status !== 'awaiting_response' && p.status !== 'in_progress')) continue;
    const responseRuns = p.status === 'awaiting_response';
    const s = policy.schedule(state.countyId, {
      response: responseRuns ? { from: p.assignedAt, limit: state.limits.response } : undefined,
      completion: { from: p.roundStartedAt, limit: state.limits.completion },
    });
    let basis = deadlineBasis(policy, state.limits, state.matterCode, s);
    if (basis.calendarVersion === p.basis.calendarVersion) continue;
    // Approved extensions (延期) move the recomputed deadline again, each by its working days.
    for (const x of p.basis.extensions ?? []) {
      const moved = extendedClock(policy, state.countyId, basis, s.completion!.dueAt, x.workingDays, x.approvedAt);
      s.completion = { remindAt: moved.completionRemindAt, dueAt: moved.completionDueAt };
      basis = moved.basis;
    }
    parts.push({
      partId: p.partId,
      departmentId: p.departmentId,
      round: p.round,
      ...(s.response ? { response: { previousDueAt: p.responseDueAt, ...s.response } } : {}),
      completion: { previousDueAt: p.completionDueAt, ...s.completion! },
      basis,
    });
  }
  return parts.length ? [{ type: 'DeadlinesRebased', data: { caseId: state.caseId, occurredAt: cmd.now, parts } }] : [];
}
