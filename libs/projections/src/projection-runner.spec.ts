import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type RecordedEvent } from '@chuishao/event-store';
import { openReadModelDb, readCheckpoint } from './read-model-db';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/** Counts events per stream: any double-applied or lost event shows up as a wrong count. */
const counting = (failOn?: (e: RecordedEvent) => boolean): Projection => ({
  name: 'counting',
  setup: (db) => db.exec('CREATE TABLE IF NOT EXISTS counts (stream TEXT PRIMARY KEY, n INTEGER NOT NULL)'),
  applyBatch: (db, events) => {
    for (const e of events) {
      if (failOn?.(e)) throw new Error(`poison ${e.position}`);
      db.prepare('INSERT INTO counts VALUES (?, 1) ON CONFLICT(stream) DO UPDATE SET n = n + 1').run(e.streamName);
    }
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
    const runner = new ProjectionRunner(store, db, counting((e) => e.position === head), { onError: (e) => errors.push(e) });
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
});
