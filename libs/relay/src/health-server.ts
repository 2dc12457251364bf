import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayStatus } from './kafka-relay';

/** States in which the relay is doing its job; anything else answers 503 so an orchestrator can tell. */
const HEALTHY = new Set(['starting', 'catching-up', 'live']);

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** `GET /health` → the relay's status as JSON: 200 while relaying, 503 while retrying or stopped. */
export async function startHealthServer(port: number, status: () => RelayStatus, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const s = status();
    res.writeHead(HEALTHY.has(s.state) ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
