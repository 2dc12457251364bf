import type { BusinessCalendar } from './business-calendar';
import { CalendarError } from './errors';

export const LIMIT_UNITS = ['minutes', 'hours', 'days'] as const;
export const LIMIT_CLOCKS = ['natural', 'working'] as const;
export type LimitUnit = (typeof LIMIT_UNITS)[number];
export type LimitClock = (typeof LIMIT_CLOCKS)[number];

/**
 * A time limit as the catalogue states it, e.g. 报到 within 30 natural minutes, 办结 within 5 working
 * days. Amounts are whole numbers: finer limits are written in a smaller unit.
 */
export interface TimeLimit {
  amount: number;
  unit: LimitUnit;
  clock: LimitClock;
}

/** Every problem with a limit-shaped value, each prefixed with `at` (empty when valid). */
export function limitProblems(value: unknown, at: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: must be an object`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(v)) if (!['amount', 'unit', 'clock'].includes(k)) problems.push(`${at}: unknown field ${JSON.stringify(k)}`);
  if (!Number.isInteger(v.amount) || (v.amount as number) <= 0) problems.push(`${at}.amount: must be a positive integer: ${JSON.stringify(v.amount)}`);
  if (!(LIMIT_UNITS as readonly unknown[]).includes(v.unit)) problems.push(`${at}.unit: must be one of ${LIMIT_UNITS.join(' | ')}: ${JSON.stringify(v.unit)}`);
  if (!(LIMIT_CLOCKS as readonly unknown[]).includes(v.clock))
    problems.push(`${at}.clock: must be one of ${LIMIT_CLOCKS.join(' | ')}: ${JSON.stringify(v.clock)}`);
  return problems;
}

/**
 * The one place a limit becomes an instant. Natural days are 24-hour days; working days follow
 * BusinessCalendar.addWorkingDays (end of the Nth working day after the start day).
 */
export function deadline(calendar: BusinessCalendar, from: Date, limit: TimeLimit): Date {
  const problems = limitProblems(limit, 'limit');
  if (problems.length > 0) throw CalendarError.badArgument(problems.join('; '));
  const { amount, unit, clock } = limit;
  if (clock === 'natural') return calendar.addNaturalMinutes(from, amount * (unit === 'days' ? 24 * 60 : unit === 'hours' ? 60 : 1));
  if (unit === 'days') return calendar.addWorkingDays(from, amount);
  return calendar.addWorkingMinutes(from, unit === 'hours' ? amount * 60 : amount);
}

/**
 * The instant when `fraction` of the time between `from` and `due` has run, on the limit's clock:
 * the 提醒 rung fires at 0.8. Working-clock limits count only working time, so a reminder never
 * falls on a night or holiday.
 */
export function fractionElapsedAt(calendar: BusinessCalendar, from: Date, due: Date, clock: LimitClock, fraction: number): Date {
  if (!(fraction >= 0 && fraction <= 1)) throw CalendarError.badArgument(`fraction must be within [0, 1]: ${fraction}`);
  if (clock === 'natural') return new Date(from.getTime() + Math.round((due.getTime() - from.getTime()) * fraction));
  return calendar.addWorkingMinutes(from, calendar.workingMinutesBetween(from, due) * fraction);
}
