import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SqliteEventStore, type EventStore, type ReadAllOptions } from '@chuishao/event-store';
import {
  activeGeneration,
  addGenerationRow,
  ensureGenerationsTable,
  generationStatus,
  liveProjection,
  GenerationTakenOver,
  markActive,
  markBuilding,
  rebuildProjection,
  type GenerationalProjection,
} from './generations';
import { catchUpPartition, partitionCheckpoint } from './partitioned-catch-up';
import { ProjectionRunner } from './projection-runner';
import { readCheckpoint, rebuildCheckpoints, writeCheckpoint } from './checkpoints';
import { openReadModelDb } from './read-model-db';

/**
 * Per stream: how many events, and the sum of their positions. A lost or doubled event changes the count,
 * one applied to the wrong stream or out of its stream the sum. With a session, so it can be partitioned;
 * `lookups` counts the rows read back, to see the `empty` hint at work.
 */
function counting(): GenerationalProjection & { lookups: number } {
  const statements = new WeakMap<DatabaseSync, Map<number, { get: StatementSync; put: StatementSync }>>();
  const sql = (db: DatabaseSync, g: number) => {
    if (!statements.has(db)) statements.set(db, new Map());
    const byGeneration = statements.get(db)!;
    if (!byGeneration.has(g)) {
      byGeneration.set(g, {
        get: db.prepare(`SELECT n, sum FROM tally_g${g} WHERE stream = ?`),
        put: db.prepare(`INSERT OR REPLACE INTO tally_g${g} VALUES (?, ?, ?)`),
      });
    }
    return byGeneration.get(g)!;
  };
  const projection = {
    name: 'tally',
    lookups: 0,
    setupGeneration: (db: DatabaseSync, g: number) =>
      db.exec(`CREATE TABLE IF NOT EXISTS tally_g${g} (stream TEXT PRIMARY KEY, n INTEGER NOT NULL, sum INTEGER NOT NULL)`),
    dropGeneration: (db: DatabaseSync, g: number) => db.exec(`DROP TABLE IF EXISTS tally_g${g}`),
    existingGenerations: (db: DatabaseSync) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tally_g%'").all() as { name: string }[])
        .map((r) => Number(r.name.slice('tally_g'.length)))
        .sort((a, b) => a - b),
    applyBatch(db: DatabaseSync, g: number, events: readonly { streamName: string; position: number }[]) {
      const session = projection.session(db, g);
      session.fold(events as never);
      session.flush();
    },
    session(db: DatabaseSync, g: number, options?: { empty?: boolean }) {
      const rows = new Map<string, { n: number; sum: number }>();
      const dirty = new Set<string>();
      const seen = options?.empty ? new Set<string>() : null;
      return {
        fold(events: readonly { streamName: string; position: number }[]) {
          for (const e of events) {
            let row = rows.get(e.streamName);
            if (!row) {
              const stored =
                seen && !seen.has(e.streamName)
                  ? undefined
                  : (projection.lookups++, sql(db, g).get.get(e.streamName) as { n: number; sum: number } | undefined);
              seen?.add(e.streamName);
              row = stored ? { n: stored.n, sum: stored.sum } : { n: 0, sum: 0 };
              rows.set(e.streamName, row);
            }
            row.n += 1;
            row.sum += e.position;
            dirty.add(e.streamName);
          }
        },
        flush() {
          for (const stream of dirty) sql(db, g).put.run(stream, rows.get(stream)!.n, rows.get(stream)!.sum);
          dirty.clear();
          // Forget everything between transactions: later events must read the rows back.
          rows.clear();
        },
      };
    },
  };
  return projection;
}

type Tally = Record<string, { n: number; sum: number }>;
/**
 * A generation's tables and a partition target over them, the generation claimed as claimGeneration records it (a
 * partition writes only into a generation a rebuild is filling).
 */
