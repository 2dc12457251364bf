import type { DatabaseSync } from 'node:sqlite';
import type { FoldableEvent } from '@chuishao/event-store';
import type { ProjectionSession, SessionOptions } from '../projection';

/**
 * Generations: rebuilding a projection from position 0 into NEW tables while the current ones keep
 * serving, then switching atomically. Generic over any projection whose tables can be named per
 * generation: the case inbox and the scoring parts.
 *
 * - table.ts: projection_generations, which generation serves and which one a rebuild is filling;
 * - live.ts: the live runner's projection (the active generation's tables) and a fixed generation's;
 * - rebuild.ts: a rebuild from claiming a generation to dropping the old one;
 * - partitions.ts: its first phase, the history folded in stream partitions, and their merge;
 * - switch.ts: catching the new generation up to the live checkpoint and switching, in one transaction.
 *
 * The live runner runs `liveProjection(gp)` under the projection's live checkpoint; each batch goes to
 * the generation active *inside its transaction*. A rebuild runs a second runner with the checkpoint
 * `{ projection, generation: n }` into generation n. Readers resolve the active generation inside their
 * read transaction, so they see either the old tables or the new, never a mix.
 */
export interface GenerationalProjection {
  /** Name of the live projection: its checkpoints and its row in projection_generations. */
  readonly name: string;
  /** As Projection.version: a change drops every generation and projects again from the first event. */
  readonly version?: number;
  setupGeneration(db: DatabaseSync, generation: number): void;
  dropGeneration(db: DatabaseSync, generation: number): void;
  /**
   * Optional: drops the generation's indexes, its unique keys' too (setupGeneration makes them again). A
   * partitioned rebuild fills a new generation without them, its sessions keyless (SessionOptions), and
   * builds each index once at the merge, sorted, instead of updating it row by row.
   */
  dropIndexes?(db: DatabaseSync, generation: number): void;
  /** Generations whose tables exist in this database. */
  existingGenerations(db: DatabaseSync): number[];
  applyBatch(db: DatabaseSync, generation: number, events: readonly FoldableEvent[]): void;
  /**
   * Optional: a session over one generation's tables that keeps rows in memory across transactions;
   * the runner makes a new one whenever another writer may have touched the tables (Projection.session).
   */
  session?(db: DatabaseSync, generation: number, options?: SessionOptions): ProjectionSession;
}

/** Something made once per connection and generation (a projection's prepared statements); forgotten when that generation is dropped. */
export class PerGeneration<T> {
  private readonly byDb = new WeakMap<DatabaseSync, Map<number, T>>();

  constructor(private readonly make: (db: DatabaseSync, generation: number) => T) {}

  get(db: DatabaseSync, generation: number): T {
    let byGeneration = this.byDb.get(db);
    if (!byGeneration) this.byDb.set(db, (byGeneration = new Map()));
    let value = byGeneration.get(generation);
    if (value === undefined) byGeneration.set(generation, (value = this.make(db, generation)));
    return value;
  }

  forget(db: DatabaseSync, generation: number): void {
    this.byDb.get(db)?.delete(generation);
  }
}
