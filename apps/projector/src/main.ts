import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEventStore } from '@chuishao/event-store';
import { openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { loadConfig, processLog, PROJECTIONS, readModelLag, ServiceMetrics, startMetricsServer } from '@chuishao/runtime';

/**
 * The projector on its own (docker-compose): the same runner `npm start` runs in-process, writing the
 * read-model file the API reads. Stops cleanly on SIGTERM; after SIGKILL it resumes from its checkpoint.
 */
async function main() {
  const config = loadConfig();
  const log = processLog(config.logFormat, 'chuishao-projector')('projector');
  mkdirSync(dirname(config.readModelFile), { recursive: true });
  const store = createEventStore(config.store);
  const names = PROJECTIONS.map((p) => p.name).join(', ');
  // One runner for every projection: the events are read and parsed once, and each batch commits all read models together.
  const db = openReadModelDb(config.readModelFile);
  const runner = new ProjectionRunner(store, db, PROJECTIONS, {
    // A projection that cannot apply an event stops the process loudly rather than skip it.
    onError: (error) => {
      log.error(`projector (${names}) stopped: ${error instanceof Error ? error.message : String(error)}`);
      // exit flushes the lines still being written.
      process.exit(1);
    },
  });
  runner.start();
  log.log(`projector (${names}) running from checkpoint ${runner.checkpoint ?? 'start'}`);
  // How far each read model is behind the store, on METRICS_PORT when set.
  const metrics = new ServiceMetrics({ readModels: async () => readModelLag(db, await store.headPosition()) });
  const metricsServer = config.metricsPort === null ? null : await startMetricsServer(metrics, config.metricsPort);
  if (metricsServer) log.log(`metrics on :${metricsServer.port}/metrics`);
  const stop = async () => {
    await runner.stop();
    await metricsServer?.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(`projector failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
