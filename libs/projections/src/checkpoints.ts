import type { DatabaseSync } from 'node:sqlite';
import type { StreamPartition } from '@chuishao/event-store';
import { inWriteTransaction, prepared } from './transactions';

/**
 * Checkpoints: how far each projection has applied the events, committed in the same transaction as its
 * rows. The only module that reads, writes or deletes them; everything else passes a key.
 *
 * A key names a projection and, for a rebuild, the generation it fills and, in a rebuild's partitioned
 * first phase, the stream partition. The live runner's checkpoint has neither: it follows whichever
 * generation is active (generations/table.ts).
 */
export interface CheckpointKey {
  projection: string;
  /** The generation a rebuild is filling; absent (or null) for the live checkpoint. */
  generation?: number | null;
  /** One of a rebuild's stream partitions; only with a generation. */
  partition?: StreamPartition | null;
}

/** A projection's name alone stands for its live checkpoint. */
export type CheckpointRef = string | CheckpointKey;

export interface StoredCheckpoint {
  key: { projection: string; generation: number | null; partition: StreamPartition | null };
  position: number | null;
}

/*
 * Layout: `generation` 0 is the live checkpoint, `partition_count` 0 is no partition. Sentinels rather than
 * NULLs because SQLite's primary keys treat NULLs as distinct, and an upsert must hit the one row.
 */
const TABLE = 'projection_checkpoints';
const CREATE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  projection TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
  partition_index INTEGER NOT NULL DEFAULT 0,
  partition_count INTEGER NOT NULL DEFAULT 0 CHECK (partition_count >= 0),
  position INTEGER,
  -- The projection version whose tables the live checkpoint speaks of (0 on other rows).
  version INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (projection, generation, partition_index, partition_count)
)`;

const WHERE_KEY = 'projection = ? AND generation = ? AND partition_index = ? AND partition_count = ?';

type KeyColumns = [projection: string, generation: number, partitionIndex: number, partitionCount: number];

function columnsOf(ref: CheckpointRef): KeyColumns {
  if (typeof ref === 'string') return [ref, 0, 0, 0];
  const generation = ref.generation ?? 0;
  if (!Number.isInteger(generation) || generation < 0) throw new RangeError(`checkpoint of ${ref.projection}: generation ${generation} is not a generation`);
  const partition = ref.partition ?? null;
  if (partition === null) return [ref.projection, generation, 0, 0];
  if (generation === 0) throw new RangeError(`checkpoint of ${ref.projection}: a partition belongs to a rebuild's generation`);
  if (
    !(
      Number.isInteger(partition.count) &&
      partition.count >= 1 &&
      Number.isInteger(partition.index) &&
      partition.index >= 0 &&
      partition.index < partition.count
    )
  ) {
    throw new RangeError(`checkpoint of ${ref.projection}: partition ${partition.index} of ${partition.count} does not exist`);
  }
  return [ref.projection, generation, partition.index, partition.count];
}

/** Creates the checkpoint table, or converts one of the earlier layout (a name per checkpoint) in place. */
export function ensureCheckpointTable(db: DatabaseSync): void {
  if (!hasNameColumn(db)) {
    db.exec(CREATE);
    return;
  }
  // Several processes may open the same old file at once: the one that takes the lock first converts it.
  inWriteTransaction(db, () => {
    if (!hasNameColumn(db)) return;
    migrateNamedCheckpoints(db);
  });
}

function hasNameColumn(db: DatabaseSync): boolean {
  const columns = db.prepare(`PRAGMA table_info(${TABLE})`).all() as { name: string }[];
  return columns.some((c) => c.name === 'name');
}

/**
 * The earlier layout encoded the key in `name`: `<projection>` (live), `<projection>#g<n>` (a rebuild),
 * `<projection>#g<n>/p<i>of<count>` (one of its partitions); files from before versions lack `version`.
 * This is the one place that reads such names, once per file.
 */
