import type { DatabaseSync } from 'node:sqlite';
import { generationStatus, readCheckpoint } from '@chuishao/projections';
import { PROJECTIONS } from '@chuishao/runtime';

/** Per read model: its checkpoint, how many store positions it is behind `head`, which tables serve, a rebuild's progress. */
export function readModelHealth(db: DatabaseSync, head: number | null) {
  return Object.fromEntries(
    PROJECTIONS.map(({ name }) => {
      const checkpoint = readCheckpoint(db, name);
      // Which tables serve, and how far a rebuild running next to the service has come (see rebuild.command.ts).
      const { active, building } = generationStatus(db, name);
      return [name, { checkpoint, behind: head === null ? 0 : head - (checkpoint ?? 0), generation: active, rebuilding: building }];
    }),
  );
}
