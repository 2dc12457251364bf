import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEventStore } from '@chuishao/event-store';
import { openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { PROJECTIONS } from './projections';
import { loadConfig } from '../../api/src/config';

/**
 * The projector on its own (docker-compose): the same runner `npm start` runs in-process, writing the
 * read-model file the API reads. Stops cleanly on SIGTERM; after SIGKILL it resumes from its checkpoint.
 */
async function main() {
  const config = loadConfig();
  mkdirSync(dirname(config.readModelFile), { recursive: true });
  const store = createEventStore(config.store);
  const runners = PROJECTIONS.map((projection) => new ProjectionRunner(store, openReadModelDb(config.readModelFile), projection, {
    // A projection that cannot apply an event stops the process loudly rather than skip it.
    onError: (error) => {
      console.error(`projector ${projection.name} stopped: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  }));
  for (const runner of runners) {
    runner.start();
    console.log(`projector ${runner.projection.name} running from checkpoint ${runner.checkpoint ?? 'start'}`);
  }
  const stop = async () => {
    await Promise.all(runners.map((r) => r.stop()));
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
