import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type FoldableEvent } from '@chuishao/event-store';
import { readCheckpoint } from './checkpoints';
import { openReadModelDb } from './read-model-db';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/** Counts events per stream: any double-applied or lost event shows up as a wrong count. */
const counting = (failOn?: (e: FoldableEvent) => boolean): Projection => ({
  name: 'counting',
  setup: (db) => db.exec('CREATE TABLE IF NOT EXISTS counts (stream TEXT PRIMARY KEY, n INTEGER NOT NULL)'),
  applyBatch: (db, events) => {
    for (const e of events) {
      if (failOn?.(e)) throw new Error(`poison ${e.position}`);
      db.prepare('INSERT INTO counts VALUES (?, 1) ON CONFLICT(stream) DO UPDATE SET n = n + 1').run(e.streamName);
    }
  },
});

/**
 * The same counts kept by a session: folded in memory, written as absolute values on flush. A session
 * that kept stale counts after another writer moved the checkpoint would overwrite that writer's
 * counts, so any missing invalidation shows up as a wrong total.
 */
const sessionCounting = (name = 'counting', failOn?: (e: FoldableEvent) => boolean): Projection => ({
  ...counting(failOn),
  name,
  setup: (db) => db.exec(`CREATE TABLE IF NOT EXISTS ${name === 'counting' ? 'counts' : name} (stream TEXT PRIMARY KEY, n INTEGER NOT NULL)`),
  session(db) {
    const table = name === 'counting' ? 'counts' : name;
    const counts = new Map<string, number>();
    const dirty = new Set<string>();
    return {
      fold(events) {
        for (const e of events) {
          if (failOn?.(e)) throw new Error(`poison ${e.position}`);
          if (!counts.has(e.streamName)) {
            const row = db.prepare(`SELECT n FROM ${table} WHERE stream = ?`).get(e.streamName) as { n: number } | undefined;
            counts.set(e.streamName, row?.n ?? 0);
          }
          counts.set(e.streamName, counts.get(e.streamName)! + 1);
          dirty.add(e.streamName);
        }
      },
      flush() {
        for (const stream of dirty) db.prepare(`INSERT OR REPLACE INTO ${table} VALUES (?, ?)`).run(stream, counts.get(stream)!);
        dirty.clear();
      },
    };
  },
});

const total = (db: DatabaseSync) => (db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM counts').get() as { n: number }).n;
const meta = { actor: { orgId: 'o', role: 'township', userId: 'u' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };

describe('ProjectionRunner', () => {
  let dir: string;
  let store: SqliteEventStore;
  const append = async (n: number) => {
    let last = 0;
    for (let i = 0; i < n; i++) {
      last = (await store.append(`s-${i % 7}`, [{ id: randomUUID(), type: 'T', data: { i }, metadata: meta }], { expectedRevision: 'any' })).position;
    }
    return last;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches up, follows live appends, and resumes from its checkpoint after a restart', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const runner = new ProjectionRunner(store, db, counting());
    await append(120);
    runner.start();
    await runner.reached(await append(30));
    expect(total(db)).toBe(150);
    await runner.stop();
    db.close();

    const head = await append(25);
    const db2 = openReadModelDb(file);
    const again = new ProjectionRunner(store, db2, counting());
    expect(again.checkpoint).toBeLessThan(head);
    again.start();
    await again.reached(head);
    expect(total(db2)).toBe(175);
    expect(readCheckpoint(db2, 'counting')).toBe(head);
    await again.stop();
    db2.close();
  });

  it('commits a batch and its checkpoint together: a failing batch leaves neither', async () => {
    const db = openReadModelDb(join(dir, 'rm.sqlite'));
    const head = await append(10);
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(
      store,
      db,
      counting((e) => e.position === head),
      { onError: (e) => errors.push(e) },
    );
    runner.start();
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
    expect(total(db)).toBe(0);
    expect(readCheckpoint(db, 'counting')).toBeNull();
    await runner.stop();
    db.close();
  });

  it('two runners on one read-model file never apply an event twice', async () => {
    const file = join(dir, 'rm.sqlite');
    const [dbA, dbB] = [openReadModelDb(file), openReadModelDb(file)];
    const a = new ProjectionRunner(store, dbA, counting());
    const b = new ProjectionRunner(store, dbB, counting());
    a.start();
    b.start();
    const head = await append(200);
    await Promise.all([a.reached(head), b.reached(head)]);
    expect(total(dbA)).toBe(200);
    await Promise.all([a.stop(), b.stop()]);
    dbA.close();
    dbB.close();
  });

  it('two runners with in-memory sessions on one read-model file neither lose nor double an event', async () => {
    const file = join(dir, 'rm.sqlite');
    const [dbA, dbB] = [openReadModelDb(file), openReadModelDb(file)];
    const a = new ProjectionRunner(store, dbA, sessionCounting(), { maxBatch: 7 });
    const b = new ProjectionRunner(store, dbB, sessionCounting(), { maxBatch: 5 });
    a.start();
    b.start();
    let head = 0;
    for (let round = 0; round < 20; round++) {
      head = await append(15);
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all([a.reached(head), b.reached(head)]);
    expect(total(dbA)).toBe(300);
    await Promise.all([a.stop(), b.stop()]);
    dbA.close();
    dbB.close();
  });

  it('feeds several projections from one reading, each from its own checkpoint', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const first = new ProjectionRunner(store, db, counting());
    const early = await append(40);
    first.start();
    await first.reached(early);
    await first.stop();

    const head = await append(60);
    const both = new ProjectionRunner(store, db, [counting(), sessionCounting('later')]);
    expect(both.checkpoint).toBeNull(); // 'later' starts from the first event
    both.start();
    await both.reached(head);
    expect(total(db)).toBe(100);
    expect((db.prepare('SELECT SUM(n) AS n FROM later').get() as { n: number }).n).toBe(100);
    expect([readCheckpoint(db, 'counting'), readCheckpoint(db, 'later')]).toEqual([head, head]);
    await both.stop();
    db.close();
  });

  it('catches up in several transactions: a failure keeps the finished ones and none of the failed one', async () => {
    const file = join(dir, 'rm.sqlite');
    const db = openReadModelDb(file);
    const head = await append(3_500);
    const poison = head - 100; // inside the fourth page of 1,000, so the 2,000-event transactions 1 commits, 2 fails
    const errors: unknown[] = [];
    const failing = new ProjectionRunner(
      store,
      db,
      sessionCounting('counting', (e) => e.position === poison),
      {
        catchUpBatch: 2_000,
        onError: (e) => errors.push(e),
      },
    );
    failing.start();
    for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
    const committed = readCheckpoint(db, 'counting')!;
    expect(committed).toBeLessThan(poison);
    expect(committed).toBeGreaterThan(0);
    expect(total(db)).toBe(committed - (head - 3_500));
    await failing.stop();

    const healthy = new ProjectionRunner(store, db, sessionCounting(), { catchUpBatch: 2_000 });
    healthy.start();
    await healthy.reached(head);
    expect(total(db)).toBe(3_500);
    await healthy.stop();
    db.close();
  });
});
