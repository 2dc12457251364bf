import { canSee, decide, DEFAULT_POLICY, DomainError, foldCase } from '.';
import { given } from '../test/given-when-then';
import { at, blow, CASE_ID, cmd, commandCentre, deptA, deptB, deptC, history, naturalAssignment, otherTownship, township } from '../test/fixtures';

const respondA = (m = 10) => cmd('RespondToCase', deptA, m, { note: '已报到' });
const completeA = (m = 60) => cmd('CompleteHandling', deptA, m, { result: '已封堵排污口' });
const reviewA = (m: number, resolved: boolean, satisfaction: 'satisfied' | 'dissatisfied' = resolved ? 'satisfied' : 'dissatisfied') =>
  cmd('ReviewHandling', township, m, { departmentId: 'dept-a', resolved, satisfaction });

describe('blowing a whistle', () => {
  it('opens one part per named department with deadlines from the policy', () => {
    given([])
      .when(blow())
      .then([
        {
          type: 'WhistleBlown',
          data: {
            caseId: CASE_ID,
            occurredAt: at(0),
            townshipId: 'twp-east',
            countyId: 'county-a',
            title: '河道违法排污',
            description: '东坝河段发现不明排污口',
            category: 'joint_enforcement',
            location: { address: '东坝镇河滨路12号' },
            matterCode: undefined,
            sourceRef: undefined,
            leadDepartmentId: 'dept-a',
            policyVersion: 'default-2026.1',
            limits: { response: { amount: 2, unit: 'hours', clock: 'natural' }, completion: { amount: 3, unit: 'days', clock: 'natural' }, maxReworkRounds: 2 },
            parts: [naturalAssignment('p1', 'dept-a', 0), naturalAssignment('p2', 'dept-b', 0)],
          },
        },
      ]);
  });

  it('gives an emergency 30 minutes to report in', () => {
    const [e] = given([])
      .when(blow(['dept-a'], 'emergency'))
      .events();
    expect(e.type === 'WhistleBlown' && e.data.parts[0]).toEqual(naturalAssignment('p1', 'dept-a', 0, 30));
  });

  it('is for townships only', () => {
    given([])
      .when({ ...blow(), actor: deptA })
      .thenThrows('CASE.FORBIDDEN');
  });

  it('rejects a department named twice and an empty list', () => {
    given([])
      .when(blow(['dept-a', 'dept-a']))
      .thenThrows('CASE.VALIDATION', /named twice/);
    given([]).when(blow([])).thenThrows('CASE.VALIDATION');
  });

  it('names departments of the county only, each one at fault named by its field', () => {
    const error = (() => {
      try {
        decide(blow(['dept-a', 'twp-east', 'dept-x']), null, DEFAULT_POLICY);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'CASE.VALIDATION',
      message: 'twp-east is not a department of this county; dept-x is not a department of this county',
      fieldErrors: [
        { field: 'departmentIds[1]', message: 'twp-east is not a department of this county' },
        { field: 'departmentIds[2]', message: 'dept-x is not a department of this county' },
      ],
    });
    given([])
      .when({ ...blow(['dept-a']), facts: { countyDepartments: ['dept-b'] } })
      .thenThrows('CASE.VALIDATION', /dept-a is not a department of this county/);
  });

  it('cannot blow the same case twice', () => {
    given(history(blow())).when(blow()).thenThrows('CASE.ALREADY_EXISTS');
  });
});

describe('reporting in (报到)', () => {
  it('records the holding department’s response', () => {
    given(history(blow()))
      .when(respondA())
      .then([
        {
          type: 'DepartmentResponded',
          data: { caseId: CASE_ID, occurredAt: at(10), partId: 'p1', departmentId: 'dept-a', note: '已报到' },
        },
      ]);
  });

  it('is refused to a department holding no part, and to other roles', () => {
    given(history(blow()))
      .when(cmd('RespondToCase', deptC, 5, {}))
      .thenThrows('CASE.NOT_PART_HOLDER');
    given(history(blow()))
      .when(cmd('RespondToCase', township, 5, {}))
      .thenThrows('CASE.FORBIDDEN');
  });

  it('happens once', () => {
    given(history(blow(), respondA())).when(respondA(20)).thenThrows('CASE.INVALID_STATE');
  });
});

describe('transferring (转办)', () => {
  const transferAtoC = (m = 15, reason = '职责不在本局') => cmd('TransferCase', deptA, m, { toDepartmentId: 'dept-c', reason });

  it('moves the part to the new department with fresh clocks', () => {
    const [e] = given(history(blow(), respondA())).when(transferAtoC(30)).events();
    expect(e).toEqual({
      type: 'CaseTransferred',
      data: {
        caseId: CASE_ID,
        occurredAt: at(30),
        partId: 'p1',
        fromDepartmentId: 'dept-a',
        toDepartmentId: 'dept-c',
        reason: '职责不在本局',
        assignment: naturalAssignment('p1', 'dept-c', 30),
      },
    });
  });

  it('needs a reason and a different department that holds no part yet', () => {
    given(history(blow()))
      .when(transferAtoC(15, '  '))
      .thenThrows('CASE.VALIDATION', /reason/);
    given(history(blow()))
      .when(cmd('TransferCase', deptA, 15, { toDepartmentId: 'dept-a', reason: 'x' }))
      .thenThrows('CASE.VALIDATION', /different/);
    given(history(blow()))
      .when(cmd('TransferCase', deptA, 15, { toDepartmentId: 'dept-b', reason: 'x' }))
      .thenThrows('CASE.VALIDATION', /already holds/);
  });

  it('goes to a department of the county only', () => {
    given(history(blow()))
      .when(cmd('TransferCase', deptA, 15, { toDepartmentId: 'twp-east', reason: 'x' }))
      .thenThrows('CASE.VALIDATION', /twp-east is not a department of this county/);
    given(history(blow()))
      .when({ ...transferAtoC(), facts: { countyDepartments: ['dept-a', 'dept-b'] } })
      .thenThrows('CASE.VALIDATION', /dept-c is not a department/);
  });

  it('leaves the old department without the part but still able to see the case', () => {
    const state = foldCase(history(blow(), transferAtoC()))!;
    expect(state.parts[0]).toMatchObject({ departmentId: 'dept-c', status: 'awaiting_response', round: 1 });
    given(history(blow(), transferAtoC())).when(respondA(20)).thenThrows('CASE.NOT_PART_HOLDER');
    expect(canSee(deptA, state)).toBe(true);
  });

  it('is not possible after completion', () => {
    given(history(blow(), respondA(), completeA()))
      .when(transferAtoC(70))
      .thenThrows('CASE.INVALID_STATE');
  });
});

describe('completing (办结)', () => {
  it('needs a report-in first', () => {
    given(history(blow()))
      .when(completeA())
      .thenThrows('CASE.INVALID_STATE', /before reporting in/);
  });

  it('records the round and result', () => {
    given(history(blow(), respondA()))
      .when(completeA())
      .then([
        {
          type: 'HandlingCompleted',
          data: { caseId: CASE_ID, occurredAt: at(60), partId: 'p1', departmentId: 'dept-a', round: 1, result: '已封堵排污口' },
        },
      ]);
  });
});

describe('reviewing (一事一评) and rework (退回重办)', () => {
  const done = () => [blow(), respondA(), completeA()];

  it('is for the raising township only, on a completed part', () => {
    given(history(...done()))
      .when({ ...reviewA(70, true), actor: otherTownship })
      .thenThrows('CASE.FORBIDDEN');
    given(history(...done()))
      .when({ ...reviewA(70, true), actor: commandCentre })
      .thenThrows('CASE.FORBIDDEN');
    given(history(blow(), respondA())).when(reviewA(70, true)).thenThrows('CASE.INVALID_STATE');
    given(history(...done()))
      .when(cmd('ReviewHandling', township, 70, { departmentId: 'dept-z', resolved: true, satisfaction: 'satisfied' }))
      .thenThrows('CASE.VALIDATION');
  });

  it('closes the part when resolved', () => {
    const events = given(history(...done()))
      .when(reviewA(70, true))
      .events();
    expect(events.map((e) => e.type)).toEqual(['ReviewCompleted', 'PartClosed']);
    expect(events[1].data).toMatchObject({ outcome: 'resolved' });
  });

  it('reopens the part with a new completion deadline when unresolved', () => {
    const events = given(history(...done()))
      .when(reviewA(70, false))
      .events();
    expect(events[1]).toEqual({
      type: 'CaseReopened',
      data: {
        caseId: CASE_ID,
        occurredAt: at(70),
        partId: 'p1',
        departmentId: 'dept-a',
        round: 2,
        completionRemindAt: at(70 + 3456),
        completionDueAt: at(70 + 3 * 24 * 60),
        basis: naturalAssignment('p1', 'dept-a', 0).basis,
      },
    });
  });

  it('reviews once per round', () => {
    given(history(...done(), reviewA(70, false)))
      .when(reviewA(75, false))
      .thenThrows('CASE.INVALID_STATE');
  });

  it('closes the part unresolved after two rework rounds', () => {
    const h = history(...done(), reviewA(70, false), completeA(80), reviewA(90, false), completeA(100));
    const events = given(h).when(reviewA(110, false)).events();
    expect(events.map((e) => e.type)).toEqual(['ReviewCompleted', 'PartClosed']);
    expect(events[0].data).toMatchObject({ round: 3 });
    expect(events[1].data).toMatchObject({ outcome: 'unresolved' });
  });

  it('closes the case with its last part', () => {
    const h = history(...done(), reviewA(70, true), cmd('RespondToCase', deptB, 5, {}), cmd('CompleteHandling', deptB, 90, { result: '已处罚' }));
    const events = given(h)
      .when(cmd('ReviewHandling', township, 100, { departmentId: 'dept-b', resolved: true, satisfaction: 'basically_satisfied' }))
      .events();
    expect(events.map((e) => e.type)).toEqual(['ReviewCompleted', 'PartClosed', 'CaseClosed']);
    expect(events[2].data).toEqual({ caseId: CASE_ID, occurredAt: at(100), resolvedParts: 2, unresolvedParts: 0 });
    expect(foldCase([...h, ...events])!.status).toBe('closed');
  });
});

describe('withdrawing, and closed cases', () => {
  it('lets the raising township withdraw with a reason, and then accepts nothing', () => {
    const withdraw = cmd('WithdrawCase', township, 5, { reason: '群众已自行解决' });
    given(history(blow()))
      .when({ ...withdraw, actor: otherTownship })
      .thenThrows('CASE.FORBIDDEN');
    given(history(blow()))
      .when(cmd('WithdrawCase', township, 5, { reason: '' }))
      .thenThrows('CASE.VALIDATION');
    const h = history(blow(), withdraw);
    expect(foldCase(h)!.status).toBe('withdrawn');
    given(h)
      .when(respondA())
      .thenThrows('CASE.INVALID_STATE', /withdrawn/);
    given(h).when(withdraw).thenThrows('CASE.INVALID_STATE');
  });

  it('refuses commands on a case that does not exist', () => {
    given([]).when(respondA()).thenThrows('CASE.NOT_FOUND');
  });
});

describe('text that says nothing', () => {
  // Each looks blank to a reader: spaces, zero-width and bidi characters, Hangul fillers, a variation selector, a soft
  // hyphen, a lone combining mark, the blank Braille pattern.
  const blanks = ['', ' \u3000\t', '\u200b\u200c\u200d\u2060\ufeff', '\u202e', '\u3164\u115f\uffa0', '\ufe0f', '\u00ad', '\u0301', '\u2800', '\u034f'];
  const fieldOf = (error: unknown) => (error as DomainError).fieldErrors?.map((f) => f.field);
  const refused = (run: () => unknown) => {
    try {
      run();
    } catch (e) {
      expect((e as DomainError).code).toBe('CASE.VALIDATION');
      return fieldOf(e);
    }
    throw new Error('accepted');
  };

  it('is refused for every text of a whistle, the optional ones (grid, sourceRef) when given', () => {
    for (const blank of blanks) {
      const base = blow();
      const with_ = (data: object) => () => decide({ ...base, data: { ...base.data, ...data } }, null, DEFAULT_POLICY);
      expect(refused(with_({ title: blank }))).toEqual(['title']);
      expect(refused(with_({ location: { address: '东坝镇', grid: blank } }))).toEqual(['location.grid']);
      expect(refused(with_({ sourceRef: blank, description: blank }))).toEqual(['description', 'sourceRef']);
    }
    // Text with a mark on a letter, or an emoji sequence, says something.
    expect(decide({ ...blow(), data: { ...blow().data, title: 'e\u0301', sourceRef: '👨‍👩‍👧' } }, null, DEFAULT_POLICY)[0].type).toBe('WhistleBlown');
  });

  it('is refused as an optional note or review comment, which may be left out instead', () => {
    for (const blank of blanks) {
      expect(refused(() => decide(cmd('RespondToCase', deptA, 10, { note: blank }), foldCase(history(blow())), DEFAULT_POLICY))).toEqual(['note']);
      const done = history(blow(), respondA(), completeA());
      expect(refused(() => decide({ ...reviewA(70, true), data: { ...reviewA(70, true).data, comment: blank } }, foldCase(done), DEFAULT_POLICY))).toEqual([
        'comment',
      ]);
      expect(refused(() => decide(cmd('CompleteHandling', deptA, 60, { result: blank }), foldCase(history(blow(), respondA())), DEFAULT_POLICY))).toEqual([
        'result',
      ]);
    }
    expect(decide(cmd('RespondToCase', deptA, 10, {}), foldCase(history(blow())), DEFAULT_POLICY)[0].type).toBe('DepartmentResponded');
  });
});

describe('who sees a case', () => {
  const state = foldCase(history(blow()))!;
  it.each([
    [township, true],
    [otherTownship, false],
    [deptA, true],
    [deptC, false],
    [commandCentre, true],
    [{ ...commandCentre, countyId: 'county-b' }, false],
  ])('%o → %s', (actor, visible) => expect(canSee(actor, state)).toBe(visible));
});
