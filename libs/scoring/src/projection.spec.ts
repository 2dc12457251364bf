import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { caseStream } from '@chuishao/domain';
import { SqliteEventStore, type EventStore, type ReadAllOptions, type RecordedEvent, type SubscribeOptions } from '@chuishao/event-store';
import { openReadModelDb, ProjectionRunner, readCheckpoint, activeGeneration, rebuildProjection } from '@chuishao/projections';
import { actionsArb, historyOf } from '../test/random-history';
import { factsFromEvents, type PartFacts } from './facts';
import { fromRow, SCORING_PROJECTION, scoringGenerations, scoringPartsProjection, tablesOf, type PartRow } from './projection';

const byId = (parts: PartFacts[]) => [...parts].sort((a, b) => (a.holdingId < b.holdingId ? -1 : 1));

function projected(db: DatabaseSync, generation = activeGeneration(db, SCORING_PROJECTION)): PartFacts[] {
  return byId((db.prepare(`SELECT * FROM ${tablesOf(generation).parts}`).all() as unknown as PartRow[]).map(fromRow));
}

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.length ? all[all.length - 1].position : null, limit: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/** Appends a scripted history's events to a real store, stream by stream in their global order. */
async function append(store: EventStore, events: RecordedEvent[]): Promise<number> {
  let position = -1;
  for (const e of events) {
    const result = await store.append(e.streamName, [{ id: crypto.randomUUID(), type: e.type, data: e.data, metadata: e.metadata }], {
      expectedRevision: 'any',
    });
    position = result.position;
  }
  return position;
}

/** Distinct case ids per history, so several histories can go into one store. */
function renamed(events: RecordedEvent[], prefix: string): RecordedEvent[] {
  return events.map((e) => ({ ...e, streamName: caseStream(`${prefix}${e.data.caseId}`), data: { ...e.data, caseId: `${prefix}${e.data.caseId}` } }));
}

/** A random valid history of at least `minEvents` events (deterministic per seed). */
function history(seed: number, minEvents = 40): RecordedEvent[] {
  for (let s = seed; ; s += 1000) {
    const { events } = historyOf(fc.sample(actionsArb(120), { seed: s, numRuns: 1 })[0]);
    if (events.length >= minEvents) return events;
  }
}

