import { createHash, randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandOptions } from '@chuishao/commands';
import type { Request } from 'express';
import { Problem } from './problem';

/** What a command request says about itself, beyond its body: for tracing, retries and concurrency. */
export interface RequestMeta {
  /** Ties together everything one user action caused; taken from X-Correlation-Id or made here. */
  correlationId: string;
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

const CORRELATION = Symbol('chuishao:correlation-id');

/**
 * The request's correlation id: X-Correlation-Id when it is a valid one, else an id made once per request, so the events
 * a command appends and the audit record of a refusal name the same one.
 */
export function correlationIdOf(req: Request): string {
  const r = req as Request & { [CORRELATION]?: string };
  if (r[CORRELATION] === undefined) {
    const v = req.headers['x-correlation-id'];
    const given = Array.isArray(v) ? v[0] : v;
    r[CORRELATION] = given && TOKEN.test(given) ? given : randomUUID();
  }
  return r[CORRELATION];
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
  const ifMatch = header('if-match');
  let expectedVersion: number | null = null;
  if (ifMatch !== undefined) {
    const m = IF_MATCH.exec(ifMatch.trim());
    if (!m) throw Problem.badRequest('If-Match must be an ETag this API issued', [{ field: 'If-Match', message: 'invalid header value' }]);
    expectedVersion = Number(m[1]);
  }
  return {
    correlationId: correlationIdOf(req),
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
  };
}

function hashRequest(method: string, route: string, params: unknown, body: unknown): string {
  return createHash('sha256').update(canonical({ method, route, params, body })).digest('base64url');
}

/** JSON with sorted keys, so that key order in the body does not make two equal requests differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
