import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** Long enough to ride out another process's commit or checkpoint on the same file. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens a connection as both the reader (main thread) and the writer (worker thread) need it. `synchronous` is
 * per connection, so each applies it; the caller has validated it (PRAGMA values cannot be bound as parameters).
 */
export function openConnection(file: string, synchronous: string): { db: DatabaseSync; journalMode: unknown } {
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  const journalMode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
  if (journalMode === 'wal') db.exec(`PRAGMA synchronous = ${synchronous}`);
  return { db, journalMode };
}

/**
 * events: the log. AUTOINCREMENT makes positions strictly increasing and never reused, so a checkpoint stays valid.
 * streams: each stream's last revision, so the expected-revision check is one primary-key lookup.
 * idempotency: written in the same transaction as the append it names, so a key is used iff its events exist.
 * recorded_floor: the latest instant (epoch ms) a horizon promised complete; every later commit, by any connection,
 * records after it (sqlite-writer.worker.ts).
 */
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    id          TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream_name, revision)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS streams (
    name          TEXT    PRIMARY KEY,
    last_revision INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS idempotency (
    key            TEXT    PRIMARY KEY,
    stream_name    TEXT    NOT NULL,
    first_revision INTEGER NOT NULL,
    last_revision  INTEGER NOT NULL,
    position       INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS recorded_floor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor INTEGER NOT NULL
  ) STRICT;
`;

const EVENT_COLUMNS = 'position, stream_name, revision, id, type, data, metadata, recorded_at';
/** A FoldableEvent's columns, in the order toFoldableEvent reads them from a row array. */
const FOLDABLE_COLUMNS = 'position, stream_name, revision, type, data, recorded_at';
const PARTITION_FILTER = 'unicode(substr(stream_name, -1)) % ? = ?';

/** Every statement the adapter runs, prepared once per connection. */
export class SqliteStatements {
  readonly streamHead: StatementSync;
  readonly eventIdExists: StatementSync;
  readonly findIdempotencyKey: StatementSync;
  readonly insertEvent: StatementSync;
  readonly upsertStreamHead: StatementSync;
  readonly insertIdempotencyKey: StatementSync;
  readonly readStream: StatementSync;
  readonly readAll: StatementSync;
  readonly readAllPartition: StatementSync;
  readonly readAllFoldable: StatementSync;
  readonly readAllFoldablePartition: StatementSync;
  readonly headPosition: StatementSync;
  readonly lastRecordedAt: StatementSync;
  readonly recordedFloor: StatementSync;
  readonly raiseRecordedFloor: StatementSync;

  constructor(db: DatabaseSync) {
    this.streamHead = db.prepare('SELECT last_revision FROM streams WHERE name = ?');
    this.eventIdExists = db.prepare('SELECT 1 FROM events WHERE id = ?');
    this.findIdempotencyKey = db.prepare('SELECT stream_name, first_revision, last_revision, position FROM idempotency WHERE key = ?');
    this.insertEvent = db.prepare('INSERT INTO events (stream_name, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.upsertStreamHead = db.prepare(
      'INSERT INTO streams (name, last_revision) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_revision = excluded.last_revision',
    );
    this.insertIdempotencyKey = db.prepare('INSERT INTO idempotency (key, stream_name, first_revision, last_revision, position) VALUES (?, ?, ?, ?, ?)');
    this.readStream = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision BETWEEN ? AND ? ORDER BY revision`);
    this.readAll = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    // streamPartition (port.ts) in SQL: rows of other partitions are skipped before they become JS objects.
    this.readAllPartition = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND ${PARTITION_FILTER} ORDER BY position LIMIT ?`);
    // Rows as arrays: no column-named object per row on the way to a FoldableEvent.
    this.readAllFoldable = db.prepare(`SELECT ${FOLDABLE_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    this.readAllFoldable.setReturnArrays(true);
    this.readAllFoldablePartition = db.prepare(`SELECT ${FOLDABLE_COLUMNS} FROM events WHERE position > ? AND ${PARTITION_FILTER} ORDER BY position LIMIT ?`);
    this.readAllFoldablePartition.setReturnArrays(true);
    this.headPosition = db.prepare('SELECT MAX(position) AS position FROM events');
    this.lastRecordedAt = db.prepare('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1');
    this.recordedFloor = db.prepare('SELECT floor FROM recorded_floor WHERE id = 1');
    this.raiseRecordedFloor = db.prepare(
      'INSERT INTO recorded_floor (id, floor) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET floor = MAX(floor, excluded.floor)',
    );
  }
}