describe('scoring-parts projection over the real store and runner', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scoring-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'OFF' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the live runner’s facts equal a from-scratch fold of the store, and survive a restart', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const runner = new ProjectionRunner(store, db, scoringPartsProjection, { maxBatch: 7 });
    runner.start();
    await runner.reached(await append(store, renamed(history(1), 'a-')));
    await runner.stop();
    db.close();
    // Restart from the checkpoint: more events, no double counting.
    const db2 = openReadModelDb(file);
    const again = new ProjectionRunner(store, db2, scoringPartsProjection);
    again.start();
    await again.reached(await append(store, renamed(history(2), 'b-')));
    expect(projected(db2)).toEqual(byId(factsFromEvents(await readEverything(store))));
    await again.stop();
    db2.close();
  });

  it('rebuilds into a new generation while the live runner keeps serving, then switches atomically', async () => {
    const file = join(dir, 'rm.sqlite');
    const liveDb = openReadModelDb(file);
    const live = new ProjectionRunner(store, liveDb, scoringPartsProjection, { maxBatch: 5 });
    live.start();
    await live.reached(await append(store, renamed(history(3, 60), 'a-')));
    const before = projected(liveDb);
    expect(before.length).toBeGreaterThan(0);

    const rebuildDb = openReadModelDb(file);
    const seen: number[] = [];
    // Appends go on during the rebuild; the old generation keeps answering all along.
    const appending = append(store, renamed(history(4, 60), 'b-'));
    const result = await rebuildProjection(store, rebuildDb, scoringGenerations, {
      maxBatch: 3,
      graceMs: 20,
      progressEveryMs: 1,
      onProgress: () => seen.push(activeGeneration(liveDb, SCORING_PROJECTION)),
    });
    expect(result).toMatchObject({ generation: 2, previous: 1, resumed: false });
    expect(seen.slice(0, -1).every((g) => g === 1)).toBe(true);
    expect(activeGeneration(liveDb, SCORING_PROJECTION)).toBe(2);
    expect(scoringGenerations.existingGenerations(liveDb)).toEqual([2]); // generation 1 dropped after the grace period
    expect(readCheckpoint(liveDb, { projection: SCORING_PROJECTION, generation: 2 })).toBeNull();

    // The live runner carries on in generation 2 from the switched checkpoint.
    await appending;
    const head = await append(store, renamed(history(5), 'c-'));
    await live.reached(head);
    expect(readCheckpoint(liveDb, SCORING_PROJECTION)).toBe(head);
    expect(projected(liveDb)).toEqual(byId(factsFromEvents(await readEverything(store))));
    await live.stop();
    liveDb.close();
    rebuildDb.close();
  });

  it('a rebuild in stream partitions, with appends going on, gives the facts of a from-scratch fold', async () => {
    const file = join(dir, 'rm.sqlite');
    const liveDb = openReadModelDb(file);
    const live = new ProjectionRunner(store, liveDb, scoringPartsProjection, { maxBatch: 5 });
    live.start();
    for (const [i, prefix] of ['a-', 'b-', 'c-', 'd-'].entries()) await append(store, renamed(history(20 + i, 60), prefix));
    await live.reached((await store.headPosition())!);

    const rebuildDb = openReadModelDb(file);
    const appending = append(store, renamed(history(30, 60), 'e-'));
    const [result] = await Promise.all([
      rebuildProjection(store, rebuildDb, scoringGenerations, { maxBatch: 7, graceMs: 0, partitions: { count: 3 } }),
      appending,
    ]);
    expect(result).toMatchObject({ generation: 2, previous: 1, resumed: false });
    await live.reached((await store.headPosition())!);
    expect(activeGeneration(liveDb, SCORING_PROJECTION)).toBe(2);
    const facts = projected(liveDb);
    // Cases of several partitions, each whole.
    expect(new Set(facts.map((p) => p.caseId)).size).toBeGreaterThan(3);
    expect(facts).toEqual(byId(factsFromEvents(await readEverything(store))));
    // Built without its reader indexes, which the merge then made.
    const indexes = (liveDb.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(tablesOf(2).parts) as { name: string }[]).map(
      (r) => r.name,
    );
    expect(indexes).toEqual(expect.arrayContaining([`${tablesOf(2).parts}_county`, `${tablesOf(2).parts}_position`]));
    await live.stop();
    liveDb.close();
    rebuildDb.close();
  });

  it('a rebuild that dies midway resumes its generation from its checkpoint', async () => {
    const file = join(dir, 'rm.sqlite');
    const head = await append(store, renamed(history(6, 80), 'a-'));
    const liveDb = openReadModelDb(file);
    const live = new ProjectionRunner(store, liveDb, scoringPartsProjection);
    live.start();
    await live.reached(head);

    // A store whose reads break after 30 events: the rebuild fails like a killed process.
    let delivered = 0;
    const counted = <E>(events: E[]) => {
      delivered += events.length;
      if (delivered > 30) throw new Error('killed');
      return events;
    };
    const broken: EventStore = Object.create(store, {
      readAllFoldable: { value: async (options?: ReadAllOptions) => counted(await store.readAllFoldable(options)) },
      subscribeToAll: {
        value: (options?: SubscribeOptions) =>
          (async function* () {
            for await (const e of store.subscribeToAll(options)) yield counted([e])[0];
          })(),
      },
    });
    const db = openReadModelDb(file);
    await expect(rebuildProjection(broken, db, scoringGenerations, { maxBatch: 4, graceMs: 0, progressEveryMs: 1 })).rejects.toThrow('killed');
    expect(activeGeneration(liveDb, SCORING_PROJECTION)).toBe(1);
    const partial = readCheckpoint(db, { projection: SCORING_PROJECTION, generation: 2 });
    expect(partial).not.toBeNull();
    expect(partial!).toBeLessThan(head);
    db.close();

    const db2 = openReadModelDb(file);
    const result = await rebuildProjection(store, db2, scoringGenerations, { graceMs: 0 });
    expect(result).toMatchObject({ generation: 2, resumed: true });
    expect(projected(liveDb)).toEqual(byId(factsFromEvents(await readEverything(store))));
    // And a second rebuild makes generation 3 from scratch, dropping 2.
    expect(await rebuildProjection(store, db2, scoringGenerations, { graceMs: 0 })).toMatchObject({ generation: 3, resumed: false });
    expect(scoringGenerations.existingGenerations(db2)).toEqual([3]);
    expect(projected(liveDb)).toEqual(byId(factsFromEvents(await readEverything(store))));
    await live.stop();
    liveDb.close();
    db2.close();
  });

  it('two rebuilds started at once on the same file build one generation, correctly', async () => {
    const file = join(dir, 'rm.sqlite');
    await append(store, renamed(history(8, 80), 'a-'));
    const liveDb = openReadModelDb(file);
    const live = new ProjectionRunner(store, liveDb, scoringPartsProjection);
    live.start();
    const [dbA, dbB] = [openReadModelDb(file), openReadModelDb(file)];
    const appending = append(store, renamed(history(9, 60), 'b-'));
    const [a, b] = await Promise.all([
      rebuildProjection(store, dbA, scoringGenerations, { maxBatch: 3, graceMs: 0 }),
      rebuildProjection(store, dbB, scoringGenerations, { maxBatch: 5, graceMs: 0 }),
    ]);
    expect([a.generation, b.generation]).toEqual([2, 2]);
    await appending;
    await live.reached((await store.headPosition())!);
    expect(activeGeneration(liveDb, SCORING_PROJECTION)).toBe(2);
    expect(projected(liveDb)).toEqual(byId(factsFromEvents(await readEverything(store))));
    await live.stop();
    for (const db of [liveDb, dbA, dbB]) db.close();
  });
});
