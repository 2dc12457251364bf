/** County time (Asia/Shanghai, UTC+8 without daylight saving) for display and the working-day windows. */
const OFFSET = 8 * 3600_000;
const WINDOWS: [number, number][] = [
  [8 * 60 + 30, 12 * 60],
  [13 * 60 + 30, 17 * 60 + 30],
];

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(Date.parse(iso) + OFFSET);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/**
 * The county's working calendar as GET /v1/calendar gives it: the working periods of a working day and, per local
 * date, whether it is one (holidays off, 调休 Saturdays and Sundays on).
 */
export interface WorkingCalendar {
  workingHours: { start: string; end: string }[];
  working: Readonly<Record<string, boolean>>;
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Working minutes between two instants. With the county's calendar: its working hours on the days it says are working
 * days, exactly as the API counts deadlines. Without it (while it loads), or for a date it does not list, the standard
 * day: 08:30–12:00, 13:30–17:30, Monday to Friday; the due instant shown beside the countdown is the authority then.
 */
export function workingMinutes(fromMs: number, toMs: number, calendar?: WorkingCalendar | null): number {
  if (toMs <= fromMs) return 0;
  const windows: [number, number][] = calendar ? calendar.workingHours.map((p) => [minuteOf(p.start), minuteOf(p.end)]) : WINDOWS;
  let total = 0;
  const dayMs = 86_400_000;
  let day = Math.floor((fromMs + OFFSET) / dayMs) * dayMs - OFFSET;
  for (; day < toMs; day += dayMs) {
    const local = new Date(day + OFFSET);
    const weekday = local.getUTCDay();
    const working = calendar?.working[local.toISOString().slice(0, 10)] ?? (weekday !== 0 && weekday !== 6);
    if (!working) continue;
    for (const [a, b] of windows) {
      const start = Math.max(fromMs, day + a * 60_000);
      const end = Math.min(toMs, day + b * 60_000);
      if (end > start) total += (end - start) / 60_000;
    }
  }
  return Math.round(total);
}

/** The county-time years an interval touches, oldest first: what the calendar is fetched by. */
export function localYears(fromMs: number, toMs: number): number[] {
  const first = new Date(Math.min(fromMs, toMs) + OFFSET).getUTCFullYear();
  const last = new Date(Math.max(fromMs, toMs) + OFFSET).getUTCFullYear();
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

export function duration(minutes: number, lang: 'zh' | 'en'): string {
  const m = Math.max(0, Math.round(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (lang === 'zh') return `${d ? `${d}天` : ''}${h ? `${h}小时` : ''}${min}分钟`;
  return `${d ? `${d}d ` : ''}${h ? `${h}h ` : ''}${min}m`;
}
