import { decode, DEFAULT_POLICY, foldCase, nextDeadlineCheck, toCaseView, type CaseEvent, type CasePolicy } from '.';
import { given } from '../test/given-when-then';
import { assessmentOffice, at, blow, CASE_ID, cmd, commandCentre, deptA, deptB, deptC, history, naturalAssignment, township } from '../test/fixtures';

const DAY = 24 * 60;
const respondA = (m = 10) => cmd('RespondToCase', deptA, m, { note: '已报到' });
const completeA = (m = 60) => cmd('CompleteHandling', deptA, m, { result: '已封堵排污口' });
const reviewA = (m: number, resolved: boolean) =>
  cmd('ReviewHandling', township, m, { departmentId: 'dept-a', resolved, satisfaction: resolved ? 'satisfied' : 'dissatisfied' });
const askA = (m: number, workingDays = 3) => cmd('RequestExtension', deptA, m, { reason: '水样送检，等待报告', workingDays });
const decideA = (m: number, approved: boolean, workingDays?: number) =>
  cmd('DecideExtension', commandCentre, m, { departmentId: 'dept-a', approved, ...(workingDays === undefined ? {} : { workingDays }) });
const returnA = (m: number) => cmd('ReturnPart', deptA, m, { reason: '职能不符', suggestedDepartmentId: 'dept-c' });
const appealA = (m: number) => cmd('AppealReview', deptA, m, { reason: '评价时整改期限未到' });
const base = (m: number) => ({ caseId: CASE_ID, occurredAt: at(m) });
/** The natural-time default: the completion deadline of a part assigned at 0 is 3 days later. */
const DUE = 3 * DAY;

