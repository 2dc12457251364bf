import type { DatabaseSync } from 'node:sqlite';
import { readCheckpoint } from '@chuishao/projections';
import { PROJECTIONS } from '../read-models';

/** Store positions each read model has not applied yet (for the metrics). */
export function readModelLag(db: DatabaseSync, head: number | null): Record<string, number> {
  return Object.fromEntries(PROJECTIONS.map(({ name }) => [name, head === null ? 0 : head - (readCheckpoint(db, name) ?? 0)]));
}
