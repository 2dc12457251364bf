import { resolve } from 'node:path';
import { createEventStore, type EventStoreConfig } from '@chuishao/event-store';
import { RelayConfigError } from './config';
import { consoleLogger, messageOf } from './logger';
import { startRelay } from './start-relay';

/**
 * The relay on its own (docker-compose): `node -r ./scripts/register-paths.js dist/apps/relay/src/main.js`.
 * Same store settings as the API (DATA_DIR, EVENT_STORE, EVENTSTORE_URL, STORE_SYNCHRONOUS), Kafka and
 * relay settings from KAFKA_* / RELAY_*; GET /health on RELAY_HEALTH_PORT (default 8081).
 * SIGTERM/SIGINT stop it cleanly; after SIGKILL it resumes from its checkpoint.
 */
async function main() {
  const env = { RELAY_HEALTH_PORT: '8081', ...process.env };
  const store = createEventStore(storeConfig(env));
  const relay = await startRelay(store, env);
  consoleLogger.info(`health on :${relay.healthPort}/health (pid ${process.pid})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${signal}: stopping`);
    await relay.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** The API's store settings (apps/api/src/config.ts), read the same way, plus the idle poll of a store written by another process. */
function storeConfig(env: NodeJS.ProcessEnv): EventStoreConfig {
  const kind = env.EVENT_STORE ?? 'sqlite';
  if (kind === 'eventstoredb') {
    if (!env.EVENTSTORE_URL) throw new RelayConfigError('EVENT_STORE=eventstoredb needs EVENTSTORE_URL');
    return { kind, url: env.EVENTSTORE_URL };
  }
  if (kind !== 'sqlite') throw new RelayConfigError(`EVENT_STORE must be sqlite or eventstoredb, got ${kind}`);
  const synchronous = (env.STORE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL' && synchronous !== 'OFF') {
    throw new RelayConfigError('STORE_SYNCHRONOUS must be FULL, NORMAL or OFF');
  }
  const pollIntervalMs = Number(env.STORE_POLL_MS ?? 200);
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 1) throw new RelayConfigError(`STORE_POLL_MS must be a positive integer, got ${env.STORE_POLL_MS}`);
  return { kind, file: resolve(env.DATA_DIR ?? './data', 'events.sqlite'), synchronous, pollIntervalMs };
}

main().catch((error) => {
  console.error(`relay failed to start: ${messageOf(error)}`);
  process.exit(1);
});
