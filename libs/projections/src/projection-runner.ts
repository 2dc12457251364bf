import type { DatabaseSync } from 'node:sqlite';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import type { Projection } from './projection';
import { readCheckpoint, readProjectionVersion, resetCheckpoint, writeCheckpoint } from './read-model-db';

export interface RunnerOptions {
  /** Commit after this many events even if more are ready. */
  maxBatch?: number;
  onError?: (error: unknown) => void;
}

/**
 * Runs one projection from its checkpoint: catch-up then live. Events that arrive together are
 * applied in one transaction together with the new checkpoint; a crash anywhere leaves either the
 * whole batch and its checkpoint, or neither. Events at or before the checkpoint are skipped, so a
 * redelivery never counts twice.
 */
export class ProjectionRunner {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private position: number | null;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly db: DatabaseSync,
    readonly projection: Projection,
    private readonly options: RunnerOptions = {},
  ) {
    migrate(db, projection);
    this.position = readCheckpoint(db, projection.name);
  }

  get checkpoint(): number | null {
    return this.position;
  }

  start(): void {
    this.running ??= this.run().catch((error) => {
      if (!this.abort.signal.aborted) (this.options.onError ?? console.error)(error);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** Resolves once the projection has applied everything up to `position`. */
  reached(position: number): Promise<void> {
    if (this.position !== null && this.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private async run(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? 500;
    const events = this.store.subscribeToAll({ after: this.position, signal: this.abort.signal })[Symbol.asyncIterator]();
    let pending = events.next();
    while (!this.abort.signal.aborted) {
      const first = await pending;
      if (first.done) return;
      const batch: RecordedEvent[] = [first.value];
      pending = events.next();
      // Take whatever is already available, without waiting for new appends.
      while (batch.length < maxBatch) {
        const next = await Promise.race([pending, nextMacrotask()]);
        if (next === IDLE || next.done) break;
        batch.push(next.value);
        pending = events.next();
      }
      this.applyBatch(batch);
      // Yield after each batch: during a long catch-up the race's setImmediate callbacks (and every timer
      // and I/O of the process) would otherwise wait until the end, holding every delivered event in memory.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private applyBatch(batch: RecordedEvent[]): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Re-read the checkpoint under the write lock: another projector on the same file may have moved it.
      const committed = readCheckpoint(this.db, this.projection.name);
      const fresh = batch.filter((e) => committed === null || e.position > committed);
      if (fresh.length > 0) {
        this.projection.applyBatch(this.db, fresh);
        writeCheckpoint(this.db, this.projection.name, fresh[fresh.length - 1].position);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.position = Math.max(this.position ?? -1, batch[batch.length - 1].position);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}

const IDLE = Symbol('idle');
function nextMacrotask(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}

/** A projection whose version changed is dropped and projected again from the first event. */
function migrate(db: DatabaseSync, projection: Projection): void {
  const version = projection.version ?? 0;
  const stored = readProjectionVersion(db, projection.name);
  if (stored !== null && stored !== version) {
    db.exec('BEGIN IMMEDIATE');
    try {
      projection.drop?.(db);
      projection.setup(db);
      resetCheckpoint(db, projection.name, version);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    return;
  }
  projection.setup(db);
  if (stored === null) resetCheckpoint(db, projection.name, version);
}
