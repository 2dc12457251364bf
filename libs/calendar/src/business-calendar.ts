import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Lunar } from 'lunar-typescript';
import {
  type CalendarData,
  type CountyOverlay,
  type LocalHoliday,
  type WorkingPeriod,
  FIXED_OFFSET_MINUTES,
  dayNumber,
  isWeekend,
  minuteOfDay,
  validateCalendarData,
} from './calendar-data';
import { CalendarError, CalendarInvalid } from './errors';
import { isDerivable, provisionalYear, statutoryHolidays } from './statutory';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NATIONAL = 'libs/calendar/data/cn-national.json';
/** Longer than any break the State Council has arranged (春节 is at most 9 days): how far a day's break is looked for. */
const MAX_BREAK_DAYS = 31;

export type YearStatus = 'official' | 'provisional' | 'missing';

/** One local date of a county's calendar, as a client showing or counting working time needs it. */
export interface CalendarDay {
  date: string;
  working: boolean;
  /**
   * The holiday a day off belongs to: the names of the statutory and local holidays of the break it is part of,
   * joined by '、' when one break spans several (2025's 国庆节、中秋节, as the notice names it); null on a working day,
   * an ordinary weekend, or a day off the data gives no name (a county notice's extra day outside any break).
   */
  holiday: string | null;
  /** A Saturday or Sunday worked (调休补班). */
  makeupWorkday: boolean;
  /** From a year derived from the statutory rules, not from an official arrangement. */
  provisional: boolean;
}

/** The days off and make-up days of one year for one county: national first, the county's overlay over it. */
interface YearRules {
  provisional: boolean;
  holidays: ReadonlySet<string>;
  makeup: ReadonlySet<string>;
  localHolidays: ReadonlySet<string>;
  localMakeup: ReadonlySet<string>;
}

/**
 * A county's business calendar: which local days are working days (weekends, statutory holidays,
 * 调休 makeup days, the county's local holidays) and which hours of them count. All arithmetic runs on
 * "local milliseconds" (UTC + the zone's fixed offset), so a local day is simply floor(local / DAY).
 *
 * A year is `official` when its State Council arrangement is in the data, `provisional` when it is not
 * but can be derived from the statutory rules (statutory.ts), and `missing` outside the derivable years,
 * where a computation throws CALENDAR.YEAR_NOT_COVERED. `traced` tells a caller which provisional years a
 * computation rested on, so a deadline can say it is a guess.
 */
export class BusinessCalendar {
  /** Years with an official arrangement, ascending. */
  readonly officialYears: readonly string[];
  private readonly offsetMs: number;
  /** Working periods as [startMs, endMs) after local midnight, ordered. */
  private readonly periods: ReadonlyArray<readonly [number, number]>;
  private readonly overlay: CountyOverlay | null;
  private readonly rules = new Map<number, YearRules | null>();
  /** Per year, the named holiday dates (kept apart from the rules: deadline arithmetic never needs a name). */
  private readonly names = new Map<number, ReadonlyMap<string, string>>();
  private readonly counties = new Map<string, BusinessCalendar>();
  /** Provisional years seen by the computation `traced` is running, if any. */
  private crossed: Set<string> | null = null;

  private constructor(
    private readonly data: CalendarData,
    readonly countyId: string | null = null,
    private readonly root: BusinessCalendar | null = null,
  ) {
    this.overlay = countyId ? (data.counties?.[countyId] ?? null) : null;
    this.offsetMs = FIXED_OFFSET_MINUTES[data.timeZone] * MINUTE;
    const hours = this.overlay?.workingHours ?? data.workingHours;
    this.periods = hours.map((p) => [minuteOfDay(p.start)! * MINUTE, minuteOfDay(p.end)! * MINUTE] as const);
    this.officialYears = Object.freeze(Object.keys(data.years).sort());
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
    return BusinessCalendar.load(BusinessCalendar.bundledFile());
  }

