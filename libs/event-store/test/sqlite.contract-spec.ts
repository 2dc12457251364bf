import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreUnavailable, WrongExpectedRevision } from '../src/errors';
import { InvalidAppend } from '../src/invalid-append';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../src/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './contract';
import { idsOf, newEvent, newEvents, newStream, pullUntil, rejectionOf, within } from './contract-helpers';

const FIXTURES = join(__dirname, 'fixtures');

/** A fresh directory per test, removed afterwards, with every store opened on its file closed first. */
function tempStores() {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-event-store-'));
  const file = join(dir, 'events.sqlite');
  const opened: SqliteEventStore[] = [];
  return {
    file,
    open(options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore {
      const store = new SqliteEventStore({ file, ...options });
      opened.push(store);
      return store;
    },
    async cleanup(): Promise<void> {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A 10 s poll: the in-process tests can pass only through the commit notification and abort handling, never by polling.
describeEventStoreContract('SQLite', async () => {
  const stores = tempStores();
  const open = () => stores.open({ pollIntervalMs: 10_000 });
  return { store: open(), reopen: async () => open(), cleanup: stores.cleanup };
});

describe('SQLite adapter', () => {
  let stores: ReturnType<typeof tempStores>;
  beforeEach(() => {
    stores = tempStores();
  });
  afterEach(async () => {
    await stores.cleanup();
  });

  it('runs with synchronous FULL unless told otherwise, and refuses an unknown level', () => {
    expect(stores.open().synchronous).toBe('FULL');
    expect(stores.open({ synchronous: 'NORMAL' }).synchronous).toBe('NORMAL');
    expect(() => stores.open({ synchronous: 'full; DROP TABLE events' as 'FULL' })).toThrow(RangeError);
  });

  it('group-commits appends issued together: 100 concurrent appends, one transaction', async () => {
    const store = stores.open();
    const sequentialStart = store.transactionsCommitted;
    for (let i = 0; i < 5; i++) await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    expect(store.transactionsCommitted - sequentialStart).toBe(5);

    const concurrentStart = store.transactionsCommitted;
    await Promise.all(Array.from({ length: 100 }, () => store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' })));
    expect(store.transactionsCommitted - concurrentStart).toBe(1);
  });

  it('checks each append of a batch on its own, against heads set earlier in the same batch', async () => {
    const store = stores.open();
    const stored = newEvent();
    await store.append(newStream(), [stored], { expectedRevision: 'no_stream' });
    const stream = newStream();
    const [a, b, c, d] = newEvents(4);
    const before = store.transactionsCommitted;

    const outcomes = await Promise.allSettled([
      store.append(stream, [a], { expectedRevision: 'no_stream' }),
      store.append(stream, [b], { expectedRevision: 0 }),
      store.append(stream, [c], { expectedRevision: 0 }),
      store.append(newStream(), [{ ...newEvent(), id: stored.id }], { expectedRevision: 'no_stream' }),
      store.append(newStream(), [{ ...newEvent(), id: a.id }], { expectedRevision: 'no_stream' }),
      store.append(stream, [d], { expectedRevision: 1 }),
    ]);

    expect(store.transactionsCommitted - before).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons[2]).toBeInstanceOf(WrongExpectedRevision);
    expect(reasons[2]).toMatchObject({ expected: 0, actual: 1 });
    expect(reasons[3]).toBeInstanceOf(InvalidAppend);
    expect(reasons[4]).toBeInstanceOf(InvalidAppend);
    expect(idsOf(await store.readStream(stream))).toEqual(idsOf([a, b, d]));
  });

  it('rolls a failing batch back whole and rejects every append in it', async () => {
    const store = stores.open();
    const admin = new DatabaseSync(stores.file);
    admin.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON events WHEN NEW.type = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    const [x, y] = [newStream(), newStream()];
    const fine = newEvent();
    const before = store.transactionsCommitted;

    const outcomes = await Promise.allSettled([
      store.append(x, [fine], { expectedRevision: 'no_stream' }),
      store.append(y, [newEvent('Boom')], { expectedRevision: 'no_stream' }),
      store.append(x, [newEvent()], { expectedRevision: 0 }),
    ]);

    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StoreUnavailable);
    }
    expect(String((outcomes[0] as PromiseRejectedResult).reason.message)).toContain('boom refused');
    expect(store.transactionsCommitted).toBe(before);
    expect(await store.readAll()).toEqual([]);
    admin.exec('DROP TRIGGER refuse_boom');
    admin.close();
    expect((await store.append(x, [fine], { expectedRevision: 'no_stream' })).nextRevision).toBe(0);
  });

  it('stamps recordedAt at commit: a clock that steps back, or another connection with a slower clock, never makes it decrease', async () => {
    let offset = 0;
    const a = stores.open({ clock: () => new Date(Date.now() + offset) });
    const b = stores.open({ clock: () => new Date(Date.now() - 60_000) });
    await a.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    offset = -3_600_000; // a's clock steps back an hour
    await a.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    await Promise.all([
      ...Array.from({ length: 20 }, () => a.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' })),
      ...Array.from({ length: 20 }, () => b.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' })),
    ]);

    const all = await a.readAll();
    expect(all).toHaveLength(42);
    // Every stamp equals the first one: both later clocks read earlier than it.
    expect(new Set(all.map((e) => e.recordedAt))).toEqual(new Set([all[0].recordedAt]));
  });

  it('a horizon holds for appends by another connection to the file (another process), even one whose clock is behind', async () => {
    const reader = stores.open();
    const other = stores.open({ clock: () => new Date(Date.now() - 1_000) });
    const horizons: Array<{ position: number | null; recordedAt: string }> = [];
    // Each round issues a horizon amid another connection's appends, some sent before it and some after.
    for (let i = 0; i < 20; i++) {
      const appends = () => Array.from({ length: 5 }, () => other.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' }));
      const early = appends();
      const horizon = reader.horizon();
      await Promise.all([...early, ...appends(), horizon.then((h) => horizons.push(h))]);
    }

    const all = await reader.readAll();
    expect(all).toHaveLength(200);
    expect(horizons).toHaveLength(20);
    for (const h of horizons) {
      const late = all.filter((e) => e.recordedAt <= h.recordedAt && (h.position === null || e.position > h.position));
      expect(late.map((e) => `${e.position} recorded at ${e.recordedAt}, horizon ${h.recordedAt} at ${h.position}`)).toEqual([]);
    }
  });

  it('refuses an event JSON cannot hold without failing the rest of its batch', async () => {
    const store = stores.open();
    const [bad, good] = await Promise.allSettled([
      store.append(newStream(), [newEvent('Tested', { amount: 1n })], { expectedRevision: 'no_stream' }),
      store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' }),
    ]);
    expect(bad.status === 'rejected' && bad.reason).toBeInstanceOf(InvalidAppend);
    expect(good.status).toBe('fulfilled');
  });

  it('leaves no timer or listener behind once a waiting subscription wakes or is aborted', async () => {
    const store = stores.open({ pollIntervalMs: 60_000 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // The notifier is private; peeking is the only way to see a leaked listener, which nothing else would reveal.
    const notifierListeners = () => store['notifier'].listenerCount('appended') + store['notifier'].listenerCount('closed');
    // Start the writer thread first: counting spans as little time as possible, since jest's own reporter briefly
    // holds a timer every second.
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    const after = await store.headPosition();
    const baseline = timers();
    const controller = new AbortController();
    const iterator = store.subscribeToAll({ after, signal: controller.signal })[Symbol.asyncIterator]();

    const first = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(baseline + 1);
    expect(notifierListeners()).toBe(2);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const event = newEvent();
    await store.append(newStream(), [event], { expectedRevision: 'no_stream' });
    expect((await within(first, 1_000, 'the live event')).value?.id).toBe(event.id);
    expect(timers()).toBe(baseline);
    expect(notifierListeners()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    const second = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await within(second, 1_000, 'the aborted subscription to end')).toEqual({ done: true, value: undefined });
    expect(timers()).toBe(baseline);
    expect(notifierListeners()).toBe(0);
  });

  it('on close, commits what is queued and ends waiting subscriptions; later calls fail', async () => {
    const store = stores.open({ pollIntervalMs: 60_000 });
    const waiting = store.subscribeToAll()[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setImmediate(resolve));
    const stream = newStream();
    const queued = store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });

    await store.close();

    expect(await queued).toMatchObject({ nextRevision: 0 });
    expect(await within(waiting, 1_000, 'the subscription to end on close')).toEqual({ done: true, value: undefined });
    expect(await rejectionOf(store.readStream(stream))).toBeInstanceOf(StoreUnavailable);
    expect(await stores.open().readStream(stream)).toHaveLength(1);
  });

  it('keeps the main event loop turning while the writer thread inserts and commits', async () => {
    const store = stores.open();
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' }); // the writer thread is up
    let turns = 0;
    let done = false;
    const spin = (): void => {
      turns++;
      if (!done) setImmediate(spin);
    };
    const big = store.append(newStream(), newEvents(5_000), { expectedRevision: 'no_stream' });
    setImmediate(spin);
    expect((await big).nextRevision).toBe(4_999);
    done = true;
    // On the main thread the whole insert and COMMIT would run inside one turn.
    expect(turns).toBeGreaterThan(20);
  });

  it('fails pending and later appends with StoreUnavailable when the writer thread dies; reads go on', async () => {
    const store = stores.open();
    const stream = newStream();
    await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });

    // Private peek: killing the thread is the only way to make it die from outside.
    const dying = store['writer']!['worker']!.terminate();
    const pending = store.append(stream, [newEvent()], { expectedRevision: 0 });
    expect(await within(rejectionOf(pending), 2_000, 'the pending append to fail')).toBeInstanceOf(StoreUnavailable);
    await dying;

    expect(await within(rejectionOf(store.append(stream, [newEvent()], { expectedRevision: 0 })), 1_000, 'a later append to fail')).toBeInstanceOf(
      StoreUnavailable,
    );
    expect(await store.readStream(stream, { toRevision: 0 })).toHaveLength(1);
    await within(store.close(), 2_000, 'close after the writer died');
  });

  it('starts its writer thread on the first append, not for a store that only reads', async () => {
    const writer = stores.open();
    await writer.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    const reader = stores.open();
    expect(await reader.readAll({ limit: 10 })).toHaveLength(1);
    // Private peek: a rebuild's partition workers and the projector thread open the store only to read.
    expect(reader['writer']).toBeNull();
    expect(writer['writer']).not.toBeNull();
  });

  it('delivers what another process appends to the same file, by polling it', async () => {
    const store = stores.open({ pollIntervalMs: 50 });
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));

    const { acks } = await runChild(stores.file, '3').exited;

    const firstEvent = await within(first, 2_000, 'the first event from the other process');
    expect(firstEvent.done).toBe(false);
    const ids = acks.flatMap((a) => a.ids);
    const delivered = await pullUntil(
      iterator,
      ids.filter((id) => id !== firstEvent.value.id),
      [firstEvent.value],
    );
    expect(acks).toHaveLength(15);
    expect(delivered).toHaveLength(ids.length);
    expect(delivered.map((e) => e.position)).toEqual(delivered.map((e) => e.position).sort((p, q) => p - q));
    expect(new Set(idsOf(delivered))).toEqual(new Set(ids));
    await iterator.return?.(undefined);
  }, 30_000);

  it('keeps every acknowledged append, whole, when the writer process is SIGKILLed mid-stream', async () => {
    const child = runChild(stores.file, 'forever', 300);
    const { acks, signal } = await child.exited;
    expect(signal).toBe('SIGKILL');
    expect(acks.length).toBeGreaterThanOrEqual(300);

    const store = stores.open();
    for (const ack of acks) {
      const events = await store.readStream(ack.stream, { fromRevision: ack.lastRevision - 2, toRevision: ack.lastRevision });
      expect(idsOf(events)).toEqual(ack.ids);
      expect(events[2].position).toBe(ack.position);
    }
    // Acknowledged or not, whatever was committed is whole: every stream is made of complete 3-event appends.
    for (let s = 0; s < 5; s++) {
      const events = await store.readStream(`child-${s}`);
      expect(events.length % 3).toBe(0);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      expect(events.map((e) => e.data.n)).toEqual(events.map((_, i) => i % 3));
    }
    const head = (await store.readStream('child-0')).length - 1;
    expect((await store.append('child-0', [newEvent()], { expectedRevision: head })).nextRevision).toBe(head + 1);
  }, 30_000);
});

interface Ack {
  stream: string;
  lastRevision: number;
  position: number;
  ids: string[];
}

/** Runs fixtures/append-child.js on `file`; SIGKILLs it once `killAfterAcks` appends were acknowledged, if given. */
function runChild(file: string, count: string, killAfterAcks?: number) {
  const child = spawn(process.execPath, ['-r', join(FIXTURES, 'register-ts.js'), join(FIXTURES, 'append-child.js'), file, count], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [word, stream, lastRevision, position, ids] = line.split(' ');
      if (word !== 'ack') continue;
      acks.push({ stream, lastRevision: Number(lastRevision), position: Number(position), ids: ids.split(',') });
      if (killAfterAcks !== undefined && acks.length === killAfterAcks) child.kill('SIGKILL');
    }
  });
  const exited = new Promise<{ acks: Ack[]; code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acks, code, signal });
    });
  });
  return { exited };
}
