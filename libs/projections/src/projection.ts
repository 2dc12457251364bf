import type { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '@chuishao/event-store';

/**
 * A projection folds events into read-model rows: evolve(doc, event) over a batch against its tables.
 * It runs inside the runner's transaction, which also moves the checkpoint, so it may assume that
 * every event reaches it exactly once, in global order. Batches let it write each row once per batch.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the tables or their meaning change: the runner then drops them and projects from the start. */
  readonly version?: number;
  setup(db: DatabaseSync): void;
  /** Removes the projection's tables (for a rebuild after a version change). */
  drop?(db: DatabaseSync): void;
  applyBatch(db: DatabaseSync, events: readonly RecordedEvent[]): void;
}
