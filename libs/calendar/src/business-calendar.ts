import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type CalendarData,
  type WorkingPeriod,
  FIXED_OFFSET_MINUTES,
  dayNumber,
  isWeekend,
  minuteOfDay,
  validateCalendarData,
} from './calendar-data';
import { CalendarError, CalendarInvalid } from './errors';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NATIONAL = 'libs/calendar/data/cn-national.json';

/**
 * A county's business calendar: which local days are working days (weekends, statutory holidays,
 * 调休 makeup days) and which hours of them count. All arithmetic runs on "local milliseconds"
 * (UTC + the zone's fixed offset), so a local day is simply floor(local / DAY).
 * Days in a year without data throw CALENDAR.YEAR_NOT_COVERED: guessing would silently turn
 * holidays into working days.
 */
export class BusinessCalendar {
  readonly coveredYears: readonly string[];
  private readonly offsetMs: number;
  /** Working periods as [startMs, endMs) after local midnight, ordered. */
  private readonly periods: ReadonlyArray<readonly [number, number]>;
  private readonly holidays: ReadonlySet<string>;
  private readonly makeup: ReadonlySet<string>;

  private constructor(private readonly data: CalendarData) {
    this.offsetMs = FIXED_OFFSET_MINUTES[data.timeZone] * MINUTE;
    this.periods = data.workingHours.map((p) => [minuteOfDay(p.start)! * MINUTE, minuteOfDay(p.end)! * MINUTE] as const);
    this.coveredYears = Object.freeze(Object.keys(data.years).sort());
    this.holidays = new Set(Object.values(data.years).flatMap((y) => y.holidays));
    this.makeup = new Set(Object.values(data.years).flatMap((y) => y.makeupWorkdays));
  }

  static load(file: string): BusinessCalendar {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new CalendarInvalid(file, [`not valid JSON: ${e.message}`]);
      throw e; // a missing/unreadable file is not a content problem
    }
    return BusinessCalendar.parse(data, file);
  }

  /** Validates already-parsed data (same rules as load); `source` only labels the error. */
  static parse(data: unknown, source = '<memory>'): BusinessCalendar {
    const problems = validateCalendarData(data);
    if (problems.length > 0) throw new CalendarInvalid(source, problems);
    return new BusinessCalendar(JSON.parse(JSON.stringify(data)) as CalendarData);
  }

  /** The bundled national calendar, found both from source (jest) and from the compiled dist/ tree. */
  static national(): BusinessCalendar {
    const candidates = [
      path.resolve(__dirname, '../data/cn-national.json'), // libs/calendar/src
      path.resolve(__dirname, '../../../..', NATIONAL), // dist/libs/calendar/src
    ];
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`national calendar not found; looked in: ${candidates.join(', ')}`);
    return BusinessCalendar.load(file);
  }

  get version(): string {
    return this.data.version;
  }

  get timeZone(): string {
    return this.data.timeZone;
  }

  get workingHours(): WorkingPeriod[] {
    return this.data.workingHours.map((p) => ({ ...p }));
  }

  /** A weekday that is not a holiday, or a makeup day. Throws for a year the data does not cover. */
  isWorkingDay(date: string): boolean {
    const day = dayNumber(date);
    if (day === undefined) throw CalendarError.badArgument(`not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
    return this.isWorkingDayNumber(day);
  }

  /** The local calendar date ('YYYY-MM-DD') of an instant, in the calendar's zone. */
  localDate(instant: Date): string {
    return dateOf(Math.floor(this.toLocal(instant) / DAY));
  }

  addNaturalMinutes(from: Date, minutes: number): Date {
    return new Date(instantMs(from) + amountMs(minutes));
  }

  /**
   * Adds minutes counted only inside working periods of working days. A start outside working time
   * (lunch, evening, weekend, holiday) begins counting at the next working period; a deadline that
   * lands exactly on a period's end stays there (12:00, not 13:30). Adding 0 returns `from` unchanged.
   */
  addWorkingMinutes(from: Date, minutes: number): Date {
    let remaining = amountMs(minutes);
    const start = this.toLocal(from);
    this.isWorkingDayNumber(Math.floor(start / DAY)); // a start in an uncovered year fails even for 0
    if (remaining === 0) return new Date(from.getTime());
    for (let day = Math.floor(start / DAY); ; day++) {
      if (!this.isWorkingDayNumber(day)) continue;
      for (const [s, e] of this.periods) {
        const begin = Math.max(start, day * DAY + s);
        const end = day * DAY + e;
        if (begin >= end) continue;
        if (remaining <= end - begin) return this.fromLocal(begin + remaining);
        remaining -= end - begin;
      }
    }
  }

  addWorkingHours(from: Date, hours: number): Date {
    return this.addWorkingMinutes(from, hours * 60);
  }

  /**
   * "N个工作日" as government notices use it: the day of `from` is not counted (even if it is a
   * working day, even if `from` is before office hours), and the deadline is the END of the last
   * working period (17:30) of the Nth working day after it. Adding 0 returns `from` unchanged.
   */
  addWorkingDays(from: Date, days: number): Date {
    if (!Number.isInteger(days) || days < 0) throw CalendarError.badArgument(`days must be a non-negative integer: ${days}`);
    let day = Math.floor(this.toLocal(from) / DAY);
    this.isWorkingDayNumber(day); // a start in an uncovered year fails even when days is 0
    if (days === 0) return new Date(from.getTime());
    for (let counted = 0; counted < days; ) if (this.isWorkingDayNumber(++day)) counted++;
    return this.fromLocal(day * DAY + this.periods[this.periods.length - 1][1]);
  }

  /** Working time between two instants, in minutes (0 if `to` is not after `from`). */
  workingMinutesBetween(from: Date, to: Date): number {
    const a = this.toLocal(from);
    const b = this.toLocal(to);
    let total = 0;
    for (let day = Math.floor(a / DAY); day * DAY < b; day++) {
      if (!this.isWorkingDayNumber(day)) continue;
      for (const [s, e] of this.periods) total += Math.max(0, Math.min(b, day * DAY + e) - Math.max(a, day * DAY + s));
    }
    return total / MINUTE;
  }

  private isWorkingDayNumber(day: number): boolean {
    const date = dateOf(day);
    const year = date.slice(0, 4);
    if (!this.data.years[year]) throw CalendarError.yearNotCovered(year, this.version, this.coveredYears);
    if (this.makeup.has(date)) return true;
    return !isWeekend(day) && !this.holidays.has(date);
  }

  private toLocal(instant: Date): number {
    return instantMs(instant) + this.offsetMs;
  }

  private fromLocal(local: number): Date {
    return new Date(local - this.offsetMs);
  }
}

/** Day numbers → 'YYYY-MM-DD', remembered: deadline arithmetic asks for the same few days on every command. */
const DATES = new Map<number, string>();
const MAX_REMEMBERED_DATES = 10_000;

function dateOf(day: number): string {
  let date = DATES.get(day);
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 10);
    if (DATES.size >= MAX_REMEMBERED_DATES) DATES.clear();
    DATES.set(day, date);
  }
  return date;
}

function instantMs(instant: Date): number {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw CalendarError.badArgument(`not a valid instant: ${String(instant)}`);
  }
  return instant.getTime();
}

/** Durations are non-negative finite minutes; kept to whole milliseconds so results are exact. */
function amountMs(minutes: number): number {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw CalendarError.badArgument(`minutes must be a non-negative finite number: ${minutes}`);
  }
  return Math.round(minutes * MINUTE);
}
