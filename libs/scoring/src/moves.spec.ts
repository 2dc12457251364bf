import { at, Script } from '@chuishao/histories';
import { evaluatePart } from './evaluate';
import { factsFromEvents } from './facts';
import { DEFAULT_SCORING_POLICY } from './policy';
import { computeScorecard, type ScorecardRow } from './scorecard';

const DEPARTMENTS = ['dept-a', 'dept-b', 'dept-c'].map((id) => ({ id, name: id }));
const DAY = 24 * 60;
const card = (s: Script, asOfMinutes: number) =>
  computeScorecard(factsFromEvents(s.events), {
    from: '2026-03-01',
    to: '2026-04-01',
    asOf: at(asOfMinutes),
    policy: DEFAULT_SCORING_POLICY,
    departments: DEPARTMENTS,
    timeZone: 'Asia/Shanghai',
  });
const row = (s: Script, asOf: number, id: string): ScorecardRow => card(s, asOf).departments.find((r) => r.departmentId === id)!;

// The default case policy: report in within 120 minutes, complete within 3 days (4320 minutes); natural time.
describe('the practice’s moves on the scorecard (scoring.md: extensions, returns, appeals, lead parts)', () => {
  it('延期: an approved extension replaces the round’s completion deadline from the decision on; before it, the old one counts', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.extend('c1', 100, 'dept-a', 3);
    s.decideExtension('c1', 200, 'dept-a', true, 2); // due 4320 → 4320 + 2 days
    s.complete('c1', 3 * DAY + 60, 'dept-a'); // after the old deadline, before the new
    expect(row(s, 150, 'dept-a')).toMatchObject({ extensionsApproved: 0 });
    expect(row(s, 10_000, 'dept-a')).toMatchObject({ completionDue: 1, completedOnTime: 1, completionRate: 1, extensionsApproved: 1, overdue: 0 });

    const refused = new Script();
    refused.blow('c1', 0, ['dept-a']);
    refused.respond('c1', 10, 'dept-a');
    refused.extend('c1', 100, 'dept-a', 3);
    refused.decideExtension('c1', 200, 'dept-a', false);
    refused.complete('c1', 3 * DAY + 60, 'dept-a');
    expect(row(refused, 10_000, 'dept-a')).toMatchObject({ completionDue: 1, completedOnTime: 0, extensionsApproved: 0 });
  });

  it('延期: past the old deadline but before the approval, the part is overdue; from the approval it is not', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.extend('c1', 100, 'dept-a', 3);
    s.decideExtension('c1', 3 * DAY + 100, 'dept-a', true); // decided late: the old deadline had passed
    expect(row(s, 3 * DAY + 50, 'dept-a')).toMatchObject({ overdue: 1, completionDue: 1 });
    expect(row(s, 3 * DAY + 150, 'dept-a')).toMatchObject({ overdue: 0, completionDue: 0, extensionsApproved: 1 });
  });

  it('退单 upheld: until the decision the part counts for the returning department; from it, only returnsUpheld — the new department receives it then', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.returnPart('c1', 30, 'dept-a');
    s.decideReturn('c1', 200, 'dept-a', true, 'dept-b'); // the response deadline (120) passed while the centre decided
    expect(row(s, 150, 'dept-a')).toMatchObject({ received: 1, responseDue: 1, responded: 0, overdue: 1, returnsUpheld: 0 });
    const after = row(s, 250, 'dept-a');
    expect(after).toMatchObject({
      received: 0,
      responseDue: 0,
      completionDue: 0,
      overdue: 0,
      transfersOut: 0,
      returnsUpheld: 1,
      responseRate: null,
      leadParts: 0,
    });
    expect(row(s, 250, 'dept-b')).toMatchObject({ received: 1, transfersIn: 0, responseDue: 0, leadParts: 1 });
    // dept-b's clocks start at the decision: its report-in is due at 200 + 120.
    expect(row(s, 321, 'dept-b')).toMatchObject({ responseDue: 1, overdue: 1 });
    const [, returned] = factsFromEvents(s.events).filter((p) => p.departmentId === 'dept-a' || p.departmentId === 'dept-b');
    expect(returned.receivedBy).toBe('return');
    expect(evaluatePart(returned, at(250))!.facts.fromDepartmentId).toBe('dept-a');
  });

  it('退单 rejected: the part stays the department’s with its original clocks (the wait counts), and returnsRejected counts; a return is not a response', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.returnPart('c1', 30, 'dept-a');
    s.decideReturn('c1', 200, 'dept-a', false);
    s.respond('c1', 210, 'dept-a');
    expect(row(s, 100, 'dept-a')).toMatchObject({ responded: 0, responseDue: 0 });
    expect(row(s, 300, 'dept-a')).toMatchObject({ received: 1, responded: 1, respondedOnTime: 0, responseDue: 1, returnsRejected: 1, returnsUpheld: 0 });
  });

  it('申诉 upheld: from the decision the appealed review is void — the latest non-void review counts, its rework is not reopened; before it, nothing changes', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.complete('c1', 100, 'dept-a');
    s.review('c1', 200, 'dept-a', true, 'basically_satisfied');
    s.blow('c2', 0, ['dept-a']);
    s.respond('c2', 10, 'dept-a');
    s.complete('c2', 100, 'dept-a');
    s.review('c2', 200, 'dept-a', false, 'dissatisfied'); // → rework round 2
    s.appeal('c2', 300, 'dept-a');
    s.decideAppeal('c2', 400, 'dept-a', true);
    const before = row(s, 399, 'dept-a');
    expect(before).toMatchObject({ reviewed: 2, resolved: 1, resolutionRate: 0.5, satisfactionRate: 0.5, reopened: 1, appealsUpheld: 0 });
    const after = row(s, 401, 'dept-a');
    expect(after).toMatchObject({ reviewed: 1, resolved: 1, resolutionRate: 1, satisfactionRate: 1, reopened: 0, appealsUpheld: 1, appealsRejected: 0 });
    // The rework round's new review counts again (it is not the void one).
    s.complete('c2', 500, 'dept-a');
    s.review('c2', 600, 'dept-a', true, 'satisfied');
    expect(row(s, 700, 'dept-a')).toMatchObject({ reviewed: 2, resolved: 2, reopened: 0 });
  });

  it('申诉 rejected changes nothing but appealsRejected', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.complete('c1', 100, 'dept-a');
    s.review('c1', 200, 'dept-a', false, 'dissatisfied');
    s.appeal('c1', 300, 'dept-a');
    const { appealsRejected: _before, ...unchanged } = row(s, 350, 'dept-a');
    s.decideAppeal('c1', 400, 'dept-a', false);
    const { appealsRejected, ...rest } = row(s, 450, 'dept-a');
    expect(appealsRejected).toBe(1);
    expect(rest).toEqual({ ...unchanged });
  });

  it('牵头: lead parts are counted apart, and the lead moves with its part', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a', 'dept-b']);
    s.run(
      'c2',
      0,
      'BlowWhistle',
      { orgId: 'twp-a', role: 'township', userId: 'u', countyId: 'county-a' },
      {
        title: '联合执法',
        description: '两部门',
        category: 'joint_enforcement',
        departmentIds: ['dept-a', 'dept-b'],
        leadDepartmentId: 'dept-b',
        location: { address: '某地' },
      },
    );
    s.transfer('c2', 10, 'dept-b', 'dept-c');
    expect(row(s, 100, 'dept-a')).toMatchObject({ received: 2, leadParts: 1 });
    expect(row(s, 100, 'dept-b')).toMatchObject({ received: 2, leadParts: 1 });
    expect(row(s, 100, 'dept-c')).toMatchObject({ received: 1, leadParts: 1 });
  });
});
