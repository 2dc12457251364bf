import { BusinessCalendar, CalendarError } from './index';

// All instants below are written in Beijing time (+08:00); expected values are UTC ISO strings,
// i.e. local time minus 8 hours. Working hours: 08:30–12:00 (210 min) and 13:30–17:30 (240 min).
const cal = BusinessCalendar.national();
const at = (local: string) => new Date(local);
const iso = (d: Date) => d.toISOString();

function calendarError(fn: () => unknown): CalendarError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarError);
    return e as CalendarError;
  }
  throw new Error('expected a CalendarError');
}

describe('national calendar data', () => {
  it('is versioned, in Asia/Shanghai, covering 2025 and 2026', () => {
    expect(cal.version).toMatch(/\S/);
    expect(cal.timeZone).toBe('Asia/Shanghai');
    expect(cal.officialYears).toEqual(['2025', '2026']);
    expect(cal.workingHours).toEqual([
      { start: '08:30', end: '12:00' },
      { start: '13:30', end: '17:30' },
    ]);
  });

  it.each([
    // [date, working?, why]
    ['2025-01-01', false, '元旦 (Wed)'],
    ['2025-01-26', true, '春节 makeup Sunday'],
    ['2025-01-28', false, '除夕 (Tue)'],
    ['2025-02-04', false, '正月初七 (Tue), last day off'],
    ['2025-02-05', true, 'first working day after 春节'],
    ['2025-02-08', true, '春节 makeup Saturday'],
    ['2025-02-09', false, 'ordinary Sunday'],
    ['2025-03-05', true, 'ordinary Wednesday'],
    ['2025-03-08', false, 'ordinary Saturday'],
    ['2025-04-04', false, '清明 (Fri)'],
    ['2025-04-27', true, '劳动节 makeup Sunday'],
    ['2025-05-05', false, '劳动节 (Mon)'],
    ['2025-06-02', false, '端午 (Mon)'],
    ['2025-09-28', true, '国庆 makeup Sunday'],
    ['2025-10-08', false, '国庆+中秋 last day (Wed)'],
    ['2025-10-11', true, '国庆 makeup Saturday'],
    ['2026-01-02', false, '元旦 (Fri)'],
    ['2026-01-04', true, '元旦 makeup Sunday'],
    ['2026-02-14', true, '春节 makeup Saturday (before)'],
    ['2026-02-16', false, '除夕 (Mon)'],
    ['2026-02-23', false, '正月初七 (Mon), last day off'],
    ['2026-02-24', true, 'first working day after 春节'],
    ['2026-02-28', true, '春节 makeup Saturday (after)'],
    ['2026-04-06', false, '清明 (Mon)'],
    ['2026-05-09', true, '劳动节 makeup Saturday'],
    ['2026-06-19', false, '端午 (Fri)'],
    ['2026-09-20', true, '国庆 makeup Sunday'],
    ['2026-09-25', false, '中秋 (Fri)'],
    ['2026-10-07', false, '国庆 last day (Wed)'],
    ['2026-10-10', true, '国庆 makeup Saturday'],
  ])('%s working=%p (%s)', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it('has 248 working days in each of 2025 and 2026', () => {
    // 2025: 365 − 104 weekend days − 18 weekday holidays + 5 makeup days = 248.
    // 2026: 365 − 104 weekend days − 19 weekday holidays + 6 makeup days = 248.
    const count = (year: number) => {
      let n = 0;
      for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
        if (cal.isWorkingDay(d.toISOString().slice(0, 10))) n++;
      }
      return n;
    };
    expect(count(2025)).toBe(248);
    expect(count(2026)).toBe(248);
  });

  it('localDate uses Beijing time, not UTC', () => {
    // 2025-01-01 00:30 +08:00 is still 2024-12-31 in UTC.
    expect(cal.localDate(at('2025-01-01T00:30:00+08:00'))).toBe('2025-01-01');
  });
});

