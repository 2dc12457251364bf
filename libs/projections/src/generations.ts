import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EventStore, FoldableEvent, StreamPartition } from '@chuishao/event-store';
import type { Projection, ProjectionSession, SessionOptions } from './projection';
import { catchUpPartition, partitionCheckpointName } from './partitioned-catch-up';
import { ProjectionRunner } from './projection-runner';
import { inWriteTransaction, readCheckpoint, readProjectionVersion, resetCheckpoint, writeCheckpoint } from './read-model-db';

/**
 * Generations: rebuilding a projection from position 0 into NEW tables while the current ones keep
 * serving, then switching atomically. Generic over any projection whose tables can be named per
 * generation: the case inbox and the scoring parts.
 *
 *   projection_generations(name, active, building): which generation readers and the live runner use,
 *   and which one a rebuild is filling.
 *
 * The live runner runs `liveProjection(gp)` under the projection's own name and checkpoint; each batch
 * goes to the generation active *inside its transaction*. A rebuild runs a second runner, named
 * `${name}#g${n}`, with its own checkpoint, into generation n. The switch is one transaction that
 * makes n active and moves the live checkpoint to what n has applied (catching n up to the live
 * checkpoint first, inside that transaction, if the live runner was ahead). Readers resolve the active
 * generation inside their read transaction, so they see either the old tables or the new, never a mix.
 */
export interface GenerationalProjection {
  /** Name of the live projection: its checkpoint and its row in projection_generations. */
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

export function ensureGenerationsTable(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS projection_generations (
    name TEXT PRIMARY KEY,
    active INTEGER NOT NULL,
    building INTEGER,
    updated_at TEXT NOT NULL
  )`);
}

interface GenerationRow {
  active: number;
  building: number | null;
}

/** Prepared once per connection: every live batch and every read resolves the active generation. */
const generationStatements = new WeakMap<DatabaseSync, StatementSync>();

function generationRow(db: DatabaseSync, name: string): GenerationRow | undefined {
  let statement = generationStatements.get(db);
  if (!statement) generationStatements.set(db, (statement = db.prepare('SELECT active, building FROM projection_generations WHERE name = ?')));
  return statement.get(name) as GenerationRow | undefined;
}

export interface GenerationStatus {
  active: number;
  /** The generation a rebuild is filling, with its checkpoint; while partitions fold the history, theirs. */
  building: { generation: number; checkpoint: number | null; partitions?: { partition: string; checkpoint: number | null }[] } | null;
}

/** Which generation serves, and which one a rebuild is filling (null: none), with the rebuild's progress. */
export function generationStatus(db: DatabaseSync, name: string): GenerationStatus {
  const row = generationRow(db, name);
  const building = row?.building ?? null;
  if (building === null) return { active: row?.active ?? 1, building: null };
  const prefix = `${rebuildName(name, building)}/`;
  const partitions = (db.prepare('SELECT name, position FROM projection_checkpoints WHERE substr(name, 1, ?) = ? ORDER BY name')
    .all(prefix.length, prefix) as { name: string; position: number | null }[])
    .map((r) => ({ partition: r.name.slice(prefix.length), checkpoint: r.position }));
  const checkpoint = readCheckpoint(db, rebuildName(name, building));
  return { active: row?.active ?? 1, building: { generation: building, checkpoint, ...(partitions.length > 0 ? { partitions } : {}) } };
}

/** The generation readers and the live runner use (1 before any rebuild). */
export function activeGeneration(db: DatabaseSync, name: string): number {
  return generationRow(db, name)?.active ?? 1;
}

export const rebuildName = (name: string, generation: number | '') => `${name}#g${generation}`;

/** The projection the live runner runs: the projection's name, the active generation's tables. */
export function liveProjection(gp: GenerationalProjection): Projection {
  return {
    name: gp.name,
    version: gp.version,
    drop(db) {
      ensureGenerationsTable(db);
      for (const generation of gp.existingGenerations(db)) gp.dropGeneration(db, generation);
      db.prepare('DELETE FROM projection_generations WHERE name = ?').run(gp.name);
      // A rebuild that was under way built the old version: it starts over.
      const rebuilds = db.prepare('SELECT name FROM projection_checkpoints').all() as { name: string }[];
      for (const { name } of rebuilds) if (name.startsWith(rebuildName(gp.name, ''))) db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(name);
    },
    setup(db) {
      ensureGenerationsTable(db);
      db.prepare('INSERT OR IGNORE INTO projection_generations (name, active, building, updated_at) VALUES (?, 1, NULL, ?)')
        .run(gp.name, new Date().toISOString());
      gp.setupGeneration(db, activeGeneration(db, gp.name));
    },
    applyBatch(db, events) {
      gp.applyBatch(db, activeGeneration(db, gp.name), events);
    },
    session: gp.session && ((db, options) => {
      // What a session holds belongs to one generation: a switch (a rebuild finishing) starts afresh.
      // The switch commits while no transaction of this runner is open, so a whole transaction sees one generation.
      let generation = -1;
      let current: ProjectionSession | null = null;
      return {
        fold(events) {
          const active = activeGeneration(db, gp.name);
          if (active !== generation || !current) {
            // Only the generation the runner's checkpoint spoke of can be the empty one.
            current = gp.session!(db, active, generation === -1 ? options : undefined);
            generation = active;
          }
          current.fold(events);
        },
        flush: () => current?.flush(),
      };
    }),
  };
}

/** One fixed generation as a projection of its own (what a rebuild runs). */
export function generationProjection(gp: GenerationalProjection, generation: number): Projection {
  return {
    name: rebuildName(gp.name, generation),
    setup: (db) => gp.setupGeneration(db, generation),
    applyBatch: (db, events) => gp.applyBatch(db, generation, events),
    session: gp.session && ((db, options) => gp.session!(db, generation, options)),
  };
}

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
   * Fold the history in `count` stream partitions side by side (partitioned-catch-up.ts) before the usual
   * catch-up of the tail; `run` runs one partition's task, e.g. on a worker thread of its own (default:
   * on this thread, over `db`). Without it, or with count 1, one runner reads the whole history.
   */
  partitions?: { count: number; run?: (task: PartitionTask, signal: AbortSignal) => Promise<void> };
}

