import { loadConfig, openServices, processLog, ServiceMetrics, startMetricsServer, startProcessors } from '@chuishao/runtime';

/**
 * The deadline watcher on its own (docker-compose): the one command path and the inbox read model the
 * projector writes, through libs/runtime; it serves no HTTP.
 */
async function main() {
  const config = { ...loadConfig(), processors: new Set(['watcher'] as const) };
  const log = processLog(config.logFormat, 'chuishao-watcher');
  // Its breaches and commands, on METRICS_PORT when set (the API's /metrics sees only its own process).
  const metrics = new ServiceMetrics();
  const services = openServices(config, { log, observeCommands: metrics.command });
  const processors = await startProcessors(services, { log });
  const metricsServer = config.metricsPort === null ? null : await startMetricsServer(metrics, config.metricsPort);
  if (metricsServer) log('watcher').log(`metrics on :${metricsServer.port}/metrics`);
  log('watcher').log(`deadline watcher running every ${config.watcherIntervalMs} ms on ${config.readModelFile}`);
  const stop = async () => {
    await processors.stop();
    await metricsServer?.close();
    await services.store.close();
    process.exit(0);
  };
  // An operator who added next year's holidays to the calendar files reloads without a restart.
  process.on('SIGHUP', () => void services.reloadCalendar());
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(`deadline watcher failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
