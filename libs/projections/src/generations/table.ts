import type { DatabaseSync } from 'node:sqlite';
import { readCheckpoint, rebuildCheckpoints } from '../checkpoints';
import { prepared } from '../transactions';

/**
 * projection_generations(name, active, building): which generation readers and the live runner use, and
 * which one a rebuild is filling. All SQL against that table is here.
 */
export function ensureGenerationsTable(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS projection_generations (
    name TEXT PRIMARY KEY,
    active INTEGER NOT NULL,
    building INTEGER,
    updated_at TEXT NOT NULL
  )`);
}

export interface GenerationRow {
  active: number;
  building: number | null;
}

/** Every live batch and every read resolves the active generation: prepared once per connection. */
export function generationRow(db: DatabaseSync, name: string): GenerationRow | undefined {
  return prepared(db, 'SELECT active, building FROM projection_generations WHERE name = ?').get(name) as GenerationRow | undefined;
}

/** The generation readers and the live runner use (1 before any rebuild). */
export function activeGeneration(db: DatabaseSync, name: string): number {
  return generationRow(db, name)?.active ?? 1;
}

/** A projection's row, generation 1 active, unless it has one. */
export function addGenerationRow(db: DatabaseSync, name: string): void {
  db.prepare('INSERT OR IGNORE INTO projection_generations (name, active, building, updated_at) VALUES (?, 1, NULL, ?)').run(name, new Date().toISOString());
}

export function deleteGenerationRow(db: DatabaseSync, name: string): void {
  db.prepare('DELETE FROM projection_generations WHERE name = ?').run(name);
}

/**
 * A rebuild found its generation no longer being built: another rebuild of the same generation switched it
 * in (its tables now serve; only the live runner writes them), or a newer rebuild took its place.
 */
export class GenerationTakenOver extends Error {
  constructor(
    readonly projection: string,
    readonly generation: number,
    readonly row: GenerationRow | undefined,
  ) {
    super(
      `${projection}: generation ${generation} is no longer being built (active ${row?.active ?? 1}, building ${row?.building ?? 'none'}): another rebuild took it over`,
    );
    this.name = 'GenerationTakenOver';
  }
}

/** Throws GenerationTakenOver unless `generation` is the one a rebuild of `name` is filling. Call it under the write lock. */
export function assertBuilding(db: DatabaseSync, name: string, generation: number): void {
  const row = generationRow(db, name);
  if (row?.building !== generation) throw new GenerationTakenOver(name, generation, row);
}

/** Records the generation a rebuild fills. */
export function markBuilding(db: DatabaseSync, name: string, generation: number): void {
  db.prepare('UPDATE projection_generations SET building = ?, updated_at = ? WHERE name = ?').run(generation, new Date().toISOString(), name);
}

/** The rebuilt generation serves from now on; no rebuild is under way. */
export function markActive(db: DatabaseSync, name: string, generation: number): void {
  db.prepare('UPDATE projection_generations SET active = ?, building = NULL, updated_at = ? WHERE name = ?').run(generation, new Date().toISOString(), name);
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
  const partitions = rebuildCheckpoints(db, name, building)
    .flatMap(({ key: { partition }, position }) => (partition ? [{ partition, checkpoint: position }] : []))
    .sort((a, b) => a.partition.index - b.partition.index)
    // A label for /v1/health, as it has shown them.
    .map(({ partition, checkpoint }) => ({ partition: `p${partition.index}of${partition.count}`, checkpoint }));
  const checkpoint = readCheckpoint(db, { projection: name, generation: building });
  return { active: row?.active ?? 1, building: { generation: building, checkpoint, ...(partitions.length > 0 ? { partitions } : {}) } };
}