describe('addWorkingMinutes / addWorkingHours on an ordinary day', () => {
  it('counts inside the morning period', () => {
    // Wed 2025-03-05 09:00 + 120 min = 11:00 local = 03:00Z.
    expect(iso(cal.addWorkingMinutes(at('2025-03-05T09:00:00+08:00'), 120))).toBe('2025-03-05T03:00:00.000Z');
  });

  it('skips the lunch break', () => {
    // 11:00 → 12:00 uses 60; the other 60 run 13:30 → 14:30 local = 06:30Z.
    expect(iso(cal.addWorkingHours(at('2025-03-05T11:00:00+08:00'), 2))).toBe('2025-03-05T06:30:00.000Z');
  });

  it('a start during the lunch break counts from 13:30', () => {
    // 12:30 is lunch; 13:30 + 2 h = 15:30 local = 07:30Z.
    expect(iso(cal.addWorkingHours(at('2025-03-05T12:30:00+08:00'), 2))).toBe('2025-03-05T07:30:00.000Z');
  });

  it('a deadline landing on a period end stays there (12:00, not 13:30)', () => {
    // 10:00 + 120 min = 12:00 local = 04:00Z.
    expect(iso(cal.addWorkingMinutes(at('2025-03-05T10:00:00+08:00'), 120))).toBe('2025-03-05T04:00:00.000Z');
  });

  it('rolls past 17:30 into the next morning', () => {
    // 16:30 → 17:30 uses 60; Thu 03-06 08:30 + 60 = 09:30 local = 01:30Z.
    expect(iso(cal.addWorkingMinutes(at('2025-03-05T16:30:00+08:00'), 120))).toBe('2025-03-06T01:30:00.000Z');
  });

  it('a Friday evening start waits for Monday', () => {
    // Fri 2025-03-07 19:00 → Sat/Sun off → Mon 03-10 08:30 + 30 = 09:00 local = 01:00Z.
    expect(iso(cal.addWorkingMinutes(at('2025-03-07T19:00:00+08:00'), 30))).toBe('2025-03-10T01:00:00.000Z');
  });

  it('adding 0 returns the start unchanged, even outside working hours', () => {
    expect(iso(cal.addWorkingMinutes(at('2025-03-08T03:00:00+08:00'), 0))).toBe('2025-03-07T19:00:00.000Z');
  });

  it('keeps seconds and milliseconds of the start', () => {
    // 09:00:30.250 + 1 min = 09:01:30.250 local = 01:01:30.250Z.
    expect(iso(cal.addWorkingMinutes(at('2025-03-05T09:00:30.250+08:00'), 1))).toBe('2025-03-05T01:01:30.250Z');
  });
});

describe('across 春节 2025 (off 01-28..02-04; makeup Sun 01-26 and Sat 02-08)', () => {
  it('a start on the makeup Sunday counts that Sunday as a working day', () => {
    // Sun 01-26 10:00 + 120 min = 12:00 the same Sunday local = 04:00Z.
    expect(iso(cal.addWorkingMinutes(at('2025-01-26T10:00:00+08:00'), 120))).toBe('2025-01-26T04:00:00.000Z');
    // Sun 16:00 + 4 h: 90 min to 17:30, then Mon 01-27 08:30 + 150 = 11:00 local = 03:00Z.
    expect(iso(cal.addWorkingHours(at('2025-01-26T16:00:00+08:00'), 4))).toBe('2025-01-27T03:00:00.000Z');
  });

  it('the last working afternoon before the holiday resumes on 02-05', () => {
    // Mon 01-27 16:00: 90 min to 17:30, remaining 30 resume Wed 02-05 08:30 → 09:00 local = 01:00Z.
    expect(iso(cal.addWorkingHours(at('2025-01-27T16:00:00+08:00'), 2))).toBe('2025-02-05T01:00:00.000Z');
  });

  it('working days count the makeup Saturday', () => {
    // From Mon 01-27: 02-05 (1), 02-06 (2), 02-07 (3), Sat 02-08 (4), Mon 02-10 (5) → 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-01-27T10:00:00+08:00'), 5))).toBe('2025-02-10T09:30:00.000Z');
  });
});

describe('across 春节 2026 (off 02-15..02-23; makeup Sat 02-14 and Sat 02-28)', () => {
  it('a full working day spills onto the makeup Saturday before the holiday', () => {
    // Fri 02-13 15:00 + 450 min: 150 to 17:30; Sat 02-14 morning 210; afternoon 13:30 + 90 = 15:00 local = 07:00Z.
    expect(iso(cal.addWorkingMinutes(at('2026-02-13T15:00:00+08:00'), 450))).toBe('2026-02-14T07:00:00.000Z');
  });

  it('from the makeup Saturday evening, counting resumes on 02-24', () => {
    // Sat 02-14 17:00: 30 min to 17:30; Tue 02-24 08:30 + 90 = 10:00 local = 02:00Z.
    expect(iso(cal.addWorkingHours(at('2026-02-14T17:00:00+08:00'), 2))).toBe('2026-02-24T02:00:00.000Z');
  });

  it('10 working days count both makeup Saturdays', () => {
    // From Fri 02-13: Sat 02-14 (1), 02-24 (2), 02-25 (3), 02-26 (4), 02-27 (5), Sat 02-28 (6),
    // 03-02 (7), 03-03 (8), 03-04 (9), Thu 03-05 (10) → 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2026-02-13T09:00:00+08:00'), 10))).toBe('2026-03-05T09:30:00.000Z');
  });
});

