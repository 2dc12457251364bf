import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { SqliteEventStore } from '@chuishao/event-store';
import {
  activeGeneration,
  catchUpInPartitions,
  generationProjection,
  GenerationTakenOver,
  liveProjection,
  markBuilding,
  rebuildProjection,
  switchTo,
  type GenerationalProjection,
} from './generations';
import { ProjectionRunner } from './projection-runner';
import { readCheckpoint } from './checkpoints';
import { openReadModelDb } from './read-model-db';

/** Events per stream, one table per generation: a lost or doubled event shows as a wrong sum. */
const counting = (version: number): GenerationalProjection => ({
  name: 'counts',
  version,
  setupGeneration: (db, g) => db.exec(`CREATE TABLE IF NOT EXISTS counts_g${g} (stream TEXT PRIMARY KEY, n INTEGER NOT NULL)`),
  dropGeneration: (db, g) => db.exec(`DROP TABLE IF EXISTS counts_g${g}`),
  existingGenerations: (db) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'counts_g%'").all() as { name: string }[])
      .map((r) => Number(r.name.slice('counts_g'.length)))
      .sort((a, b) => a - b),
  applyBatch: (db, g, events) => {
    for (const e of events) db.prepare(`INSERT INTO counts_g${g} VALUES (?, 1) ON CONFLICT(stream) DO UPDATE SET n = n + 1`).run(e.streamName);
  },
});

const sum = (db: DatabaseSync, g: number) => (db.prepare(`SELECT COALESCE(SUM(n), 0) AS n FROM counts_g${g}`).get() as { n: number }).n;
const meta = { actor: { orgId: 'o', role: 'township', userId: 'u' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };

describe('generations', () => {
  let dir: string;
  let store: SqliteEventStore;
  const append = async (n: number) => {
    let last = 0;
    for (let i = 0; i < n; i++) {
      last = (await store.append(`s-${i % 5}`, [{ id: randomUUID(), type: 'T', data: {}, metadata: meta }], { expectedRevision: 'any' })).position;
    }
    return last;
  };

  /** A running live projector and two more connections for rebuilds, all on one read-model file. */
  const liveAndTwoRebuilders = () => {
    const file = join(dir, 'rm.sqlite');
    const gp = counting(1);
    const [liveDb, dbA, dbB] = [openReadModelDb(file), openReadModelDb(file), openReadModelDb(file)];
    const live = new ProjectionRunner(store, liveDb, liveProjection(gp));
    live.start();
    return { gp, live, liveDb, dbA, dbB };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'generations-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rebuild on a new read-model file records the version it built, so the live runner that starts next keeps its tables', async () => {
    const file = join(dir, 'rm.sqlite');
    await append(30);
    const db = openReadModelDb(file);
    expect((await rebuildProjection(store, db, counting(4), { graceMs: 0 })).generation).toBe(2);
    new ProjectionRunner(store, db, liveProjection(counting(4)));
    expect(counting(4).existingGenerations(db)).toEqual([2]);
    expect(sum(db, 2)).toBe(30);
    db.close();
  });

  it('a rebuild by a newer version switches the recorded version with the tables', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const live = new ProjectionRunner(store, db, liveProjection(counting(1)));
    live.start();
    await live.reached(await append(20));
    await live.stop();
    expect((await rebuildProjection(store, db, counting(2), { graceMs: 0 })).generation).toBe(2);
    // The upgraded live runner finds its own version's tables: nothing dropped, nothing projected again.
    new ProjectionRunner(store, db, liveProjection(counting(2)));
    expect(activeGeneration(db, 'counts')).toBe(2);
    expect(sum(db, 2)).toBe(20);
    db.close();
  });

  it('a new version drops every generation and any rebuild under way, then projects from the first event', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const live = new ProjectionRunner(store, db, liveProjection(counting(1)));
    live.start();
    await live.reached(await append(30));
    await live.stop();
    const rebuildDb = openReadModelDb(file);
    expect((await rebuildProjection(store, rebuildDb, counting(1), { graceMs: 0 })).generation).toBe(2);
    rebuildDb.close();
    expect(activeGeneration(db, 'counts')).toBe(2);

    const head = await append(12);
    const upgraded = new ProjectionRunner(store, db, liveProjection(counting(2)));
    expect(counting(2).existingGenerations(db)).toEqual([1]); // generation 2 dropped, generation 1 made afresh
    expect(activeGeneration(db, 'counts')).toBe(1);
    upgraded.start();
    await upgraded.reached(head);
    expect(sum(db, 1)).toBe(42);
    expect(readCheckpoint(db, 'counts')).toBe(head);
    await upgraded.stop();
    db.close();
  });

  it('a rebuild whose generation another rebuild switched in meanwhile writes nothing more into it: no event counted twice', async () => {
    const { gp, live, liveDb, dbA, dbB } = liveAndTwoRebuilders();
    await live.reached(await append(30));
    // B claimed generation 2 as A did (both see it being built), then A finished and switched it in first.
    expect((await rebuildProjection(store, dbA, gp, { graceMs: 0 })).generation).toBe(2);
    expect(activeGeneration(liveDb, 'counts')).toBe(2);
    await live.reached(await append(10));
    expect(sum(liveDb, 2)).toBe(40);

    // B's late phases, each as it would run them: nothing of them reaches the served tables.
    await catchUpInPartitions(store, dbB, [{ gp, generation: 2 }], { count: 2 }, () => undefined);
    const stopped = new Promise<unknown>((resolve) => {
      new ProjectionRunner(store, dbB, generationProjection(gp, 2), { onError: resolve }).start();
    });
    expect(await stopped).toBeInstanceOf(GenerationTakenOver);
    expect(await switchTo(store, dbB, gp, 2, 7)).toBe(readCheckpoint(liveDb, 'counts'));
    expect(sum(liveDb, 2)).toBe(40);

    // A generation neither served nor being built (a newer rebuild took over) is refused, not switched to.
    markBuilding(dbB, 'counts', 3);
    await expect(switchTo(store, dbB, gp, 4)).rejects.toThrow(/generation 4 is no longer being built \(active 2, building 3\)/);
    expect(activeGeneration(liveDb, 'counts')).toBe(2);

    await live.reached(await append(5));
    expect(sum(liveDb, 2)).toBe(45);
    await live.stop();
    for (const db of [liveDb, dbA, dbB]) db.close();
  });

  it('rebuilds started two at a time while events arrive count every event once, round after round', async () => {
    const { gp, live, liveDb, dbA, dbB } = liveAndTwoRebuilders();
    let appended = 0;
    for (let round = 0; round < 12; round++) {
      const appending = append(25 + round).then((position) => {
        appended += 25 + round;
        return position;
      });
      const [a, b] = await Promise.all([
        rebuildProjection(store, dbA, gp, { maxBatch: 2 + (round % 3), graceMs: 0 }),
        rebuildProjection(store, dbB, gp, { maxBatch: 3 + (round % 4), graceMs: round % 2 }),
      ]);
      await live.reached(await appending);
      const active = activeGeneration(liveDb, 'counts');
      // Both switched to the same generation, or one after the other; either way the served one counts each event once.
      expect([a.generation, b.generation]).toContain(active);
      expect({ round, sum: sum(liveDb, active) }).toEqual({ round, sum: appended });
    }
    await live.stop();
    for (const db of [liveDb, dbA, dbB]) db.close();
  });
});