describe('延期: extensions', () => {
  it('the department holding a reported-in part asks for working days on its round', () => {
    given(history(blow(), respondA()))
      .when(askA(100))
      .then([
        {
          type: 'ExtensionRequested',
          data: { ...base(100), partId: 'p1', departmentId: 'dept-a', round: 1, reason: '水样送检，等待报告', workingDays: 3 },
        },
      ]);
  });

  it('is refused before the report-in, to other parties, without days or reason, and while one is pending', () => {
    given(history(blow()))
      .when(askA(100))
      .thenThrows('CASE.INVALID_STATE', /report in first/);
    given(history(blow(), respondA()))
      .when({ ...askA(100), actor: township })
      .thenThrows('CASE.FORBIDDEN');
    given(history(blow(['dept-b'])))
      .when(askA(100))
      .thenThrows('CASE.NOT_PART_HOLDER');
    given(history(blow(), respondA()))
      .when(askA(100, 0))
      .thenThrows('CASE.VALIDATION', /working days/);
    given(history(blow(), respondA()))
      .when({ ...askA(100), data: { reason: ' ', workingDays: 1 } })
      .thenThrows('CASE.VALIDATION', /reason/);
    given(history(blow(), respondA(), askA(100)))
      .when(askA(110))
      .thenThrows('CASE.LIMIT_REACHED', /pending/);
  });

  it('approved, possibly for fewer days: the round’s deadline moves from the current one, the basis records it, the watcher follows it', () => {
    const events = given(history(blow(['dept-a']), respondA(), askA(100)))
      .when(decideA(200, true, 2))
      .events();
    expect(events).toEqual([
      {
        type: 'ExtensionDecided',
        data: {
          ...base(200),
          partId: 'p1',
          departmentId: 'dept-a',
          round: 1,
          approved: true,
          workingDays: 2,
          previousDueAt: at(DUE),
          completionDueAt: at(DUE + 2 * DAY),
          completionRemindAt: at(DUE + Math.round(2 * DAY * 0.8)),
          basis: { ...naturalAssignment('p1', 'dept-a', 0).basis, extensions: [{ workingDays: 2, previousDueAt: at(DUE), approvedAt: at(200) }] },
        },
      },
    ]);
    const h = [...history(blow(['dept-a']), respondA(), askA(100)), ...events];
    const part = foldCase(h)!.parts[0];
    expect(part.completionDueAt).toBe(at(DUE + 2 * DAY));
    expect(part.workflow).toMatchObject({ extensionsApproved: 1, pendingExtension: null });
    // Past the old deadline, before the new one: nothing is overdue.
    given(h)
      .when(cmd('CheckDeadlines', { ...commandCentre, role: 'system', orgId: 'system' }, DUE + 1, { commandCentreId: 'cc-a' }))
      .then([]);
    given(h)
      .when(cmd('CheckDeadlines', { ...commandCentre, role: 'system', orgId: 'system' }, DUE + 2 * DAY, { commandCentreId: 'cc-a' }))
      .then([
        { type: 'CompletionOverdue', data: { ...base(DUE + 2 * DAY), partId: 'p1', departmentId: 'dept-a', round: 1, dueAt: at(DUE + 2 * DAY) } },
        {
          type: 'CaseEscalated',
          data: { ...base(DUE + 2 * DAY), partId: 'p1', departmentId: 'dept-a', round: 1, deadline: 'completion', commandCentreId: 'cc-a' },
        },
      ]);
  });

  it('approved without days grants what was asked; refused leaves the deadline and frees the part for a new request', () => {
    const approved = given(history(blow(), respondA(), askA(100)))
      .when(decideA(200, true))
      .events()[0];
    expect(approved.type === 'ExtensionDecided' && approved.data.workingDays).toBe(3);
    const refused = history(blow(), respondA(), askA(100), decideA(200, false));
    expect(refused.at(-1)).toEqual({
      type: 'ExtensionDecided',
      data: { ...base(200), partId: 'p1', departmentId: 'dept-a', round: 1, approved: false, workingDays: 0 },
    });
    expect(foldCase(refused)!.parts[0].completionDueAt).toBe(at(DUE));
    given(refused)
      .when(askA(300))
      .then([
        { type: 'ExtensionRequested', data: { ...base(300), partId: 'p1', departmentId: 'dept-a', round: 1, reason: '水样送检，等待报告', workingDays: 3 } },
      ]);
  });

  it('the command centre alone decides, only a pending request, never more days than asked', () => {
    given(history(blow(), respondA(), askA(100)))
      .when({ ...decideA(200, true), actor: deptA })
      .thenThrows('CASE.FORBIDDEN');
    given(history(blow(), respondA()))
      .when(decideA(200, true))
      .thenThrows('CASE.INVALID_STATE', /pending extension/);
    given(history(blow(), respondA(), askA(100, 2)))
      .when(decideA(200, true, 3))
      .thenThrows('CASE.VALIDATION', /at most/);
    given(history(blow(), respondA(), askA(100, 2)))
      .when(decideA(200, false, 1))
      .thenThrows('CASE.VALIDATION', /only an approval/);
    given(history(blow(), respondA(), askA(100)))
      .when({ ...decideA(200, true), data: { departmentId: 'dept-c', approved: true } })
      .thenThrows('CASE.VALIDATION', /holds no open part/);
  });

  it('at most maxExtensions approved per part (policy, default 2)', () => {
    const twice = history(blow(), respondA(), askA(100, 1), decideA(110, true), askA(120, 1), decideA(130, true));
    given(twice)
      .when(askA(140))
      .thenThrows('CASE.LIMIT_REACHED', /2 extensions/);
    const strict: CasePolicy = { ...DEFAULT_POLICY, workflow: { ...DEFAULT_POLICY.workflow!, maxExtensions: 1 } };
    given(history(blow(), respondA(), askA(100, 1), decideA(110, true)), strict)
      .when(askA(140))
      .thenThrows('CASE.LIMIT_REACHED', /1 extensions/);
  });
});

