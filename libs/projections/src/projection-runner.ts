import type { DatabaseSync } from 'node:sqlite';
import type { EventStore, FoldableEvent, RecordedEvent } from '@chuishao/event-store';
import type { Projection, ProjectionSession } from './projection';
import { readCheckpoint, readProjectionVersion, resetCheckpoint, writeCheckpoint, type CheckpointRef } from './checkpoints';
import { beginImmediate, inWriteTransaction } from './transactions';

export interface RunnerOptions {
  /** Live: commit after this many events even if more are ready (default 500). */
  maxBatch?: number;
  /** Catch-up: events per transaction while reading history (default 100,000; also at most ~2 s per transaction). */
  catchUpBatch?: number;
  onError?: (error: unknown) => void;
}

/** Pages read from the store while catching up (smaller when catchUpBatch is). */
const CATCH_UP_PAGE = 1_000;
/**
 * A catch-up transaction holds the read-model write lock, so another writer (a second projector, a rebuild)
 * waits for it (busy_timeout, 30 s). Longer transactions write a case fewer times over its history.
 */
const CATCH_UP_MAX_MS = 2_000;

/** The transaction a runner has open: what each projection had committed when it began. */
interface OpenBatch {
  committed: Map<Projection, number | null>;
  fed: Set<Projection>;
  last: number;
  events: number;
  startedAt: number;
}

/**
 * Runs projections from their checkpoints over one reading of the events: catch-up in long
 * transactions, then live. Every transaction moves every fed projection's checkpoint together with its
 * rows; a crash anywhere leaves either the whole batch and its checkpoints, or neither. Events at or
 * before a projection's checkpoint are skipped for it, so a redelivery never counts twice and
 * projections at different checkpoints can share a runner.
 */
