import fc from 'fast-check';
import { ms } from './facts';

describe('ms: the projection’s ISO-8601 reader', () => {
  it('agrees with Date.parse on every toISOString() instant, and falls back to it otherwise', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => {
      const iso = new Date(t).toISOString();
      expect(ms(iso)).toBe(Date.parse(iso));
    }), { numRuns: 20_000 });
    expect(ms('2026-03-02T09:00:00+08:00')).toBe(Date.parse('2026-03-02T01:00:00Z'));
    expect(ms('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
    expect(() => ms('yesterday')).toThrow(RangeError);
  });
});
