import { decide, DEFAULT_POLICY, foldCase, nextDeadlineCheck, systemActor, type CaseEvent } from '.';
import { given } from '../test/given-when-then';
import { at, blow, CASE_ID, cmd, commandCentre, deptA, deptB, history, naturalAssignment, township } from '../test/fixtures';

const watcher = systemActor('county-a', 'deadline-watcher');
const check = (minutes: number) => cmd('CheckDeadlines', watcher, minutes, { commandCentreId: 'cc-a' });
const types = (events: CaseEvent[]) => events.map((e) => `${e.type}:${'departmentId' in e.data ? e.data.departmentId : ''}`);

/** Runs the watcher at each minute given, appending what it decides, as the processor would. */
function watch(h: CaseEvent[], ...minutes: number[]): CaseEvent[] {
  const out = [...h];
  for (const m of minutes) out.push(...decide(check(m), foldCase(out), DEFAULT_POLICY));
  return out.slice(h.length);
}

describe('deadline watcher decisions', () => {
  it('reminds at 80% of the report-in limit, then records overdue and escalation once', () => {
    const emergency = history(blow(['dept-a'], 'emergency'));
    expect(watch(emergency, 23)).toEqual([]);
    const events = watch(emergency, 24, 25, 30, 31, 600);
    expect(types(events)).toEqual(['DeadlineReminderSent:dept-a', 'ResponseOverdue:dept-a', 'CaseEscalated:dept-a']);
    expect(events[1]).toEqual({
      type: 'ResponseOverdue',
      data: { caseId: CASE_ID, occurredAt: at(30), partId: 'p1', departmentId: 'dept-a', round: 1, dueAt: at(30) },
    });
    expect(events[2].data).toMatchObject({ deadline: 'response', commandCentreId: 'cc-a' });
  });

  it('records a breach that happened while the watcher was away, without a stale reminder', () => {
    expect(types(watch(history(blow(['dept-a'])), 5000))).toEqual(['ResponseOverdue:dept-a', 'CaseEscalated:dept-a']);
  });

  it('watches the completion clock after report-in, and each rework round anew', () => {
    const h = history(blow(['dept-a']), cmd('RespondToCase', deptA, 10, {}));
    const late = watch(h, 3 * 24 * 60);
    expect(types(late)).toEqual(['CompletionOverdue:dept-a', 'CaseEscalated:dept-a']);
    const reworked = history(
      blow(['dept-a']),
      cmd('RespondToCase', deptA, 10, {}),
      cmd('CompleteHandling', deptA, 20, { result: 'x' }),
      cmd('ReviewHandling', township, 30, { departmentId: 'dept-a', resolved: false, satisfaction: 'dissatisfied' }),
    );
    expect(types(watch(reworked, 30 + 3 * 24 * 60))).toEqual(['CompletionOverdue:dept-a', 'CaseEscalated:dept-a']);
  });

  it('stops watching a part once it is completed, and a case once it is withdrawn', () => {
    const done = history(blow(['dept-a']), cmd('RespondToCase', deptA, 10, {}), cmd('CompleteHandling', deptA, 20, { result: 'x' }));
    expect(watch(done, 10_000)).toEqual([]);
    expect(nextDeadlineCheck(foldCase(done)!)).toBeNull();
  });

  it('starts the clocks anew for the department a part is transferred to', () => {
    const h = history(blow(['dept-a']), cmd('TransferCase', deptA, 100, { toDepartmentId: 'dept-c', reason: '非本部门职责' }));
    expect(watch(h, 130)).toEqual([]);
    expect(types(watch(h, 100 + 96))).toEqual(['DeadlineReminderSent:dept-c']);
  });

  it('says when it next needs to look', () => {
    const state = foldCase(history(blow(['dept-a', 'dept-b'], 'emergency')))!;
    expect(nextDeadlineCheck(state)).toBe(at(24));
  });

  it('is for the system actor only', () => {
    given(history(blow()))
      .when({ ...check(500), actor: commandCentre })
      .thenThrows('CASE.FORBIDDEN');
  });
});

describe('command centre: urge and reassign (督办)', () => {
  it('urges the department holding a part', () => {
    given(history(blow()))
      .when(cmd('UrgeDepartment', commandCentre, 200, { departmentId: 'dept-b', note: '请立即报到' }))
      .then([
        {
          type: 'DepartmentUrged',
          data: { caseId: CASE_ID, occurredAt: at(200), partId: 'p2', departmentId: 'dept-b', note: '请立即报到' },
        },
      ]);
    given(history(blow()))
      .when(cmd('UrgeDepartment', deptA, 200, { departmentId: 'dept-b', note: 'x' }))
      .thenThrows('CASE.FORBIDDEN');
  });

  it('reassigns a part with fresh clocks for the new department', () => {
    const [e] = given(history(blow()))
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-b', toDepartmentId: 'dept-c', reason: '原部门无执法权' }))
      .events();
    expect(e).toEqual({
      type: 'PartReassigned',
      data: {
        caseId: CASE_ID,
        occurredAt: at(300),
        partId: 'p2',
        fromDepartmentId: 'dept-b',
        toDepartmentId: 'dept-c',
        reason: '原部门无执法权',
        assignment: naturalAssignment('p2', 'dept-c', 300),
      },
    });
    const state = foldCase([...history(blow()), e])!;
    expect(state.parts[1]).toMatchObject({ departmentId: 'dept-c', status: 'awaiting_response', responseAlert: 'none' });
    expect(state.parts[1].transfers[0].kind).toBe('reassignment');
  });

  it('refuses reassignment to a holder, of a completed part, or without a reason', () => {
    const h = history(blow());
    given(h)
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-b', toDepartmentId: 'dept-a', reason: 'x' }))
      .thenThrows('CASE.VALIDATION');
    given(h)
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-c', toDepartmentId: 'dept-b', reason: 'x' }))
      .thenThrows('CASE.VALIDATION');
    given(h)
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-b', toDepartmentId: 'dept-c', reason: ' ' }))
      .thenThrows('CASE.VALIDATION');
    given(h)
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-b', toDepartmentId: 'cc-a', reason: 'x' }))
      .thenThrows('CASE.VALIDATION', /cc-a is not a department of this county/);
    const completed = history(blow(), cmd('RespondToCase', deptB, 5, {}), cmd('CompleteHandling', deptB, 9, { result: 'x' }));
    given(completed)
      .when(cmd('ReassignPart', commandCentre, 300, { fromDepartmentId: 'dept-b', toDepartmentId: 'dept-c', reason: 'x' }))
      .thenThrows('CASE.INVALID_STATE');
  });
});
