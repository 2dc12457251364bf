import { at, Script } from '@chuishao/histories';
import { evaluatePart } from './evaluate';
import { factsFromEvents } from './facts';
import { DEFAULT_SCORING_POLICY, ScoringPolicies, type ScoringPolicy } from './policy';
import { compositeHundredths, computeScorecard, computeTrend, nearestRank, type ScorecardRow } from './scorecard';

const TZ = 'Asia/Shanghai';
const DEPARTMENTS = ['dept-a', 'dept-b', 'dept-c', 'dept-d', 'dept-e'].map((id) => ({ id, name: `部门${id.slice(-1).toUpperCase()}` }));
const policy = (overrides: Partial<ScoringPolicy> = {}): ScoringPolicy => ({ ...DEFAULT_SCORING_POLICY, ...overrides });

function card(s: Script, asOfMinutes: number, options: { policy?: ScoringPolicy; from?: string; to?: string } = {}) {
  return computeScorecard(factsFromEvents(s.events), {
    from: options.from ?? '2026-03-01',
    to: options.to ?? '2026-04-01',
    asOf: at(asOfMinutes),
    policy: options.policy ?? DEFAULT_SCORING_POLICY,
    departments: DEPARTMENTS,
    timeZone: TZ,
  });
}
const row = (c: { departments: ScorecardRow[] }, id: string) => c.departments.find((r) => r.departmentId === id)!;

/**
 * Joint-enforcement category under the default case policy: report in within 120 minutes, complete
 * within 3 days (4320 minutes); rework rounds get 4320 minutes from the review.
 */
function scenario(): Script {
  const s = new Script();
  // c1: on time throughout, resolved and satisfied.
  s.blow('c1', 0, ['dept-a']);
  s.respond('c1', 30, 'dept-a');
  s.complete('c1', 600, 'dept-a');
  s.review('c1', 700, 'dept-a', true, 'satisfied');
  // c2: late report-in (due 130), late completion (due 4330), reworked once, then resolved.
  s.blow('c2', 10, ['dept-a']);
  s.respond('c2', 200, 'dept-a');
  s.complete('c2', 5000, 'dept-a');
  s.review('c2', 5100, 'dept-a', false, 'dissatisfied'); // → CaseReopened round 2, due 5100 + 4320
  s.complete('c2', 6000, 'dept-a');
  s.review('c2', 6100, 'dept-a', true, 'basically_satisfied');
  // c3: joint whistle; dept-a transfers its part to dept-c at 60 (due 140): a response, on time.
  s.blow('c3', 20, ['dept-a', 'dept-b']);
  s.transfer('c3', 60, 'dept-a', 'dept-c');
  // c4: dept-a never reports in (due 150).
  s.blow('c4', 30, ['dept-a']);
  return s;
}