describe('国庆 2025 (off 10-01..10-08; makeup Sun 09-28 and Sat 10-11)', () => {
  it('a start at 22:00 the evening before the holiday waits for 10-09', () => {
    // Tue 09-30 22:00 → nothing until Thu 10-09 08:30; + 2 h = 10:30 local = 02:30Z.
    expect(iso(cal.addWorkingHours(at('2025-09-30T22:00:00+08:00'), 2))).toBe('2025-10-09T02:30:00.000Z');
  });

  it('3 working days from that evening end on the makeup Saturday', () => {
    // After 09-30: Thu 10-09 (1), Fri 10-10 (2), Sat 10-11 makeup (3) → 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-09-30T22:00:00+08:00'), 3))).toBe('2025-10-11T09:30:00.000Z');
  });

  it('the makeup Sunday before the holiday is a working day', () => {
    // Sat 09-27 is off; Sun 09-28 08:30 + 60 = 09:30 local = 01:30Z.
    expect(iso(cal.addWorkingMinutes(at('2025-09-27T11:00:00+08:00'), 60))).toBe('2025-09-28T01:30:00.000Z');
  });
});

describe('劳动节', () => {
  it('2025: Wed 04-30 17:00 + 1 h resumes on Tue 05-06', () => {
    // 30 min to 17:30; 05-01..05-05 off; 05-06 08:30 + 30 = 09:00 local = 01:00Z.
    expect(iso(cal.addWorkingHours(at('2025-04-30T17:00:00+08:00'), 1))).toBe('2025-05-06T01:00:00.000Z');
  });

  it('2025: 2 working days from Fri 04-25 use the makeup Sunday 04-27', () => {
    // Sat 04-26 off, Sun 04-27 (1), Mon 04-28 (2) → 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-04-25T10:00:00+08:00'), 2))).toBe('2025-04-28T09:30:00.000Z');
  });

  it('2026: 5 working days from Thu 04-30 use the makeup Saturday 05-09', () => {
    // 05-01..05-05 off; 05-06 (1), 05-07 (2), 05-08 (3), Sat 05-09 (4), Mon 05-11 (5) → 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2026-04-30T15:00:00+08:00'), 5))).toBe('2026-05-11T09:30:00.000Z');
  });
});

describe('元旦 and year ends', () => {
  it('2025→2026: 12-31 afternoon resumes on the makeup Sunday 2026-01-04', () => {
    // Wed 12-31 16:00: 90 min to 17:30; 01-01..01-03 off; Sun 01-04 08:30 + 90 = 10:00 local = 02:00Z.
    expect(iso(cal.addWorkingHours(at('2025-12-31T16:00:00+08:00'), 3))).toBe('2026-01-04T02:00:00.000Z');
  });

  it('2025→2026: 2 working days from 12-31 are Sun 01-04 and Mon 01-05', () => {
    // → Mon 2026-01-05 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-12-31T10:00:00+08:00'), 2))).toBe('2026-01-05T09:30:00.000Z');
  });

  it('00:00 on 2025-01-01 local is 2024 in UTC but is judged by the local date', () => {
    // 2025-01-01T00:00+08:00 = 2024-12-31T16:00Z. 元旦 off; Thu 01-02 08:30 + 60 = 09:30 local = 01:30Z.
    expect(iso(cal.addWorkingMinutes(at('2025-01-01T00:00:00+08:00'), 60))).toBe('2025-01-02T01:30:00.000Z');
  });
});

describe('addWorkingDays: the start day never counts', () => {
  it('from a Saturday, the 1st working day is Monday', () => {
    // Sat 2025-03-08 → Mon 03-10 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-03-08T10:00:00+08:00'), 1))).toBe('2025-03-10T09:30:00.000Z');
  });

  it('from before office hours on a Monday, the 1st working day is still Tuesday', () => {
    // Mon 2025-03-10 07:00 → Tue 03-11 17:30 local = 09:30Z.
    expect(iso(cal.addWorkingDays(at('2025-03-10T07:00:00+08:00'), 1))).toBe('2025-03-11T09:30:00.000Z');
  });

  it('0 days returns the start; negative or fractional days are refused', () => {
    expect(iso(cal.addWorkingDays(at('2025-03-10T07:00:00+08:00'), 0))).toBe('2025-03-09T23:00:00.000Z');
    expect(calendarError(() => cal.addWorkingDays(at('2025-03-10T07:00:00+08:00'), -1)).code).toBe('CALENDAR.BAD_ARGUMENT');
    expect(calendarError(() => cal.addWorkingDays(at('2025-03-10T07:00:00+08:00'), 1.5)).code).toBe('CALENDAR.BAD_ARGUMENT');
  });
});

