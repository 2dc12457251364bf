import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BusinessCalendar, CalendarInvalid, CalendarRegistry, calendarCoverage, loadCalendar, provisionalYear, statutoryHolidays } from './index';

const national = BusinessCalendar.national();
const at = (local: string) => new Date(`${local}+08:00`);
const cst = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

/** The official 2027 arrangement as a test fixture (not the real notice): 元旦 1–3 Jan and 4 Jan off. */
const official2027 = (extra: Partial<Record<string, unknown>> = {}) => ({
  year: '2027',
  version: 'test-2027.1',
  source: 'test fixture, not the State Council notice',
  holidays: [...provisionalYear(2027).holidays, '2027-01-04'].sort(),
  makeupWorkdays: [],
  ...extra,
});

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'chuishao-calendar-'));
}

describe('statutory holidays (《全国年节及纪念日放假办法》, 2024 revision)', () => {
  it.each([2025, 2026])('every derived statutory and compensation day of %i is a holiday in the official arrangement shipped', (year) => {
    const official = national.daysOff(year);
    expect(official.status).toBe('official');
    const derived = statutoryHolidays(year).flatMap((h) => h.dates);
    expect(derived).toHaveLength(13);
    for (const date of [...derived, ...provisionalYear(year).compensation.map((c) => c.date)]) expect(official.holidays).toContain(date);
  });

  it('derives 2027: 春节 from 除夕 (Fri 02-05), each weekend statutory day compensated on the next free weekday', () => {
    expect(statutoryHolidays(2027).map((h) => `${h.name} ${h.dates.join(' ')}`)).toEqual([
      '元旦 2027-01-01',
      '春节 2027-02-05 2027-02-06 2027-02-07 2027-02-08',
      '清明节 2027-04-05',
      '劳动节 2027-05-01 2027-05-02',
      '端午节 2027-06-09',
      '中秋节 2027-09-15',
      '国庆节 2027-10-01 2027-10-02 2027-10-03',
    ]);
    expect(provisionalYear(2027).compensation).toEqual([
      { date: '2027-02-09', for: '2027-02-06' },
      { date: '2027-02-10', for: '2027-02-07' },
      { date: '2027-05-03', for: '2027-05-01' },
      { date: '2027-05-04', for: '2027-05-02' },
      { date: '2027-10-04', for: '2027-10-02' },
      { date: '2027-10-05', for: '2027-10-03' },
    ]);
    expect(provisionalYear(2027).makeupWorkdays).toEqual([]);
  });

  it('a statutory day another holiday already took (中秋 on 国庆, 2028) is compensated too', () => {
    expect(provisionalYear(2028).compensation).toContainEqual({ date: '2028-10-05', for: '2028-10-03' });
  });

  it('on 2027-02-04 the provisional 春节 days are skipped', () => {
    const { value, provisionalYears } = national.traced(() => national.addWorkingDays(at('2027-02-04T10:00:00'), 3));
    // Off: Fri 02-05 (除夕) to Wed 02-10; then Thu 11, Fri 12, Mon 15.
    expect(cst(value)).toBe('2027-02-15T17:30');
    expect(provisionalYears).toEqual(['2027']);
  });

  it('names the provisional year in the version a computation rests on', () => {
    expect(national.versionWith(['2027'])).toBe(`${national.version}+provisional-2027`);
    expect(national.versionWith([])).toBe(national.version);
  });
});

