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
 * Working minutes between two instants on the county's standard day (08:30–12:00, 13:30–17:30, Monday to Friday).
 * The console does not hold the holiday calendar: across a holiday or a make-up day the API's due instant (shown
 * beside the countdown) is the authority.
 */
export function workingMinutes(fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  let total = 0;
  const dayMs = 86_400_000;
  let day = Math.floor((fromMs + OFFSET) / dayMs) * dayMs - OFFSET;
  for (; day < toMs; day += dayMs) {
    const weekday = new Date(day + OFFSET).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const [a, b] of WINDOWS) {
      const start = Math.max(fromMs, day + a * 60_000);
      const end = Math.min(toMs, day + b * 60_000);
      if (end > start) total += (end - start) / 60_000;
    }
  }
  return Math.round(total);
}

export function duration(minutes: number, lang: 'zh' | 'en'): string {
  const m = Math.max(0, Math.round(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (lang === 'zh') return `${d ? `${d}天` : ''}${h ? `${h}小时` : ''}${min}分钟`;
  return `${d ? `${d}d ` : ''}${h ? `${h}h ` : ''}${min}m`;
}
