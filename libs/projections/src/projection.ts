import type { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '@chuishao/event-store';

/**
 * A projection folds events into read-model rows: `apply` is evolve(doc, event) against its tables.
 * It runs inside the runner's transaction, which also moves the checkpoint, so it may assume that
 * every event reaches it exactly once, in global order.
 */
export interface Projection {
  readonly name: string;
  setup(db: DatabaseSync): void;
  apply(db: DatabaseSync, event: RecordedEvent): void;
}