describe('scorecard fields, computed by hand', () => {
  it('every field of a department with on-time, late, transferred, reworked and silent parts', () => {
    const a = row(card(scenario(), 10_000), 'dept-a');
    expect(a).toEqual({
      departmentId: 'dept-a',
      name: '部门A',
      received: 4, // c1, c2, c3 (dept-a's holding), c4
      responded: 3, // c1 report-in, c2 report-in, c3 transfer away
      respondedOnTime: 2, // c1 30 ≤ 120, c3 60 ≤ 140; c2 200 > 130
      responseDue: 4, // the three responded + c4 (due 150 ≤ asOf)
      responseRate: 0.5,
      medianResponseMinutes: 40, // [30, 40, 190]: rank ceil(0.5·3) = 2
      p90ResponseMinutes: 190, // rank ceil(0.9·3) = 3
      completionDue: 3, // c1, c2 completed; c4 due 4350 ≤ asOf; c3 transferred away: excluded
      completedOnTime: 1, // c1 600 ≤ 4320; c2's first completion 5000 > 4330
      completionRate: 1 / 3,
      reviewed: 2,
      resolved: 2, // c2's latest review says resolved
      resolutionRate: 1,
      satisfied: 1,
      basicallySatisfied: 1, // c2: the latest review counts, not the dissatisfied first one
      dissatisfied: 0,
      satisfactionRate: 1,
      transfersOut: 1,
      transfersIn: 0,
      reopened: 1,
      overdue: 1, // c4: no report-in, past 150
      returnsUpheld: 0,
      returnsRejected: 0,
      extensionsApproved: 0,
      appealsUpheld: 0,
      appealsRejected: 0,
      leadParts: 4, // c1, c2, c4 alone; c3 named first (its holding that dept-a transferred away still led)
      compositeScore: 85, // 100 · (30·0.5 + 35·1 + 35·1) / 100
      rank: null, // 4 responseDue < minRankedParts 5
    });
  });

  it('the receiving department’s clocks start at the transfer; a department with no reviews has null review rates', () => {
    const c = row(card(scenario(), 10_000), 'dept-c');
    expect(c).toMatchObject({
      received: 1,
      transfersIn: 1,
      responded: 0,
      responseDue: 1,
      responseRate: 0,
      completionDue: 1,
      completedOnTime: 0,
      completionRate: 0,
      overdue: 1,
      reviewed: 0,
      resolutionRate: null,
      satisfactionRate: null,
      medianResponseMinutes: null,
      p90ResponseMinutes: null,
      compositeScore: 0, // only responseRate is defined: 100 · 30·0 / 30
    });
    // Before the transfer-in's response deadline (60 + 120 = 180) nothing of dept-c is due.
    expect(row(card(scenario(), 179), 'dept-c')).toMatchObject({ received: 1, responseDue: 0, responseRate: null, overdue: 0, compositeScore: null });
    expect(row(card(scenario(), 181), 'dept-c')).toMatchObject({ responseDue: 1, responseRate: 0, overdue: 1 });
  });

  it('a department without parts has zero counts, null rates, no composite and no rank', () => {
    expect(row(card(scenario(), 10_000), 'dept-e')).toEqual({
      departmentId: 'dept-e',
      name: '部门E',
      received: 0,
      responded: 0,
      respondedOnTime: 0,
      responseDue: 0,
      responseRate: null,
      medianResponseMinutes: null,
      p90ResponseMinutes: null,
      completionDue: 0,
      completedOnTime: 0,
      completionRate: null,
      reviewed: 0,
      resolved: 0,
      resolutionRate: null,
      satisfied: 0,
      basicallySatisfied: 0,
      dissatisfied: 0,
      satisfactionRate: null,
      transfersOut: 0,
      transfersIn: 0,
      reopened: 0,
      overdue: 0,
      returnsUpheld: 0,
      returnsRejected: 0,
      extensionsApproved: 0,
      appealsUpheld: 0,
      appealsRejected: 0,
      leadParts: 0,
      compositeScore: null,
      rank: null,
    });
  });

  it('due is judged against asOf, and facts after asOf do not count', () => {
    const a = row(card(scenario(), 100), 'dept-a');
    // At 100: c1 responded (30), c3 transferred (60); c2 (due 130) and c4 (due 150) not yet due.
    expect(a).toMatchObject({
      received: 4,
      responded: 2,
      respondedOnTime: 2,
      responseDue: 2,
      responseRate: 1,
      completionDue: 0,
      completionRate: null,
      reviewed: 0,
      overdue: 0,
      transfersOut: 1,
      reopened: 0,
      compositeScore: 100,
    });
    // Exactly at a deadline: due (≤), not yet overdue (strictly past).
    expect(row(card(scenario(), 150), 'dept-a')).toMatchObject({ responseDue: 4, overdue: 1 }); // c2 past 130; c4 due at 150
    expect(row(card(scenario(), 150), 'dept-a').overdue).toBe(1);
    const c2Only = new Script();
    c2Only.blow('x', 0, ['dept-a']);
    expect(row(card(c2Only, 120), 'dept-a')).toMatchObject({ responseDue: 1, overdue: 0 });
    expect(row(card(c2Only, 121), 'dept-a')).toMatchObject({ responseDue: 1, overdue: 1 });
  });

  it('an event recorded after asOf does not count even if it occurred before', () => {
    const s = new Script();
    s.blow('x', 0, ['dept-a']);
    s.respond('x', 30, 'dept-a', 90 * 60_000); // occurred at 30, recorded at 120
    expect(row(card(s, 100), 'dept-a')).toMatchObject({ responded: 0, responseDue: 0 });
    expect(row(card(s, 120), 'dept-a')).toMatchObject({ responded: 1, respondedOnTime: 1, responseDue: 1, medianResponseMinutes: 30 });
    // A whistle recorded after asOf is not on the scorecard at all.
    s.blow('y', 200, ['dept-a'], 'twp-a', 'joint_enforcement', 60 * 60_000);
    expect(row(card(s, 250), 'dept-a').received).toBe(1);
    expect(row(card(s, 260), 'dept-a').received).toBe(2);
  });

  it('rework: completedOnTime is judged on the first completion against its round’s deadline', () => {
    const s = new Script();
    s.blow('on', 0, ['dept-a']);
    s.respond('on', 10, 'dept-a');
    s.complete('on', 100, 'dept-a'); // on time (due 4320)
    s.review('on', 200, 'dept-a', false, 'dissatisfied'); // round 2 due 200 + 4320 = 4520
    s.complete('on', 9000, 'dept-a'); // round 2 late: does not undo the on-time first completion
    s.blow('late', 0, ['dept-b']);
    s.respond('late', 10, 'dept-b');
    s.complete('late', 5000, 'dept-b'); // late (due 4320)
    s.review('late', 5100, 'dept-b', false, 'basically_satisfied'); // round 2 due 9420
    s.complete('late', 5200, 'dept-b');
    const c = card(s, 10_000);
    expect(row(c, 'dept-a')).toMatchObject({ completionDue: 1, completedOnTime: 1, reopened: 1, reviewed: 1, resolved: 0, dissatisfied: 1 });
    expect(row(c, 'dept-b')).toMatchObject({
      completionDue: 1,
      completedOnTime: 0,
      reopened: 1,
      reviewed: 1,
      resolved: 0,
      basicallySatisfied: 1,
      satisfactionRate: 1,
    });
    // While round 2 runs past its deadline without a completion, the part is overdue.
    expect(row(card(s, 4600), 'dept-a')).toMatchObject({ overdue: 1, reopened: 1 });
    expect(row(card(s, 4500), 'dept-a')).toMatchObject({ overdue: 0 });
  });

  it('withdrawal stops the clocks: later deadlines never fall due, earlier breaches stay', () => {
    const s = new Script();
    s.blow('early', 0, ['dept-a']);
    s.withdraw('early', 60); // before the response deadline (120)
    s.blow('late', 0, ['dept-b']);
    s.withdraw('late', 200); // after it, without a response
    s.blow('done', 0, ['dept-c']);
    s.respond('done', 30, 'dept-c');
    s.withdraw('done', 5000); // after the completion deadline (4320), not completed
    const c = card(s, 10_000);
    expect(row(c, 'dept-a')).toMatchObject({ received: 1, responseDue: 0, responseRate: null, completionDue: 0, overdue: 0 });
    expect(row(c, 'dept-b')).toMatchObject({ received: 1, responseDue: 1, respondedOnTime: 0, responseRate: 0, completionDue: 0, overdue: 0 });
    expect(row(c, 'dept-c')).toMatchObject({ responseDue: 1, respondedOnTime: 1, completionDue: 1, completedOnTime: 0, overdue: 0 });
    // Before the withdrawal is known, 'late' is overdue as any other part.
    expect(row(card(s, 150), 'dept-b')).toMatchObject({ responseDue: 1, overdue: 1 });
  });

  it('a reassignment by the command centre is neither a response nor a transfer; the clocks stop there', () => {
    const s = new Script();
    s.blow('r', 0, ['dept-a']);
    s.reassign('r', 300, 'dept-a', 'dept-b'); // dept-a missed its response deadline (120)
    s.respond('r', 330, 'dept-b');
    const c = card(s, 10_000);
    expect(row(c, 'dept-a')).toMatchObject({ received: 1, responded: 0, responseDue: 1, responseRate: 0, completionDue: 0, transfersOut: 0, overdue: 0 });
    expect(row(c, 'dept-b')).toMatchObject({
      received: 1,
      responded: 1,
      respondedOnTime: 1,
      transfersIn: 0,
      medianResponseMinutes: 30,
      completionDue: 1,
      overdue: 1,
    });
  });

  it('a part passed back and forth makes one scoring part per holding', () => {
    const s = new Script();
    s.blow('pp', 0, ['dept-a']);
    s.transfer('pp', 10, 'dept-a', 'dept-b');
    s.transfer('pp', 30, 'dept-b', 'dept-a');
    s.respond('pp', 50, 'dept-a');
    const c = card(s, 1000);
    expect(row(c, 'dept-a')).toMatchObject({ received: 2, responded: 2, transfersOut: 1, transfersIn: 1, medianResponseMinutes: 10, p90ResponseMinutes: 20 });
    expect(row(c, 'dept-b')).toMatchObject({ received: 1, responded: 1, transfersOut: 1, transfersIn: 1, medianResponseMinutes: 20 });
  });

  it('a report-in before a transfer is the response; the transfer still counts as transfersOut', () => {
    const s = new Script();
    s.blow('t', 0, ['dept-a']);
    s.respond('t', 5, 'dept-a');
    s.transfer('t', 500, 'dept-a', 'dept-b');
    expect(row(card(s, 1000), 'dept-a')).toMatchObject({ responded: 1, respondedOnTime: 1, medianResponseMinutes: 5, transfersOut: 1, completionDue: 0 });
  });
});