describe('退单 and 审定: returns the command centre arbitrates', () => {
  const decideReturn = (m: number, upheld: boolean, toDepartmentId?: string) =>
    cmd('DecideReturn', commandCentre, m, { departmentId: 'dept-a', upheld, ...(toDepartmentId ? { toDepartmentId } : {}) });

  it('the holding department returns a part it has not completed; the decision is due in 2 working hours (policy), reminded at 80% of them', () => {
    given(history(blow()))
      .when(returnA(20))
      .then([
        {
          type: 'PartReturned',
          data: {
            ...base(20),
            partId: 'p1',
            departmentId: 'dept-a',
            reason: '职能不符',
            suggestedDepartmentId: 'dept-c',
            decisionDueAt: at(140),
            decisionRemindAt: at(116),
          },
        },
      ]);
  });

  it('is refused once completed, twice, without a reason, or suggesting an org outside the county; the part cannot be completed or transferred meanwhile', () => {
    given(history(blow(), respondA(), completeA()))
      .when(returnA(70))
      .thenThrows('CASE.INVALID_STATE', /once completed/);
    given(history(blow(), returnA(20)))
      .when(returnA(30))
      .thenThrows('CASE.INVALID_STATE', /returned/);
    given(history(blow()))
      .when({ ...returnA(20), data: { reason: '' } })
      .thenThrows('CASE.VALIDATION', /reason/);
    given(history(blow()))
      .when({ ...returnA(20), data: { reason: '属地不符', suggestedDepartmentId: 'twp-east' } })
      .thenThrows('CASE.VALIDATION', /suggestedDepartmentId|not a department/);
    given(history(blow(), respondA(), returnA(20)))
      .when(completeA(30))
      .thenThrows('CASE.INVALID_STATE', /returned/);
    given(history(blow(), returnA(20)))
      .when(cmd('TransferCase', deptA, 30, { toDepartmentId: 'dept-c', reason: '转' }))
      .thenThrows('CASE.INVALID_STATE', /returned/);
    // Reporting in still stops its response clock: the clocks keep running for the returning department.
    given(history(blow(), returnA(20)))
      .when(respondA(30))
      .then([{ type: 'DepartmentResponded', data: { ...base(30), partId: 'p1', departmentId: 'dept-a', note: '已报到' } }]);
  });

  it('upheld: the part goes to the named department, whose clocks start at the decision; the returning department keeps read access', () => {
    const events = given(history(blow(), returnA(20)))
      .when(decideReturn(50, true, 'dept-c'))
      .events();
    expect(events).toEqual([
      {
        type: 'ReturnDecided',
        data: { ...base(50), partId: 'p1', departmentId: 'dept-a', upheld: true, toDepartmentId: 'dept-c', assignment: naturalAssignment('p1', 'dept-c', 50) },
      },
    ]);
    const state = foldCase([...history(blow(), returnA(20)), ...events])!;
    expect(state.parts[0]).toMatchObject({ departmentId: 'dept-c', status: 'awaiting_response', assignedAt: at(50), workflow: { pendingReturn: null } });
    expect(state.parts[0].transfers).toEqual([{ kind: 'return', fromDepartmentId: 'dept-a', toDepartmentId: 'dept-c', reason: '职能不符', at: at(50) }]);
    expect(state.involvedDepartmentIds).toEqual(['dept-a', 'dept-b', 'dept-c']);
  });

  it('rejected: the part stays with its clocks as they were', () => {
    const h = history(blow(), returnA(20), decideReturn(50, false));
    expect(h.at(-1)).toEqual({ type: 'ReturnDecided', data: { ...base(50), partId: 'p1', departmentId: 'dept-a', upheld: false } });
    const before = foldCase(history(blow()))!.parts[0];
    expect(foldCase(h)!.parts[0]).toMatchObject({
      departmentId: 'dept-a',
      responseDueAt: before.responseDueAt,
      completionDueAt: before.completionDueAt,
      assignedAt: at(0),
    });
    given(h)
      .when(respondA(60))
      .then([{ type: 'DepartmentResponded', data: { ...base(60), partId: 'p1', departmentId: 'dept-a', note: '已报到' } }]);
  });

  it('the command centre alone decides, a pending return only; upheld names another department of the county without a part here', () => {
    given(history(blow(), returnA(20)))
      .when({ ...decideReturn(50, true, 'dept-c'), actor: deptB })
      .thenThrows('CASE.FORBIDDEN');
    given(history(blow()))
      .when(decideReturn(50, false))
      .thenThrows('CASE.INVALID_STATE', /not returned/);
    given(history(blow(), returnA(20)))
      .when(decideReturn(50, true))
      .thenThrows('CASE.VALIDATION', /toDepartmentId|names the department/);
    given(history(blow(), returnA(20)))
      .when(decideReturn(50, true, 'dept-b'))
      .thenThrows('CASE.VALIDATION', /already holds/);
    given(history(blow(), returnA(20)))
      .when(decideReturn(50, true, 'dept-x'))
      .thenThrows('CASE.VALIDATION', /not a department/);
    given(history(blow(), returnA(20)))
      .when(decideReturn(50, false, 'dept-c'))
      .thenThrows('CASE.VALIDATION', /rejected return/);
  });
});

