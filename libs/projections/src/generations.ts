import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import type { Projection, ProjectionSession } from './projection';
import { ProjectionRunner } from './projection-runner';
import { readCheckpoint, writeCheckpoint } from './read-model-db';

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
  /** Generations whose tables exist in this database. */
  existingGenerations(db: DatabaseSync): number[];
  applyBatch(db: DatabaseSync, generation: number, events: readonly RecordedEvent[]): void;
  /**
   * Optional: a session over one generation's tables that keeps rows in memory across transactions;
   * the runner makes a new one whenever another writer may have touched the tables (Projection.session).
   */
  session?(db: DatabaseSync, generation: number): ProjectionSession;
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

/** Which generation serves, and which one a rebuild is filling (null: none), with the rebuild's checkpoint. */
export function generationStatus(db: DatabaseSync, name: string): { active: number; building: { generation: number; checkpoint: number | null } | null } {
  const row = generationRow(db, name);
  const building = row?.building ?? null;
  return {
    active: row?.active ?? 1,
    building: building === null ? null : { generation: building, checkpoint: readCheckpoint(db, rebuildName(name, building)) },
  };
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
    session: gp.session && ((db) => {
      // What a session holds belongs to one generation: a switch (a rebuild finishing) starts afresh.
      // The switch commits while no transaction of this runner is open, so a whole transaction sees one generation.
      let generation = -1;
      let current: ProjectionSession | null = null;
      return {
        fold(events) {
          const active = activeGeneration(db, gp.name);
          if (active !== generation || !current) {
            generation = active;
            current = gp.session!(db, active);
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
    session: gp.session && ((db) => gp.session!(db, generation)),
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
  liveProjection(gp).setup(db);
  const { generation, resumed, previous } = claimGeneration(db, gp);
  const name = rebuildName(gp.name, generation);

  // 1. Catch up from the checkpoint (0 when fresh) to the head, in big batches, off the live path.
  let failure: unknown = null;
  const runner = new ProjectionRunner(store, db, generationProjection(gp, generation), {
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
        options.onProgress?.({ generation, position: runner.checkpoint, head });
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

  // 2. Switch, catching up the last events inside the switching transaction (never awaiting in it).
  let built = readCheckpoint(db, name);
  for (;;) {
    const pending = await store.readAll({ after: built, limit: options.maxBatch ?? 2000 });
    db.exec('BEGIN IMMEDIATE');
    try {
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
        db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(name);
        db.exec('COMMIT');
        break;
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
  options.onProgress?.({ generation, position: built, head: await store.headPosition() });

  // 3. Let readers that resolved the old generation just before the switch finish, then drop it.
  await sleep(options.graceMs ?? 2000);
  dropStaleGenerations(db, gp);
  return { generation, previous, position: built, resumed };
}

function claimGeneration(db: DatabaseSync, gp: GenerationalProjection): { generation: number; resumed: boolean; previous: number } {
  db.exec('BEGIN IMMEDIATE');
  try {
    const row = generationRow(db, gp.name)!;
    let generation = row.building;
    const resumed = generation !== null;
    if (generation === null) {
      generation = Math.max(row.active, ...gp.existingGenerations(db)) + 1;
      gp.dropGeneration(db, generation);
      db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(rebuildName(gp.name, generation));
      db.prepare('UPDATE projection_generations SET building = ?, updated_at = ? WHERE name = ?').run(generation, new Date().toISOString(), gp.name);
    }
    // Leftovers of earlier rebuilds (a crash between switch and drop) go now.
    for (const g of gp.existingGenerations(db)) if (g !== row.active && g !== generation) gp.dropGeneration(db, g);
    gp.setupGeneration(db, generation);
    db.exec('COMMIT');
    return { generation, resumed, previous: row.active };
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Drops every generation's tables except the active one and one being built. */
export function dropStaleGenerations(db: DatabaseSync, gp: GenerationalProjection): number[] {
  db.exec('BEGIN IMMEDIATE');
  try {
    const row = generationRow(db, gp.name);
    const keep = new Set([row?.active ?? 1, row?.building ?? -1]);
    const dropped = gp.existingGenerations(db).filter((g) => !keep.has(g));
    for (const g of dropped) gp.dropGeneration(db, g);
    db.exec('COMMIT');
    return dropped;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
