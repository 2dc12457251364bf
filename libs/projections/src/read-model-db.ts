import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Read models live in their own SQLite file, apart from the events. Each projection commits its rows
 * and its checkpoint in one transaction, so synchronous=NORMAL is enough: a power cut can only lose
 * the newest batch, which is then projected again from the checkpoint.
 */
export function openReadModelDb(file: string, options: { readOnly?: boolean } = {}): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { readOnly: options.readOnly ?? false });
  db.exec('PRAGMA busy_timeout = 5000');
  if (!options.readOnly) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER,
      updated_at TEXT NOT NULL
    )`);
  }
  return db;
}

export function readCheckpoint(db: DatabaseSync, name: string): number | null {
  const row = db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').get(name) as
    | { position: number | null }
    | undefined;
  return row?.position ?? null;
}

export function writeCheckpoint(db: DatabaseSync, name: string, position: number): void {
  db.prepare(
    `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ).run(name, position, new Date().toISOString());
}