describe('牵头: the lead department', () => {
  it('is the one named, else the first; it must be one of the departments', () => {
    const led = { ...blow(), data: { ...blow().data, leadDepartmentId: 'dept-b' } };
    const [e] = given([]).when(led).events();
    expect(e.type === 'WhistleBlown' && e.data.leadDepartmentId).toBe('dept-b');
    expect(foldCase([e])!.leadPartId).toBe('p2');
    expect(foldCase(history(blow()))!.leadPartId).toBe('p1');
    given([])
      .when({ ...blow(), data: { ...blow().data, leadDepartmentId: 'dept-c' } })
      .thenThrows('CASE.VALIDATION', /leadDepartmentId|one of departmentIds/);
  });

  it('a whistle recorded before leads is decoded as led by its first department', () => {
    const [recorded] = history(blow(['dept-b', 'dept-a']));
    const { leadDepartmentId: _dropped, ...older } = (recorded as Extract<CaseEvent, { type: 'WhistleBlown' }>).data;
    const decoded = decode({ type: 'WhistleBlown', data: older, metadata: { schemaVersion: 1 } });
    expect(decoded.type === 'WhistleBlown' && decoded.data.leadDepartmentId).toBe('dept-b');
  });

  it('the lead moves with its part; the case view marks it and shows its outcome', () => {
    const h = history(
      blow(),
      cmd('TransferCase', deptA, 5, { toDepartmentId: 'dept-c', reason: '非本部门' }),
      cmd('RespondToCase', deptC, 10, {}),
      cmd('CompleteHandling', deptC, 20, { result: '已处置' }),
      cmd('ReviewHandling', township, 30, { departmentId: 'dept-c', resolved: true, satisfaction: 'satisfied' }),
    );
    const view = toCaseView(foldCase(h)!, h.length - 1, 0);
    expect(view.leadPartId).toBe('p1');
    expect(view.parts.map((p) => [p.departmentId, p.lead])).toEqual([
      ['dept-c', true],
      ['dept-b', false],
    ]);
    expect(view.outcome).toBe('resolved');
    expect(view.status).toBe('open');
  });
});

