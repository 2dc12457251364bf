import type { DatabaseSync } from 'node:sqlite';
import type { EventStore, StreamPartition } from '@chuishao/event-store';
import { deleteCheckpoint, readCheckpoint, rebuildCheckpoints, writeCheckpoint } from '../checkpoints';
import { catchUpPartition } from '../partitioned-catch-up';
import type { ProjectionSession, SessionOptions } from '../projection';
import { inWriteTransaction } from '../transactions';
import type { GenerationalProjection } from './generational-projection';
import { assertBuilding, generationRow, GenerationTakenOver } from './table';

/** One partition's share of a rebuild: what a worker needs to call catchUpPartition on its own connections. */
export interface PartitionTask {
  targets: { name: string; generation: number }[];
  partition: StreamPartition;
  to: number;
  batch?: number;
}

export interface PartitionedPhase {
  count: number;
  /** Runs one partition's task, e.g. on a worker thread of its own (default: on this thread, over `db`). */
  run?: (task: PartitionTask, signal: AbortSignal) => Promise<void>;
  maxBatch?: number;
}

/** A generation a rebuild fills. */
export interface Building {
  gp: GenerationalProjection;
  generation: number;
}

const WAL_CHECKPOINT_EVERY_MS = 1_000;

/**
 * A rebuild's first phase: partitions fold up to the head as it was when they started (or resume from
 * their checkpoints after a crash, with the count they started with), then one transaction sets each
 * generation's checkpoint there and builds its indexes. Generations past this phase (a resumed rebuild)
 * have their own checkpoint and go on with the rebuild's runner.
 */
export async function catchUpInPartitions(
  store: EventStore,
  db: DatabaseSync,
  building: readonly Building[],
  options: PartitionedPhase,
  progress: (position: number | null, head: number | null) => void,
): Promise<void> {
  const to = await store.headPosition();
  if (to === null) return;
  // Under the write lock, so that another rebuild of the same generation cannot switch it in between: the
  // generations still being built and not past this phase, their indexes gone (the merge builds them).
  const { pending, count } = inWriteTransaction(db, () => {
    const pending = building.filter(
      ({ gp, generation }) => generationRow(db, gp.name)?.building === generation && readCheckpoint(db, { projection: gp.name, generation }) === null,
    );
    const count = pending.length === 0 ? 0 : (partitionCountOf(db, pending) ?? options.count);
    // Fresh or resumed, the partitions write without indexes.
    if (count > 1) for (const { gp, generation } of pending) gp.dropIndexes?.(db, generation);
    return { pending, count };
  });
  if (count <= 1) return;
  const targets = pending.map(({ gp, generation }) => ({ name: gp.name, generation }));
  const run =
    options.run ??
    ((task: PartitionTask, signal: AbortSignal) =>
      catchUpPartition(
        store,
        db,
        task.targets.map((t) => {
          const gp = pending.find((b) => b.gp.name === t.name)!.gp;
          return { ...t, session: sessionOf(gp, t.generation) };
        }),
        task.partition,
        task.to,
        { batch: task.batch, signal },
      ));
  progress(null, to);
  // One partition failing stops the others; the rebuild fails only once none is still writing.
  const abort = new AbortController();
  // The partitions commit without checkpointing the WAL; this connection does it for them, off their threads.
  const checkpointer = setInterval(() => {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Only a missed checkpoint: the next one, or the merge's commit, copies the WAL.
    }
  }, WAL_CHECKPOINT_EVERY_MS);
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      run({ targets, partition: { index, count }, to, batch: options.maxBatch }, abort.signal).catch((error: unknown) => {
        abort.abort();
        throw error;
      }),
    ),
  );
  clearInterval(checkpointer);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  // Another rebuild of the generation merged its partitions first (the others stopped on the abort): the
  // catch-up and the switch go on from its checkpoint.
  if (outcomes.some((o) => o.status === 'rejected' && isTakenOver(o.reason))) return;
  if (failed) throw failed.reason;

  // The merge.
  inWriteTransaction(db, () => {
    for (const { gp, generation } of pending) {
      assertBuilding(db, gp.name, generation);
      for (let index = 0; index < count; index++) {
        const partition = { projection: gp.name, generation, partition: { index, count } };
        const reached = readCheckpoint(db, partition);
        if (reached !== to) throw new Error(`${gp.name}, generation ${generation}, partition ${index} of ${count} is at ${reached}, not at ${to}`);
        deleteCheckpoint(db, partition);
      }
      writeCheckpoint(db, { projection: gp.name, generation }, to);
      gp.setupGeneration(db, generation);
    }
  });
  progress(to, to);
}

/** The partition count an interrupted partitioned phase used (its checkpoints say), or null. */
function partitionCountOf(db: DatabaseSync, building: readonly Building[]): number | null {
  for (const { gp, generation } of building) {
    const partitioned = rebuildCheckpoints(db, gp.name, generation).find((c) => c.key.partition !== null);
    if (partitioned) return partitioned.key.partition!.count;
  }
  return null;
}

function sessionOf(gp: GenerationalProjection, generation: number): (db: DatabaseSync, options: SessionOptions) => ProjectionSession {
  if (!gp.session) throw new Error(`${gp.name} has no session, so it cannot be rebuilt in partitions`);
  return (db, options) => gp.session!(db, generation, options);
}

/** A partition that ran on a worker thread rejects with a copy of the error: its name tells. */
const isTakenOver = (error: unknown) => error instanceof GenerationTakenOver || (error instanceof Error && error.name === 'GenerationTakenOver');
