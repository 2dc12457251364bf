import { Lunar, Solar } from 'lunar-typescript';
import { dayNumber, isWeekend } from './days';

/**
 * The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision), for any year the lunar library
 * covers, and the provisional arrangement derived from them for a year whose official notice
 * (国务院办公厅关于部分节假日安排的通知) has not been loaded yet.
 *
 * Lunar dates and the 清明 solar term come from lunar-typescript (see libs/calendar/README.md).
 */

/** Years a provisional arrangement can be derived for; outside them a year must be loaded or is refused. */
export const DERIVABLE_YEARS = { first: 1901, last: 2099 } as const;

export interface StatutoryHoliday {
  /** 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 */
  name: string;
  /** The statutory days off, 'YYYY-MM-DD', in order. */
  dates: string[];
}

export interface ProvisionalYear {
  holidays: string[];
  makeupWorkdays: string[];
  /** Each compensation day (补休) and the statutory day it stands in for. */
  compensation: { date: string; for: string }[];
}

export function isDerivable(year: number): boolean {
  return Number.isInteger(year) && year >= DERIVABLE_YEARS.first && year <= DERIVABLE_YEARS.last;
}

const DAY = 86_400_000;
const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const solarDate = (s: Solar) => s.toYmd();
const lunarDate = (year: number, month: number, day: number) => solarDate(Lunar.fromYmd(year, month, day).getSolar());

function qingming(year: number): string {
  // The term falls on 4–6 April; the library names the day a term begins on.
  for (let d = 3; d <= 7; d++) {
    const s = Solar.fromYmd(year, 4, d);
    if (s.getLunar().getJieQi() === '清明') return solarDate(s);
  }
  throw new RangeError(`no 清明 found in April ${year}`);
}

/** The statutory days of `year` (2024 revision: 13 days), by holiday, in calendar order. */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!isDerivable(year)) throw new RangeError(`statutory holidays are derived for ${DERIVABLE_YEARS.first}–${DERIVABLE_YEARS.last}, not ${year}`);
  const newYear = dayNumber(lunarDate(year, 1, 1))!;
  const y = String(year);
  return [
    { name: '元旦', dates: [`${y}-01-01`] },
    // 除夕 is the day before 正月初一 (腊月廿九 in a year whose twelfth month is short).
    { name: '春节', dates: [iso(newYear - 1), iso(newYear), iso(newYear + 1), iso(newYear + 2)] },
    { name: '清明节', dates: [qingming(year)] },
    { name: '劳动节', dates: [`${y}-05-01`, `${y}-05-02`] },
    { name: '端午节', dates: [lunarDate(year, 5, 5)] },
    { name: '中秋节', dates: [lunarDate(year, 8, 15)] },
    { name: '国庆节', dates: [`${y}-10-01`, `${y}-10-02`, `${y}-10-03`] },
  ].sort((a, b) => a.dates[0].localeCompare(b.dates[0]));
}

/**
 * A provisional arrangement: every statutory day is a day off, and — as the 放假办法 says of holidays
 * that fall on a Saturday or Sunday (应当在工作日补假) — each statutory day that falls on a weekend, or on a
 * day another holiday already took (中秋 on 国庆), is compensated by the first weekday after its holiday
 * that is not already off. No make-up working days (调休补班) are guessed: the State Council arranges those
 * case by case, and a guessed working Saturday could only make a deadline earlier than the official one.
 */
export function provisionalYear(year: number): ProvisionalYear {
  const off = new Set<string>();
  const compensation: ProvisionalYear['compensation'] = [];
  for (const holiday of statutoryHolidays(year)) {
    const owed: string[] = [];
    for (const date of holiday.dates) {
      if (off.has(date) || isWeekend(dayNumber(date)!)) owed.push(date);
      off.add(date);
    }
    let day = dayNumber(holiday.dates[holiday.dates.length - 1])!;
    for (const date of owed) {
      do day++;
      while (isWeekend(day) || off.has(iso(day)));
      off.add(iso(day));
      compensation.push({ date: iso(day), for: date });
    }
  }
  return { holidays: [...off].sort(), makeupWorkdays: [], compensation };
}