/** One partition's share of a rebuild: what a worker needs to call catchUpPartition on its own connections. */
export interface PartitionTask {
  targets: { name: string; generation: number }[];
  partition: StreamPartition;
  to: number;
  batch?: number;
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
  const building = gps.map((gp, i) => ({ gp, generation: claims[i].generation, name: rebuildName(gp.name, claims[i].generation) }));
  const progress = (position: number | null, head: number | null) =>
    building.forEach(({ generation }) => options.onProgress?.({ generation, position, head }));

  // 1a. The bulk of the history, partitioned over several workers (when asked, and not done already).
  await catchUpInPartitions(store, db, building, options, progress);

  // 1b. Catch up from the checkpoint (0 when fresh) to the head, in big batches, off the live path.
  let failure: unknown = null;
  const runner = new ProjectionRunner(store, db, building.map(({ gp, generation }) => generationProjection(gp, generation)), {
    catchUpBatch: options.maxBatch,
    onError: (error) => (failure = error),
  });
  runner.start();
  try {
    for (;;) {
      const head = await store.headPosition();
      if (head === null) break;
      const reached = runner.reached(head).then(() => true);
      for (;;) {
        const done = await Promise.race([reached, sleep(options.progressEveryMs ?? 1000).then(() => false)]);
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
  if (failure) throw failure;

  const results: RebuildResult[] = [];
  for (const [i, { gp, generation, name }] of building.entries()) {
    const built = await switchTo(store, db, gp, generation, name, options);
    options.onProgress?.({ generation, position: built, head: await store.headPosition() });
    results.push({ generation, previous: claims[i].previous, position: built, resumed: claims[i].resumed });
  }

  // 3. Let readers that resolved the old generation just before the switch finish, then drop it.
  await sleep(options.graceMs ?? 2000);
  for (const gp of gps) dropStaleGenerations(db, gp);
  return results;
}

interface Building {
  gp: GenerationalProjection;
  generation: number;
  name: string;
}

/**
 * Partitions fold up to the head as it was when they started (or resume from their checkpoints after a
 * crash, with the count they started with), then one transaction sets each generation's checkpoint there.
 */
async function catchUpInPartitions(
  store: EventStore,
  db: DatabaseSync,
  building: readonly Building[],
  options: RebuildOptions,
  progress: (position: number | null, head: number | null) => void,
): Promise<void> {
  // Generations past this phase (a resumed rebuild) have their own checkpoint and go on with the runner.
  const pending = building.filter(({ name }) => readCheckpoint(db, name) === null);
  if (pending.length === 0) return;
  const started = partitionCountOf(db, pending);
  const count = started ?? options.partitions?.count ?? 1;
  if (count <= 1) return;
  const to = await store.headPosition();
  if (to === null) return;
  const targets = pending.map(({ gp, generation }) => ({ name: gp.name, generation }));
  const run = options.partitions?.run ?? ((task: PartitionTask, signal: AbortSignal) => catchUpPartition(store, db, task.targets.map((t) => {
    const gp = pending.find((b) => b.gp.name === t.name)!.gp;
    return { ...t, session: sessionOf(gp, t.generation) };
  }), task.partition, task.to, { batch: task.batch, signal }));
  // Fresh or resumed, the partitions write without indexes; the merge below builds them.
  inWriteTransaction(db, () => {
    for (const { gp, generation } of pending) gp.dropIndexes?.(db, generation);
  });
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
  const outcomes = await Promise.allSettled(Array.from({ length: count }, (_, index) =>
    run({ targets, partition: { index, count }, to, batch: options.maxBatch }, abort.signal).catch((error: unknown) => {
      abort.abort();
      throw error;
    })));
  clearInterval(checkpointer);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;

  inWriteTransaction(db, () => {
    for (const { gp, generation, name } of pending) {
      for (let index = 0; index < count; index++) {
        const partitionName = partitionCheckpointName(gp.name, generation, { index, count });
        const reached = readCheckpoint(db, partitionName);
        if (reached !== to) throw new Error(`${partitionName} is at ${reached}, not at ${to}`);
        db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(partitionName);
      }
      writeCheckpoint(db, name, to);
      gp.setupGeneration(db, generation);
    }
  });
  progress(to, to);
}

const WAL_CHECKPOINT_EVERY_MS = 1_000;

/** The partition count an interrupted partitioned phase used (its checkpoints' names say), or null. */
function partitionCountOf(db: DatabaseSync, building: readonly Building[]): number | null {
  const rows = db.prepare('SELECT name FROM projection_checkpoints').all() as { name: string }[];
  for (const { name } of building) {
    for (const row of rows) {
      const m = row.name.startsWith(`${name}/p`) ? /of(\d+)$/.exec(row.name) : null;
      if (m) return Number(m[1]);
    }
  }
  return null;
}

function sessionOf(gp: GenerationalProjection, generation: number): (db: DatabaseSync, options: SessionOptions) => ProjectionSession {
  if (!gp.session) throw new Error(`${gp.name} has no session, so it cannot be rebuilt in partitions`);
  return (db, options) => gp.session!(db, generation, options);
}

/** 2. Switch, catching up the last events inside the switching transaction (never awaiting in it). */
async function switchTo(store: EventStore, db: DatabaseSync, gp: GenerationalProjection, generation: number, name: string, options: RebuildOptions): Promise<number | null> {
  let built = readCheckpoint(db, name);
  for (;;) {
    const pending = await store.readAllFoldable({ after: built, limit: options.maxBatch ?? 2000 });
    const switched = inWriteTransaction(db, () => {
      const live = readCheckpoint(db, gp.name);
      built = readCheckpoint(db, name);
      const fresh = pending.filter((e) => built === null || e.position > built);
      const upToLive = live === null ? [] : fresh.filter((e) => e.position <= live);
      const covered = live === null || (built !== null && built >= live) || (fresh.length > 0 && fresh[fresh.length - 1].position >= live);
      if (!covered && fresh.length === 0) throw new Error(`${gp.name}: the store returned nothing after ${built}, below the live checkpoint ${live}`);
      const apply = covered ? upToLive : fresh;
      if (apply.length > 0) {
        gp.applyBatch(db, generation, apply);
        built = apply[apply.length - 1].position;
        writeCheckpoint(db, name, built);
      }
      if (covered) {
        db.prepare('UPDATE projection_generations SET active = ?, building = NULL, updated_at = ? WHERE name = ?')
          .run(generation, new Date().toISOString(), gp.name);
        if (built !== null) writeCheckpoint(db, gp.name, built);
        // The tables now served were built by this version of the projection.
        db.prepare('UPDATE projection_checkpoints SET version = ? WHERE name = ?').run(gp.version ?? 0, gp.name);
        db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(name);
      }
      return covered;
    });
    if (switched) return built;
  }
}

function claimGeneration(db: DatabaseSync, gp: GenerationalProjection): { generation: number; resumed: boolean; previous: number } {
  return inWriteTransaction(db, () => {
    const row = generationRow(db, gp.name)!;
    let generation = row.building;
    const resumed = generation !== null;
    if (generation === null) {
      generation = Math.max(row.active, ...gp.existingGenerations(db)) + 1;
      gp.dropGeneration(db, generation);
      db.prepare("DELETE FROM projection_checkpoints WHERE name = ? OR name LIKE ? ESCAPE '\\'")
        .run(rebuildName(gp.name, generation), `${rebuildName(gp.name, generation).replace(/[\\%_]/g, (c) => `\\${c}`)}/p%`);
      db.prepare('UPDATE projection_generations SET building = ?, updated_at = ? WHERE name = ?').run(generation, new Date().toISOString(), gp.name);
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
