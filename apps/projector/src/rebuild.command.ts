import { createEventStore } from '@chuishao/event-store';
import { caseInboxGenerations, openReadModelDb, rebuildProjection, type GenerationalProjection } from '@chuishao/projections';
import { scoringGenerations } from '@chuishao/scoring';
import { loadConfig } from '../../api/src/config';

/** Every read model that can be rebuilt while the service keeps serving it. */
export const REBUILDABLE: Readonly<Record<string, GenerationalProjection>> = {
  [caseInboxGenerations.name]: caseInboxGenerations,
  [scoringGenerations.name]: scoringGenerations,
};

/**
 * Rebuilds one read model from position 0 into a new generation of tables while the service keeps
 * serving the current one, then switches atomically and drops the old tables. Safe next to a running
 * service (embedded or external projector); after a crash, run it again: it resumes.
 *
 *   node --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js dist/apps/projector/src/rebuild.command.js case-inbox|scoring-parts
 */
export async function rebuildFromCommandLine(name: string | undefined): Promise<void> {
  const projection = name === undefined ? undefined : REBUILDABLE[name];
  if (!projection) {
    console.error(`usage: rebuild.command.js <${Object.keys(REBUILDABLE).join('|')}>${name === undefined ? '' : ` (no read model ${name})`}`);
    process.exit(2);
  }
  // Events per catch-up transaction (default 100,000 or 2 s): smaller ones hold the read-model write lock for less.
  const batch = process.env.REBUILD_BATCH === undefined ? undefined : Number(process.env.REBUILD_BATCH);
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) {
    console.error(`REBUILD_BATCH must be a positive integer; got ${process.env.REBUILD_BATCH}`);
    process.exit(2);
  }
  const config = loadConfig();
  const store = createEventStore(config.store);
  const db = openReadModelDb(config.readModelFile);
  const started = Date.now();
  try {
    const result = await rebuildProjection(store, db, projection, {
      maxBatch: batch,
      onProgress: ({ generation, position, head }) => console.log(`${projection.name} generation ${generation}: at ${position ?? 'start'} of ${head ?? 'empty store'}`),
    });
    console.log(
      `${projection.name} rebuilt as generation ${result.generation} (was ${result.previous}${result.resumed ? ', resumed' : ''}) ` +
        `up to position ${result.position ?? 'none'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    console.error(`${projection.name} rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    db.close();
    await store.close();
  }
}

if (require.main === module) void rebuildFromCommandLine(process.argv[2]);
