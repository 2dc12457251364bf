/** The calendar file's shape and its validation, kept apart from the arithmetic. */
import { dayNumber, isWeekend } from './days';
import { isDerivable, statutoryHolidays } from './statutory';

export { dayNumber, isWeekend };

export interface WorkingPeriod {
  /** 'HH:MM' local time, inclusive. */
  start: string;
  /** 'HH:MM' local time, exclusive. */
  end: string;
}

export interface CalendarYear {
  /** Days off ('YYYY-MM-DD'); weekend days inside a holiday range may be listed too. */
  holidays: string[];
  /** Weekend days that are working days (调休补班). */
  makeupWorkdays: string[];
  source?: string;
  notes?: string;
}

export interface CalendarData {
  version: string;
  timeZone: string;
  workingHours: WorkingPeriod[];
  /** The official arrangements loaded; a year not here is derived provisionally (statutory.ts). */
  years: Record<string, CalendarYear>;
  /** County overlays by county id (the directory's): local holidays and working hours. */
  counties?: Record<string, CountyOverlay>;
  source?: string;
  notes?: string;
}

/** A recurring local holiday, e.g. 广西's 壮族三月三: lunar month 3, day 3, two days. */
export interface LocalHoliday {
  name: string;
  /** 'MM-DD' of the lunar calendar (day 1–29: not every lunar month has a 30th), or of the solar one. */
  lunar?: string;
  solar?: string;
  /** Consecutive days off from that date. */
  days: number;
}

/** What one county adds to the national calendar. */
export interface CountyOverlay {
  version: string;
  /** Replaces the national working hours for this county. */
  workingHours?: WorkingPeriod[];
  /** Days off every year, official or provisional; a weekend day among them is not compensated. */
  localHolidays?: LocalHoliday[];
  /** A year's local notice: extra days off and make-up working days of this county only. */
  years?: Record<string, CalendarYear>;
  source?: string;
  notes?: string;
}

/** One official arrangement as a file of its own (`<YYYY>.json` in CALENDAR_DIR). */
export interface CalendarYearFile extends CalendarYear {
  year: string;
  version: string;
}

/**
 * The only place that knows zone offsets. Only fixed-offset zones are accepted, so local time is
 * UTC plus a constant; Asia/Shanghai has had no DST since 1991.
 */
export const FIXED_OFFSET_MINUTES: Readonly<Record<string, number>> = { 'Asia/Shanghai': 8 * 60 };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const FILE_KEYS = new Set(['version', 'timeZone', 'workingHours', 'years', 'counties', 'source', 'notes']);
const YEAR_KEYS = new Set(['holidays', 'makeupWorkdays', 'source', 'notes']);
const YEAR_FILE_KEYS = new Set([...YEAR_KEYS, 'year', 'version']);
const COUNTY_KEYS = new Set(['version', 'workingHours', 'localHolidays', 'years', 'source', 'notes']);
const LOCAL_HOLIDAY_KEYS = new Set(['name', 'lunar', 'solar', 'days']);
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** Minutes after midnight for 'HH:MM', else undefined. '24:00' is allowed as an end of day. */
export function minuteOfDay(hhmm: unknown): number | undefined {
  if (hhmm === '24:00') return 24 * 60;
  if (typeof hhmm !== 'string') return undefined;
  const m = HHMM.exec(hhmm);
  return m ? +m[1] * 60 + +m[2] : undefined;
}

export function validateCalendarData(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(data)) return ['top level: must be an object'];
  unknownKeys(data, FILE_KEYS, 'top level', problems);
  if (!nonEmptyString(data.version)) problems.push('version: must be a non-empty string');
  for (const k of ['source', 'notes'] as const) {
    if (data[k] !== undefined && typeof data[k] !== 'string') problems.push(`${k}: must be a string when present`);
  }
  if (typeof data.timeZone !== 'string' || !(data.timeZone in FIXED_OFFSET_MINUTES)) {
    problems.push(`timeZone: unsupported ${JSON.stringify(data.timeZone)} (supported: ${Object.keys(FIXED_OFFSET_MINUTES).join(', ')})`);
  }
  checkWorkingHours(data.workingHours, 'workingHours', problems);
  if (!isObject(data.years) || Object.keys(data.years).length === 0) problems.push('years: must be a non-empty object');
  else for (const [year, y] of Object.entries(data.years)) checkYear(year, y, `years.${year}`, YEAR_KEYS, true, problems);
  if (data.counties !== undefined) checkCounties(data.counties, problems);
  return problems;
}

/** A yearly file of CALENDAR_DIR; `year` is the one its file name gives. */
export function validateYearFile(data: unknown, year: string): string[] {
  const problems: string[] = [];
  const at = `years.${year}`;
  if (!isObject(data)) return [`${at}: must be an object`];
  if (data.year !== year) problems.push(`${at}.year: must be ${JSON.stringify(year)} as the file name says, got ${JSON.stringify(data.year)}`);
  if (!nonEmptyString(data.version)) problems.push(`${at}.version: must be a non-empty string`);
  checkYear(year, data, at, YEAR_FILE_KEYS, true, problems);
  return problems;
}

