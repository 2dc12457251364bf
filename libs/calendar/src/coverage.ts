import type { BusinessCalendar, YearStatus } from './business-calendar';
import type { CalendarRefusal } from './calendar-source';

/** How far ahead a provisional year makes the calendar "degraded": deadlines are rarely longer. */
export const COVERAGE_HORIZON_DAYS = 60;

export interface CalendarCoverage {
  status: 'ok' | 'degraded';
  version: string;
  /** From the first official year to the year after the horizon: official | provisional | missing. */
  years: Record<string, YearStatus>;
  /** Provisional years a deadline set within the horizon may fall in: the notices to load. */
  provisionalSoon: string[];
  /** The last calendar file refused since the calendar in force came into force. */
  refused: CalendarRefusal | null;
  /** One sentence for the log and the operator. */
  advice: string | null;
}

/**
 * What the operator must know about the calendar: which years are official, which are only derived, and
 * whether a deadline set now may rest on a guess. Degraded is not down: whistles are accepted on
 * provisional years, and re-based when the official arrangement is loaded.
 */
export function calendarCoverage(calendar: BusinessCalendar, now: Date, refused: CalendarRefusal | null = null): CalendarCoverage {
  const thisYear = Number(calendar.localDate(now).slice(0, 4));
  const horizonYear = Number(calendar.localDate(new Date(now.getTime() + COVERAGE_HORIZON_DAYS * 86_400_000)).slice(0, 4));
  const first = Math.min(thisYear, ...calendar.officialYears.map(Number));
  const years: Record<string, YearStatus> = {};
  for (let y = first; y <= Math.max(horizonYear, thisYear) + 1; y++) years[String(y)] = calendar.yearStatus(y);
  const provisionalSoon: string[] = [];
  for (let y = thisYear; y <= horizonYear; y++) if (years[String(y)] === 'provisional') provisionalSoon.push(String(y));
  const notices = provisionalSoon.map((y) => `国务院办公厅关于${y}年部分节假日安排的通知`).join('、');
  const advice = refused
    ? `the calendar file ${refused.source} was refused (${refused.problems.join('; ')}); still serving on ${calendar.version}`
    : provisionalSoon.length
      ? `deadlines within ${COVERAGE_HORIZON_DAYS} days reach ${provisionalSoon.join(', ')}, which has no official arrangement loaded: ` +
        `they are computed on a provisional calendar (statutory holidays only) and re-based once ${notices} is added to the calendar (README: "Adding next year's holidays")`
      : null;
  return { status: refused || provisionalSoon.length ? 'degraded' : 'ok', version: calendar.version, years, provisionalSoon, refused, advice };
}
