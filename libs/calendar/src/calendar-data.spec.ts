import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BusinessCalendar, CalendarInvalid } from './index';

/** 2025's statutory days (《全国年节及纪念日放假办法》): an official year must give them all off. */
const STATUTORY_2025 = [
  '2025-01-01',
  '2025-01-28',
  '2025-01-29',
  '2025-01-30',
  '2025-01-31',
  '2025-04-04',
  '2025-05-01',
  '2025-05-02',
  '2025-05-31',
  '2025-10-01',
  '2025-10-02',
  '2025-10-03',
  '2025-10-06',
];

const valid = (): Record<string, any> => ({
  version: 't1',
  timeZone: 'Asia/Shanghai',
  workingHours: [
    { start: '09:00', end: '12:00' },
    { start: '14:00', end: '18:00' },
  ],
  years: { '2025': { holidays: [...STATUTORY_2025], makeupWorkdays: ['2025-10-11'] } },
});

function problemsOf(data: unknown): string[] {
  try {
    BusinessCalendar.parse(data);
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarInvalid);
    expect((e as CalendarInvalid).code).toBe('CALENDAR.INVALID');
    return [...(e as CalendarInvalid).problems];
  }
  throw new Error('expected CalendarInvalid');
}

describe('calendar validation', () => {
  it('accepts the baseline and uses its own working hours', () => {
    const c = BusinessCalendar.parse(valid());
    expect(c.version).toBe('t1');
    // Fri 2025-10-10 17:30 + 60 min: 30 to 18:00; Sat 10-11 is a makeup day → 09:00 + 30 = 09:30 local = 01:30Z.
    expect(c.addWorkingMinutes(new Date('2025-10-10T17:30:00+08:00'), 60).toISOString()).toBe('2025-10-11T01:30:00.000Z');
  });

  it('a date both holiday and makeup', () => {
    const d = valid();
    d.years['2025'].holidays.push('2025-10-11');
    expect(problemsOf(d)).toEqual(['years.2025: 2025-10-11 is both a holiday and a makeup workday']);
  });

  it('a makeup day that is not a weekend', () => {
    const d = valid();
    d.years['2025'].makeupWorkdays = ['2025-10-10'];
    expect(problemsOf(d)).toEqual(['years.2025.makeupWorkdays: 2025-10-10 is not a Saturday or Sunday']);
  });

  it('malformed, impossible, misfiled and duplicate dates', () => {
    const d = valid();
    d.years['2025'].holidays = ['2025-2-1', '2025-02-30', '2026-01-01', '2025-10-01', '2025-10-01', ...STATUTORY_2025.filter((x) => x !== '2025-10-01')];
    expect(problemsOf(d)).toEqual([
      'years.2025.holidays[0]: not a valid YYYY-MM-DD date: "2025-2-1"',
      'years.2025.holidays[1]: not a valid YYYY-MM-DD date: "2025-02-30"',
      'years.2025.holidays[2]: 2026-01-01 is not in 2025',
      'years.2025.holidays[4]: duplicate 2025-10-01',
    ]);
  });

  it('working hours out of order, overlapping, empty or malformed', () => {
    const d = valid();
    d.workingHours = [
      { start: '14:00', end: '18:00' },
      { start: '09:00', end: '12:00' },
    ];
    expect(problemsOf(d)).toEqual(['workingHours[1]: overlaps or is out of order with workingHours[0]']);
    d.workingHours = [
      { start: '09:00', end: '12:30' },
      { start: '12:00', end: '18:00' },
    ];
    expect(problemsOf(d)).toEqual(['workingHours[1]: overlaps or is out of order with workingHours[0]']);
    d.workingHours = [{ start: '12:00', end: '12:00' }];
    expect(problemsOf(d)).toEqual(['workingHours[0]: start 12:00 must be before end 12:00']);
    d.workingHours = [{ start: '9:00', end: '25:00' }];
    expect(problemsOf(d)).toEqual(['workingHours[0].start: must be HH:MM: "9:00"', 'workingHours[0].end: must be HH:MM: "25:00"']);
    d.workingHours = [];
    expect(problemsOf(d)).toEqual(['workingHours: must be a non-empty array']);
  });

  it('reports every problem at once', () => {
    const d = valid();
    d.version = '';
    d.timeZone = 'Europe/Berlin';
    d.years['2025'].makeupWorkdays = ['2025-10-01', '2025-10-08'];
    d.years.y2024 = { holidays: [], makeupWorkdays: [], extra: 1 };
    expect(problemsOf(d)).toEqual([
      'version: must be a non-empty string',
      expect.stringMatching(/^timeZone: unsupported "Europe\/Berlin"/),
      'years.2025: 2025-10-01 is both a holiday and a makeup workday',
      'years.2025.makeupWorkdays: 2025-10-01 is not a Saturday or Sunday',
      'years.2025.makeupWorkdays: 2025-10-08 is not a Saturday or Sunday',
      'years.y2024: key must be a four-digit year',
      'years.y2024: unknown field "extra"',
    ]);
  });

  it('wrong shapes and malformed JSON', () => {
    expect(problemsOf([])).toEqual(['top level: must be an object']);
    expect(problemsOf({ ...valid(), years: {} })).toEqual(['years: must be a non-empty object']);
    const dir = mkdtempSync(path.join(tmpdir(), 'chuishao-calendar-'));
    try {
      const file = path.join(dir, 'bad.json');
      writeFileSync(file, '{ nope');
      expect(() => BusinessCalendar.load(file)).toThrow(CalendarInvalid);
      expect(() => BusinessCalendar.load(file)).toThrow(/invalid calendar .*bad\.json:\n {2}- not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('later changes to the input object do not change the calendar', () => {
    const d = valid();
    const c = BusinessCalendar.parse(d);
    d.years['2025'].holidays.push('2025-10-10');
    d.workingHours[0].start = '00:00';
    expect(c.isWorkingDay('2025-10-10')).toBe(true);
    expect(c.workingHours[0].start).toBe('09:00');
  });
});
