import {
  addMinutes, caseStream, decide, DEFAULT_POLICY, DomainError, foldCase,
  type Actor, type CaseCommand, type CaseEvent, type CasePolicy, type Category, type ClockInstants, type Satisfaction,
} from '@chuishao/domain';
import type { RecordedEvent } from '@chuishao/event-store';

/** 09:00 on Monday 2 March 2026 in Asia/Shanghai. */
export const T0 = Date.parse('2026-03-02T01:00:00.000Z');
export const COUNTY = 'county-a';
/** The departments of the scripted county, as the directory would tell a command's sender. */
const COUNTY_DEPARTMENTS = ['dept-a', 'dept-b', 'dept-c', 'dept-d', 'dept-e'];
export const at = (minutes: number) => T0 + minutes * 60_000;
export const iso = (minutes: number) => new Date(at(minutes)).toISOString();

export const actor = (orgId: string, role: Actor['role']): Actor => ({ orgId, role, userId: `${orgId}-u`, countyId: COUNTY });

/**
 * A history made of real commands through the domain's decide(): every event is one the service could
 * have recorded. `recordedLagMs` sets when the store records it relative to when it occurred.
 */
export class Script {
  readonly events: RecordedEvent[] = [];
  private readonly histories = new Map<string, CaseEvent[]>();
  private position = 0;
  /** The calendar in force: each new one moves every deadline 37 minutes later, so re-basing changes something. */
  private calendar = 0;
  private readonly policy: CasePolicy = {
    ...DEFAULT_POLICY,
    schedule: (countyId, starts) => {
      const s = DEFAULT_POLICY.schedule(countyId, starts);
      const shift = (c: ClockInstants | undefined) => c && { remindAt: addMinutes(c.remindAt, 37 * this.calendar), dueAt: addMinutes(c.dueAt, 37 * this.calendar) };
      return { response: shift(s.response), completion: shift(s.completion), calendarVersion: `script-${this.calendar}+provisional-2099`, provisionalYears: ['2099'] };
    },
  };

  constructor(private readonly base = T0) {}

  /** Another calendar comes into force: open parts can be re-based (RebaseDeadlines). */
  nextCalendar(): void {
    this.calendar++;
  }

  /** Runs a command at `minutes` after the base; throws the DomainError if the domain refuses it. */
  run(caseId: string, minutes: number, type: CaseCommand['type'], by: Actor, data: Record<string, unknown>, recordedLagMs = 0): CaseEvent[] {
    return this.runAt(caseId, this.base + minutes * 60_000, type, by, data, recordedLagMs);
  }

  runAt(caseId: string, now: number, type: CaseCommand['type'], by: Actor, data: Record<string, unknown>, recordedLagMs = 0): CaseEvent[] {
    const history = this.histories.get(caseId) ?? [];
    const command = { type, caseId, actor: by, now: new Date(now).toISOString(), data, facts: { countyDepartments: COUNTY_DEPARTMENTS } } as CaseCommand;
    const events = decide(command, foldCase(history), this.policy);
    this.histories.set(caseId, [...history, ...events]);
    for (const e of events) {
      this.position += 1;
      this.events.push({
        id: `${caseId}-${this.position}`,
        type: e.type,
        data: e.data as unknown as Record<string, unknown>,
        metadata: { actor: { orgId: by.orgId, role: by.role, userId: by.userId }, correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        streamName: caseStream(caseId),
        revision: this.histories.get(caseId)!.indexOf(e),
        position: this.position,
        recordedAt: new Date(now + recordedLagMs).toISOString(),
      });
    }
    return events;
  }

  /** Like run, but a command the domain refuses is skipped (random histories). */
  tryRunAt(caseId: string, now: number, type: CaseCommand['type'], by: Actor, data: Record<string, unknown>, recordedLagMs = 0): boolean {
    try {
      this.runAt(caseId, now, type, by, data, recordedLagMs);
      return true;
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }

  state(caseId: string) {
    return foldCase(this.histories.get(caseId) ?? []);
  }

  caseIds(): string[] {
    return [...this.histories.keys()];
  }

  blow(caseId: string, minutes: number, departmentIds: string[], township = 'twp-a', category: Category = 'joint_enforcement', lag = 0) {
    return this.run(caseId, minutes, 'BlowWhistle', actor(township, 'township'), {
      title: '河道排污', description: '东坝河段发现不明排污口', category, departmentIds, location: { address: '东坝镇河滨路12号' },
    }, lag);
  }
  respond(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'RespondToCase', actor(department, 'department'), {}, lag);
  }
  transfer(caseId: string, minutes: number, from: string, to: string, lag = 0) {
    return this.run(caseId, minutes, 'TransferCase', actor(from, 'department'), { toDepartmentId: to, reason: '非本部门职责' }, lag);
  }
  reassign(caseId: string, minutes: number, from: string, to: string, lag = 0) {
    return this.run(caseId, minutes, 'ReassignPart', actor('cc-a', 'command_centre'), { fromDepartmentId: from, toDepartmentId: to, reason: '督办改派' }, lag);
  }
  complete(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'CompleteHandling', actor(department, 'department'), { result: '已处理' }, lag);
  }
  review(caseId: string, minutes: number, department: string, resolved: boolean, satisfaction: Satisfaction, township = 'twp-a', lag = 0) {
    return this.run(caseId, minutes, 'ReviewHandling', actor(township, 'township'), { departmentId: department, resolved, satisfaction }, lag);
  }
  withdraw(caseId: string, minutes: number, township = 'twp-a', lag = 0) {
    return this.run(caseId, minutes, 'WithdrawCase', actor(township, 'township'), { reason: '重复上报' }, lag);
  }
  check(caseId: string, minutes: number, lag = 0) {
    return this.run(caseId, minutes, 'CheckDeadlines', { orgId: 'system', role: 'system', userId: 'watcher', countyId: COUNTY }, { commandCentreId: 'cc-a' }, lag);
  }
}
