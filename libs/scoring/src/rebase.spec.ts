import { at, COUNTY, Script } from '@chuishao/histories';
import { explainPart } from './explain';
import { evaluatePart } from './evaluate';
import { factsFromEvents } from './facts';
import { DEFAULT_SCORING_POLICY } from './policy';
import { computeScorecard } from './scorecard';

const calendar = { orgId: 'system', role: 'system' as const, userId: 'calendar', countyId: COUNTY };
const row = (s: Script, asOfMinutes: number, id: string) =>
  computeScorecard(factsFromEvents(s.events), {
    from: '2026-03-01',
    to: '2026-04-01',
    asOf: at(asOfMinutes),
    policy: DEFAULT_SCORING_POLICY,
    departments: [{ id, name: id }],
    timeZone: 'Asia/Shanghai',
  }).departments[0];

/** Report in within 120 minutes; the next calendar moves every deadline 37 minutes later (shiftingCalendars in @chuishao/histories). */
function rebasedAt(minute: number): Script {
  const s = new Script();
  s.blow('c1', 0, ['dept-a']);
  s.nextCalendar();
  s.run('c1', minute, 'RebaseDeadlines', calendar, {});
  return s;
}

describe('scorecards over re-based deadlines (DeadlinesRebased)', () => {
  it('the re-basing is recorded with the old and the new deadline', () => {
    const s = rebasedAt(100);
    const rebased = s.events.find((e) => e.type === 'DeadlinesRebased')!;
    expect(rebased.data.parts).toEqual([
      expect.objectContaining({
        partId: 'p1',
        response: { previousDueAt: new Date(at(120)).toISOString(), remindAt: expect.any(String), dueAt: new Date(at(157)).toISOString() },
      }),
    ]);
  });

  it('a response after the old deadline and before the new one is on time, from the re-basing on', () => {
    const s = rebasedAt(100);
    s.respond('c1', 140, 'dept-a');
    expect(row(s, 150, 'dept-a')).toMatchObject({ responded: 1, respondedOnTime: 1, responseDue: 1, overdue: 0 });
  });

  it('before the re-basing is known, the old deadline counts: asOf before it shows the numbers as they were', () => {
    const s = rebasedAt(130);
    // At 125 the old deadline (120) had passed unanswered: due and overdue. At 135 the new one (157) has not.
    expect(row(s, 125, 'dept-a')).toMatchObject({ responseDue: 1, overdue: 1 });
    expect(row(s, 135, 'dept-a')).toMatchObject({ responseDue: 0, overdue: 0 });
    const never = new Script();
    never.blow('c1', 0, ['dept-a']);
    expect(row(never, 135, 'dept-a')).toMatchObject({ responseDue: 1, overdue: 1 });
  });

  it('a part that already reported in keeps the response deadline it was judged against', () => {
    const s = new Script();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 130, 'dept-a'); // late against 120
    s.nextCalendar();
    s.run('c1', 200, 'RebaseDeadlines', calendar, {});
    const rebased = s.events.find((e) => e.type === 'DeadlinesRebased')!;
    expect((rebased.data.parts as { response?: unknown }[])[0].response).toBeUndefined();
    expect(row(s, 300, 'dept-a')).toMatchObject({ responded: 1, respondedOnTime: 0 });
  });

  it('explain shows the deadline in force at asOf and the move', () => {
    const s = rebasedAt(100);
    const [facts] = factsFromEvents(s.events);
    const before = explainPart(evaluatePart(facts, at(90))!, at(90));
    const after = explainPart(evaluatePart(facts, at(110))!, at(110));
    expect(before).toMatchObject({ responseDueAt: new Date(at(120)).toISOString(), deadlineChanges: [] });
    expect(after.responseDueAt).toBe(new Date(at(157)).toISOString());
    expect(after.deadlineChanges.map((c) => c.kind)).toEqual(['response', 'completion']);
  });
});
