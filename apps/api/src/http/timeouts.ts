import type { Server } from 'node:http';
import type { HttpTimeouts } from '@chuishao/runtime';

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
