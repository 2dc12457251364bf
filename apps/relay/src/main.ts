import { createEventStore } from '@chuishao/event-store';
import { messageOf, startRelay, type RelayLogger } from '@chuishao/relay';
import { loadRelayConfig, loadRelayProcessConfig, processLog, ServiceMetrics, startMetricsServer } from '@chuishao/runtime';

/**
 * The relay on its own (docker-compose): `node -r ./scripts/register-paths.js dist/apps/relay/src/main.js`.
 * Same store settings as the API (DATA_DIR, EVENT_STORE, EVENTSTORE_URL, STORE_SYNCHRONOUS), Kafka and
 * relay settings from KAFKA_* / RELAY_*; GET /health on RELAY_HEALTH_PORT (default 8081).
 * SIGTERM/SIGINT stop it cleanly; after SIGKILL it resumes from its checkpoint.
 */
async function main() {
  const env = { RELAY_HEALTH_PORT: '8081', ...process.env };
  // Every variable is checked before the store is opened, so a bad one is reported with all the others.
  const config = loadRelayProcessConfig(env);
  const log = processLog(config.logFormat, 'chuishao-relay')('relay');
  const logger: RelayLogger = { info: log.log, warn: log.warn, error: log.error };
  const store = createEventStore(config.store);
  const relay = await startRelay(store, loadRelayConfig(env), logger);
  logger.info(`health on :${relay.healthPort}/health (pid ${process.pid})`);
  const metrics = new ServiceMetrics({
    relay: () => {
      const status = relay.status();
      return { events: status.lagEvents, seconds: status.lagSeconds };
    },
  });
  const metricsServer = config.metricsPort === null ? null : await startMetricsServer(metrics, config.metricsPort);
  if (metricsServer) logger.info(`metrics on :${metricsServer.port}/metrics`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    await relay.stop();
    await metricsServer?.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(`relay failed to start: ${messageOf(error)}`);
  process.exit(1);
});