describe('periods', () => {
  it('a part belongs to the local (Asia/Shanghai) month of its assignment; [from, to) is half-open', () => {
    // T0 is 2026-03-02 09:00 local. 2026-03-31 23:59 local = T0 + 29 days + 14:59.
    const endOfMarch = 29 * 24 * 60 + 14 * 60 + 59;
    const s = new Script();
    s.blow('last', endOfMarch, ['dept-a']);
    s.blow('first', endOfMarch + 1, ['dept-a']); // 2026-04-01 00:00 local = 2026-03-31T16:00Z
    s.transfer('last', endOfMarch + 60, 'dept-a', 'dept-b'); // dept-b's part is assigned in April
    const march = card(s, endOfMarch + 100);
    const april = card(s, endOfMarch + 100, { from: '2026-04-01', to: '2026-05-01' });
    expect(row(march, 'dept-a').received).toBe(1);
    expect(row(march, 'dept-b').received).toBe(0);
    expect(row(april, 'dept-a').received).toBe(1);
    expect(row(april, 'dept-b')).toMatchObject({ received: 1, transfersIn: 1 });
    // The first instant of a local day: 2026-03-02 local begins at 2026-03-01T16:00Z.
    const s2 = new Script(Date.parse('2026-03-01T16:00:00.000Z'));
    s2.blow('edge', 0, ['dept-a']);
    expect(row(card(s2, 10, { from: '2026-03-02', to: '2026-03-03' }), 'dept-a').received).toBe(1);
    expect(row(card(s2, 10, { from: '2026-03-01', to: '2026-03-02' }), 'dept-a').received).toBe(0);
  });

  it('month-by-month trend, months cut to the range', () => {
    const s = new Script();
    s.blow('m1', 0, ['dept-a']);
    s.respond('m1', 10, 'dept-a');
    s.blow('m2', 40 * 24 * 60, ['dept-a']); // 2026-04-11
    const trend = computeTrend(
      factsFromEvents(s.events),
      {
        from: '2026-02-15',
        to: '2026-04-20',
        asOf: at(41 * 24 * 60),
        policy: DEFAULT_SCORING_POLICY,
        departments: DEPARTMENTS,
        timeZone: TZ,
      },
      'dept-a',
    );
    expect(trend.map((t) => [t.month, t.from, t.to, t.received, t.responseDue])).toEqual([
      ['2026-02', '2026-02-15', '2026-03-01', 0, 0],
      ['2026-03', '2026-03-01', '2026-04-01', 1, 1],
      ['2026-04', '2026-04-01', '2026-04-20', 1, 1],
    ]);
  });
});

