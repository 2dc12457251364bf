import { BusinessCalendar, CalendarError, type CalendarDay } from './index';

const national = BusinessCalendar.national();
const byDate = (days: CalendarDay[]) => new Map(days.map((d) => [d.date, d]));

describe('BusinessCalendar.days: the dates of a range as a client needs them', () => {
  it('lists every date of the range, both ends included, in order', () => {
    const days = national.days('2026-09-28', '2026-10-12');
    expect(days.map((d) => d.date)).toEqual([
      '2026-09-28',
      '2026-09-29',
      '2026-09-30',
      ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((d) => `2026-10-${d}`),
    ]);
  });

  it('names the days of a break, weekends inside it too, and flags the 调休 Saturday and Sunday as working', () => {
    const d = byDate(national.days('2026-09-18', '2026-10-12'));
    for (const date of ['2026-10-01', '2026-10-03', '2026-10-07'])
      expect(d.get(date)).toEqual({ date, working: false, holiday: '国庆节', makeupWorkday: false, provisional: false });
    expect(d.get('2026-09-26')).toMatchObject({ working: false, holiday: '中秋节' });
    // 补班: Sun 20 Sep and Sat 10 Oct are working days.
    expect(d.get('2026-09-20')).toEqual({ date: '2026-09-20', working: true, holiday: null, makeupWorkday: true, provisional: false });
    expect(d.get('2026-10-10')).toMatchObject({ working: true, makeupWorkday: true });
    // An ordinary Sunday after the break, an ordinary Friday and the first day back.
    expect(d.get('2026-10-11')).toMatchObject({ working: false, holiday: null, makeupWorkday: false });
    expect(d.get('2026-09-18')).toMatchObject({ working: true, holiday: null, makeupWorkday: false });
    expect(d.get('2026-10-08')).toMatchObject({ working: true, holiday: null });
  });

  it('finds the break of a day outside the range, and names a break of two holidays as the notice does', () => {
    expect(national.days('2026-10-05', '2026-10-05')[0].holiday).toBe('国庆节');
    // 2025: 国庆 and 中秋 (6 Oct) in one break, 1–8 Oct.
    const d = byDate(national.days('2025-10-01', '2025-10-08'));
    expect([...d.values()].every((day) => day.holiday === '国庆节、中秋节' && !day.working)).toBe(true);
    expect(national.days('2026-02-15', '2026-02-23').every((day) => day.holiday === '春节')).toBe(true);
  });

  it('flags the days of a provisional year, with the statutory holidays and their compensation named', () => {
    const d = byDate(national.days('2026-12-31', '2027-01-04'));
    expect(d.get('2026-12-31')).toMatchObject({ provisional: false, working: true });
    expect(d.get('2027-01-01')).toEqual({ date: '2027-01-01', working: false, holiday: '元旦', makeupWorkday: false, provisional: true });
    // Sat 2 and Sun 3 Jan follow 元旦 (Fri): its break.
    expect(d.get('2027-01-03')).toMatchObject({ working: false, holiday: '元旦', provisional: true });
    expect(d.get('2027-01-04')).toMatchObject({ working: true, provisional: true });
    // 国庆 2027: Fri 1 Oct, then 2–3 Oct on the weekend, compensated on Mon 4 and Tue 5.
    const october = national.days('2027-10-01', '2027-10-06');
    expect(october.map((day) => [day.working, day.holiday])).toEqual([
      [false, '国庆节'],
      [false, '国庆节'],
      [false, '国庆节'],
      [false, '国庆节'],
      [false, '国庆节'],
      [true, null],
    ]);
    // No 调休 working day is guessed for a provisional year.
    expect(national.days('2027-01-01', '2027-12-31').some((day) => day.makeupWorkday)).toBe(false);
  });

  it("names a county's local holidays on its calendar only", () => {
    const data = national.toData();
    data.counties = { 'county-longsheng': { version: 'gx-1', localHolidays: [{ name: '壮族三月三', lunar: '03-03', days: 2 }] } };
    const c = BusinessCalendar.parse(data);
    // 三月三 2027: Fri 9 and Sat 10 Apr; Sun 11 is in its break.
    const local = byDate(c.forCounty('county-longsheng').days('2027-04-09', '2027-04-12'));
    expect([...local.values()].map((day) => day.holiday)).toEqual(['壮族三月三', '壮族三月三', '壮族三月三', null]);
    expect(c.forCounty('county-qingchuan').days('2027-04-09', '2027-04-09')[0]).toMatchObject({ working: true, holiday: null });
  });

  it('refuses a bad date, a reversed range and a year it does not cover', () => {
    expect(() => national.days('2026-02-30', '2026-03-01')).toThrow(CalendarError);
    expect(() => national.days('2026-03-02', '2026-03-01')).toThrow(/before/);
    expect(() => national.days('2099-12-30', '2100-01-02')).toThrow(expect.objectContaining({ code: 'CALENDAR.YEAR_NOT_COVERED' }));
    // The last covered day still names its break without looking into the uncovered year.
    expect(national.days('2099-12-31', '2099-12-31')).toHaveLength(1);
  });
});
