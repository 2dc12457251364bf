import fc from 'fast-check';
import { isoOf, ms } from './facts';

describe('ms: the projection’s ISO-8601 reader', () => {
  it('agrees with Date.parse on every toISOString() instant, and falls back to it otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => {
        const iso = new Date(t).toISOString();
        expect(ms(iso)).toBe(Date.parse(iso));
      }),
      { numRuns: 20_000 },
    );
    expect(ms('2026-03-02T09:00:00+08:00')).toBe(Date.parse('2026-03-02T01:00:00Z'));
    expect(ms('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
    expect(() => ms('yesterday')).toThrow(RangeError);
  });
});

describe('isoOf: explain’s ISO-8601 writer', () => {
  it('writes what toISOString() writes, digit for digit, across leap days, year ends and the range ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(-300, 0, 1), max: Date.UTC(10_100, 0, 1) }), (t) => {
        expect(isoOf(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const t of [
      0,
      -1,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59, 9),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1),
    ]) {
      expect(isoOf(t)).toBe(new Date(t).toISOString());
    }
  });
});