export class ProjectionRunner {
  readonly projections: readonly Projection[];
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  /** Per projection, the checkpoint this runner last committed (absent before its first transaction). */
  private readonly committed = new Map<Projection, number | null>();
  private readonly sessions = new Map<Projection, ProjectionSession>();
  private open: OpenBatch | null = null;
  private position: number | null;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly db: DatabaseSync,
    projections: Projection | readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.projections = Array.isArray(projections) ? projections : [projections as Projection];
    if (this.projections.length === 0) throw new Error('ProjectionRunner needs at least one projection');
    for (const p of this.projections) migrate(db, p);
    this.position = this.lowestCheckpoint();
  }

  /** The first projection (runners built for one projection read it so). */
  get projection(): Projection {
    return this.projections[0];
  }

  /** Everything up to here is applied by every projection of this runner. */
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

  /** Resolves once every projection has applied everything up to `position`. */
  reached(position: number): Promise<void> {
    if (this.position !== null && this.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private async run(): Promise<void> {
    try {
      await this.catchUp();
      await this.follow();
    } finally {
      // Stopped or failed midway: nothing of an unfinished transaction stays.
      if (this.open) this.rollback();
    }
  }

  /** Pages of history into long transactions, until a page comes back short. */
  private async catchUp(): Promise<void> {
    const signal = this.abort.signal;
    const maxEvents = this.options.catchUpBatch ?? 100_000;
    const pageSize = Math.min(CATCH_UP_PAGE, maxEvents);
    let after = this.position;
    for (;;) {
      const page = await this.store.readAllFoldable({ after, limit: pageSize });
      if (signal.aborted) return;
      if (page.length > 0) {
        if (!this.open) this.begin();
        this.feed(page);
        after = page[page.length - 1].position;
      }
      const open = this.open;
      if (open && (page.length < pageSize || open.events >= maxEvents || performance.now() - open.startedAt >= CATCH_UP_MAX_MS)) {
        this.commit();
        // Let timers, I/O and waiters run between transactions.
        await yieldToEventLoop();
      }
      if (page.length < pageSize) return;
    }
  }

  /** Live: whatever the subscription has ready, up to maxBatch, per transaction. */
  private async follow(): Promise<void> {
    const signal = this.abort.signal;
    const maxBatch = this.options.maxBatch ?? 500;
    const events = this.store.subscribeToAll({ after: this.position, signal })[Symbol.asyncIterator]();
    let pending = events.next();
    while (!signal.aborted) {
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
      this.begin();
      this.feed(batch);
      this.commit();
      // Yield after each batch: a long burst would otherwise hold every delivered event in memory and stall timers.
      await yieldToEventLoop();
    }
  }

  private begin(): void {
    beginImmediate(this.db);
    try {
      for (const projection of this.projections) projection.guard?.(this.db);
    } catch (error) {
      this.rollback();
      throw error;
    }
    const committed = new Map<Projection, number | null>();
    for (const projection of this.projections) {
      // Read under the write lock: another projector on the same file may have moved it, and then
      // whatever this runner's session holds in memory may be stale.
      const checkpoint = readCheckpoint(this.db, checkpointOf(projection));
      if (this.committed.has(projection) && this.committed.get(projection) !== checkpoint) this.sessions.delete(projection);
      committed.set(projection, checkpoint);
    }
    this.open = { committed, fed: new Set(), last: -1, events: 0, startedAt: performance.now() };
  }

  private feed(events: readonly FoldableEvent[]): void {
    const open = this.open!;
    try {
      for (const projection of this.projections) {
        const checkpoint = open.committed.get(projection)!;
        const fresh = checkpoint === null ? events : events.filter((e) => e.position > checkpoint);
        if (fresh.length === 0) continue;
        if (projection.session) this.sessionOf(projection, checkpoint).fold(fresh);
        else projection.applyBatch(this.db, fresh);
        open.fed.add(projection);
      }
    } catch (error) {
      this.rollback();
      throw error;
    }
    open.last = events[events.length - 1].position;
    open.events += events.length;
  }

  private commit(): void {
    const open = this.open!;
    try {
      for (const projection of this.projections) {
        if (!open.fed.has(projection)) continue;
        this.sessions.get(projection)?.flush();
        writeCheckpoint(this.db, checkpointOf(projection), open.last);
        open.committed.set(projection, open.last);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.open = null;
    for (const [projection, position] of open.committed) this.committed.set(projection, position);
    if (open.last < 0) return;
    this.position = Math.max(this.position ?? -1, open.last);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private rollback(): void {
    this.open = null;
    if (this.db.isOpen && this.db.isTransaction) this.db.exec('ROLLBACK');
    // What the sessions folded in memory was rolled back on disk.
    this.sessions.clear();
    this.committed.clear();
  }

  private sessionOf(projection: Projection, checkpoint: number | null): ProjectionSession {
    let session = this.sessions.get(projection);
    // No checkpoint yet: nothing of this projection is written (migrate() dropped whatever an older version left).
    if (!session) this.sessions.set(projection, (session = projection.session!(this.db, { empty: checkpoint === null })));
    return session;
  }

  private lowestCheckpoint(): number | null {
    let lowest = Number.MAX_SAFE_INTEGER;
    for (const p of this.projections) {
      const c = readCheckpoint(this.db, checkpointOf(p));
      if (c === null) return null;
      lowest = Math.min(lowest, c);
    }
    return lowest;
  }
}

const IDLE = Symbol('idle');
function nextMacrotask(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const checkpointOf = (projection: Projection): CheckpointRef => projection.checkpoint ?? projection.name;

/** A projection whose version changed is dropped and projected again from the first event. */
function migrate(db: DatabaseSync, projection: Projection): void {
  // A rebuild's projection of one generation: the version goes with the live checkpoint, at the switch.
  if (projection.checkpoint?.generation) {
    projection.setup(db);
    return;
  }
  const live = projection.checkpoint?.projection ?? projection.name;
  const version = projection.version ?? 0;
  const stored = readProjectionVersion(db, live);
  if (stored !== null && stored !== version) {
    inWriteTransaction(db, () => {
      projection.drop?.(db);
      projection.setup(db);
      resetCheckpoint(db, live, version);
    });
    return;
  }
  projection.setup(db);
  if (stored === null) resetCheckpoint(db, live, version);
}
