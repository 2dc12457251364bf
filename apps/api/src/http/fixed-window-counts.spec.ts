import { FixedWindowCounts } from './fixed-window-counts';

describe('FixedWindowCounts (the in-memory rate-limit counts)', () => {
  let now = 1_000_000;
  const counts = new FixedWindowCounts(() => now);
  afterAll(() => counts.close());

  it('counts hits in a window, refuses past the limit for the block duration, then starts a new window', async () => {
    const hit = () => counts.increment('user:a', 60_000, 3, 30_000, 'reads');
    expect((await hit()).totalHits).toBe(1);
    await hit();
    const third = await hit();
    expect(third).toEqual({ totalHits: 3, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    now += 10_000;
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 50, isBlocked: true, timeToBlockExpire: 30 });
    now += 20_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 10 });
    // The window (60 s from the first hit) ends: counting starts again and the block has run out too.
    now += 30_001;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps budgets and callers apart', async () => {
    await counts.increment('user:b', 60_000, 1, 60_000, 'reads');
    expect((await counts.increment('user:b', 60_000, 1, 60_000, 'commands')).isBlocked).toBe(false);
    expect((await counts.increment('user:c', 60_000, 1, 60_000, 'reads')).isBlocked).toBe(false);
    expect((await counts.increment('user:b', 60_000, 1, 60_000, 'reads')).isBlocked).toBe(true);
  });

  it('forgets expired windows when it sweeps, and keeps live ones', async () => {
    const before = counts.size;
    await counts.increment('user:d', 1_000, 5, 1_000, 'reads');
    expect(counts.size).toBe(before + 1);
    now += 61_000;
    await counts.increment('user:e', 60_000, 5, 60_000, 'reads');
    counts.evict();
    expect(counts.size).toBe(1);
  });
});
