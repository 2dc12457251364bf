import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteEventStore, type EventStore, type FoldableEvent, type ReadAllOptions } from '@chuishao/event-store';
import {
  deleteCheckpoint,
  deleteRebuildCheckpoints,
  readCheckpoint,
  readProjectionVersion,
  rebuildCheckpoints,
  writeCheckpoint,
  type CheckpointKey,
} from './checkpoints';
import { activeGeneration, generationStatus, liveProjection, rebuildProjection, type GenerationalProjection } from './generations';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { openReadModelDb } from './read-model-db';

const meta = { actor: { orgId: 'o', role: 'township', userId: 'u' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };

/** The checkpoint table as the previous layout had it: the key encoded in `name`. */
const NAMED_LAYOUT = `CREATE TABLE projection_checkpoints (
  name TEXT PRIMARY KEY,
  position INTEGER,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0
)`;

/** Writes checkpoints as the previous version named them: `<p>`, `<p>#g<n>`, `<p>#g<n>/p<i>of<count>`. */
function legacyName(key: CheckpointKey): string {
  if (!key.generation) return key.projection;
  const rebuild = `${key.projection}#g${key.generation}`;
  return key.partition ? `${rebuild}/p${key.partition.index}of${key.partition.count}` : rebuild;
}

/** Turns a file's checkpoint table into the previous layout, rows and all (what the previous version left). */
function toNamedLayout(db: DatabaseSync): void {
  const rows = db
    .prepare('SELECT projection, generation, partition_index, partition_count, position, version, updated_at FROM projection_checkpoints')
    .all() as {
    projection: string;
    generation: number;
    partition_index: number;
    partition_count: number;
    position: number | null;
    version: number;
    updated_at: string;
  }[];
  db.exec('DROP TABLE projection_checkpoints');
  db.exec(NAMED_LAYOUT);
  for (const r of rows) {
    const name = legacyName({
      projection: r.projection,
      generation: r.generation,
      partition: r.partition_count ? { index: r.partition_index, count: r.partition_count } : null,
    });
    db.prepare('INSERT INTO projection_checkpoints (name, position, updated_at, version) VALUES (?, ?, ?, ?)').run(name, r.position, r.updated_at, r.version);
  }
}

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the live, the rebuild and each partition checkpoint of a projection apart', () => {
    const db = openReadModelDb(join(dir, 'rm.sqlite'));
    const keys: CheckpointKey[] = [
      { projection: 'p' },
      { projection: 'p', generation: 2 },
      { projection: 'p', generation: 2, partition: { index: 0, count: 2 } },
      { projection: 'p', generation: 2, partition: { index: 1, count: 2 } },
      { projection: 'p', generation: 2, partition: { index: 0, count: 3 } },
      { projection: 'p', generation: 3 },
      // A name that looks like an encoded key is only a name.
      { projection: 'p#g2' },
    ];
    keys.forEach((key, i) => {
      writeCheckpoint(db, key, 10 + i);
    });
    expect(keys.map((key) => readCheckpoint(db, key))).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(readCheckpoint(db, 'p')).toBe(10);
    expect(rebuildCheckpoints(db, 'p', 2).map((c) => [c.key.partition, c.position])).toEqual([
      [null, 11],
      [{ index: 0, count: 2 }, 12],
      [{ index: 1, count: 2 }, 13],
      [{ index: 0, count: 3 }, 14],
    ]);
    deleteCheckpoint(db, keys[3]);
    expect(readCheckpoint(db, keys[3])).toBeNull();
    deleteRebuildCheckpoints(db, 'p', 2);
    expect(rebuildCheckpoints(db, 'p').map((c) => c.key.generation)).toEqual([3]);
    deleteRebuildCheckpoints(db, 'p');
    expect(rebuildCheckpoints(db, 'p')).toEqual([]);
    expect([readCheckpoint(db, 'p'), readCheckpoint(db, 'p#g2')]).toEqual([10, 16]);
    db.close();
  });

  it('refuses keys that name no checkpoint', () => {
    const db = openReadModelDb(join(dir, 'rm.sqlite'));
    expect(() => writeCheckpoint(db, { projection: 'p', partition: { index: 0, count: 2 } }, 1)).toThrow(/belongs to a rebuild/);
    expect(() => writeCheckpoint(db, { projection: 'p', generation: 2, partition: { index: 2, count: 2 } }, 1)).toThrow(/does not exist/);
    expect(() => readCheckpoint(db, { projection: 'p', generation: -1 })).toThrow(/not a generation/);
    db.close();
  });

  it('converts a file of the previous layout: every name becomes its key, with position, version and time', () => {
    const file = join(dir, 'rm.sqlite');
    const old = new DatabaseSync(file);
    old.exec(NAMED_LAYOUT);
    const insert = old.prepare('INSERT INTO projection_checkpoints (name, position, updated_at, version) VALUES (?, ?, ?, ?)');
    insert.run('case-inbox', 41, '2026-11-30T01:00:00.000Z', 6);
    insert.run('scoring-parts', null, '2026-11-30T01:00:00.000Z', 2);
    insert.run('case-inbox#g2', 17, '2026-11-30T02:00:00.000Z', 0);
    insert.run('scoring-parts#g3/p0of2', 9, '2026-11-30T03:00:00.000Z', 0);
    insert.run('scoring-parts#g3/p1of2', 12, '2026-11-30T03:00:00.000Z', 0);
    old.close();

    for (let open = 0; open < 2; open++) {
      // Twice: a converted file opens as it is.
      const db = openReadModelDb(file);
      expect([readCheckpoint(db, 'case-inbox'), readProjectionVersion(db, 'case-inbox')]).toEqual([41, 6]);
      expect([readCheckpoint(db, 'scoring-parts'), readProjectionVersion(db, 'scoring-parts')]).toEqual([null, 2]);
      expect(readCheckpoint(db, { projection: 'case-inbox', generation: 2 })).toBe(17);
      expect(rebuildCheckpoints(db, 'scoring-parts')).toEqual([
        { key: { projection: 'scoring-parts', generation: 3, partition: { index: 0, count: 2 } }, position: 9 },
        { key: { projection: 'scoring-parts', generation: 3, partition: { index: 1, count: 2 } }, position: 12 },
      ]);
      expect(db.prepare("SELECT updated_at FROM projection_checkpoints WHERE projection = 'case-inbox' AND generation = 2").get()).toEqual({
        updated_at: '2026-11-30T02:00:00.000Z',
      });
      const columns = (db.prepare('PRAGMA table_info(projection_checkpoints)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).not.toContain('name');
      db.close();
    }
  });

  it('converts a file from before projections had versions (no version column): version 0', () => {
    const file = join(dir, 'rm.sqlite');
    const old = new DatabaseSync(file);
    old.exec('CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER, updated_at TEXT NOT NULL)');
    old.prepare("INSERT INTO projection_checkpoints VALUES ('case-inbox', 5, '2026-01-01T00:00:00.000Z')").run();
    old.close();
    const db = openReadModelDb(file);
    expect([readCheckpoint(db, 'case-inbox'), readProjectionVersion(db, 'case-inbox')]).toEqual([5, 0]);
    db.close();
  });

  describe('a read-model file the previous version wrote', () => {
    let store: SqliteEventStore;
    const streams = Array.from({ length: 11 }, (_, i) => `s-${i}`);
    let expected: Record<string, number>;
    const append = async (n: number) => {
      let last = 0;
      for (let i = 0; i < n; i++) {
        const stream = streams[(i * 3) % streams.length];
        last = (await store.append(stream, [{ id: randomUUID(), type: 'T', data: {}, metadata: meta }], { expectedRevision: 'any' })).position;
        expected[stream] = (expected[stream] ?? 0) + 1;
      }
      return last;
    };
    beforeEach(() => {
      store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'OFF' });
      expected = {};
    });
    afterEach(() => store.close());

    /** Events per stream; with a session, so a rebuild can fold it in partitions. */
    const counts = (): GenerationalProjection => {
      const fold = (db: DatabaseSync, g: number, events: readonly FoldableEvent[]) => {
        for (const e of events) db.prepare(`INSERT INTO counts_g${g} VALUES (?, 1) ON CONFLICT(stream) DO UPDATE SET n = n + 1`).run(e.streamName);
      };
      return {
        name: 'counts',
        version: 3,
        setupGeneration: (db, g) => db.exec(`CREATE TABLE IF NOT EXISTS counts_g${g} (stream TEXT PRIMARY KEY, n INTEGER NOT NULL)`),
        dropGeneration: (db, g) => db.exec(`DROP TABLE IF EXISTS counts_g${g}`),
        existingGenerations: (db) =>
          (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'counts_g%'").all() as { name: string }[])
            .map((r) => Number(r.name.slice('counts_g'.length)))
            .sort((a, b) => a - b),
        applyBatch: fold,
        session: (db, g) => {
          const pending: FoldableEvent[] = [];
          return { fold: (events) => void pending.push(...events), flush: () => void fold(db, g, pending.splice(0)) };
        },
      };
    };
    const countsOf = (db: DatabaseSync, g: number) =>
      Object.fromEntries((db.prepare(`SELECT stream, n FROM counts_g${g}`).all() as { stream: string; n: number }[]).map((r) => [r.stream, r.n]));

    it('opens, and its live runner continues from its checkpoint with the same version: nothing projected twice or again', async () => {
      const file = join(dir, 'rm.sqlite');
      const first = await append(40);
      const gp = counts();
      // What the previous version left: the tables of the first 40 events and the live checkpoint 'counts' at 40.
      const old = openReadModelDb(file);
      const live: Projection = liveProjection(gp);
      const runner = new ProjectionRunner(store, old, live);
      runner.start();
      await runner.reached(first);
      await runner.stop();
      toNamedLayout(old);
      expect(old.prepare('SELECT name, position, version FROM projection_checkpoints').all()).toEqual([{ name: 'counts', position: first, version: 3 }]);
      old.close();

      const head = await append(25);
      const db = openReadModelDb(file);
      const next = new ProjectionRunner(store, db, liveProjection(counts()));
      // From its checkpoint, not from the start (a lost checkpoint) and not from an empty table (a lost version).
      expect(next.checkpoint).toBe(first);
      next.start();
      await next.reached(head);
      await next.stop();
      expect(countsOf(db, 1)).toEqual(expected);
      db.close();
    });

    it('resumes a partitioned rebuild it left midway from its partition checkpoints, with the count it started with', async () => {
      const file = join(dir, 'rm.sqlite');
      const head = await append(300);
      // The previous version's rebuild died in partition 1 after 60 of its events.
      let delivered = 0;
      const broken: EventStore = Object.create(store, {
        readAllFoldable: {
          value: async (options?: ReadAllOptions) => {
            const page = await store.readAllFoldable(options);
            if (options?.partition?.index === 1 && (delivered += page.length) > 60) throw new Error('killed');
            return page;
          },
        },
      });
      const old = openReadModelDb(file);
      await expect(rebuildProjection(broken, old, counts(), { maxBatch: 20, graceMs: 0, partitions: { count: 2 } })).rejects.toThrow('killed');
      const left = [0, 1].map((index) => readCheckpoint(old, { projection: 'counts', generation: 2, partition: { index, count: 2 } }));
      expect(left[1]).not.toBeNull();
      expect(left[1]!).toBeLessThan(head);
      toNamedLayout(old);
      const names = (old.prepare('SELECT name FROM projection_checkpoints ORDER BY name').all() as { name: string }[]).map((r) => r.name);
      expect(names).toEqual(['counts', ...(left[0] === null ? [] : ['counts#g2/p0of2']), 'counts#g2/p1of2']);
      old.close();

      const db = openReadModelDb(file);
      expect(generationStatus(db, 'counts').building).toEqual({
        generation: 2,
        checkpoint: null,
        partitions: [0, 1].flatMap((index) => (left[index] === null ? [] : [{ partition: `p${index}of2`, checkpoint: left[index] }])),
      });
      // Asked for 3 now; the rows already written are partitioned by 2, so 2 it stays (or events would count twice).
      const result = await rebuildProjection(store, db, counts(), { maxBatch: 20, graceMs: 0, partitions: { count: 3 } });
      expect(result).toMatchObject({ generation: 2, resumed: true, position: head });
      expect(activeGeneration(db, 'counts')).toBe(2);
      expect(countsOf(db, 2)).toEqual(expected);
      expect(rebuildCheckpoints(db, 'counts')).toEqual([]);
      db.close();
    });
  });
});
