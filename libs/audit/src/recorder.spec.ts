import { MemoryEventStore, type EventStore } from '@chuishao/event-store';
import { isCaseStream } from '@chuishao/domain';
import { RefusalRecorder } from './recorder';
import { auditStream, isAuditStream, REFUSALS_AGGREGATED, REQUEST_REFUSED } from './refusal';
import { readAudit } from './reader';
import { refusalAt } from './testing';

const T0 = Date.parse('2026-12-03T23:59:30.000Z');

function setup(options: { perCaller?: number; total?: number; store?: EventStore } = {}) {
  let now = T0;
  const store = options.store ?? new MemoryEventStore();
  const errors: string[] = [];
  const recorder = new RefusalRecorder({
    store,
    now: () => new Date(now),
    perCaller: options.perCaller ?? 2,
    total: options.total ?? 100,
    flushIntervalMs: 0,
    onError: (m) => errors.push(m),
  });
  return { store, recorder, errors, advance: (ms: number) => (now += ms), at: () => now };
}

const all = async (store: EventStore) => store.readAll({ limit: 100_000 });

describe('RefusalRecorder', () => {
  it('stores nothing until flushed, then one append per day stream, never a case stream', async () => {
    const { store, recorder } = setup();
    recorder.record(refusalAt(T0));
    recorder.record(refusalAt(T0 + 40_000, { userId: 'other' })); // the next UTC day
    expect(await all(store)).toEqual([]);
    await recorder.flush();
    const events = await all(store);
    expect(events.map((e) => [e.streamName, e.type, e.revision])).toEqual([
      [auditStream('2026-12-03'), REQUEST_REFUSED, 0],
      [auditStream('2026-12-04'), REQUEST_REFUSED, 0],
    ]);
    expect(events.every((e) => isAuditStream(e.streamName) && !isCaseStream(e.streamName))).toBe(true);
    expect(events[0].metadata).toMatchObject({ actor: { orgId: 'system', role: 'system' }, correlationId: `c-${T0}`, schemaVersion: 1 });
  });

  it('a flood: the stored events stay bounded and single records plus counts sum to every refusal', async () => {
    const { store, recorder, advance } = setup({ perCaller: 2 });
    // 3 minutes of 500 refusals each from one forger, two outcomes.
    for (let m = 0; m < 3; m++) {
      for (let i = 0; i < 500; i++)
        recorder.record(
          refusalAt(T0 + m * 60_000 + i, { orgId: null, userId: null, outcome: i % 5 ? 'AUTH.UNAUTHENTICATED' : 'RATE_LIMITED', status: i % 5 ? 401 : 429 }),
        );
      await recorder.flush();
    }
    advance(3 * 60_000);
    await recorder.flush();
    const events = await all(store);
    // Per minute: 2 single records and at most one count per outcome.
    expect(events.length).toBeLessThanOrEqual(3 * (2 + 2));
    const singles = events.filter((e) => e.type === REQUEST_REFUSED).length;
    const counted = events.filter((e) => e.type === REFUSALS_AGGREGATED).reduce((n, e) => n + (e.data.count as number), 0);
    expect([singles, singles + counted]).toEqual([6, 1500]);
  });

  it('close() stores the open window’s counts and takes no more records', async () => {
    const { store, recorder } = setup({ perCaller: 1 });
    for (let i = 0; i < 5; i++) recorder.record(refusalAt(T0 + i));
    await recorder.close();
    recorder.record(refusalAt(T0 + 10));
    await recorder.flush();
    const events = await all(store);
    expect(events.map((e) => [e.type, e.data.count ?? 1])).toEqual([
      [REQUEST_REFUSED, 1],
      [REFUSALS_AGGREGATED, 4],
    ]);
  });

  it('keeps what the store refused and stores it on the next flush', async () => {
    const inner = new MemoryEventStore();
    let down = true;
    const store = Object.assign(Object.create(inner) as EventStore, {
      append: (...args: Parameters<EventStore['append']>) => (down ? Promise.reject(new Error('store unavailable')) : inner.append(...args)),
    });
    const { recorder, errors } = setup({ store });
    recorder.record(refusalAt(T0));
    await recorder.flush();
    expect([recorder.buffered, errors.length, (await all(inner)).length]).toEqual([1, 1, 0]);
    expect(errors[0]).toContain('store unavailable');
    down = false;
    await recorder.flush();
    expect([recorder.buffered, (await all(inner)).length]).toEqual([0, 1]);
  });

  it('the reader shows single records and counts alike, filtered and paged', async () => {
    const { store, recorder, advance, at } = setup({ perCaller: 1 });
    for (let i = 0; i < 4; i++) recorder.record(refusalAt(T0 + i, { correlationId: `x${i}` }));
    recorder.record(refusalAt(T0 + 5, { orgId: 'dept-water', userId: 'w', outcome: 'CASE.INVALID_STATE', status: 409 }));
    recorder.record(refusalAt(T0 + 6, { countyId: 'county-other', orgId: 'twp-far' }));
    advance(60_000);
    await recorder.flush();
    const q = { from: T0 - 60_000, to: at(), countyId: 'county-qingchuan', limit: 10 };
    const page = await readAudit(store, q);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((i) => [i.kind, i.orgId, i.count, i.correlationId])).toEqual([
      ['refusal', 'twp-longquan', 1, 'x0'],
      ['refusal', 'dept-water', 1, `c-${T0 + 5}`],
      ['aggregate', 'twp-longquan', 3, 'x1'],
    ]);
    expect(page.items[2]).toMatchObject({
      windowStart: '2026-12-03T23:59:00.000Z',
      windowEnd: '2026-12-04T00:00:00.000Z',
      method: 'GET',
      route: '/v1/cases/:caseId',
    });
    expect((await readAudit(store, { ...q, orgId: 'dept-water' })).items.map((i) => i.outcome)).toEqual(['CASE.INVALID_STATE']);
    expect((await readAudit(store, { ...q, outcome: 'CASE.INVALID_STATE', orgId: 'twp-longquan' })).items).toEqual([]);
    // Paged: one item a page, the cursor leading on, the same items in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Awaited<ReturnType<typeof readAudit>> = await readAudit(store, {
        ...q,
        limit: 1,
        cursor: cursor === null ? null : (await import('./reader')).decodeCursor(cursor),
      });
      seen.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(page.items.map((i) => i.id));
  });
});
