import 'reflect-metadata';
import { loadConfig } from '@chuishao/runtime';
import { createRuntime } from '../../api/src/runtime';

/**
 * The deadline watcher on its own (docker-compose). It needs the command path (to record what it
 * finds) and the inbox read model the projector writes; it serves no HTTP.
 */
async function main() {
  const config = { ...loadConfig(), processors: new Set(['watcher'] as const) };
  const runtime = await createRuntime(config);
  console.log(`deadline watcher running every ${config.watcherIntervalMs} ms on ${config.readModelFile}`);
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  // An operator who added next year's holidays to the calendar files reloads without a restart.
  process.on('SIGHUP', () => void runtime.reloadCalendar());
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(`deadline watcher failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
