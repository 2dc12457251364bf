/**
 * Local calendar dates in a county's time zone (periods are given as local dates, half-open
 * [from, to)), with no library: Intl gives the zone's offset at an instant.
 */
export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A strict YYYY-MM-DD that names a real calendar day, or null. */
export function parseLocalDate(text: string): LocalDate | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function formatLocalDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The first instant (epoch ms) of a local date in the zone. */
export function startOfLocalDate(d: LocalDate, timeZone: string): number {
  const wall = Date.UTC(d.year, d.month - 1, d.day);
  const first = wall - zoneOffsetMs(timeZone, wall);
  const second = wall - zoneOffsetMs(timeZone, first);
  // Around a DST change the offset at the guess and at the result can differ; take the earlier instant
  // that still falls on the date (zones without DST, like Asia/Shanghai, never get here).
  return Math.min(first, second);
}

/** The local date of an instant in the zone. */
export function localDateOf(instant: number, timeZone: string): LocalDate {
  const t = new Date(instant + zoneOffsetMs(timeZone, instant));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** A period [from, to) of local dates, as instants. */
export interface Period {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

export function periodOf(from: string, to: string, timeZone: string): Period {
  const f = parseLocalDate(from);
  const t = parseLocalDate(to);
  if (!f) throw new RangeError(`from is not a YYYY-MM-DD calendar date: ${from}`);
  if (!t) throw new RangeError(`to is not a YYYY-MM-DD calendar date: ${to}`);
  return { from, to, fromMs: startOfLocalDate(f, timeZone), toMs: startOfLocalDate(t, timeZone) };
}

/** Calendar months overlapping [from, to), each cut to the range: the month-by-month trend. */
export function monthsOf(from: string, to: string): { month: string; from: string; to: string }[] {
  const f = parseLocalDate(from);
  const t = parseLocalDate(to);
  if (!f || !t) throw new RangeError('from and to must be YYYY-MM-DD calendar dates');
  const out: { month: string; from: string; to: string }[] = [];
  let cursor: LocalDate = f;
  while (formatLocalDate(cursor) < to) {
    const next: LocalDate = cursor.month === 12 ? { year: cursor.year + 1, month: 1, day: 1 } : { year: cursor.year, month: cursor.month + 1, day: 1 };
    const end = formatLocalDate(next) < to ? formatLocalDate(next) : to;
    out.push({ month: formatLocalDate(cursor).slice(0, 7), from: formatLocalDate(cursor), to: end });
    cursor = next;
  }
  return out;
}
