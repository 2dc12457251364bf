import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@chuishao/runtime';
import { createRuntime } from './runtime';

async function main() {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  await runtime.app.listen(config.port);
  const where = config.store.kind === 'sqlite' ? config.store.file : config.store.url;
  // Stop taking requests, let the processors finish their batch, close the store: then exit.
  const shutdown = async (signal: string) => {
    new Logger('chuishao').log(`${signal}: shutting down`);
    await runtime.close();
    process.exit(0);
  };
  // An operator who added next year's holidays to the calendar files reloads without a restart.
  process.on('SIGHUP', () => void runtime.reloadCalendar());
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  new Logger('chuishao').log(
    `listening on :${config.port} (${config.production ? 'production' : 'development'}; store ${config.store.kind} ${where}; ` +
      `in-process processors: ${[...config.processors].join(', ') || 'none'})`,
  );
}

main().catch((error) => {
  // Start-up failures (bad config, unreadable directory) are reported plainly and stop the process; lines held for
  // the JSON logger that never came are written first.
  Logger.flush();
  console.error(`chuishao failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
