import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, and starts over after reset', () => {
    const b = new Backoff(250, 2000, () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([250, 500, 1000, 2000, 2000]);
    expect(b.failures).toBe(5);
    b.reset();
    expect([b.failures, b.next()]).toEqual([0, 250]);
  });

  it('jitters within ±20%', () => {
    expect(new Backoff(1000, 1000, () => 0).next()).toBe(800);
    expect(new Backoff(1000, 1000, () => 0.999999).next()).toBe(1200);
  });
});
