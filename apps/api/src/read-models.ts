import type { DatabaseSync } from 'node:sqlite';
import { readCheckpoint } from '@chuishao/projections';
import { Problem } from './http/problem';

/**
 * The API's read side: the read-model file the projector writes (in this process or another).
 * Waiting polls the projection's committed checkpoint, which works wherever the projector runs.
 */
export class ReadModels {
  constructor(
    readonly db: DatabaseSync,
    private readonly waitMs: number,
  ) {}

  async waitFor(projection: string, position: number): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const checkpoint = readCheckpoint(this.db, projection);
      if (checkpoint !== null && checkpoint >= position) return;
      if (Date.now() >= deadline) {
        throw Problem.readModelBehind(`the ${projection} read model is at ${checkpoint ?? 'nothing'}, not yet at ${position}; retry shortly`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
