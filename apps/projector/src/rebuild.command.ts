import { existsSync } from 'node:fs';
import { createEventStore } from '@chuishao/event-store';
import { ConfigError, loadRebuildConfig, type RebuildConfig } from '@chuishao/runtime';
import { defaultRebuildThreads, rebuildReadModels, REBUILDABLE } from '@chuishao/runtime';

export { REBUILDABLE };

/**
 * Rebuilds read models from position 0 into new generations of tables while the service keeps serving
 * the current ones, then switches each atomically and drops the old tables. `all` rebuilds every read
 * model over one reading of the events. Safe next to a running service (embedded or external
 * projector); after a crash, run it again: it resumes.
 *
 *   npm run rebuild -- all|case-inbox|scoring-parts
 *   (= node --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js dist/apps/projector/src/rebuild.command.js …, on Node 24)
 *
 * REBUILD_THREADS: workers folding the history in stream partitions (default: the cores, up to 4);
 * REBUILD_BATCH: events per catch-up transaction (default 100,000, per partition worker and after;
 * at most ~2 s of work each; smaller ones hold the read-model write lock for less).
 */
export async function rebuildFromCommandLine(name: string | undefined): Promise<void> {
  const names = name === 'all' ? Object.keys(REBUILDABLE) : name !== undefined && REBUILDABLE[name] ? [name] : null;
  if (!names) {
    console.error(`usage: rebuild.command.js <all|${Object.keys(REBUILDABLE).join('|')}>${name === undefined ? '' : ` (no read model ${name})`}`);
    process.exit(2);
  }
  let config: RebuildConfig;
  try {
    config = loadRebuildConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  // Opening a missing file would create an empty store and "rebuild" nothing, reporting success.
  if (config.store.kind === 'sqlite' && !existsSync(config.store.file)) {
    console.error(`rebuild: no event store at ${config.store.file} (is DATA_DIR right?); nothing rebuilt`);
    process.exit(2);
  }
  const batch = config.rebuild.batch ?? undefined;
  const threads = config.rebuild.threads ?? defaultRebuildThreads();
  const store = createEventStore(config.store);
  const started = Date.now();
  try {
    const results = await rebuildReadModels({
      names,
      store,
      storeConfig: config.store,
      readModelFile: config.readModelFile,
      threads,
      maxBatch: batch,
      onProgress: ({ generation, position, head }) => console.log(`generation ${generation}: at ${position ?? 'start'} of ${head ?? 'empty store'}`),
    });
    results.forEach((result, i) => {
      console.log(
        `${names[i]} rebuilt as generation ${result.generation} (was ${result.previous}${result.resumed ? ', resumed' : ''}) ` +
          `up to position ${result.position ?? 'none'} in ${((Date.now() - started) / 1000).toFixed(1)} s (${threads} thread${threads === 1 ? '' : 's'})`,
      );
    });
  } catch (error) {
    console.error(`${names.join(' + ')} rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}

if (require.main === module) void rebuildFromCommandLine(process.argv[2]);
