import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import { auditStream, dayOf, REFUSALS_AGGREGATED, REQUEST_REFUSED, type Refusal, type RefusalsAggregate } from './refusal';

/** One line of the trail: a refusal, or the count of a caller's refusals beyond its allowance in one window. */
export interface AuditItem {
  /** The event's id. */
  id: string;
  kind: 'refusal' | 'aggregate';
  /** The refusal's instant; an aggregate's window start. */
  at: string;
  /** 1, or the refusals an aggregate counts. */
  count: number;
  /** An aggregate's window [windowStart, windowEnd); null for a single refusal. */
  windowStart: string | null;
  windowEnd: string | null;
  countyId: string | null;
  orgId: string | null;
  userId: string | null;
  role: string | null;
  ip: string | null;
  /** An aggregate: of its first refusal (`detail` lists every route). */
  method: string | null;
  route: string | null;
  caseId: string | null;
  status: number;
  outcome: string;
  detail: string;
  /** An aggregate: its first refusal's. */
  correlationId: string;
}

export interface AuditQuery {
  /** [from, to), milliseconds since the epoch. */
  from: number;
  to: number;
  /** Only records of this county, and those of callers without a valid token (county unknown). */
  countyId: string;
  orgId?: string;
  outcome?: string;
  cursor?: AuditCursor | null;
  limit: number;
  /** Events read at most per page: a selective filter answers fewer items and a cursor rather than scanning on. */
  scanBudget?: number;
}

export interface AuditPage {
  items: AuditItem[];
  /** Where the next page starts; null: nothing more in the period. */
  nextCursor: string | null;
}

/** A position in the trail: the day stream and the revision to read next. */
export interface AuditCursor {
  day: string;
  revision: number;
}

export class InvalidAuditCursor extends Error {
  constructor() {
    super('not a cursor this API issued');
    this.name = 'InvalidAuditCursor';
  }
}

export function encodeCursor(c: AuditCursor): string {
  return Buffer.from(`${c.day}.${c.revision}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): AuditCursor {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) throw new InvalidAuditCursor();
  const m = /^(\d{4}-\d{2}-\d{2})\.(\d{1,15})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const midnight = m ? Date.parse(`${m[1]}T00:00:00Z`) : Number.NaN;
  if (!m || Number.isNaN(midnight) || dayOf(midnight) !== m[1]) throw new InvalidAuditCursor();
  return { day: m[1], revision: Number(m[2]) };
}

const DAY_MS = 86_400_000;
const PAGE = 500;

/** Reads the trail over [from, to) in the order it was recorded, day by day. */
export async function readAudit(store: EventStore, q: AuditQuery): Promise<AuditPage> {
  const items: AuditItem[] = [];
  let budget = q.scanBudget ?? 5_000;
  const lastDay = dayOf(q.to - 1);
  let day = dayOf(q.from);
  let revision = 0;
  if (q.cursor && q.cursor.day >= day) ({ day, revision } = q.cursor);
  for (; day <= lastDay; day = dayOf(Date.parse(`${day}T00:00:00Z`) + DAY_MS), revision = 0) {
    for (;;) {
      if (budget === 0) return { items, nextCursor: encodeCursor({ day, revision }) };
      const want = Math.min(PAGE, budget);
      const events = await store.readStream(auditStream(day), { fromRevision: revision, toRevision: revision + want - 1 });
      for (const event of events) {
        budget--;
        revision = event.revision + 1;
        const item = itemOf(event);
        if (item && matches(item, q)) items.push(item);
        if (items.length === q.limit) return { items, nextCursor: encodeCursor({ day, revision }) };
      }
      if (events.length < want) break;
    }
  }
  return { items, nextCursor: null };
}

function matches(item: AuditItem, q: AuditQuery): boolean {
  const at = Date.parse(item.at);
  return (
    at >= q.from &&
    at < q.to &&
    (item.countyId === q.countyId || item.countyId === null) &&
    (q.orgId === undefined || item.orgId === q.orgId) &&
    (q.outcome === undefined || item.outcome === q.outcome)
  );
}

function itemOf(event: RecordedEvent): AuditItem | null {
  if (event.type === REQUEST_REFUSED) {
    const r = event.data as unknown as Refusal;
    return {
      id: event.id,
      kind: 'refusal',
      at: r.at,
      count: 1,
      windowStart: null,
      windowEnd: null,
      countyId: r.countyId,
      orgId: r.orgId,
      userId: r.userId,
      role: r.role,
      ip: r.ip,
      method: r.method,
      route: r.route,
      caseId: r.caseId,
      status: r.status,
      outcome: r.outcome,
      detail: r.detail,
      correlationId: r.correlationId,
    };
  }
  if (event.type === REFUSALS_AGGREGATED) {
    const a = event.data as unknown as RefusalsAggregate;
    const [method, route] = splitRoute(a.routes[0]);
    return {
      id: event.id,
      kind: 'aggregate',
      at: a.windowStart,
      count: a.count,
      windowStart: a.windowStart,
      windowEnd: a.windowEnd,
      countyId: a.countyId,
      orgId: a.orgId,
      userId: a.userId,
      role: a.role,
      ip: a.ip,
      method,
      route,
      caseId: null,
      status: a.status,
      outcome: a.outcome,
      detail: `${a.count} refusal(s) of ${a.caller} from ${a.firstAt} to ${a.lastAt} counted, not recorded one by one (over the per-minute allowance); routes: ${a.routes.join(', ')}`,
      correlationId: a.firstCorrelationId,
    };
  }
  return null;
}

function splitRoute(route: string | undefined): [string | null, string | null] {
  if (!route) return [null, null];
  const space = route.indexOf(' ');
  return [route.slice(0, space), route.slice(space + 1)];
}
