import { CASE_EVENT_TYPES } from '@chuishao/domain';
import { CaseTraffic, historyOf, randomActions } from './index';

const take = (traffic: CaseTraffic, n: number) => Array.from({ length: n }, () => traffic.next());

describe('the seeded history generator', () => {
  it('replays: the same seed gives the same appends, ids included; another seed does not', () => {
    const a = take(new CaseTraffic({ seed: 5 }), 500);
    expect(take(new CaseTraffic({ seed: 5 }), 500)).toEqual(a);
    expect(take(new CaseTraffic({ seed: 6 }), 500).map((x) => x.events[0].id)).not.toEqual(a.map((x) => x.events[0].id));
  });

  it('traffic: every append continues its stream (expected revision = events so far), and all event types occur', () => {
    const traffic = new CaseTraffic({ seed: 9, openCases: 50 });
    const revisions = new Map<string, number>();
    const types = new Set<string>();
    for (const append of take(traffic, 8_000)) {
      expect(append.expectedRevision).toBe(revisions.has(append.streamName) ? revisions.get(append.streamName) : 'no_stream');
      revisions.set(append.streamName, (revisions.get(append.streamName) ?? -1) + append.events.length);
      append.events.forEach((e) => {
        types.add(e.type);
      });
    }
    expect([...types].sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it('traffic keeps at most openCases cases open', () => {
    const traffic = new CaseTraffic({ seed: 2, openCases: 1 });
    const appends = take(traffic, 30);
    const streams = appends.map((x) => x.streamName);
    // One case at a time: a stream, once left, never comes back.
    expect(streams.filter((s, i) => i > 0 && s !== streams[i - 1] && streams.slice(0, i).includes(s))).toEqual([]);
  });

  it('seeded actions drive the same interpreter as fast-check: positions dense, revisions per case, re-basings included', () => {
    const { events } = historyOf(randomActions(3, 400));
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
    const next = new Map<string, number>();
    for (const e of events) {
      expect(e.revision).toBe(next.get(e.streamName) ?? 0);
      next.set(e.streamName, e.revision + 1);
    }
    expect(events.some((e) => e.type === 'DeadlinesRebased')).toBe(true);
  });
});
