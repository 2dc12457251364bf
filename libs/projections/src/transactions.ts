import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** How long a writer waits for another's transaction (a projector's catch-up holds the write lock up to ~2 s). */
export const BUSY_TIMEOUT_MS = 30_000;
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
