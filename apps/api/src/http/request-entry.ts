import type { NextFunction, Request, Response } from 'express';
import { traceContextOf, type TracedRequest } from '../observability/trace-context';
import { ANSWER_TIMED_OUT, Problem } from './problem';
import { sendProblem } from './problem.filter';

/** Something told of every answer when it has been sent: the metrics, the log line. */
export type AnswerObserver = (req: Request, res: Response, durationMs: number) => void;

const API_PATH = /^\/v1(?:\/|$)/i;

/** Under /v1: the JSON API (everything else is the console's pages and /docs). */
export const isApiPath = (req: Request): boolean => API_PATH.test(req.path);

/**
 * The headers of every answer under /v1: the set OWASP's REST Security Cheat Sheet gives for JSON APIs, plus
 * Referrer-Policy and Cross-Origin-Resource-Policy. Answers about cases and people never sit in a shared proxy or a
 * browser's cache (no-store), are never framed or run as a page (a CSP of nothing), are read as their declared type
 * only. The console's pages and /docs get helmet's set instead (runtime.ts): its other headers (X-XSS-Protection,
 * X-Download-Options, X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster) concern pages,
 * and setting them on every API answer cost more than a tenth of the command path's header time.
 */
const API_HEADERS: readonly (readonly [string, string])[] = [
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * What every request gets before anything else, in one middleware (each Express layer costs a path match and a call):
 * its trace context (correlation id, traceparent) that the log line, the metrics and the events agree on; the API's
 * security headers under /v1 (API_HEADERS); the answer deadline; and, once the answer is sent, the observers with its
 * duration.
 *
 * The deadline: a request its handler has not answered within `answerMs` is answered 503 with Retry-After, so a client
 * is never left waiting on a stuck dependency (the store, the read model) until its connection times out. The handler
 * may still finish: a command may have been applied, which a retry with the same Idempotency-Key finds (it is applied
 * at most once).
 */
export function requestEntry(options: { answerMs: number; observers: AnswerObserver[] }) {
  const { answerMs, observers } = options;
  const timedOut = (req: Request, res: Response) => () => {
    if (res.headersSent) return;
    sendProblem(
      req,
      res,
      new Problem(
        503,
        ANSWER_TIMED_OUT,
        'Service unavailable',
        `no answer within ${answerMs} ms; retry later (a command with the same Idempotency-Key is applied at most once)`,
        undefined,
        { 'Retry-After': '5' },
      ),
    );
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    (req as TracedRequest).trace = traceContextOf(req);
    if (API_PATH.test(req.path)) for (const [name, value] of API_HEADERS) res.setHeader(name, value);
    // A timer per request rather than one sweep over a Set of open requests: with the Set (deletes and all), the
    // objects of nearly every request outlived two scavenges and went to the old generation (≈ 3 MB per scavenge
    // against 0.3, and twice the GC threads' CPU; docs/benchmarks.md, 2026-12-06).
    const deadline = setTimeout(timedOut(req, res), answerMs);
    // 'close' follows every answer (after 'finish') and every connection lost before one: one listener for both.
    res.once('close', () => {
      clearTimeout(deadline);
      if (!res.writableFinished) return;
      const durationMs = performance.now() - started;
      for (const observe of observers) observe(req, res, durationMs);
    });
    next();
  };
}
