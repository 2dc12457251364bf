import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { backup, DatabaseSync } from 'node:sqlite';

export class BackupRefused extends Error {
  readonly code = 'STORE.BACKUP_REFUSED';
}

export interface BackupResult {
  target: string;
  /** Events in the copy, and the last position it holds (null: the store was empty). */
  events: number;
  head: number | null;
  bytes: number;
}

/**
 * A consistent copy of the embedded event store while the service keeps writing (see backupSqliteDatabase), with the
 * events it holds counted.
 */
export async function backupSqliteStore(source: string, target: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupRefused(`no event store at ${source} (DATA_DIR or the store file is wrong)`);
  const { bytes, checked } = await backupSqliteDatabase(
    source,
    target,
    (copy) => copy.prepare('SELECT COUNT(*) AS n, MAX(position) AS head FROM events').get() as { n: number; head: number | null },
  );
  return { target, events: Number(checked.n), head: checked.head === null ? null : Number(checked.head), bytes };
}

/**
 * A consistent copy of any SQLite database while its owner keeps writing: SQLite's online backup in one step, which
 * copies every page under one read transaction (a stepwise copy would restart whenever a commit lands, and could
 * starve under load). The copy is checked (integrity_check, then `check`, which may also count what it holds) under a
 * temporary name and only then renamed into place, so a file at `target` is always a whole, verified backup.
 */
export async function backupSqliteDatabase<T>(source: string, target: string, check: (copy: DatabaseSync) => T): Promise<{ bytes: number; checked: T }> {
  if (!existsSync(source)) throw new BackupRefused(`no database at ${source}`);
  if (existsSync(target)) throw new BackupRefused(`${target} exists; a backup never overwrites a file`);
  // Read-only: a backup must never create, migrate or lock the database it copies.
  const db = new DatabaseSync(source, { readOnly: true });
  const partial = `${target}.partial-${process.pid}`;
  try {
    await backup(db, partial, { rate: 2_147_483_647 });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    const copy = new DatabaseSync(partial);
    try {
      const integrity = copy.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
      if (integrity.integrity_check !== 'ok') throw new Error(`the copy failed SQLite's integrity check: ${integrity.integrity_check}`);
      // A copy of a WAL database is a WAL database; as a single file it is easier to move and restore.
      copy.exec('PRAGMA journal_mode = DELETE');
      const checked = check(copy);
      copy.close();
      const fd = openSync(partial, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(partial, target);
      return { bytes: statSync(target).size, checked };
    } catch (error) {
      if (copy.isOpen) copy.close();
      throw error;
    }
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