describe('申诉: appeals', () => {
  const decideAppeal = (m: number, upheld: boolean, note = '复核后认定') => cmd('DecideAppeal', assessmentOffice, m, { departmentId: 'dept-a', upheld, note });
  const reviewed = () => history(blow(['dept-a']), respondA(), completeA(), reviewA(100, true));

  it('the department appeals the latest review of its part, also when that review closed the case', () => {
    const h = reviewed();
    expect(foldCase(h)!.status).toBe('closed');
    given(h)
      .when(appealA(200))
      .then([{ type: 'ReviewAppealed', data: { ...base(200), partId: 'p1', departmentId: 'dept-a', round: 1, reason: '评价时整改期限未到' } }]);
  });

  it('within the appeal window (policy, default 3 working days) of the review', () => {
    given(reviewed())
      .when(appealA(100 + 3 * DAY))
      .then([{ type: 'ReviewAppealed', data: { ...base(100 + 3 * DAY), partId: 'p1', departmentId: 'dept-a', round: 1, reason: '评价时整改期限未到' } }]);
    given(reviewed())
      .when(appealA(100 + 3 * DAY + 1))
      .thenThrows('CASE.WINDOW_CLOSED', /appeal window/);
  });

  it('one appeal per review: refused while one is open and once decided; refused without a review, a reason, or for another department', () => {
    given(history(...[blow(['dept-a']), respondA(), completeA(), reviewA(100, true), appealA(200)]))
      .when(appealA(210))
      .thenThrows('CASE.LIMIT_REACHED', /open appeal/);
    given(history(blow(['dept-a']), respondA(), completeA(), reviewA(100, true), appealA(200), decideAppeal(300, false)))
      .when(appealA(310))
      .thenThrows('CASE.LIMIT_REACHED', /already appealed/);
    given(history(blow(['dept-a']), respondA()))
      .when(appealA(20))
      .thenThrows('CASE.INVALID_STATE', /not reviewed/);
    given(reviewed())
      .when({ ...appealA(200), data: { reason: '  ' } })
      .thenThrows('CASE.VALIDATION', /reason/);
    given(history(blow(), respondA(), completeA(), reviewA(100, true)))
      .when({ ...appealA(200), actor: deptB, data: { departmentId: 'dept-a', reason: '不公' } })
      .thenThrows('CASE.FORBIDDEN', /another department/);
    given(reviewed())
      .when({ ...appealA(200), actor: township })
      .thenThrows('CASE.FORBIDDEN');
  });

  it('a rework round’s review can be appealed after the earlier one was', () => {
    const h = history(
      blow(['dept-a']),
      respondA(),
      completeA(),
      reviewA(100, false),
      appealA(110),
      decideAppeal(120, false),
      completeA(200),
      reviewA(300, false),
    );
    given(h)
      .when(appealA(310))
      .then([{ type: 'ReviewAppealed', data: { ...base(310), partId: 'p1', departmentId: 'dept-a', round: 2, reason: '评价时整改期限未到' } }]);
  });

  it('the assessment office alone decides an open appeal, with a note', () => {
    const open = history(blow(['dept-a']), respondA(), completeA(), reviewA(100, true), appealA(200));
    given(open)
      .when(decideAppeal(300, true))
      .then([{ type: 'AppealDecided', data: { ...base(300), partId: 'p1', departmentId: 'dept-a', round: 1, upheld: true, note: '复核后认定' } }]);
    expect(foldCase([...open, ...history()])!.parts[0].workflow.openAppeal).toMatchObject({ round: 1 });
    given(open)
      .when({ ...decideAppeal(300, true), actor: commandCentre })
      .thenThrows('CASE.FORBIDDEN');
    given(open)
      .when(decideAppeal(300, true, ''))
      .thenThrows('CASE.VALIDATION', /note/);
    given(reviewed())
      .when(decideAppeal(300, true))
      .thenThrows('CASE.INVALID_STATE', /open appeal/);
    const decided = foldCase(history(blow(['dept-a']), respondA(), completeA(), reviewA(100, true), appealA(200), decideAppeal(300, true)))!;
    expect(decided.parts[0].workflow).toMatchObject({ openAppeal: null, appeals: [{ round: 1, upheld: true, decidedAt: at(300) }] });
  });

  it('nothing else is done on a closed case', () => {
    given(reviewed())
      .when(askA(200))
      .thenThrows('CASE.INVALID_STATE', /closed/);
  });
});