describe('composite score and ranking', () => {
  it('weights only the defined rates, two decimals half up, exactly', () => {
    expect(
      compositeHundredths([
        { n: 2, d: 3, w: 30 },
        { n: 1, d: 3, w: 35 },
        { n: 1, d: 1, w: 35 },
      ]),
    ).toBe(6667); // 20 + 11.667 + 35
    expect(compositeHundredths([{ n: 1, d: 32, w: 1 }])).toBe(313); // 3.125 → 3.13
    expect(
      compositeHundredths([
        { n: 1, d: 2, w: 30 },
        { n: 0, d: 0, w: 35 },
        { n: 0, d: 0, w: 35 },
      ]),
    ).toBe(5000);
    expect(compositeHundredths([{ n: 0, d: 0, w: 30 }])).toBeNull();
    expect(compositeHundredths([{ n: 1, d: 3, w: 0 }])).toBeNull();
  });

  it('nearest-rank percentiles', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([7], 90)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });

  /** n parts for a department, `onTime` of them reported in on time, the rest after the deadline. */
  function department(s: Script, id: string, n: number, onTime: number) {
    for (let i = 0; i < n; i++) {
      s.blow(`${id}-${i}`, i, [id]);
      s.respond(`${id}-${i}`, i + (i < onTime ? 10 : 500), id);
    }
  }

  it('ties share a rank (1, 2, 2, 4); too few responseDue parts: listed with rank null', () => {
    const s = new Script();
    department(s, 'dept-a', 5, 5); // 100
    department(s, 'dept-b', 6, 3); // 50
    department(s, 'dept-c', 8, 4); // 50
    department(s, 'dept-d', 5, 0); // 0
    department(s, 'dept-e', 4, 4); // 100, but 4 < minRankedParts
    const c = card(s, 10_000);
    expect(c.departments.map((r) => [r.departmentId, r.compositeScore, r.rank])).toEqual([
      ['dept-a', 100, 1],
      ['dept-b', 50, 2],
      ['dept-c', 50, 2],
      ['dept-d', 0, 4],
      ['dept-e', 100, null],
    ]);
    // minRankedParts comes from the policy.
    const lenient = card(s, 10_000, { policy: policy({ version: 'lenient', minRankedParts: 4 }) });
    expect(lenient.policyVersion).toBe('lenient');
    expect(lenient.departments.map((r) => [r.departmentId, r.rank])).toEqual([
      ['dept-a', 1],
      ['dept-e', 1],
      ['dept-b', 3],
      ['dept-c', 3],
      ['dept-d', 5],
    ]);
  });

  it('equal scores from different numbers of parts tie', () => {
    const s = new Script();
    department(s, 'dept-a', 6, 4); // 66.666… → 66.67
    department(s, 'dept-b', 9, 6); // 66.67
    expect(
      card(s, 10_000)
        .departments.slice(0, 2)
        .map((r) => [r.compositeScore, r.rank]),
    ).toEqual([
      [66.67, 1],
      [66.67, 1],
    ]);
  });

  it('versioned policies: the one in force at asOf, or a named one', () => {
    const v2 = policy({ version: 'scoring-2027.1', effectiveFrom: '2027-01-01T00:00:00.000Z', weights: { wR: 50, wS: 25, wF: 25 } });
    const policies = new ScoringPolicies([DEFAULT_SCORING_POLICY, v2]);
    expect(policies.inForceAt(Date.parse('2026-12-31T23:59:59.999Z')).version).toBe('scoring-2026.1');
    expect(policies.inForceAt(Date.parse('2027-01-01T00:00:00.000Z')).version).toBe('scoring-2027.1');
    expect(policies.named('scoring-2027.1')).toBe(v2);
    expect(policies.named('nope')).toBeUndefined();
    expect(() => new ScoringPolicies([policy({ weights: { wR: 0.5, wS: 1, wF: 1 } })])).toThrow(/non-negative integer/);
    // dept-a of the scenario: responseRate 0.5, resolution 1, satisfaction 1 → 50·0.5 + 25 + 25 = 75 under v2.
    expect(row(card(scenario(), 10_000, { policy: v2 }), 'dept-a').compositeScore).toBe(75);
  });

  it('a what-if (no effectiveFrom) is never in force, only named; one version must be in force', () => {
    const whatIf = policy({ version: 'what-if-40-30-30', effectiveFrom: null, weights: { wR: 40, wS: 30, wF: 30 } });
    const policies = new ScoringPolicies([whatIf, DEFAULT_SCORING_POLICY]);
    expect(policies.inForceAt(Date.parse('2999-01-01T00:00:00.000Z')).version).toBe('scoring-2026.1');
    expect(policies.inForceAt(0).version).toBe('scoring-2026.1');
    expect(policies.named('what-if-40-30-30')).toBe(whatIf);
    expect(policies.all().map((p) => p.version)).toEqual(['scoring-2026.1', 'what-if-40-30-30']);
    expect(() => new ScoringPolicies([whatIf])).toThrow(/one must be in force/);
    // 40·0.5 + 30 + 30 = 80 for dept-a.
    expect(row(card(scenario(), 10_000, { policy: whatIf }), 'dept-a').compositeScore).toBe(80);
  });
});

describe('evaluatePart', () => {
  it('is null before the assignment is known', () => {
    const s = new Script();
    s.blow('x', 0, ['dept-a'], 'twp-a', 'joint_enforcement', 5 * 60_000);
    const [part] = factsFromEvents(s.events);
    expect(evaluatePart(part, at(4))).toBeNull();
    expect(evaluatePart(part, at(5))).not.toBeNull();
  });
});
