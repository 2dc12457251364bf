import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ensureCheckpointTable } from './checkpoints';
import { BUSY_TIMEOUT_MS } from './transactions';

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
    ensureCheckpointTable(db);
  }
  return db;
}
