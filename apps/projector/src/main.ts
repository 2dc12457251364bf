import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEventStore } from '@chuishao/event-store';
import { caseInboxProjection, openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { loadConfig } from '../../api/src/config';

/**
 * The projector on its own (docker-compose): the same runner `npm start` runs in-process, writing the
 * read-model file the API reads. Stops cleanly on SIGTERM; after SIGKILL it resumes from its checkpoint.
 */
async function main() {
  const config = loadConfig();
  mkdirSync(dirname(config.readModelFile), { recursive: true });
  const store = createEventStore(config.store);
  const runner = new ProjectionRunner(store, openReadModelDb(config.readModelFile), caseInboxProjection, {
    onError: (error) => {
      console.error(`projector stopped: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  });
  runner.start();
  console.log(`projector ${caseInboxProjection.name} running from checkpoint ${runner.checkpoint ?? 'start'}`);
  const stop = async () => {
    await runner.stop();
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