describe('official arrangements as data', () => {
  it('a yearly file in CALENDAR_DIR makes its year official and names itself in the version', () => {
    const dir = tmp();
    try {
      writeFileSync(path.join(dir, '2027.json'), JSON.stringify(official2027()));
      const c = loadCalendar({ dir });
      expect(c.yearStatus(2027)).toBe('official');
      expect(c.version).toBe(`${national.version}+test-2027.1`);
      expect(c.isWorkingDay('2027-01-04')).toBe(false);
      expect(c.traced(() => c.addWorkingDays(at('2026-12-29T10:00:00'), 3)).provisionalYears).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'a bad date',
      { holidays: [...provisionalYear(2027).holidays, '2027-02-30'] },
      '2027.json: years.2027.holidays[19]: not a valid YYYY-MM-DD date: "2027-02-30"',
    ],
    ['a date outside its year', { makeupWorkdays: ['2026-12-26'] }, '2027.json: years.2027.makeupWorkdays[0]: 2026-12-26 is not in 2027'],
    ['a day both holiday and make-up day', { makeupWorkdays: ['2027-02-06'] }, '2027.json: years.2027: 2027-02-06 is both a holiday and a makeup workday'],
    [
      'a missing statutory day',
      { holidays: provisionalYear(2027).holidays.filter((d) => d !== '2027-01-01') },
      '2027.json: years.2027.holidays: missing statutory day 2027-01-01 (元旦)',
    ],
    ['the wrong year inside', { year: '2028' }, '2027.json: years.2027.year: must be "2027" as the file name says, got "2028"'],
  ])('refuses %s, naming the year and the field', (_, change, problem) => {
    const dir = tmp();
    try {
      writeFileSync(path.join(dir, '2027.json'), JSON.stringify(official2027(change)));
      let error: unknown;
      try {
        loadCalendar({ dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CalendarInvalid);
      expect((error as CalendarInvalid).problems).toContain(problem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a year given both in the calendar file and in the folder', () => {
    const dir = tmp();
    try {
      writeFileSync(path.join(dir, '2026.json'), JSON.stringify({ ...national.toData().years['2026'], year: '2026', version: 'again' }));
      expect(() => loadCalendar({ dir })).toThrow(/years\.2026: given both in cn-national\.json and in 2026\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CALENDAR_FILE in the bundled format still works, and a year in it is official', () => {
    const dir = tmp();
    try {
      const data = national.toData();
      const { year: _y, version: _v, ...arrangement } = official2027();
      data.years['2027'] = arrangement as (typeof data.years)[string];
      data.version = 'county-file-2027.1';
      const file = path.join(dir, 'calendar.json');
      writeFileSync(file, JSON.stringify(data));
      const c = loadCalendar({ file });
      expect(c.officialYears).toEqual(['2025', '2026', '2027']);
      expect(c.version).toBe('county-file-2027.1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the calendar in force (reload, last good snapshot)', () => {
  it('a reload that is refused keeps the calendar in force and says why; a good one replaces it', () => {
    const dir = tmp();
    try {
      const years = path.join(dir, 'years');
      require('node:fs').mkdirSync(years);
      const registry = CalendarRegistry.open({ dir: years, snapshotFile: path.join(dir, 'in-force.json') });
      const changes: string[] = [];
      registry.onChange((c) => changes.push(c.version));
      writeFileSync(path.join(years, '2027.json'), JSON.stringify(official2027({ makeupWorkdays: ['2027-02-06'] })));
      const refused = registry.reload();
      expect(refused).toMatchObject({ ok: false, refusal: { problems: [expect.stringContaining('years.2027: 2027-02-06 is both')] } });
      expect(registry.current.yearStatus(2027)).toBe('provisional');
      expect(registry.lastRefusal).not.toBeNull();
      writeFileSync(path.join(years, '2027.json'), JSON.stringify(official2027()));
      expect(registry.reload()).toEqual({ ok: true, version: `${national.version}+test-2027.1`, changed: true });
      expect(registry.current.yearStatus(2027)).toBe('official');
      expect(registry.lastRefusal).toBeNull();
      expect(changes).toEqual([`${national.version}+test-2027.1`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a start with a broken file serves on the last calendar in force, and reports the refusal', () => {
    const dir = tmp();
    try {
      const years = path.join(dir, 'years');
      require('node:fs').mkdirSync(years);
      const snapshotFile = path.join(dir, 'in-force.json');
      writeFileSync(path.join(years, '2027.json'), JSON.stringify(official2027()));
      CalendarRegistry.open({ dir: years, snapshotFile });
      writeFileSync(path.join(years, '2027.json'), '{ broken');
      const registry = CalendarRegistry.open({ dir: years, snapshotFile });
      expect(registry.current.yearStatus(2027)).toBe('official');
      expect(registry.lastRefusal?.problems.join()).toMatch(/2027\.json: not valid JSON/);
      const coverage = calendarCoverage(registry.current, at('2026-12-02T10:00:00'), registry.lastRefusal);
      expect(coverage.status).toBe('degraded');
      expect(coverage.advice).toMatch(/refused/);
      // Without a snapshot there is nothing to keep: the start is refused.
      expect(() => CalendarRegistry.open({ dir: years, snapshotFile: path.join(dir, 'none.json') })).toThrow(CalendarInvalid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('coverage (for /v1/health)', () => {
  it('lists each year and is degraded while a deadline within 60 days may fall in a provisional year', () => {
    const early = calendarCoverage(national, at('2026-06-01T10:00:00'));
    expect(early).toMatchObject({ status: 'ok', years: { '2025': 'official', '2026': 'official', '2027': 'provisional' }, provisionalSoon: [] });
    const late = calendarCoverage(national, at('2026-12-02T10:00:00'));
    expect(late).toMatchObject({ status: 'degraded', provisionalSoon: ['2027'] });
    expect(late.advice).toContain('国务院办公厅关于2027年部分节假日安排的通知');
    expect(calendarCoverage(national, at('2099-12-01T10:00:00')).years['2100']).toBe('missing');
  });
});

describe('county overlays', () => {
  const overlay = () => {
    const data = national.toData();
    data.counties = {
      'county-longsheng': {
        version: 'gx-longsheng-2026.1',
        workingHours: [
          { start: '08:00', end: '12:00' },
          { start: '14:30', end: '18:00' },
        ],
        localHolidays: [{ name: '壮族三月三', lunar: '03-03', days: 2 }],
      },
    };
    return BusinessCalendar.parse(data);
  };

  it('a county follows its local holidays and working hours; the others keep the national calendar', () => {
    const c = overlay();
    const local = c.forCounty('county-longsheng');
    // 三月三 2027 is Fri 04-09 (lunar 3/3), two days: Fri 9 and Sat 10 off.
    expect(local.isWorkingDay('2027-04-09')).toBe(false);
    expect(c.forCounty('county-qingchuan').isWorkingDay('2027-04-09')).toBe(true);
    expect(cst(local.addWorkingDays(at('2027-04-08T10:00:00'), 1))).toBe('2027-04-12T18:00');
    expect(cst(c.forCounty('county-qingchuan').addWorkingDays(at('2027-04-08T10:00:00'), 1))).toBe('2027-04-09T17:30');
    expect(local.version).toBe(`${national.version}+gx-longsheng-2026.1`);
    // 2026: 三月三 is Sun 04-19 and Mon 04-20.
    expect(local.isWorkingDay('2026-04-20')).toBe(false);
  });

  it('validates an overlay, naming the county and field', () => {
    const data = national.toData() as unknown as Record<string, unknown>;
    data.counties = {
      'county-x': { version: '', localHolidays: [{ name: '三月三', lunar: '03-30', days: 9 }], workingHours: [{ start: '14:00', end: '12:00' }] },
    };
    expect(() => BusinessCalendar.parse(data)).toThrow(CalendarInvalid);
    try {
      BusinessCalendar.parse(data);
    } catch (e) {
      expect((e as CalendarInvalid).problems).toEqual([
        'counties.county-x.version: must be a non-empty string',
        'counties.county-x.workingHours[0]: start 14:00 must be before end 12:00',
        'counties.county-x.localHolidays[0].lunar: must be MM-DD: "03-30"',
        'counties.county-x.localHolidays[0].days: must be a whole number from 1 to 7: 9',
      ]);
    }
  });
});
