import { createHash, randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandOptions } from '@chuishao/commands';
import type { Request } from 'express';
import { traceContextOf, type TraceContext, type TracedRequest } from '../observability/trace-context';
import { Problem } from './problem';

/** What a command request says about itself, beyond its body: for tracing, retries and concurrency. */
export interface RequestMeta {
  /** Ties together everything one user action caused; X-Correlation-Id, else the traceparent's trace id, else made here. */
  correlationId: string;
  /** The request's valid W3C traceparent, recorded on the events. */
  traceparent: string | null;
  /** This request: the direct cause of the events it appends. */
  requestId: string;
  idempotencyKey: string | null;
  /** Hash of method, route and body (only with an Idempotency-Key): the same key with another request is refused. */
  requestHash: string;
  /** The case version the client saw (If-Match), if it asks for an optimistic check. */
  expectedVersion: number | null;
}

/** What Idempotency-Key and X-Correlation-Id may hold (the OpenAPI document states the same pattern). */
export const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
/** An ETag this API issued (the case version), weak or strong, quoted or not. */
export const IF_MATCH = /^(?:W\/)?"?(\d+)"?$/;

/**
 * The request's trace context, settled once per request (observability/trace-context.ts, the first middleware), so the
 * events a command appends, the audit record of a refusal and the request's log line name the same correlation id.
 */
export function traceOf(req: Request): TraceContext {
  const r = req as TracedRequest;
  return (r.trace ??= traceContextOf(req));
}

/** X-Correlation-Id when it is a valid one, else the traceparent's trace id, else an id made once per request. */
export function correlationIdOf(req: Request): string {
  return traceOf(req).correlationId;
}

export const Meta = createParamDecorator((_: unknown, context: ExecutionContext): RequestMeta => {
  const req = context.switchToHttp().getRequest<Request>();
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const idempotencyKey = header('idempotency-key') ?? null;
  if (idempotencyKey !== null && !TOKEN.test(idempotencyKey)) {
    throw Problem.badRequest('Idempotency-Key must be 1-128 characters of letters, digits and ._:-', [
      { field: 'Idempotency-Key', message: 'invalid header value' },
    ]);
  }
  const trace = traceOf(req);
  const ifMatch = header('if-match');
  let expectedVersion: number | null = null;
  if (ifMatch !== undefined) {
    const m = IF_MATCH.exec(ifMatch.trim());
    if (!m) throw Problem.badRequest('If-Match must be an ETag this API issued', [{ field: 'If-Match', message: 'invalid header value' }]);
    expectedVersion = Number(m[1]);
  }
  return {
    correlationId: trace.correlationId,
    traceparent: trace.traceparent,
    requestId: randomUUID(),
    idempotencyKey,
    requestHash: idempotencyKey === null ? '' : hashRequest(req.method, req.route?.path ?? req.path, req.params, req.body),
    expectedVersion,
  };
});

/** The headers' part of a command, as the command handler takes it. */
export function commandOptions(meta: RequestMeta): CommandOptions {
  return {
    expectedRevision: meta.expectedVersion,
    idempotencyKey: meta.idempotencyKey,
    requestHash: meta.requestHash,
    correlationId: meta.correlationId,
    causationId: meta.requestId,
    ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
  };
}

function hashRequest(method: string, route: string, params: unknown, body: unknown): string {
  return createHash('sha256').update(canonical({ method, route, params, body })).digest('base64url');
}

/** JSON with sorted keys, so that key order in the body does not make two equal requests differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
