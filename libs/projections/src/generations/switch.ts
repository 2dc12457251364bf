import type { DatabaseSync } from 'node:sqlite';
import type { EventStore } from '@chuishao/event-store';
import { deleteCheckpoint, readCheckpoint, recordProjectionVersion, writeCheckpoint } from '../checkpoints';
import { inWriteTransaction } from '../transactions';
import type { GenerationalProjection } from './generational-projection';
import { GenerationTakenOver, generationRow, markActive } from './table';

/**
 * Switches the live projection to a rebuilt generation: one transaction makes it active and moves the live
 * checkpoint to what it has applied, catching it up to the live checkpoint first, inside that transaction,
 * if the live runner was ahead (never awaiting in it). Returns the position the generation was built to.
 * A generation another rebuild has switched in already is left as it is.
 */
export async function switchTo(store: EventStore, db: DatabaseSync, gp: GenerationalProjection, generation: number, maxBatch = 2000): Promise<number | null> {
  const rebuild = { projection: gp.name, generation };
  let built = readCheckpoint(db, rebuild);
  for (;;) {
    const pending = await store.readAllFoldable({ after: built, limit: maxBatch });
    const switched = inWriteTransaction(db, () => {
      const row = generationRow(db, gp.name);
      if (row?.building !== generation) {
        // Another rebuild of this generation switched it in first: it serves, and the live runner keeps it.
        if (row?.active !== generation) throw new GenerationTakenOver(gp.name, generation, row);
        built = readCheckpoint(db, gp.name);
        return true;
      }
      const live = readCheckpoint(db, gp.name);
      built = readCheckpoint(db, rebuild);
      const fresh = pending.filter((e) => built === null || e.position > built);
      const upToLive = live === null ? [] : fresh.filter((e) => e.position <= live);
      const covered = live === null || (built !== null && built >= live) || (fresh.length > 0 && fresh[fresh.length - 1].position >= live);
      if (!covered && fresh.length === 0) throw new Error(`${gp.name}: the store returned nothing after ${built}, below the live checkpoint ${live}`);
      const apply = covered ? upToLive : fresh;
      if (apply.length > 0) {
        gp.applyBatch(db, generation, apply);
        built = apply[apply.length - 1].position;
        writeCheckpoint(db, rebuild, built);
      }
      if (covered) {
        markActive(db, gp.name, generation);
        if (built !== null) writeCheckpoint(db, gp.name, built);
        // The tables now served were built by this version of the projection.
        recordProjectionVersion(db, gp.name, gp.version ?? 0);
        deleteCheckpoint(db, rebuild);
      }
      return covered;
    });
    if (switched) return built;
  }
}
