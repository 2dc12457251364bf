import type { DatabaseSync } from 'node:sqlite';
import type { EventStore } from '@chuishao/event-store';
import { deleteRebuildCheckpoints, readProjectionVersion, resetCheckpoint } from '../checkpoints';
import { ProjectionRunner } from '../projection-runner';
import { inWriteTransaction } from '../transactions';
import type { GenerationalProjection } from './generational-projection';
import { generationProjection, liveProjection } from './live';
import { catchUpInPartitions, type Building, type PartitionTask } from './partitions';
import { switchTo } from './switch';
import { GenerationTakenOver, generationRow, markBuilding } from './table';

export interface RebuildProgress {
  generation: number;
  position: number | null;
  head: number | null;
}

export interface RebuildOptions {
  /** Events per transaction while catching up (default: the runner's, 100,000 or 2 s) and per switching step (2,000). */
  maxBatch?: number;
  /** How long the old generation's tables stay after the switch, for readers still on them (default 2 s). */
  graceMs?: number;
  onProgress?: (progress: RebuildProgress) => void;
  progressEveryMs?: number;
  /**
   * Fold the history in `count` stream partitions side by side (partitions.ts, partitioned-catch-up.ts)
   * before the usual catch-up of the tail; `run` runs one partition's task, e.g. on a worker thread of its
   * own (default: on this thread, over `db`). Without it, or with count 1, one runner reads the whole history.
   */
  partitions?: { count: number; run?: (task: PartitionTask, signal: AbortSignal) => Promise<void> };
}

export interface RebuildResult {
  generation: number;
  previous: number;
  position: number | null;
  resumed: boolean;
}

/**
 * Rebuilds `gp` from position 0 into a new generation and switches to it. `db` must be a connection
 * of its own (the rebuild holds write transactions on it). Resumable: after a crash, the next call
 * continues the generation that was being built from its checkpoint.
 */
export async function rebuildProjection(store: EventStore, db: DatabaseSync, gp: GenerationalProjection, options: RebuildOptions = {}): Promise<RebuildResult> {
  return (await rebuildProjections(store, db, [gp], options))[0];
}

/** rebuildProjection for several read models over one reading of the events; each switches on its own once built. */
export async function rebuildProjections(
  store: EventStore,
  db: DatabaseSync,
  gps: readonly GenerationalProjection[],
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const claims = gps.map((gp) => {
    liveProjection(gp).setup(db);
    // On a new file no live runner has recorded the version yet; without it, the first one to start would
    // take the rebuilt tables for an older version's and project everything again.
    if (readProjectionVersion(db, gp.name) === null) resetCheckpoint(db, gp.name, gp.version ?? 0);
    return claimGeneration(db, gp);
  });
  const building: Building[] = gps.map((gp, i) => ({ gp, generation: claims[i].generation }));
  const progress = (position: number | null, head: number | null) =>
    building.forEach(({ generation }) => {
      options.onProgress?.({ generation, position, head });
    });

  // 1a. The bulk of the history, partitioned over several workers (when asked, and not done already).
  await catchUpInPartitions(store, db, building, { count: options.partitions?.count ?? 1, run: options.partitions?.run, maxBatch: options.maxBatch }, progress);

  // 1b. Catch up from the checkpoint (0 when fresh) to the head, in big batches, off the live path.
  await catchUpToHead(store, db, building, options, progress);

  // 2. Switch each, catching up the last events inside the switching transaction.
  const results: RebuildResult[] = [];
  for (const [i, { gp, generation }] of building.entries()) {
    const built = await switchTo(store, db, gp, generation, options.maxBatch);
    options.onProgress?.({ generation, position: built, head: await store.headPosition() });
    results.push({ generation, previous: claims[i].previous, position: built, resumed: claims[i].resumed });
  }

  // 3. Let readers that resolved the old generation just before the switch finish, then drop it.
  await sleep(options.graceMs ?? 2000);
  for (const gp of gps) dropStaleGenerations(db, gp);
  return results;
}

async function catchUpToHead(
  store: EventStore,
  db: DatabaseSync,
  building: readonly Building[],
  options: RebuildOptions,
  progress: (position: number | null, head: number | null) => void,
): Promise<void> {
  let failure: unknown = null;
  let failed!: () => void;
  const stopped = new Promise<boolean>((resolve) => (failed = () => resolve(true)));
  const runner = new ProjectionRunner(
    store,
    db,
    building.map(({ gp, generation }) => generationProjection(gp, generation)),
    {
      catchUpBatch: options.maxBatch,
      onError: (error) => {
        failure = error;
        failed();
      },
    },
  );
  runner.start();
  try {
    for (;;) {
      const head = await store.headPosition();
      if (head === null) break;
      const reached = runner.reached(head).then(() => true);
      for (;;) {
        const done = await Promise.race([reached, stopped, sleep(options.progressEveryMs ?? 1000).then(() => false)]);
        // Another rebuild of the generation switched it in: the switch below finds it so.
        if (failure instanceof GenerationTakenOver) return;
        if (failure) throw failure;
        progress(runner.checkpoint, head);
        if (done) break;
      }
      // Close enough to the head when nothing (or little) was appended while catching up.
      const now = await store.headPosition();
      if (now === head || (now !== null && now - head < (options.maxBatch ?? 2000))) break;
    }
  } finally {
    await runner.stop();
  }
  if (failure && !(failure instanceof GenerationTakenOver)) throw failure;
}

function claimGeneration(db: DatabaseSync, gp: GenerationalProjection): { generation: number; resumed: boolean; previous: number } {
  return inWriteTransaction(db, () => {
    const row = generationRow(db, gp.name)!;
    let generation = row.building;
    const resumed = generation !== null;
    if (generation === null) {
      generation = Math.max(row.active, ...gp.existingGenerations(db)) + 1;
      gp.dropGeneration(db, generation);
      deleteRebuildCheckpoints(db, gp.name, generation);
      markBuilding(db, gp.name, generation);
    }
    // Leftovers of earlier rebuilds (a crash between switch and drop) go now.
    for (const g of gp.existingGenerations(db)) if (g !== row.active && g !== generation) gp.dropGeneration(db, g);
    gp.setupGeneration(db, generation);
    return { generation, resumed, previous: row.active };
  });
}

/** Drops every generation's tables except the active one and one being built. */
export function dropStaleGenerations(db: DatabaseSync, gp: GenerationalProjection): number[] {
  return inWriteTransaction(db, () => {
    const row = generationRow(db, gp.name);
    const keep = new Set([row?.active ?? 1, row?.building ?? -1]);
    const dropped = gp.existingGenerations(db).filter((g) => !keep.has(g));
    for (const g of dropped) gp.dropGeneration(db, g);
    return dropped;
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
