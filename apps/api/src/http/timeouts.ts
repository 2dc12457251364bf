import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { HttpTimeouts } from '@chuishao/runtime';
import { ANSWER_TIMED_OUT, Problem } from './problem';
import { sendProblem } from './problem.filter';

/**
 * Node's own limits on the server: a client that sends its headers or its body slowly is answered 408 and its
 * connection closed once the limit passes (Node's default would hold a slow body for 300 s), and a connection on
 * which nothing moves is closed. Set before listening: Node starts its timeout checker when the server listens.
 */
export function applyHttpTimeouts(server: Server, timeouts: HttpTimeouts): void {
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.setTimeout(timeouts.idleMs);
  // Node checks the header and request limits on this interval (30 s by default): check often enough that a limit
  // is enforced within a fraction of itself.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4)),
  );
}

/**
 * A request whose handler has not answered within `answerMs` of its arrival is answered 503 with Retry-After, so a
 * client is never left waiting on a stuck dependency (the store, the read model) until its connection times out. The
 * handler itself may still finish: a command may have been applied, which a retry with the same Idempotency-Key
 * finds (it is applied at most once).
 */
export function answerDeadline(answerMs: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
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
    }, answerMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