function checkCounties(v: unknown, problems: string[]): void {
  if (!isObject(v)) return void problems.push('counties: must be an object keyed by county id');
  for (const [countyId, c] of Object.entries(v)) {
    const at = `counties.${countyId}`;
    if (!isObject(c)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    unknownKeys(c, COUNTY_KEYS, at, problems);
    if (!nonEmptyString(c.version)) problems.push(`${at}.version: must be a non-empty string`);
    if (c.workingHours !== undefined) checkWorkingHours(c.workingHours, `${at}.workingHours`, problems);
    if (c.localHolidays !== undefined) checkLocalHolidays(c.localHolidays, `${at}.localHolidays`, problems);
    if (c.years !== undefined) {
      if (!isObject(c.years)) problems.push(`${at}.years: must be an object`);
      else for (const [year, y] of Object.entries(c.years)) checkYear(year, y, `${at}.years.${year}`, YEAR_KEYS, false, problems);
    }
  }
}

function checkLocalHolidays(v: unknown, at: string, problems: string[]): void {
  if (!Array.isArray(v)) return void problems.push(`${at}: must be an array`);
  v.forEach((h, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(h)) {
      problems.push(`${here}: must be an object`);
      return;
    }
    unknownKeys(h, LOCAL_HOLIDAY_KEYS, here, problems);
    if (!nonEmptyString(h.name)) problems.push(`${here}.name: must be a non-empty string`);
    if ((h.lunar === undefined) === (h.solar === undefined)) problems.push(`${here}: give exactly one of lunar or solar ('MM-DD')`);
    for (const k of ['lunar', 'solar'] as const) {
      if (h[k] === undefined) continue;
      const m = typeof h[k] === 'string' ? MONTH_DAY.exec(h[k] as string) : null;
      if (!m || +m[1] < 1 || +m[1] > 12 || +m[2] < 1 || +m[2] > (k === 'lunar' ? 29 : 31))
        problems.push(`${here}.${k}: must be MM-DD: ${JSON.stringify(h[k])}`);
    }
    if (!Number.isInteger(h.days) || (h.days as number) < 1 || (h.days as number) > 7)
      problems.push(`${here}.days: must be a whole number from 1 to 7: ${JSON.stringify(h.days)}`);
  });
}

function checkWorkingHours(v: unknown, name: string, problems: string[]): void {
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${name}: must be a non-empty array`);
  let previousEnd = -1;
  v.forEach((p, i) => {
    const at = `${name}[${i}]`;
    if (!isObject(p)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    unknownKeys(p, new Set(['start', 'end']), at, problems);
    const start = p.start === '24:00' ? undefined : minuteOfDay(p.start);
    const end = minuteOfDay(p.end);
    if (start === undefined) problems.push(`${at}.start: must be HH:MM: ${JSON.stringify(p.start)}`);
    if (end === undefined) problems.push(`${at}.end: must be HH:MM: ${JSON.stringify(p.end)}`);
    if (start === undefined || end === undefined) return;
    if (start >= end) problems.push(`${at}: start ${p.start} must be before end ${p.end}`);
    else if (start < previousEnd) problems.push(`${at}: overlaps or is out of order with ${name}[${i - 1}]`);
    previousEnd = Math.max(previousEnd, end);
  });
}

/**
 * One year's arrangement. A national one (`statutory`) must give every statutory day of the 放假办法 off:
 * a notice typed in without, say, 元旦 is a typing error, not a policy.
 */
function checkYear(year: string, y: unknown, at: string, keys: Set<string>, statutory: boolean, problems: string[]): void {
  if (!/^\d{4}$/.test(year)) problems.push(`${at}: key must be a four-digit year`);
  if (!isObject(y)) return void problems.push(`${at}: must be an object`);
  unknownKeys(y, keys, at, problems);
  const holidays = checkDates(y.holidays, year, `${at}.holidays`, problems);
  const makeup = checkDates(y.makeupWorkdays, year, `${at}.makeupWorkdays`, problems);
  for (const [date, day] of makeup) {
    if (holidays.has(date)) problems.push(`${at}: ${date} is both a holiday and a makeup workday`);
    if (!isWeekend(day)) problems.push(`${at}.makeupWorkdays: ${date} is not a Saturday or Sunday`);
  }
  if (!statutory || !/^\d{4}$/.test(year) || !isDerivable(+year) || !Array.isArray(y.holidays)) return;
  for (const { name, dates } of statutoryHolidays(+year)) {
    for (const date of dates) {
      const day = dayNumber(date)!;
      const off = holidays.has(date) || (isWeekend(day) && !makeup.has(date));
      if (!off) problems.push(`${at}.holidays: missing statutory day ${date} (${name})`);
    }
  }
}

function checkDates(v: unknown, year: string, at: string, problems: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  if (!Array.isArray(v)) {
    problems.push(`${at}: must be an array`);
    return seen;
  }
  v.forEach((date, i) => {
    const day = dayNumber(date);
    if (day === undefined) {
      problems.push(`${at}[${i}]: not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
      return;
    }
    const d = date as string;
    if (!d.startsWith(`${year}-`)) problems.push(`${at}[${i}]: ${d} is not in ${year}`);
    if (seen.has(d)) problems.push(`${at}[${i}]: duplicate ${d}`);
    seen.set(d, day);
  });
  return seen;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

// Rejecting unknown keys catches misspellings (e.g. "makeupWorkDays") that would otherwise drop data silently.
function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, at: string, problems: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) problems.push(`${at}: unknown field ${JSON.stringify(k)}`);
}
