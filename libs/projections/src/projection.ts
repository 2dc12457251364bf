import type { DatabaseSync } from 'node:sqlite';
import type { FoldableEvent } from '@chuishao/event-store';
import type { CheckpointKey } from './checkpoints';

/**
 * A projection folds events into read-model rows: evolve(doc, event) over a batch against its tables.
 * It runs inside the runner's transaction, which also moves the checkpoint, so it may assume that
 * every event reaches it exactly once, in global order. Batches let it write each row once per batch.
 */
export interface Projection {
  readonly name: string;
  /** Where the runner keeps its progress (default: the live checkpoint, `{ projection: name }`). */
  readonly checkpoint?: CheckpointKey;
  /** Bump when the tables or their meaning change: the runner then drops them and projects from the start. */
  readonly version?: number;
  setup(db: DatabaseSync): void;
  /** Removes the projection's tables (for a rebuild after a version change). */
  drop?(db: DatabaseSync): void;
  applyBatch(db: DatabaseSync, events: readonly FoldableEvent[]): void;
  /**
   * Optional: throws when this runner may no longer write the projection's tables. Called under the write
   * lock at the start of every transaction, so nothing is written once it throws; the runner stops with
   * that error. A rebuild's generation uses it: once another rebuild of the same generation has switched
   * it in, its tables serve and only the live runner may write them.
   */
  guard?(db: DatabaseSync): void;
  /**
   * Optional: a writer for one runner's run that folds events into rows held in memory and writes each
   * touched row once per transaction (`flush`), keeping rows between transactions so a row touched
   * again soon is not read back and parsed: what makes a catch-up fast. The runner starts a new
   * session whenever the tables may have changed under it (another writer moved the checkpoint, or a
   * transaction failed and was rolled back). A session must bound its memory.
   */
  session?(db: DatabaseSync, options?: SessionOptions): ProjectionSession;
}

export interface SessionOptions {
  /**
   * The session starts on tables holding none of the rows it will write (its checkpoint is null, and
   * rows are only written with a checkpoint), and it is their only writer: a row it has not seen yet
   * does not exist, so it need not be looked up. What makes folding from position 0 cheaper.
   */
  empty?: boolean;
  /**
   * The tables' unique key indexes are absent (a partitioned rebuild's first phase, see
   * GenerationalProjection.dropIndexes): rows are found by rowid (KeylessRows in table-rows.ts), never by key.
   */
  keyless?: boolean;
  /** The session folds one of this many stream partitions: it keeps that share of its usual rows in memory. */
  partitions?: number;
}

export interface ProjectionSession {
  /** Folds events (in global order, each once) into rows in memory; may read rows it does not hold. */
  fold(events: readonly FoldableEvent[]): void;
  /** Writes every row changed since the last flush; called inside the transaction that moves the checkpoint. */
  flush(): void;
}
