import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** ISO-8601 with a time zone, at most millisecond precision (what a scorecard states as its asOf). */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date 'YYYY-MM-DD' (no 2026-02-30, no week dates such as 2026-W01). */
export function isCalendarDate(v: unknown): v is string {
  const m = typeof v === 'string' ? DATE.exec(v) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: { validate: isCalendarDate, defaultMessage: () => 'must be a calendar date YYYY-MM-DD' },
  });

export function isInstant(v: unknown): v is string {
  return typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && isCalendarDate(v.slice(0, 10));
}

export const IsInstant = () =>
  ValidateBy({
    name: 'isInstant',
    validator: {
      validate: isInstant,
      defaultMessage: () => 'must be an ISO-8601 instant with a zone and at most milliseconds, e.g. 2026-03-31T16:00:00.000Z (send + as %2B)',
    },
  });

/** A date (the start of that day in UTC) or an instant: what the inbox's raisedFrom/raisedTo take. */
export const IsDateOrInstant = () =>
  ValidateBy({
    name: 'isDateOrInstant',
    validator: {
      validate: (v: unknown) => isCalendarDate(v) || isInstant(v),
      defaultMessage: () => 'must be a date YYYY-MM-DD or an ISO-8601 instant with a zone, e.g. 2026-03-31T16:00:00Z (send + as %2B)',
    },
  });

/**
 * A query parameter that is a whole number, written as one: digits only. Number() would read '' as 0, ' 5' as 5 and
 * '0x10' as 16; anything but digits stays text here and is refused by @IsInt naming the parameter.
 */
export const IntegerParam = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^(0|[1-9]\d{0,15})$/.test(value) ? Number(value) : value));