describe('natural time (emergencies)', () => {
  it('30 natural minutes run straight through a holiday night', () => {
    // 国庆 night: 2025-10-01 23:50 + 30 = 10-02 00:20 local = 2025-10-01T16:20Z.
    expect(iso(cal.addNaturalMinutes(at('2025-10-01T23:50:00+08:00'), 30))).toBe('2025-10-01T16:20:00.000Z');
  });

  it('needs no holiday data, so it works in any year', () => {
    expect(iso(cal.addNaturalMinutes(at('2030-01-01T00:00:00Z'), 30))).toBe('2030-01-01T00:30:00.000Z');
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working time', () => {
    // Mon 2025-01-27 16:00 → Wed 02-05 09:00: 90 (Mon) + 30 (Wed) = 120.
    expect(cal.workingMinutesBetween(at('2025-01-27T16:00:00+08:00'), at('2025-02-05T09:00:00+08:00'))).toBe(120);
    expect(cal.workingMinutesBetween(at('2025-02-05T09:00:00+08:00'), at('2025-01-27T16:00:00+08:00'))).toBe(0);
  });

  it('inverts addWorkingMinutes from many starts', () => {
    const starts = ['2025-01-24T17:10:00+08:00', '2025-09-30T22:00:00+08:00', '2026-02-13T12:15:00+08:00', '2025-12-31T08:00:00+08:00'];
    for (const s of starts) {
      for (const m of [1, 45, 210, 451, 3000]) {
        expect(cal.workingMinutesBetween(at(s), cal.addWorkingMinutes(at(s), m))).toBe(m);
      }
    }
  });
});

describe('years outside the official data', () => {
  it('a year without its official arrangement is provisional, not refused', () => {
    expect(cal.yearStatus(2027)).toBe('provisional');
    // Mon 2027-01-04 is an ordinary working day of the derived 2027 (元旦 is Fri 01-01).
    expect(cal.isWorkingDay('2027-01-04')).toBe(true);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);
  });

  it('counting that runs past 2026-12-31 continues into the provisional year and says so', () => {
    // Thu 12-31 17:00: 30 min fit, the other 30 on Mon 2027-01-04 (Fri 元旦, then the weekend).
    const { value, provisionalYears } = cal.traced(() => cal.addWorkingHours(at('2026-12-31T17:00:00+08:00'), 1));
    expect(iso(value)).toBe(iso(at('2027-01-04T09:00:00+08:00')));
    expect(provisionalYears).toEqual(['2027']);
    expect(cal.traced(() => cal.addWorkingHours(at('2026-12-30T10:00:00+08:00'), 1)).provisionalYears).toEqual([]);
  });

  it('judges the year by the local date: 2027-01-01 00:30 +08:00 is 2026 in UTC', () => {
    expect(cal.traced(() => cal.addWorkingMinutes(at('2027-01-01T00:30:00+08:00'), 1)).provisionalYears).toEqual(['2027']);
  });

  it('refuses only years that can be neither loaded nor derived', () => {
    expect(cal.yearStatus(1900)).toBe('missing');
    expect(cal.yearStatus(2100)).toBe('missing');
    const e = calendarError(() => cal.isWorkingDay('2100-01-04'));
    expect(e.code).toBe('CALENDAR.YEAR_NOT_COVERED');
    expect(e.message).toMatch(/2100/);
    expect(calendarError(() => cal.addWorkingMinutes(at('1900-06-04T09:00:00+08:00'), 0)).code).toBe('CALENDAR.YEAR_NOT_COVERED');
  });
});

describe('bad arguments', () => {
  it.each([
    ['an invalid date string', () => cal.isWorkingDay('2025-02-30')],
    ['an invalid instant', () => cal.addWorkingMinutes(new Date('nope'), 1)],
    ['negative minutes', () => cal.addWorkingMinutes(at('2025-03-05T09:00:00+08:00'), -1)],
    ['infinite minutes', () => cal.addNaturalMinutes(at('2025-03-05T09:00:00+08:00'), Infinity)],
  ])('%s → CALENDAR.BAD_ARGUMENT', (_, fn) => {
    expect(calendarError(fn).code).toBe('CALENDAR.BAD_ARGUMENT');
  });
});
