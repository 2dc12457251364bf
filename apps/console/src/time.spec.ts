import { BusinessCalendar } from '@chuishao/calendar';
import { duration, formatInstant, localYears, type WorkingCalendar, workingMinutes } from './time';

// Instants in county time (UTC+8): 2026-03-02 is a Monday.
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('console time helpers', () => {
  it('counts working minutes inside the morning and afternoon windows only', () => {
    expect(workingMinutes(at('2026-03-02T09:00:00'), at('2026-03-02T11:00:00'))).toBe(120);
    // 11:00–12:00 and 13:30–14:00: the lunch break does not count.
    expect(workingMinutes(at('2026-03-02T11:00:00'), at('2026-03-02T14:00:00'))).toBe(90);
    // From the evening to the next morning: only 08:30–09:00 counts.
    expect(workingMinutes(at('2026-03-02T18:00:00'), at('2026-03-03T09:00:00'))).toBe(30);
  });

  it('skips the weekend: Friday 17:00 to Monday 09:00 is one working hour', () => {
    expect(workingMinutes(at('2026-03-06T17:00:00'), at('2026-03-09T09:00:00'))).toBe(60);
  });

  it('is zero when the deadline is not after now', () => {
    expect(workingMinutes(at('2026-03-02T10:00:00'), at('2026-03-02T09:00:00'))).toBe(0);
  });

  it('formats instants in county time and durations in Chinese or English', () => {
    expect(formatInstant('2026-03-02T01:30:00.000Z')).toBe('2026-03-02 09:30');
    expect(formatInstant(null)).toBe('—');
    expect(duration(60 * 26 + 5, 'zh')).toBe('1天2小时5分钟');
    expect(duration(45, 'en')).toBe('45m');
  });
});

describe('working minutes on the county calendar (GET /v1/calendar)', () => {
  const national = BusinessCalendar.national();
  /** The calendar as the console keeps it, built from what the API serves (BusinessCalendar.days). */
  const calendarOf = (from: string, to: string, c: BusinessCalendar = national): WorkingCalendar => ({
    workingHours: c.workingHours,
    working: Object.fromEntries(c.days(from, to).map((d) => [d.date, d.working])),
  });
  const autumn = calendarOf('2026-09-01', '2026-10-31');

  it('skips the 国庆 holiday and counts the 调休 Saturday', () => {
    // Wed 30 Sep 17:00 → Sat 10 Oct 09:00: 30 min on 30 Sep, 1–7 Oct off, Thu 8 and Fri 9 (450 each), 30 min on Sat 10 (补班).
    const from = at('2026-09-30T17:00:00');
    const to = at('2026-10-10T09:00:00');
    expect(workingMinutes(from, to, autumn)).toBe(30 + 450 + 450 + 30);
    // The standard day (while the calendar loads) counts five holiday weekdays and not the Saturday.
    expect(workingMinutes(from, to)).toBe(30 + 7 * 450);
  });

  it('counts the 调休 Sunday before 国庆 and skips 中秋', () => {
    // Fri 18 Sep 17:30 → Mon 28 Sep 08:30: Sun 20 (补班), Mon 21 – Thu 24; Fri 25 – Sun 27 is 中秋.
    expect(workingMinutes(at('2026-09-18T17:30:00'), at('2026-09-28T08:30:00'), autumn)).toBe(5 * 450);
  });

  it('counts on the county’s own working hours', () => {
    const county = {
      ...autumn,
      workingHours: [
        { start: '09:00', end: '12:00' },
        { start: '14:00', end: '18:00' },
      ],
    };
    expect(workingMinutes(at('2026-10-09T08:00:00'), at('2026-10-09T15:00:00'), county)).toBe(180 + 60);
  });

  it('agrees with the deadline engine’s count at any two instants of a year with holidays and 调休', () => {
    const year = calendarOf('2026-01-01', '2026-12-31');
    const start = Date.parse('2026-01-01T00:00:00+08:00');
    const end = Date.parse('2026-12-31T00:00:00+08:00');
    // A fixed pseudo-random walk (reproducible): pairs of instants on every kind of day, at every kind of minute.
    let seed = 20261001;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return start + Math.floor(((seed / 2 ** 31) * (end - start)) / 60_000) * 60_000;
    };
    for (let i = 0; i < 300; i++) {
      const a = next();
      const b = Math.min(end, a + (next() - start) / 12);
      const engine = national.workingMinutesBetween(new Date(a), new Date(b));
      expect([new Date(a).toISOString(), new Date(b).toISOString(), workingMinutes(a, b, year)]).toEqual([
        new Date(a).toISOString(),
        new Date(b).toISOString(),
        Math.round(engine),
      ]);
    }
  });

  it('falls back to the standard day for a date the calendar does not list', () => {
    // 2026-03-02 (Mon) is not in the autumn calendar: counted as an ordinary weekday.
    expect(workingMinutes(at('2026-03-02T09:00:00'), at('2026-03-02T11:00:00'), autumn)).toBe(120);
  });

  it('names the county-time years an interval touches', () => {
    expect(localYears(at('2026-12-31T23:00:00'), at('2027-01-04T09:00:00'))).toEqual([2026, 2027]);
    // 2026-12-31T16:30Z is already 2027 in county time.
    expect(localYears(Date.parse('2026-12-31T16:30:00Z'), Date.parse('2026-12-31T17:00:00Z'))).toEqual([2027]);
  });
});
