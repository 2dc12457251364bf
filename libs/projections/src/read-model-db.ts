import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/**
 * Read models live in their own SQLite file, apart from the events. Each projection commits its rows
 * and its checkpoint in one transaction, so synchronous=NORMAL is enough: a power cut can only lose
 * the newest batch, which is then projected again from the checkpoint.
 */
export function openReadModelDb(file: string, options: { readOnly?: boolean; cacheMiB?: number } = {}): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { readOnly: options.readOnly ?? false });
  // A writer waits for another's transaction (a projector's catch-up holds the write lock up to ~2 s) rather than fail.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 64 MiB of page cache (SQLite's default is 2 MiB): projections update rows all over their tables.
  db.exec(`PRAGMA cache_size = ${-1024 * Math.max(1, Math.floor(options.cacheMiB ?? 64))}`);
  if (!options.readOnly) {
    // 8 KiB pages for a new file (an existing one keeps its size): inbox rows hold a case's state (~2-4 KB),
    // and larger pages made a 1M-event rebuild ~8% faster; 16 KiB was faster still, but a live batch rewrites
    // whole pages for each touched row, so the smaller one keeps the live path's writes down.
    db.exec('PRAGMA page_size = 8192');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    // Checkpoint the WAL every ~40 MiB instead of every 4 MiB: a catch-up transaction rewrites the same hot
    // pages (table tails, indexes) again and again, and each checkpoint copies them back into the file.
    db.exec('PRAGMA wal_autocheckpoint = 10000');
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER,
      updated_at TEXT NOT NULL,
      version INTEGER NOT NULL DEFAULT 0
    )`);
    // Files from before projections had versions get the column (and so rebuild on the next version bump).
    const columns = db.prepare('PRAGMA table_info(projection_checkpoints)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'version')) db.exec('ALTER TABLE projection_checkpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 0');
  }
  return db;
}

/** How long a writer waits for another's transaction (a projector's catch-up holds the write lock up to ~2 s). */
const BUSY_TIMEOUT_MS = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * BEGIN IMMEDIATE that waits for the write lock. busy_timeout alone is not enough in WAL mode: with
 * several writers committing back to back (a partitioned rebuild's workers), SQLite at times answers
 * SQLITE_BUSY after a few hundred milliseconds of its busy handler (measured: 374 ms of a 30 s timeout),
 * and an immediate retry succeeds. Nothing has been read or written when BEGIN fails, so retrying is safe.
 */
export function beginImmediate(db: DatabaseSync): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (error) {
      const busy = (error as { errcode?: number }).errcode === SQLITE_BUSY && !db.isTransaction;
      if (!busy || Date.now() >= deadline) throw error;
      // Blocks this thread briefly; a writer's thread has nothing else to do until it holds the lock.
      Atomics.wait(pause, 0, 0, Math.min(50, 1 + attempt * 5));
    }
  }
}

const SQLITE_BUSY = 5;

/** Runs `fn` in a write transaction (beginImmediate): committed if it returns, rolled back if it throws. */
export function inWriteTransaction<T>(db: DatabaseSync, fn: () => T): T {
  beginImmediate(db);
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** BEGIN IMMEDIATE if the write lock is free right now; false (and no transaction) if another writer holds it. */
export function tryBeginImmediate(db: DatabaseSync): boolean {
  db.exec('PRAGMA busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if ((error as { errcode?: number }).errcode === SQLITE_BUSY && !db.isTransaction) return false;
    throw error;
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** Statements prepared once per connection and SQL text: checkpoints are read on every batch and every scorecard request. */
const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();
export function prepared(db: DatabaseSync, sql: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

export function readCheckpoint(db: DatabaseSync, name: string): number | null {
  const row = prepared(db, 'SELECT position FROM projection_checkpoints WHERE name = ?').get(name) as
    | { position: number | null }
    | undefined;
  return row?.position ?? null;
}

export function writeCheckpoint(db: DatabaseSync, name: string, position: number): void {
  prepared(
    db,
    `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ).run(name, position, new Date().toISOString());
}

export function readProjectionVersion(db: DatabaseSync, name: string): number | null {
  const row = db.prepare('SELECT version FROM projection_checkpoints WHERE name = ?').get(name) as { version: number } | undefined;
  return row ? row.version : null;
}

/** Forgets a projection's progress and records the version its tables now have. */
export function resetCheckpoint(db: DatabaseSync, name: string, version: number): void {
  db.prepare(
    `INSERT INTO projection_checkpoints (name, position, updated_at, version) VALUES (?, NULL, ?, ?)
     ON CONFLICT(name) DO UPDATE SET position = NULL, updated_at = excluded.updated_at, version = excluded.version`,
  ).run(name, new Date().toISOString(), version);
}

/** Runs `fn` in one read transaction, so every query in it sees the same committed state (joins an open one). */
export function inSnapshot<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec('BEGIN');
  try {
    return fn();
  } finally {
    db.exec('COMMIT');
  }
}
