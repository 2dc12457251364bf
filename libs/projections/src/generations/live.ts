import { deleteRebuildCheckpoints } from '../checkpoints';
import type { Projection, ProjectionSession } from '../projection';
import type { GenerationalProjection } from './generational-projection';
import { activeGeneration, addGenerationRow, assertBuilding, deleteGenerationRow, ensureGenerationsTable } from './table';

/** The projection the live runner runs: the projection's live checkpoint, the active generation's tables. */
export function liveProjection(gp: GenerationalProjection): Projection {
  return {
    name: gp.name,
    version: gp.version,
    drop(db) {
      ensureGenerationsTable(db);
      for (const generation of gp.existingGenerations(db)) gp.dropGeneration(db, generation);
      deleteGenerationRow(db, gp.name);
      // A rebuild that was under way built the old version: it starts over.
      deleteRebuildCheckpoints(db, gp.name);
    },
    setup(db) {
      ensureGenerationsTable(db);
      addGenerationRow(db, gp.name);
      gp.setupGeneration(db, activeGeneration(db, gp.name));
    },
    applyBatch(db, events) {
      gp.applyBatch(db, activeGeneration(db, gp.name), events);
    },
    session:
      gp.session &&
      ((db, options) => {
        // What a session holds belongs to one generation: a switch (a rebuild finishing) starts afresh.
        // The switch commits while no transaction of this runner is open, so a whole transaction sees one generation.
        let generation = -1;
        let current: ProjectionSession | null = null;
        return {
          fold(events) {
            const active = activeGeneration(db, gp.name);
            if (active !== generation || !current) {
              // Only the generation the runner's checkpoint spoke of can be the empty one.
              current = gp.session!(db, active, generation === -1 ? options : undefined);
              generation = active;
            }
            current.fold(events);
          },
          flush: () => current?.flush(),
        };
      }),
  };
}

/** One fixed generation as a projection of its own, with the rebuild's checkpoint (what a rebuild runs). */
export function generationProjection(gp: GenerationalProjection, generation: number): Projection {
  return {
    name: gp.name,
    checkpoint: { projection: gp.name, generation },
    // Two rebuilds may fill one generation side by side; once either has switched it in, the other stops writing.
    guard: (db) => assertBuilding(db, gp.name, generation),
    setup: (db) => gp.setupGeneration(db, generation),
    applyBatch: (db, events) => gp.applyBatch(db, generation, events),
    session: gp.session && ((db, options) => gp.session!(db, generation, options)),
  };
}
