/**
 * The audit trail of refused requests (等保 2.0 §8.1.4.3: time, user, type and outcome of every user action). Accepted
 * actions are recorded where they happened, in the case events' metadata; what was refused has no case event, so it is
 * recorded here: one `RequestRefused` per refusal, or, above a caller's rate, one `RefusalsAggregated` per window.
 */

/** A refused request, as the API saw it. */
export interface Refusal {
  /** When it was answered (ISO-8601, UTC, by the service's clock). */
  at: string;
  /** The caller, when its token was valid; null for a missing or refused token. */
  orgId: string | null;
  userId: string | null;
  role: string | null;
  countyId: string | null;
  /** The client address the service saw (req.ip). */
  ip: string | null;
  method: string;
  /** The route pattern, e.g. `/v1/cases/:id/responses` (never the raw path). */
  route: string;
  /** The case named in the path, when the path names one. */
  caseId: string | null;
  /** HTTP status and the problem's code (`CASE.NOT_FOUND`, `AUTH.UNAUTHENTICATED`, `RATE_LIMITED`, …). */
  status: number;
  outcome: string;
  /** The problem's detail, cut to DETAIL_MAX characters. */
  detail: string;
  correlationId: string;
}

/** Refusals of one caller with one outcome in one window, beyond the caller's allowance of single records. */
export interface RefusalsAggregate {
  /** [windowStart, windowEnd), ISO-8601. */
  windowStart: string;
  windowEnd: string;
  /** `user:<org>/<user>`, `ip:<address>`, or `*` when the window held more distinct callers than the recorder keeps apart. */
  caller: string;
  orgId: string | null;
  userId: string | null;
  role: string | null;
  countyId: string | null;
  ip: string | null;
  status: number;
  outcome: string;
  /** How many refusals this aggregate stands for (none of them has a RequestRefused of its own). */
  count: number;
  firstAt: string;
  lastAt: string;
  firstCorrelationId: string;
  lastCorrelationId: string;
  /** The distinct `METHOD route` refused, at most ROUTES_MAX. */
  routes: string[];
}

export const REQUEST_REFUSED = 'RequestRefused';
export const REFUSALS_AGGREGATED = 'RefusalsAggregated';
export const AUDIT_EVENT_TYPES = [REQUEST_REFUSED, REFUSALS_AGGREGATED] as const;

export const DETAIL_MAX = 300;
export const ROUTES_MAX = 10;

/** The key a caller's allowance and aggregates are counted under: the user when known, else the client address. */
export function callerOf(r: Pick<Refusal, 'orgId' | 'userId' | 'ip'>): string {
  return r.orgId !== null && r.userId !== null ? `user:${r.orgId}/${r.userId}` : `ip:${r.ip ?? 'unknown'}`;
}

const STREAM_PREFIX = 'audit-refusals-';
const STREAM = /^audit-refusals-(\d{4}-\d{2}-\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One stream per UTC day: `audit-refusals-2026-12-03`. Never a case stream (libs/domain's `case-`). */
export function auditStream(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`not a day: ${day}`);
  return `${STREAM_PREFIX}${day}`;
}

/** Whether a stream holds the refusals trail (what the Kafka relay and the read models never pass on). */
export function isAuditStream(streamName: string): boolean {
  return STREAM.test(streamName);
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function dayOf(instant: string | number | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}