function migrateNamedCheckpoints(db: DatabaseSync): void {
  const columns = (db.prepare(`PRAGMA table_info(${TABLE})`).all() as { name: string }[]).map((c) => c.name);
  const version = columns.includes('version') ? 'version' : '0 AS version';
  const rows = db.prepare(`SELECT name, position, updated_at, ${version} FROM ${TABLE}`).all() as {
    name: string;
    position: number | null;
    updated_at: string;
    version: number;
  }[];
  db.exec(`ALTER TABLE ${TABLE} RENAME TO ${TABLE}_named`);
  db.exec(CREATE);
  const insert = db.prepare(
    `INSERT INTO ${TABLE} (projection, generation, partition_index, partition_count, position, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const row of rows) insert.run(...columnsOf(legacyKey(row.name)), row.position, row.version, row.updated_at);
  db.exec(`DROP TABLE ${TABLE}_named`);
}

const LEGACY_NAME = /^(.+)#g(\d+)(?:\/p(\d+)of(\d+))?$/;

function legacyKey(name: string): CheckpointKey {
  const m = LEGACY_NAME.exec(name);
  if (!m) return { projection: name };
  const partition = m[3] === undefined ? null : { index: Number(m[3]), count: Number(m[4]) };
  return { projection: m[1], generation: Number(m[2]), partition };
}

export function readCheckpoint(db: DatabaseSync, ref: CheckpointRef): number | null {
  // Prepared once per connection: read on every batch and every scorecard request.
  const row = prepared(db, `SELECT position FROM ${TABLE} WHERE ${WHERE_KEY}`).get(...columnsOf(ref)) as { position: number | null } | undefined;
  return row?.position ?? null;
}

export function writeCheckpoint(db: DatabaseSync, ref: CheckpointRef, position: number): void {
  prepared(
    db,
    `INSERT INTO ${TABLE} (projection, generation, partition_index, partition_count, position, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(projection, generation, partition_index, partition_count) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ).run(...columnsOf(ref), position, new Date().toISOString());
}

export function deleteCheckpoint(db: DatabaseSync, ref: CheckpointRef): void {
  prepared(db, `DELETE FROM ${TABLE} WHERE ${WHERE_KEY}`).run(...columnsOf(ref));
}

/** A projection's rebuild checkpoints (every generation's, or one's), partitions included, in key order. */
export function rebuildCheckpoints(db: DatabaseSync, projection: string, generation?: number): StoredCheckpoint[] {
  const rows = (
    generation === undefined
      ? db
          .prepare(
            `SELECT generation, partition_index, partition_count, position FROM ${TABLE} WHERE projection = ? AND generation > 0 ORDER BY generation, partition_count, partition_index`,
          )
          .all(projection)
      : db
          .prepare(
            `SELECT generation, partition_index, partition_count, position FROM ${TABLE} WHERE projection = ? AND generation = ? ORDER BY partition_count, partition_index`,
          )
          .all(projection, generation)
  ) as {
    generation: number;
    partition_index: number;
    partition_count: number;
    position: number | null;
  }[];
  return rows.map((r) => ({
    key: { projection, generation: r.generation, partition: r.partition_count === 0 ? null : { index: r.partition_index, count: r.partition_count } },
    position: r.position,
  }));
}

/** Forgets a projection's rebuild checkpoints: every generation's, or one's (partitions included). */
export function deleteRebuildCheckpoints(db: DatabaseSync, projection: string, generation?: number): void {
  if (generation === undefined) db.prepare(`DELETE FROM ${TABLE} WHERE projection = ? AND generation > 0`).run(projection);
  else db.prepare(`DELETE FROM ${TABLE} WHERE projection = ? AND generation = ?`).run(projection, generation);
}

/** The version recorded with a projection's live checkpoint; null when it has none (a new file). */
export function readProjectionVersion(db: DatabaseSync, projection: string): number | null {
  const row = prepared(db, `SELECT version FROM ${TABLE} WHERE ${WHERE_KEY}`).get(...columnsOf(projection)) as { version: number } | undefined;
  return row ? row.version : null;
}

/** Records that the tables the live checkpoint speaks of were built by `version` (a rebuild's switch). */
export function recordProjectionVersion(db: DatabaseSync, projection: string, version: number): void {
  prepared(db, `UPDATE ${TABLE} SET version = ? WHERE ${WHERE_KEY}`).run(version, ...columnsOf(projection));
}

/** Forgets a projection's live progress and records the version its tables now have. */
export function resetCheckpoint(db: DatabaseSync, projection: string, version: number): void {
  prepared(
    db,
    `INSERT INTO ${TABLE} (projection, generation, partition_index, partition_count, position, updated_at, version) VALUES (?, ?, ?, ?, NULL, ?, ?)
     ON CONFLICT(projection, generation, partition_index, partition_count) DO UPDATE SET position = NULL, updated_at = excluded.updated_at, version = excluded.version`,
  ).run(...columnsOf(projection), new Date().toISOString(), version);
}