function claimedTarget(db: DatabaseSync, projection: GenerationalProjection, generation: number) {
  projection.setupGeneration(db, generation);
  ensureGenerationsTable(db);
  addGenerationRow(db, 'tally');
  markBuilding(db, 'tally', generation);
  return { name: 'tally', generation, session: (c: DatabaseSync, o: { empty?: boolean }) => projection.session!(c, generation, o) };
}

const tally = (db: DatabaseSync, g: number): Tally =>
  Object.fromEntries(
    (db.prepare(`SELECT stream, n, sum FROM tally_g${g} ORDER BY stream`).all() as { stream: string; n: number; sum: number }[]).map((r) => [
      r.stream,
      { n: r.n, sum: r.sum },
    ]),
  );

const meta = { actor: { orgId: 'o', role: 'township', userId: 'u' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };

describe('rebuilds in stream partitions', () => {
  let dir: string;
  let store: SqliteEventStore;
  const streams = Array.from({ length: 23 }, (_, i) => `s-${randomUUID()}-${i}`);
  /** Appends n events round the streams; expected tally kept alongside. */
  const expected: Tally = {};
  const append = async (n: number) => {
    let last = 0;
    for (let i = 0; i < n; i++) {
      const stream = streams[(i * 7) % streams.length];
      last = (await store.append(stream, [{ id: randomUUID(), type: 'T', data: {}, metadata: meta }], { expectedRevision: 'any' })).position;
      expected[stream] = { n: (expected[stream]?.n ?? 0) + 1, sum: (expected[stream]?.sum ?? 0) + last };
    }
    return last;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'partitions-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'OFF' });
    for (const key of Object.keys(expected)) delete expected[key];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three partitions fold every event once while appends go on; then the generation switches and the live runner continues', async () => {
    const file = join(dir, 'rm.sqlite');
    const projection = counting();
    const db = openReadModelDb(file);
    const live = new ProjectionRunner(store, db, liveProjection(projection), { maxBatch: 9 });
    live.start();
    await live.reached(await append(400));

    const rebuildDb = openReadModelDb(file);
    const appending = append(150);
    const [result] = await Promise.all([rebuildProjection(store, rebuildDb, projection, { maxBatch: 40, graceMs: 0, partitions: { count: 3 } }), appending]);
    expect(result).toMatchObject({ generation: 2, previous: 1, resumed: false });
    const head = await append(20);
    await live.reached(head);
    expect(activeGeneration(db, 'tally')).toBe(2);
    expect(tally(db, 2)).toEqual(expected);
    expect(readCheckpoint(db, 'tally')).toBe(head);
    // The partitions' checkpoints went with the merge; the generation's own with the switch.
    expect(rebuildCheckpoints(db, 'tally')).toEqual([]);
    await live.stop();
    db.close();
    rebuildDb.close();
  });

  it('a partition that dies midway: the rerun resumes every partition from its own checkpoint, with the count it started with', async () => {
    const file = join(dir, 'rm.sqlite');
    const projection = counting();
    const head = await append(500);
    // Reads of partition 1 break after 120 of its events, like a killed worker.
    let delivered = 0;
    const broken: EventStore = Object.create(store, {
      readAllFoldable: {
        value: async (options?: ReadAllOptions) => {
          const page = await store.readAllFoldable(options);
          if (options?.partition?.index === 1 && (delivered += page.length) > 120) throw new Error('killed');
          return page;
        },
      },
    });
    const db = openReadModelDb(file);
    await expect(rebuildProjection(broken, db, projection, { maxBatch: 30, graceMs: 0, partitions: { count: 3 } })).rejects.toThrow('killed');
    const checkpoints = [0, 1, 2].map((index) => readCheckpoint(db, partitionCheckpoint('tally', 2, { index, count: 3 })));
    expect(checkpoints[1]).not.toBeNull();
    expect(checkpoints[1]!).toBeLessThan(head);
    expect(readCheckpoint(db, { projection: 'tally', generation: 2 })).toBeNull();
    expect(activeGeneration(db, 'tally')).toBe(1);
    // What /v1/health shows meanwhile: the partitions' progress.
    expect(generationStatus(db, 'tally')).toEqual({
      active: 1,
      building: { generation: 2, checkpoint: null, partitions: [0, 1, 2].map((index) => ({ partition: `p${index}of3`, checkpoint: checkpoints[index] })) },
    });

    // Asked for 2 partitions now; the rows already written are partitioned by 3, so 3 it stays.
    const lookupsBefore = projection.lookups;
    const result = await rebuildProjection(store, db, projection, { maxBatch: 30, graceMs: 0, partitions: { count: 2 } });
    expect(result).toMatchObject({ generation: 2, resumed: true, position: head });
    expect(tally(db, 2)).toEqual(expected);
    // Resumed partitions have rows already, so they read them back.
    expect(projection.lookups).toBeGreaterThan(lookupsBefore);
    db.close();
  });

  it('on empty tables a partition reads back only the rows it wrote itself', async () => {
    const file = join(dir, 'rm.sqlite');
    const projection = counting();
    const head = await append(300);
    const db = openReadModelDb(file);
    const target = claimedTarget(db, projection, 7);
    let expectedLookups = 0;
    for (const index of [0, 1]) {
      await catchUpPartition(store, db, [target], { index, count: 2 }, head, { batch: 25 });
      expect(readCheckpoint(db, partitionCheckpoint('tally', 7, { index, count: 2 }))).toBe(head);
      // The session forgets its rows after each transaction of 25 events: a stream is read back in every
      // transaction that touches it, except the one where it first appears.
      const events = await store.readAll({ limit: 1000, partition: { index, count: 2 } });
      const streamsSeen = new Set<string>();
      for (let i = 0; i < events.length; i += 25) {
        const touched = new Set(events.slice(i, i + 25).map((e) => e.streamName));
        for (const stream of touched) if (streamsSeen.has(stream)) expectedLookups++;
        touched.forEach((stream) => {
          streamsSeen.add(stream);
        });
      }
    }
    expect(tally(db, 7)).toEqual(expected);
    expect(expectedLookups).toBeGreaterThan(0);
    expect(projection.lookups).toBe(expectedLookups);
    db.close();
  });

  it('refuses to write when another writer moved its partition checkpoint', async () => {
    const file = join(dir, 'rm.sqlite');
    const projection = counting();
    const head = await append(200);
    const [a, b] = [openReadModelDb(file), openReadModelDb(file)];
    const target = claimedTarget(a, projection, 3);
    const results = await Promise.allSettled([
      catchUpPartition(store, a, [target], { index: 0, count: 1 }, head, { batch: 10 }),
      catchUpPartition(store, b, [target], { index: 0, count: 1 }, head, { batch: 10 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/moved by another writer/);
    expect(tally(a, 3)).toEqual(expected);
    a.close();
    b.close();
  });

  it('writes nothing once another rebuild of the generation has merged its partitions or switched it in', async () => {
    const file = join(dir, 'rm.sqlite');
    const projection = counting();
    const head = await append(50);
    const db = openReadModelDb(file);
    const target = claimedTarget(db, projection, 4);
    // Merged: the generation has its one checkpoint, and the other rebuild goes on from it.
    writeCheckpoint(db, { projection: 'tally', generation: 4 }, 20);
    await expect(catchUpPartition(store, db, [target], { index: 0, count: 2 }, head)).rejects.toBeInstanceOf(GenerationTakenOver);
    // Switched in: its tables serve.
    markActive(db, 'tally', 4);
    await expect(catchUpPartition(store, db, [target], { index: 1, count: 2 }, head)).rejects.toThrow(
      /generation 4 is no longer being built \(active 4, building none\)/,
    );
    expect(tally(db, 4)).toEqual({});
    expect(rebuildCheckpoints(db, 'tally', 4).map((c) => c.key.partition)).toEqual([null]);
    db.close();
  });
});
