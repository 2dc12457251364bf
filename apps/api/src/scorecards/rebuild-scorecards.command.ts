import { createEventStore } from '@chuishao/event-store';
import { openReadModelDb } from '@chuishao/projections';
import { rebuildProjection, scoringGenerations } from '@chuishao/scoring';
import { loadConfig } from '../config';

/**
 * Rebuilds the scoring read model from position 0 into a new generation of tables while the service
 * keeps serving the current one, then switches atomically and drops the old tables. Safe to run next
 * to a running service (embedded or external projector); after a crash, run it again: it resumes.
 *
 *   node --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js dist/apps/api/src/scorecards/rebuild-scorecards.command.js
 */
async function main() {
  const config = loadConfig();
  const store = createEventStore(config.store);
  const db = openReadModelDb(config.readModelFile);
  const started = Date.now();
  const result = await rebuildProjection(store, db, scoringGenerations, {
    onProgress: ({ generation, position, head }) => console.log(`scoring generation ${generation}: at ${position ?? 'start'} of ${head ?? 'empty store'}`),
  });
  console.log(
    `scoring rebuilt as generation ${result.generation} (was ${result.previous}${result.resumed ? ', resumed' : ''}) ` +
      `up to position ${result.position ?? 'none'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  db.close();
  await store.close();
}

main().catch((error) => {
  console.error(`scoring rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