describe('the watcher and the return decision’s deadline (2 working hours, policy)', () => {
  const system = { ...commandCentre, role: 'system' as const, orgId: 'system' };
  const check = (m: number) => cmd('CheckDeadlines', system, m, { commandCentreId: 'cc-a' });
  const returned = () => history(blow(['dept-a']), respondA(), returnA(20)); // decision reminded at 116, due at 140
  const onPart = (m: number) => ({ ...base(m), partId: 'p1', departmentId: 'dept-a', round: 1, deadline: 'return_decision' as const });
  const rung = (m: number, type: 'DeadlineReminderSent' | 'CaseEscalated'): CaseEvent =>
    type === 'CaseEscalated' ? { type, data: { ...onPart(m), commandCentreId: 'cc-a' } } : { type, data: { ...onPart(m), dueAt: at(140) } };

  it('reminds (提醒) at 80% of the decision’s limit, like every other deadline, then escalates (督办) at the deadline, each once', () => {
    const h = returned();
    expect(nextDeadlineCheck(foldCase(h)!)).toBe(at(116));
    given(h).when(check(115)).then([]);
    const reminded = given(h).when(check(116)).events();
    expect(reminded).toEqual([rung(116, 'DeadlineReminderSent')]);
    const afterReminder = [...h, ...reminded];
    expect(foldCase(afterReminder)!.parts[0].workflow.pendingReturn).toMatchObject({ alert: 'reminded' });
    // The department's own clocks keep their rungs: the reminder is the decision's, not the part's.
    expect(foldCase(afterReminder)!.parts[0]).toMatchObject({ responseAlert: 'none', completionAlert: 'none' });
    expect(nextDeadlineCheck(foldCase(afterReminder)!)).toBe(at(140));
    given(afterReminder).when(check(139)).then([]);
    const escalated = given(afterReminder).when(check(140)).events();
    expect(escalated).toEqual([rung(140, 'CaseEscalated')]);
    const after = [...afterReminder, ...escalated];
    expect(foldCase(after)!.parts[0].workflow.pendingReturn).toMatchObject({ alert: 'escalated' });
    given(after).when(check(200)).then([]);
  });

  it('skips the reminder whose moment passed together with the deadline while the watcher was away', () => {
    given(returned())
      .when(check(150))
      .then([rung(150, 'CaseEscalated')]);
  });

  it('a return recorded without a reminder instant is escalated at its deadline, without a reminder', () => {
    const h = returned().map((e) => {
      if (e.type !== 'PartReturned') return e;
      const { decisionRemindAt: _dropped, ...data } = e.data;
      return { ...e, data };
    });
    expect(foldCase(h)!.parts[0].workflow.pendingReturn).toMatchObject({ decisionRemindAt: null });
    expect(nextDeadlineCheck(foldCase(h)!)).toBe(at(140));
    given(h).when(check(139)).then([]);
    given(h)
      .when(check(140))
      .then([rung(140, 'CaseEscalated')]);
  });

  it('a decided return is not watched', () => {
    const h = history(blow(['dept-a']), respondA(), returnA(20), cmd('DecideReturn', commandCentre, 60, { departmentId: 'dept-a', upheld: false }));
    given(h).when(check(200)).then([]);
  });
});

describe('the policy version a move was decided under', () => {
  const versioned: CasePolicy = { ...DEFAULT_POLICY, workflow: { ...DEFAULT_POLICY.workflow!, version: 'scoring-2026.1' } };
  const named = (events: CaseEvent[]) => events.map((e) => [e.type, (e.data as { policyVersion?: string }).policyVersion]);

  it('is recorded on each move a limit decided: the request and the approval of an extension, a return, an appeal', () => {
    expect(named(given(history(blow(), respondA()), versioned).when(askA(100)).events())).toEqual([['ExtensionRequested', 'scoring-2026.1']]);
    expect(
      named(
        given(history(blow(), respondA(), askA(100)), versioned)
          .when(decideA(200, true))
          .events(),
      ),
    ).toEqual([['ExtensionDecided', 'scoring-2026.1']]);
    expect(named(given(history(blow(), respondA()), versioned).when(returnA(100)).events())).toEqual([['PartReturned', 'scoring-2026.1']]);
    expect(
      named(
        given(history(blow(), respondA(), completeA(), reviewA(70, false)), versioned)
          .when(appealA(80))
          .events(),
      ),
    ).toEqual([['ReviewAppealed', 'scoring-2026.1']]);
  });

  it('is not on a refused extension (no limit applied), nor when the limits name no version', () => {
    expect(
      named(
        given(history(blow(), respondA(), askA(100)), versioned)
          .when(decideA(200, false))
          .events(),
      ),
    ).toEqual([['ExtensionDecided', undefined]]);
    expect(named(given(history(blow(), respondA())).when(askA(100)).events())).toEqual([['ExtensionRequested', undefined]]);
  });
});
