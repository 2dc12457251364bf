import { useEffect, useSyncExternalStore } from 'react';
import { api, must } from './api/client';
import { useSession } from './session';
import { localYears, type WorkingCalendar } from './time';

/**
 * The county's working calendar, fetched a year at a time (GET /v1/calendar) and kept for the page's life: every
 * countdown on a page shares one request per county and year. A failed year is asked again after a minute; meanwhile
 * the countdowns use the standard day. Kept by county: a user of another county signing in on the same page gets its own.
 */
interface Year {
  workingHours: WorkingCalendar['workingHours'];
  working: Record<string, boolean>;
}

const RETRY_MS = 60_000;
const years = new Map<string, Year>();
const pending = new Set<string>();
const failedAt = new Map<string, number>();
/** The years a countdown needs, put together once per set of years (a page may show many countdowns). */
const merged = new Map<string, WorkingCalendar>();
const listeners = new Set<() => void>();
let revision = 0;

function changed(): void {
  revision++;
  merged.clear();
  for (const listener of listeners) listener();
}

function load(countyId: string, year: number): void {
  const key = `${countyId}/${year}`;
  if (years.has(key) || pending.has(key) || Date.now() - (failedAt.get(key) ?? -RETRY_MS) < RETRY_MS) return;
  pending.add(key);
  void must(api.GET('/v1/calendar', { params: { query: { from: `${year}-01-01`, to: `${year}-12-31` } } }))
    .then((c) => {
      years.set(key, { workingHours: c.workingHours, working: Object.fromEntries(c.days.map((d) => [d.date, d.working])) });
      failedAt.delete(key);
    })
    .catch(() => failedAt.set(key, Date.now()))
    .finally(() => {
      pending.delete(key);
      changed();
    });
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/**
 * The calendar of the signed-in user's county for the years from `fromMs` to `toMs` (county time), or null while
 * any of them is loading or could not be had; null without a request when not `needed` (a natural-time clock).
 */
export function useWorkingCalendar(fromMs: number, toMs: number, needed = true): WorkingCalendar | null {
  const { session, orgs } = useSession();
  const countyId = (needed && orgs.find((o) => o.id === session?.orgId)?.countyId) || null;
  const wanted = localYears(fromMs, toMs).join(',');
  useSyncExternalStore(subscribe, () => revision);
  useEffect(() => {
    if (countyId) for (const year of wanted.split(',')) load(countyId, Number(year));
  }, [countyId, wanted]);
  if (!countyId) return null;
  const key = `${countyId}/${wanted}`;
  const known = merged.get(key);
  if (known) return known;
  const loaded = wanted.split(',').map((year) => years.get(`${countyId}/${year}`));
  if (loaded.some((y) => !y)) return null;
  const calendar = { workingHours: loaded[0]!.workingHours, working: Object.assign({}, ...loaded.map((y) => y!.working)) };
  merged.set(key, calendar);
  return calendar;
}
