import { StoreUnavailable } from '../src/errors';
import { InvalidAppend } from '../src/invalid-append';
import { MemoryEventStore } from '../src/memory/memory-event-store';
import { describeEventStoreContract } from './contract';
import { newEvent, newStream, rejectionOf } from './contract-helpers';

// Not durable: it keeps nothing across close, so the suite reports its reopen case as skipped, by name, with the reason.
describeEventStoreContract(
  'in-memory',
  async () => {
    const store = new MemoryEventStore();
    return { store, cleanup: () => store.close() };
  },
  { durable: false },
);

describe('in-memory adapter', () => {
  it('shares no object with its callers: what they change after appending or reading, it does not hold', async () => {
    const store = new MemoryEventStore();
    const stream = newStream();
    const event = newEvent('Tested', { nested: { n: 1 } });
    await store.append(stream, [event], { expectedRevision: 'no_stream' });
    (event.data.nested as { n: number }).n = 2;
    const [read] = await store.readStream(stream);
    (read.data.nested as { n: number }).n = 3;
    read.metadata.actor.orgId = 'someone-else';

    const [again] = await store.readStream(stream);
    expect(again.data).toEqual({ nested: { n: 1 } });
    expect(again.metadata.actor.orgId).toBe('org-contract');
  });

  it('refuses what JSON cannot store, as the other adapters do, and writes nothing', async () => {
    const store = new MemoryEventStore();
    const stream = newStream();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await rejectionOf(store.append(stream, [newEvent('Tested', cyclic)], { expectedRevision: 'no_stream' }))).toBeInstanceOf(InvalidAppend);
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('refuses an event id it already holds', async () => {
    const store = new MemoryEventStore();
    const event = newEvent();
    await store.append(newStream(), [event], { expectedRevision: 'no_stream' });
    const error = await rejectionOf(store.append(newStream(), [{ ...newEvent(), id: event.id }], { expectedRevision: 'no_stream' }));
    expect(error).toMatchObject({ code: 'STORE.INVALID_APPEND' });
  });

  it('stamps recordedAt by its clock, never before an earlier commit, and after the last horizon', async () => {
    let now = Date.parse('2026-03-02T08:00:00.000Z');
    const store = new MemoryEventStore({ clock: () => new Date(now) });
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    now -= 60_000;
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    const horizon = await store.horizon();
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    now += 120_000;
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });

    expect(horizon.recordedAt).toBe('2026-03-02T07:59:00.000Z');
    expect((await store.readAll()).map((e) => e.recordedAt)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:01:00.000Z',
    ]);
    now = Date.parse('2026-03-02T09:00:00.000Z');
    await store.horizon();
    await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
    expect((await store.readAll()).at(-1)!.recordedAt).toBe('2026-03-02T09:00:00.001Z');
  });

  it('refuses every call once closed', async () => {
    const store = new MemoryEventStore();
    await store.close();
    expect(await rejectionOf(store.readStream(newStream()))).toBeInstanceOf(StoreUnavailable);
    expect(await rejectionOf(store.append(newStream(), [newEvent()], { expectedRevision: 'any' }))).toBeInstanceOf(StoreUnavailable);
  });
});
