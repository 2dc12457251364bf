/** The calendar file's shape and its validation, kept apart from the arithmetic. */

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
  years: Record<string, CalendarYear>;
  source?: string;
  notes?: string;
}

/**
 * The only place that knows zone offsets. Only fixed-offset zones are accepted, so local time is
 * UTC plus a constant; Asia/Shanghai has had no DST since 1991.
 */
export const FIXED_OFFSET_MINUTES: Readonly<Record<string, number>> = { 'Asia/Shanghai': 8 * 60 };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const FILE_KEYS = new Set(['version', 'timeZone', 'workingHours', 'years', 'source', 'notes']);
const YEAR_KEYS = new Set(['holidays', 'makeupWorkdays', 'source', 'notes']);

/** Days since 1970-01-01 for a real calendar date, else undefined (rejects 2025-02-30). */
export function dayNumber(date: unknown): number | undefined {
  if (typeof date !== 'string') return undefined;
  const m = DATE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / 86_400_000 : undefined;
}

/** Saturday or Sunday, for a day number from dayNumber(). 1970-01-01 was a Thursday. */
export function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return weekday === 0 || weekday === 6;
}

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
    problems.push(
      `timeZone: unsupported ${JSON.stringify(data.timeZone)} (supported: ${Object.keys(FIXED_OFFSET_MINUTES).join(', ')})`,
    );
  }
  checkWorkingHours(data.workingHours, problems);
  checkYears(data.years, problems);
  return problems;
}

function checkWorkingHours(v: unknown, problems: string[]): void {
  if (!Array.isArray(v) || v.length === 0) return void problems.push('workingHours: must be a non-empty array');
  let previousEnd = -1;
  v.forEach((p, i) => {
    const at = `workingHours[${i}]`;
    if (!isObject(p)) return void problems.push(`${at}: must be an object`);
    unknownKeys(p, new Set(['start', 'end']), at, problems);
    const start = p.start === '24:00' ? undefined : minuteOfDay(p.start);
    const end = minuteOfDay(p.end);
    if (start === undefined) problems.push(`${at}.start: must be HH:MM: ${JSON.stringify(p.start)}`);
    if (end === undefined) problems.push(`${at}.end: must be HH:MM: ${JSON.stringify(p.end)}`);
    if (start === undefined || end === undefined) return;
    if (start >= end) problems.push(`${at}: start ${p.start} must be before end ${p.end}`);
    else if (start < previousEnd) problems.push(`${at}: overlaps or is out of order with workingHours[${i - 1}]`);
    previousEnd = Math.max(previousEnd, end);
  });
}

function checkYears(v: unknown, problems: string[]): void {
  if (!isObject(v) || Object.keys(v).length === 0) return void problems.push('years: must be a non-empty object');
  for (const [year, y] of Object.entries(v)) {
    const at = `years.${year}`;
    if (!/^\d{4}$/.test(year)) problems.push(`${at}: key must be a four-digit year`);
    if (!isObject(y)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    unknownKeys(y, YEAR_KEYS, at, problems);
    const holidays = checkDates(y.holidays, year, `${at}.holidays`, problems);
    const makeup = checkDates(y.makeupWorkdays, year, `${at}.makeupWorkdays`, problems);
    for (const [date, day] of makeup) {
      if (holidays.has(date)) problems.push(`${at}: ${date} is both a holiday and a makeup workday`);
      if (!isWeekend(day)) problems.push(`${at}.makeupWorkdays: ${date} is not a Saturday or Sunday`);
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
    if (day === undefined) return void problems.push(`${at}[${i}]: not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
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