  static bundledFile(): string {
    const candidates = [
      path.resolve(__dirname, '../data/cn-national.json'), // libs/calendar/src
      path.resolve(__dirname, '../../../..', NATIONAL), // dist/libs/calendar/src
    ];
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`national calendar not found; looked in: ${candidates.join(', ')}`);
    return file;
  }

  /** The calendar of one county: its overlay over the national days, or the national calendar itself. */
  forCounty(countyId: string): BusinessCalendar {
    if (this.root) return this.root.forCounty(countyId);
    if (!this.data.counties?.[countyId]) return this;
    let c = this.counties.get(countyId);
    if (!c) this.counties.set(countyId, (c = new BusinessCalendar(this.data, countyId, this)));
    return c;
  }

  /** Counties with an overlay of their own. */
  get overlaidCounties(): string[] {
    return Object.keys(this.data.counties ?? {});
  }

  /** The data as loaded: what a snapshot of the calendar in force keeps. */
  toData(): CalendarData {
    return JSON.parse(JSON.stringify(this.data)) as CalendarData;
  }

  /** The calendar's version: the national data's, with the county overlay's after a '+'. */
  get version(): string {
    return this.overlay ? `${this.data.version}+${this.overlay.version}` : this.data.version;
  }

  /** The version a computation that crossed these provisional years rests on, e.g. cn-national-2026.1+provisional-2027. */
  versionWith(provisionalYears: readonly string[]): string {
    return this.version + provisionalYears.map((y) => `+provisional-${y}`).join('');
  }

  yearStatus(year: number | string): YearStatus {
    const y = Number(year);
    if (this.data.years[String(year)]) return 'official';
    return isDerivable(y) ? 'provisional' : 'missing';
  }

  /**
   * Runs a (synchronous) computation on this calendar and says which provisional years any day it
   * looked at came from, ascending.
   */
  traced<T>(compute: () => T): { value: T; provisionalYears: string[] } {
    const outer = this.crossed;
    const crossed = new Set<string>();
    this.crossed = crossed;
    try {
      const value = compute();
      return { value, provisionalYears: [...crossed].sort() };
    } finally {
      this.crossed = outer;
      if (outer) for (const y of crossed) outer.add(y);
    }
  }

  get timeZone(): string {
    return this.data.timeZone;
  }

  get workingHours(): WorkingPeriod[] {
    return (this.overlay?.workingHours ?? this.data.workingHours).map((p) => ({ ...p }));
  }

  /** The year's days off for this county (national and local), with where the national ones come from. */
  daysOff(year: number): { status: YearStatus; holidays: string[]; makeupWorkdays: string[] } {
    const r = this.rulesOf(year);
    if (!r) return { status: 'missing', holidays: [], makeupWorkdays: [] };
    const holidays = [...new Set([...r.holidays, ...r.localHolidays])].filter((d) => !r.localMakeup.has(d)).sort();
    const makeupWorkdays = [...new Set([...r.makeup, ...r.localMakeup])].filter((d) => !r.localHolidays.has(d) || r.localMakeup.has(d)).sort();
    return { status: r.provisional ? 'provisional' : 'official', holidays, makeupWorkdays };
  }

  /** A weekday that is not a holiday, or a makeup day. Throws for a year the data does not cover. */
  isWorkingDay(date: string): boolean {
    const day = dayNumber(date);
    if (day === undefined) throw CalendarError.badArgument(`not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
    return this.isWorkingDayNumber(day);
  }

  /**
   * Every local date from `from` to `to` (both included): working or not, the holiday it belongs to, 调休, provisional.
   * Throws for a bad date, `to` before `from`, or a date in a year the data does not cover.
   */
  days(from: string, to: string): CalendarDay[] {
    const first = dayNumber(from);
    const last = dayNumber(to);
    if (first === undefined || last === undefined)
      throw CalendarError.badArgument(`not a valid YYYY-MM-DD date: ${JSON.stringify(first === undefined ? from : to)}`);
    if (last < first) throw CalendarError.badArgument(`${to} is before ${from}`);
    const days: CalendarDay[] = [];
    for (let day = first; day <= last; day++) {
      const working = this.isWorkingDayNumber(day);
      const date = dateOf(day);
      days.push({
        date,
        working,
        holiday: working ? null : this.holidayOf(day),
        makeupWorkday: working && isWeekend(day),
        provisional: this.rulesOf(Number(date.slice(0, 4)))!.provisional,
      });
    }
    return days;
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
    const year = Number(date.slice(0, 4));
    const r = this.rulesOf(year);
    if (!r) throw CalendarError.yearNotCovered(String(year), this.version, this.officialYears);
    if (r.provisional) this.crossed?.add(String(year));
    return workingBy(r, date, day);
  }

  /** A day off in a covered year; false outside the covered years. Not traced: naming a break computes no deadline. */
  private isDayOff(day: number): boolean {
    const date = dateOf(day);
    const r = this.rulesOf(Number(date.slice(0, 4)));
    return r !== null && !workingBy(r, date, day);
  }

  /**
   * The name of the holiday a day off belongs to: the named days of its break (the run of days off around it). A
   * weekend next to a holiday is part of its break, as the notices count it (清明节 4月4日至6日); an ordinary weekend has none.
   */
  private holidayOf(day: number): string | null {
    let first = day;
    let last = day;
    while (day - first < MAX_BREAK_DAYS && this.isDayOff(first - 1)) first--;
    while (last - day < MAX_BREAK_DAYS && this.isDayOff(last + 1)) last++;
    const names: string[] = [];
    let holiday = false;
    for (let d = first; d <= last; d++) {
      const date = dateOf(d);
      const year = Number(date.slice(0, 4));
      const r = this.rulesOf(year)!;
      const name = this.namesOf(year).get(date);
      if (name && !names.includes(name)) names.push(name);
      holiday ||= name !== undefined || r.holidays.has(date) || r.localHolidays.has(date);
    }
    return holiday && names.length > 0 ? names.join('、') : null;
  }

  private rulesOf(year: number): YearRules | null {
    let r = this.rules.get(year);
    if (r !== undefined) return r;
    const official = this.data.years[String(year)];
    const national = official ?? (isDerivable(year) ? provisionalYear(year) : null);
    r = national && {
      provisional: !official,
      holidays: new Set(national.holidays),
      makeup: new Set(national.makeupWorkdays),
      localHolidays: new Set([
        ...localHolidayDates(this.overlay?.localHolidays ?? [], year).map((l) => l.date),
        ...(this.overlay?.years?.[String(year)]?.holidays ?? []),
      ]),
      localMakeup: new Set(this.overlay?.years?.[String(year)]?.makeupWorkdays ?? []),
    };
    this.rules.set(year, r);
    return r;
  }

  private namesOf(year: number): ReadonlyMap<string, string> {
    let names = this.names.get(year);
    if (!names) this.names.set(year, (names = holidayNames(year, localHolidayDates(this.overlay?.localHolidays ?? [], year))));
    return names;
  }

  private toLocal(instant: Date): number {
    return instantMs(instant) + this.offsetMs;
  }

  private fromLocal(local: number): Date {
    return new Date(local - this.offsetMs);
  }
}

function workingBy(r: YearRules, date: string, day: number): boolean {
  // The county's own notice has the last word, then its local holidays, then the national arrangement.
  if (r.localMakeup.has(date)) return true;
  if (r.localHolidays.has(date)) return false;
  if (r.makeup.has(date)) return true;
  return !isWeekend(day) && !r.holidays.has(date);
}

/** The days a county's recurring local holidays give off in one solar year, with the holiday's name. */
function localHolidayDates(holidays: readonly LocalHoliday[], year: number): { date: string; name: string }[] {
  const dates: { date: string; name: string }[] = [];
  for (const h of holidays) {
    const [month, day] = (h.lunar ?? h.solar)!.split('-').map(Number);
    // A lunar date of lunar year y-1 can fall in January of solar year y.
    const firsts = h.lunar
      ? [year - 1, year].filter(isDerivable).map((y) => dayNumber(Lunar.fromYmd(y, month, day).getSolar().toYmd())!)
      : [Date.UTC(year, month - 1, day) / DAY];
    for (const first of firsts) for (let i = 0; i < h.days; i++) dates.push({ date: dateOf(first + i), name: h.name });
  }
  return dates.filter((d) => d.date.startsWith(`${year}-`));
}

/** The statutory days of a derivable year and the county's local holidays, by date; a local name wins on a shared day. */
function holidayNames(year: number, local: { date: string; name: string }[]): Map<string, string> {
  const names = new Map<string, string>();
  if (isDerivable(year)) for (const h of statutoryHolidays(year)) for (const date of h.dates) names.set(date, h.name);
  for (const { date, name } of local) names.set(date, name);
  return names;
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
