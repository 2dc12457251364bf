import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** What a request carries for tracing, settled once before anything else runs. */
export interface TraceContext {
  /** X-Correlation-Id when valid, else the trace id of a valid `traceparent`, else a new UUID. */
  correlationId: string;
  /** The request's W3C `traceparent`, when it sent a valid one (recorded on the events, passed on to Kafka). */
  traceparent: string | null;
}

export type TracedRequest = Request & { trace?: TraceContext };

/** What X-Correlation-Id may hold (the OpenAPI document states the same pattern). */
export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// W3C Trace Context §3.2: version-traceid-parentid-flags, lowercase hex. Version ff is invalid; a later version may
// append fields after the flags (read as version 00, the first four fields).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;

/** A valid `traceparent` and its trace id, or null: an invalid value is ignored, as the specification asks. */
export function parseTraceparent(value: string | undefined): { traceparent: string; traceId: string } | null {
  if (value === undefined || value.length > 512) return null;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return null;
  const [, version, traceId, parentId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceparent: `${version}-${traceId}-${parentId}-${flags}`, traceId };
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function traceContextOf(req: Request): TraceContext {
  const given = first(req.headers['x-correlation-id']);
  const trace = parseTraceparent(first(req.headers.traceparent));
  return {
    correlationId: given !== undefined && CORRELATION_ID.test(given) ? given : (trace?.traceId ?? randomUUID()),
    traceparent: trace?.traceparent ?? null,
  };
}
