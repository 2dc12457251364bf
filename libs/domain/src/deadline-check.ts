import type { CheckDeadlines } from './commands';
import type { AlertLevel, CaseState, PartState } from './case.state';
import { Forbidden } from './errors';
import type { CaseEvent, DeadlineKind } from './events';

const RANK: Record<AlertLevel, number> = { none: 0, reminded: 1, overdue: 2, escalated: 3 };

/**
 * The watcher's rungs for every running clock: 提醒 at the reminder instant, then 催办 (overdue) and
 * 督办 (escalated to the command centre) when the deadline passes. Decided from the case's own state,
 * so each rung is recorded exactly once however often (or late) the watcher asks; a reminder whose
 * moment passed together with its deadline is skipped.
 */
export function checkDeadlines(cmd: CheckDeadlines, state: CaseState): CaseEvent[] {
  if (cmd.actor.role !== 'system') throw Forbidden.role(cmd.actor.role, 'check deadlines');
  const now = Date.parse(cmd.now);
  const events: CaseEvent[] = [];
  for (const part of state.parts) {
    const clock = runningClock(part);
    if (!clock) continue;
    const base = { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId: part.departmentId, round: part.round };
    if (now >= Date.parse(clock.dueAt) && RANK[clock.alert] < RANK.overdue) {
      const dueAt = clock.dueAt;
      events.push(clock.kind === 'response' ? { type: 'ResponseOverdue', data: { ...base, dueAt } } : { type: 'CompletionOverdue', data: { ...base, dueAt } });
      events.push({ type: 'CaseEscalated', data: { ...base, deadline: clock.kind, commandCentreId: cmd.data.commandCentreId } });
    } else if (now >= Date.parse(clock.remindAt) && now < Date.parse(clock.dueAt) && clock.alert === 'none') {
      events.push({ type: 'DeadlineReminderSent', data: { ...base, deadline: clock.kind, dueAt: clock.dueAt } });
    }
  }
  // 退单审定: the command centre's decision on a return has rungs of its own: 提醒 at the reminder instant, then
  // 督办 (escalated) at its deadline, each once; a reminder whose moment passed together with the deadline is skipped.
  for (const part of state.parts) {
    const pending = part.workflow?.pendingReturn;
    if (!pending || pending.alert === 'escalated') continue;
    const base = { caseId: state.caseId, occurredAt: cmd.now, partId: part.partId, departmentId: part.departmentId, round: part.round };
    if (now >= Date.parse(pending.decisionDueAt)) {
      events.push({ type: 'CaseEscalated', data: { ...base, deadline: 'return_decision', commandCentreId: cmd.data.commandCentreId } });
    } else if (pending.decisionRemindAt && now >= Date.parse(pending.decisionRemindAt) && pending.alert === 'none') {
      events.push({ type: 'DeadlineReminderSent', data: { ...base, deadline: 'return_decision', dueAt: pending.decisionDueAt } });
    }
  }
  return events;
}

/** The clock a part is running on now: report-in until it reports in, then completion of its round. */
function runningClock(part: PartState): { kind: DeadlineKind; remindAt: string; dueAt: string; alert: AlertLevel } | null {
  if (part.status === 'awaiting_response') {
    return { kind: 'response', remindAt: part.responseRemindAt, dueAt: part.responseDueAt, alert: part.responseAlert };
  }
  if (part.status === 'in_progress') {
    return { kind: 'completion', remindAt: part.completionRemindAt, dueAt: part.completionDueAt, alert: part.completionAlert };
  }
  return null;
}

/** The earliest instant at which checkDeadlines would record something for this case, or null. */
export function nextDeadlineCheck(state: CaseState): string | null {
  if (state.status !== 'open') return null;
  let next: string | null = null;
  for (const part of state.parts) {
    const clock = runningClock(part);
    if (!clock || RANK[clock.alert] >= RANK.overdue) continue;
    const at = clock.alert === 'none' ? clock.remindAt : clock.dueAt;
    if (next === null || at < next) next = at;
  }
  for (const part of state.parts) {
    const pending = part.workflow?.pendingReturn;
    if (!pending || pending.alert === 'escalated') continue;
    const at = pending.alert === 'none' && pending.decisionRemindAt ? pending.decisionRemindAt : pending.decisionDueAt;
    if (next === null || at < next) next = at;
  }
  return next;
}
