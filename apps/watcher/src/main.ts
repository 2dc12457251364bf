import { loadConfig, openServices, processLog, startProcessors } from '@chuishao/runtime';

/**
 * The deadline watcher on its own (docker-compose): the one command path and the inbox read model the
 * projector writes, through libs/runtime; it serves no HTTP.
 */
async function main() {
  const config = { ...loadConfig(), processors: new Set(['watcher'] as const) };
  const log = processLog(config.logFormat, 'chuishao-watcher');
  const services = openServices(config, { log });
  const processors = await startProcessors(services, { log });
  log('watcher').log(`deadline watcher running every ${config.watcherIntervalMs} ms on ${config.readModelFile}`);
  const stop = async () => {
    await processors.stop();
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
