import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CaseOrigin } from './envelope';

/**
 * The relay's own small SQLite file: the checkpoint (the position up to which the broker acknowledged
 * everything) and the origin (county, township) of every case relayed so far, so that a case's later
 * events find their county topic after a restart without re-reading its first event.
 *
 * Both are written in one transaction after each acknowledged batch. synchronous=NORMAL: a killed
 * process loses nothing; a power cut may lose the newest checkpoints, which only means re-sending
 * (duplicates that consumers drop by ce_id), never a gap.
 */
export class RelayCheckpointStore {
  private readonly db: DatabaseSync;
  private readonly selectCheckpoint: StatementSync;
  private readonly upsertCheckpoint: StatementSync;
  private readonly selectOrigin: StatementSync;
  private readonly insertOrigin: StatementSync;

  private constructor(
    db: DatabaseSync,
    readonly file: string,
  ) {
    this.db = db;
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE TABLE IF NOT EXISTS case_origins (
      case_id TEXT PRIMARY KEY,
      county_id TEXT NOT NULL,
      township_id TEXT NOT NULL
    ) STRICT, WITHOUT ROWID`);
    this.selectCheckpoint = db.prepare('SELECT position FROM relay_checkpoints WHERE name = ?');
    // MAX(): a checkpoint never moves back, even if a second relay on the same file is behind this one.
    this.upsertCheckpoint = db.prepare(
      `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position), updated_at = excluded.updated_at`,
    );
    this.selectOrigin = db.prepare('SELECT county_id, township_id FROM case_origins WHERE case_id = ?');
    this.insertOrigin = db.prepare('INSERT OR IGNORE INTO case_origins (case_id, county_id, township_id) VALUES (?, ?, ?)');
  }

  static open(file: string): RelayCheckpointStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new RelayCheckpointStore(new DatabaseSync(file), file);
  }

  read(name: string): number | null {
    const row = this.selectCheckpoint.get(name) as { position: number } | undefined;
    return row?.position ?? null;
  }

  origin(caseId: string): CaseOrigin | null {
    const row = this.selectOrigin.get(caseId) as { county_id: string; township_id: string } | undefined;
    return row ? { countyId: row.county_id, townshipId: row.township_id } : null;
  }

  /** Records the acknowledged position and the origins learnt up to it, atomically. */
  commit(name: string, position: number, origins: ReadonlyMap<string, CaseOrigin>): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const [caseId, o] of origins) this.insertOrigin.run(caseId, o.countyId, o.townshipId);
      this.upsertCheckpoint.run(name, position, new Date().toISOString());
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
