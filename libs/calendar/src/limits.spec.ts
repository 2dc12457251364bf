import { BusinessCalendar, CalendarError, deadline, fractionElapsedAt, limitProblems, type TimeLimit } from './index';

// Instants in Beijing time (+08:00); expectations in UTC (local − 8 h).
const cal = BusinessCalendar.national();
const at = (local: string) => new Date(local);
const due = (from: string, limit: TimeLimit) => deadline(cal, at(from), limit).toISOString();

describe('deadline applies a limit', () => {
  const eve = '2025-09-30T22:00:00+08:00'; // the evening before 国庆 2025 (off 10-01..10-08)

  it('natural minutes: an emergency report-in over the holiday night', () => {
    // 22:00 + 30 = 22:30 local = 14:30Z, holiday or not.
    expect(due(eve, { amount: 30, unit: 'minutes', clock: 'natural' })).toBe('2025-09-30T14:30:00.000Z');
  });

  it('natural hours and days are 60 and 1440 minutes', () => {
    // + 24 h = 10-01 22:00 local = 10-01 14:00Z.
    expect(due(eve, { amount: 24, unit: 'hours', clock: 'natural' })).toBe('2025-10-01T14:00:00.000Z');
    // + 3 days = 10-03 22:00 local = 10-03 14:00Z.
    expect(due(eve, { amount: 3, unit: 'days', clock: 'natural' })).toBe('2025-10-03T14:00:00.000Z');
  });

  it('working minutes and hours wait for 10-09', () => {
    // 10-09 08:30 + 45 = 09:15 local = 01:15Z; + 2 h = 10:30 local = 02:30Z.
    expect(due(eve, { amount: 45, unit: 'minutes', clock: 'working' })).toBe('2025-10-09T01:15:00.000Z');
    expect(due(eve, { amount: 2, unit: 'hours', clock: 'working' })).toBe('2025-10-09T02:30:00.000Z');
  });

  it('working days end at 17:30 of the Nth working day after the start day', () => {
    // 10-09 (1), 10-10 (2), Sat 10-11 makeup (3), Mon 10-13 (4), 10-14 (5) → 17:30 local = 09:30Z.
    expect(due(eve, { amount: 5, unit: 'days', clock: 'working' })).toBe('2025-10-14T09:30:00.000Z');
  });

  it('refuses an invalid limit', () => {
    const bad = { amount: 0, unit: 'weeks', clock: 'working' } as unknown as TimeLimit;
    expect(() => deadline(cal, at(eve), bad)).toThrow(CalendarError);
    expect(() => deadline(cal, at(eve), bad)).toThrow(/amount: must be a positive integer.*unit: must be one of/);
  });
});

describe('limitProblems', () => {
  it('is empty for a valid limit and lists every problem otherwise', () => {
    expect(limitProblems({ amount: 2, unit: 'hours', clock: 'working' }, 'x')).toEqual([]);
    expect(limitProblems({ amount: 1.5, unit: 'hour', clock: 'office', extra: true }, 'm.responseLimit')).toEqual([
      'm.responseLimit: unknown field "extra"',
      'm.responseLimit.amount: must be a positive integer: 1.5',
      'm.responseLimit.unit: must be one of minutes | hours | days: "hour"',
      'm.responseLimit.clock: must be one of natural | working: "office"',
    ]);
    expect(limitProblems(null, 'x')).toEqual(['x: must be an object']);
  });
});

describe('fractionElapsedAt (the 80% reminder)', () => {
  it('natural: 80% of 30 minutes is 24 minutes', () => {
    const from = at('2025-10-01T23:50:00+08:00');
    const d = deadline(cal, from, { amount: 30, unit: 'minutes', clock: 'natural' });
    // 23:50 + 24 = 10-02 00:14 local = 10-01 16:14Z.
    expect(fractionElapsedAt(cal, from, d, 'natural', 0.8).toISOString()).toBe('2025-10-01T16:14:00.000Z');
  });

  it('working: counts only working time, so it lands in office hours', () => {
    const from = at('2025-09-30T22:00:00+08:00');
    const d = deadline(cal, from, { amount: 2, unit: 'hours', clock: 'working' }); // 10-09 10:30
    // 80% of 120 working minutes = 96 → 10-09 08:30 + 96 = 10:06 local = 02:06Z.
    expect(fractionElapsedAt(cal, from, d, 'working', 0.8).toISOString()).toBe('2025-10-09T02:06:00.000Z');
  });

  it('refuses a fraction outside [0, 1]', () => {
    const from = at('2025-09-30T22:00:00+08:00');
    expect(() => fractionElapsedAt(cal, from, from, 'natural', 1.2)).toThrow(CalendarError);
  });
});
