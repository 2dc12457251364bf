import { RefusalAggregator } from './aggregator';
import { refusalAt } from './testing';

const T0 = Date.parse('2026-12-03T08:00:00.000Z');
const sec = (s: number) => T0 + s * 1000;

describe('RefusalAggregator (fake clock: the refusals’ instants and the caller’s now)', () => {
  it('records a caller’s first refusals of a minute one by one and counts the rest per outcome', () => {
    const agg = new RefusalAggregator({ perCaller: 3, total: 100 });
    const admitted = Array.from({ length: 10 }, (_, i) =>
      agg.admit(refusalAt(sec(i), { outcome: i % 2 ? 'RATE_LIMITED' : 'CASE.NOT_FOUND', status: i % 2 ? 429 : 404 })),
    );
    expect(admitted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    // The minute is not over: nothing to hand out yet.
    expect(agg.takeEnded(sec(59))).toEqual([]);
    const ended = agg.takeEnded(sec(60));
    expect(ended.map((a) => [a.outcome, a.count])).toEqual([
      ['RATE_LIMITED', 4],
      ['CASE.NOT_FOUND', 3],
    ]);
    expect(ended[0]).toMatchObject({
      windowStart: '2026-12-03T08:00:00.000Z',
      windowEnd: '2026-12-03T08:01:00.000Z',
      caller: 'user:twp-longquan/li.ming',
      orgId: 'twp-longquan',
      status: 429,
      firstAt: new Date(sec(3)).toISOString(),
      lastAt: new Date(sec(9)).toISOString(),
      firstCorrelationId: `c-${sec(3)}`,
      lastCorrelationId: `c-${sec(9)}`,
      routes: ['GET /v1/cases/:caseId'],
    });
    // Handed out once.
    expect(agg.takeEnded(sec(200))).toEqual([]);
  });

  it('gives every caller its own allowance, and a new one each window', () => {
    const agg = new RefusalAggregator({ perCaller: 1, total: 100 });
    expect(agg.admit(refusalAt(sec(0), { userId: 'a' }))).toBe(true);
    expect(agg.admit(refusalAt(sec(1), { userId: 'b' }))).toBe(true);
    expect(agg.admit(refusalAt(sec(2), { userId: 'a' }))).toBe(false);
    // Callers without a valid token are told apart by address.
    expect(agg.admit(refusalAt(sec(3), { orgId: null, userId: null, ip: '1.1.1.1' }))).toBe(true);
    expect(agg.admit(refusalAt(sec(4), { orgId: null, userId: null, ip: '2.2.2.2' }))).toBe(true);
    expect(agg.admit(refusalAt(sec(5), { orgId: null, userId: null, ip: '1.1.1.1' }))).toBe(false);
    // The next minute: a fresh allowance, and the last minute's counts are ready.
    expect(agg.admit(refusalAt(sec(61), { userId: 'a' }))).toBe(true);
    expect(agg.takeEnded(sec(61)).map((a) => [a.caller, a.count])).toEqual([
      ['user:twp-longquan/a', 1],
      ['ip:1.1.1.1', 1],
    ]);
  });

  it('bounds a flood from many callers: beyond the total, every refusal is counted, and callers beyond it fold into *', () => {
    const agg = new RefusalAggregator({ perCaller: 5, total: 10 });
    let single = 0;
    for (let i = 0; i < 1000; i++) if (agg.admit(refusalAt(sec(i % 60), { orgId: null, userId: null, ip: `10.0.${i >> 8}.${i & 255}` }))) single++;
    const counts = agg.takeEnded(sec(60));
    expect(single).toBe(10);
    // 10 addresses kept apart, the other 980 refusals in one aggregate per outcome.
    expect(counts.length).toBe(11);
    expect(counts.find((a) => a.caller === '*')).toMatchObject({ count: 980, ip: null, orgId: null });
    expect(single + counts.reduce((n, a) => n + a.count, 0)).toBe(1000);
  });

  it('keeps at most ten distinct routes per aggregate', () => {
    const agg = new RefusalAggregator({ perCaller: 0, total: 10 });
    for (let i = 0; i < 30; i++) agg.admit(refusalAt(sec(1), { route: `/v1/r${i % 15}` }));
    const [a] = agg.takeAll();
    expect([a.count, a.routes.length, a.routes[0]]).toEqual([30, 10, 'GET /v1/r0']);
  });

  it('a clock that stepped back counts into the open window; takeAll hands out the open window', () => {
    const agg = new RefusalAggregator({ perCaller: 0, total: 10 });
    agg.admit(refusalAt(sec(70)));
    agg.admit(refusalAt(sec(10)));
    const all = agg.takeAll();
    expect(all.map((a) => [a.windowStart, a.count])).toEqual([['2026-12-03T08:01:00.000Z', 2]]);
    expect(agg.takeAll()).toEqual([]);
  });
});
