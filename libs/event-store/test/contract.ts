import { IdempotencyKeyUsed, WrongExpectedRevision } from '../src/errors';
import { InvalidAppend } from '../src/invalid-append';
import { streamPartition, type EventStore, type RecordedEvent } from '../src/port';
import { expectStrictlyIncreasing, idsOf, newEvent, newEvents, newStream, pullUntil, rejectionOf, within } from './contract-helpers';

export interface ContractSubject {
  store: EventStore;
  /** Opens the same data again (after the test closed `store`); required unless the adapter is not durable. */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever the subject opened and removes what it created. */
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** false for an adapter that keeps nothing across a reopen: the durability test is then reported as skipped. */
  durable?: boolean;
}

/**
 * The executable form of port.ts: every adapter runs exactly this suite. Tests use fresh stream names and positions
 * relative to the head they start from, so they also hold on a server that already holds other events.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<ContractSubject>, options: ContractOptions = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    describe('append', () => {
      it('creates a stream with no_stream; the first event has revision 0 and reads back unchanged', async () => {
        const stream = newStream();
        const event = newEvent('CaseOpened', { title: 'street light', tags: ['a', 'b'], nested: { n: 1 } });

        const result = await store.append(stream, [event], { expectedRevision: 'no_stream' });

        expect(result.nextRevision).toBe(0);
        const [recorded, ...rest] = await store.readStream(stream);
        expect(rest).toEqual([]);
        expect(recorded).toEqual({ ...event, streamName: stream, revision: 0, position: result.position, recordedAt: expect.any(String) });
        expect(new Date(recorded.recordedAt).toISOString()).toBe(recorded.recordedAt);
      });

      it('refuses no_stream on an existing stream and writes nothing', async () => {
        const stream = newStream();
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });

        const error = await rejectionOf(store.append(stream, [newEvent()], { expectedRevision: 'no_stream' }));

        expect(error).toBeInstanceOf(WrongExpectedRevision);
        expect(error).toMatchObject({ code: 'STORE.WRONG_EXPECTED_REVISION', streamName: stream, expected: 'no_stream', actual: 0 });
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('refuses a wrong expected revision and writes none of the events', async () => {
        const stream = newStream();
        await store.append(stream, newEvents(2), { expectedRevision: 'no_stream' });

        for (const expected of [0, 5]) {
          const error = await rejectionOf(store.append(stream, newEvents(3), { expectedRevision: expected }));
          expect(error).toBeInstanceOf(WrongExpectedRevision);
          expect(error).toMatchObject({ streamName: stream, expected, actual: 1 });
        }
        const missing = newStream();
        const onMissing = await rejectionOf(store.append(missing, [newEvent()], { expectedRevision: 0 }));
        expect(onMissing).toMatchObject({ code: 'STORE.WRONG_EXPECTED_REVISION', actual: 'no_stream' });

        expect(await store.readStream(stream)).toHaveLength(2);
        expect(await store.readStream(missing)).toEqual([]);
      });

      it("'any' appends whatever state the stream is in", async () => {
        const stream = newStream();
        expect((await store.append(stream, [newEvent()], { expectedRevision: 'any' })).nextRevision).toBe(0);
        expect((await store.append(stream, [newEvent()], { expectedRevision: 'any' })).nextRevision).toBe(1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('numbers revisions from 0, contiguously across appends', async () => {
        const stream = newStream();
        const batches = [newEvents(1), newEvents(2), newEvents(3)];

        const first = await store.append(stream, batches[0], { expectedRevision: 'no_stream' });
        const second = await store.append(stream, batches[1], { expectedRevision: first.nextRevision });
        const third = await store.append(stream, batches[2], { expectedRevision: second.nextRevision });

        expect([first.nextRevision, second.nextRevision, third.nextRevision]).toEqual([0, 2, 5]);
        const recorded = await store.readStream(stream);
        expect(recorded.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(idsOf(recorded)).toEqual(idsOf(batches.flat()));
      });

      it('writes a multi-event append together, in order, reporting the last position', async () => {
        const stream = newStream();
        const events = newEvents(3);

        const result = await store.append(stream, events, { expectedRevision: 'no_stream' });

        const recorded = await store.readStream(stream);
        expect(idsOf(recorded)).toEqual(idsOf(events));
        expectStrictlyIncreasing(recorded.map((e) => e.position));
        expect(result).toEqual({ nextRevision: 2, position: recorded[2].position });
      });

      it('refuses an append without events', async () => {
        const stream = newStream();
        const error = await rejectionOf(store.append(stream, [], { expectedRevision: 'any' }));
        expect(error).toBeInstanceOf(InvalidAppend);
        expect(error).toMatchObject({ code: 'STORE.INVALID_APPEND', streamName: stream });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('gives strictly increasing global positions across streams, in commit order', async () => {
        const before = await store.headPosition();
        const [a, b, c] = [newStream('a'), newStream('b'), newStream('c')];
        const plan: Array<[string, number | 'no_stream']> = [
          [a, 'no_stream'],
          [b, 'no_stream'],
          [a, 0],
          [c, 'no_stream'],
          [b, 0],
        ];
        const positions: number[] = [];
        for (const [stream, expectedRevision] of plan) {
          positions.push((await store.append(stream, [newEvent()], { expectedRevision })).position);
        }

        expectStrictlyIncreasing(positions);
        const all = await store.readAll({ after: before });
        expect(all.map((e) => [e.streamName, e.position])).toEqual(plan.map(([stream], i) => [stream, positions[i]]));
      });
    });

    describe('reads', () => {
      it('reads a stream that does not exist as []', async () => {
        expect(await store.readStream(newStream('missing'))).toEqual([]);
      });

      it('reads a stream from and to a revision, both inclusive', async () => {
        const stream = newStream();
        await store.append(stream, newEvents(5), { expectedRevision: 'no_stream' });
        const revisions = async (range: { fromRevision?: number; toRevision?: number }) => (await store.readStream(stream, range)).map((e) => e.revision);

        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ toRevision: 1 })).toEqual([0, 1]);
        expect(await revisions({ fromRevision: 1, toRevision: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ fromRevision: 7 })).toEqual([]);
        expect(await revisions({ fromRevision: 3, toRevision: 2 })).toEqual([]);
      });

      it('reads all streams after a position (exclusive), up to a limit', async () => {
        const before = await store.headPosition();
        const [a, b] = [newStream('a'), newStream('b')];
        const events = newEvents(5);
        await store.append(a, events.slice(0, 2), { expectedRevision: 'no_stream' });
        await store.append(b, events.slice(2, 4), { expectedRevision: 'no_stream' });
        await store.append(a, events.slice(4), { expectedRevision: 1 });

        const all = await store.readAll({ after: before });
        expect(idsOf(all)).toEqual(idsOf(events));
        expect(all.map((e) => e.streamName)).toEqual([a, a, b, b, a]);

        const firstTwo = await store.readAll({ after: before, limit: 2 });
        expect(idsOf(firstTwo)).toEqual(idsOf(events.slice(0, 2)));
        const nextTwo = await store.readAll({ after: firstTwo[1].position, limit: 2 });
        expect(idsOf(nextTwo)).toEqual(idsOf(events.slice(2, 4)));
        expect(await store.readAll({ after: all[4].position })).toEqual([]);
      });

      it('reads one partition of the streams: partitions together hold every event once, a stream in one, in global order', async () => {
        const before = await store.headPosition();
        // Names ending in every hex digit and in a non-ASCII character, as the partition rule reads the last one.
        const streams = [...'0123456789abcdef', '报'].map((c) => `${newStream('p')}-${c}`);
        const appended: RecordedEvent[] = [];
        for (const [i, stream] of streams.entries()) {
          await store.append(stream, newEvents(1 + (i % 3)), { expectedRevision: 'no_stream' });
        }
        appended.push(...(await store.readAll({ after: before, limit: 100 })));
        expect(appended).toHaveLength(streams.reduce((n, _, i) => n + 1 + (i % 3), 0));

        for (const count of [1, 2, 3]) {
          const seen: RecordedEvent[][] = [];
          for (let index = 0; index < count; index++) {
            // Paged by two, as a reader would, to the end.
            const part: RecordedEvent[] = [];
            let after = before;
            for (;;) {
              const page = await store.readAll({ after, limit: 2, partition: { index, count } });
              part.push(...page);
              if (page.length < 2) break;
              after = page[page.length - 1].position;
            }
            expectStrictlyIncreasing(part.map((e) => e.position));
            for (const e of part) expect(streamPartition(e.streamName, count)).toBe(index);
            seen.push(part);
          }
          const union = seen.flat().sort((x, y) => x.position - y.position);
          expect(idsOf(union)).toEqual(idsOf(appended));
          // A stream's events are never split across partitions.
          for (const stream of streams) expect(seen.filter((part) => part.some((e) => e.streamName === stream))).toHaveLength(1);
          if (count > 1) for (const part of seen) expect(part.length).toBeGreaterThan(0);
        }
      });

      it('readAllFoldable: readAll page for page (whole store and per partition), each event without id and metadata', async () => {
        const before = await store.headPosition();
        const streams = ['a', 'b', 'c', '报'].map((c) => `${newStream('f')}-${c}`);
        for (const [i, stream] of streams.entries()) await store.append(stream, newEvents(2 + i), { expectedRevision: 'no_stream' });
        for (const options of [{ limit: 3 }, { limit: 2, partition: { index: 0, count: 2 } }, { limit: 2, partition: { index: 1, count: 2 } }]) {
          let after = before;
          let pages = 0;
          for (;;) {
            const full = await store.readAll({ ...options, after });
            const foldable = await store.readAllFoldable({ ...options, after });
            expect(foldable).toEqual(full.map(({ id: _id, metadata: _metadata, ...event }) => event));
            for (const event of foldable) expect(Object.keys(event).sort()).toEqual(['data', 'position', 'recordedAt', 'revision', 'streamName', 'type']);
            pages++;
            if (full.length < options.limit) break;
            after = full[full.length - 1].position;
          }
          expect(pages).toBeGreaterThan(1);
        }
        await expect(store.readAllFoldable({ partition: { index: 2, count: 2 } })).rejects.toThrow(RangeError);
      });

      it('refuses a partition that is not one of count', async () => {
        for (const partition of [
          { index: 2, count: 2 },
          { index: -1, count: 2 },
          { index: 0, count: 0 },
          { index: 0.5, count: 2 },
        ]) {
          await expect(store.readAll({ partition })).rejects.toThrow(RangeError);
        }
      });

      it('reads at most 1000 events when no limit is given', async () => {
        const before = await store.headPosition();
        await store.append(newStream(), newEvents(1001), { expectedRevision: 'no_stream' });
        expect(await store.readAll({ after: before })).toHaveLength(1000);
      });

      it('reports the newest position as head, null while there is no event', async () => {
        const initial = await store.headPosition();
        const anyEvent = await store.readAll({ limit: 1 });
        expect(initial === null).toBe(anyEvent.length === 0);

        const first = await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(first.position);
        const second = await store.append(newStream(), newEvents(2), { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(second.position);
      });
    });

    describe('idempotency keys', () => {
      it('refuses a second append under a used key, whatever its stream or revision, and writes nothing', async () => {
        const [stream, other] = [newStream(), newStream('other')];
        const key = `key-${stream}`;
        await store.append(stream, newEvents(2), { expectedRevision: 'no_stream', idempotencyKey: key });

        const attempts = [
          store.append(stream, [newEvent()], { expectedRevision: 1, idempotencyKey: key }),
          store.append(stream, [newEvent()], { expectedRevision: 'no_stream', idempotencyKey: key }),
          store.append(other, [newEvent()], { expectedRevision: 'any', idempotencyKey: key }),
        ];
        for (const attempt of attempts) {
          const error = await rejectionOf(attempt);
          expect(error).toBeInstanceOf(IdempotencyKeyUsed);
          expect(error).toMatchObject({ code: 'STORE.IDEMPOTENCY_KEY_USED', idempotencyKey: key });
        }

        const recorded = await store.readStream(stream);
        expect(recorded).toHaveLength(2);
        expect(recorded.map((e) => e.metadata.idempotencyKey)).toEqual([key, key]);
        expect(await store.readStream(other)).toEqual([]);
      });

      it('finds what the append under a key wrote; an unknown key finds nothing', async () => {
        const stream = newStream();
        const key = `key-${stream}`;
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const result = await store.append(stream, newEvents(2), { expectedRevision: 0, idempotencyKey: key });

        expect(await store.findIdempotentAppend(key)).toEqual({
          streamName: stream,
          firstRevision: 1,
          lastRevision: 2,
          position: result.position,
        });
        expect(await store.findIdempotentAppend(`unknown-${stream}`)).toBeNull();
      });

      it('leaves a key unused when its append was refused', async () => {
        const stream = newStream();
        const key = `key-${stream}`;
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });

        const refused = await rejectionOf(store.append(stream, [newEvent()], { expectedRevision: 'no_stream', idempotencyKey: key }));
        expect(refused).toBeInstanceOf(WrongExpectedRevision);
        expect(await store.findIdempotentAppend(key)).toBeNull();

        const result = await store.append(stream, [newEvent()], { expectedRevision: 0, idempotencyKey: key });
        expect(await store.findIdempotentAppend(key)).toEqual({
          streamName: stream,
          firstRevision: 1,
          lastRevision: 1,
          position: result.position,
        });
      });

      it('lets exactly one of many concurrent appends under one key commit', async () => {
        const stream = newStream();
        const key = `key-${stream}`;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.append(stream, [newEvent()], { expectedRevision: 'no_stream', idempotencyKey: key })),
        );

        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IdempotencyKeyUsed);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 50 concurrent appends with the same expected revision win', async () => {
        const stream = newStream();
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const contenders = newEvents(50);

        const outcomes = await Promise.allSettled(contenders.map((e) => store.append(stream, [e], { expectedRevision: 0 })));

        const winners = contenders.filter((_, i) => outcomes[i].status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedRevision);
        const recorded = await store.readStream(stream);
        expect(recorded.map((e) => e.revision)).toEqual([0, 1]);
        expect(recorded[1].id).toBe(winners[0].id);
      });

      it('commits concurrent appends to 200 different streams, each at its own position', async () => {
        const streams = Array.from({ length: 200 }, () => newStream('parallel'));

        const results = await Promise.all(streams.map((s) => store.append(s, [newEvent()], { expectedRevision: 'no_stream' })));

        expect(new Set(results.map((r) => r.position)).size).toBe(200);
        const recorded = await Promise.all(streams.map((s) => store.readStream(s)));
        recorded.forEach((events, i) => {
          expect(events.map((e) => [e.revision, e.position])).toEqual([[0, results[i].position]]);
        });
      });
    });

    describe('recordedAt and the horizon', () => {
      it('recordedAt never decreases with position', async () => {
        const before = await store.headPosition();
        // Concurrent appends (one or more transactions each) and sequential ones, with horizons taken in between.
        for (let round = 0; round < 5; round++) {
          await Promise.all([
            ...Array.from({ length: 40 }, () => store.append(newStream('ordered'), newEvents(1 + (round % 3)), { expectedRevision: 'no_stream' })),
            store.horizon(),
          ]);
          await store.append(newStream('ordered'), [newEvent()], { expectedRevision: 'no_stream' });
        }

        const all = await store.readAll({ after: before });
        expect(all).toHaveLength(40 * (1 + 2 + 3 + 1 + 2) + 5);
        for (let i = 1; i < all.length; i++) {
          if (all[i].recordedAt < all[i - 1].recordedAt)
            throw new Error(`position ${all[i].position} recorded at ${all[i].recordedAt}, before ${all[i - 1].recordedAt} at ${all[i - 1].position}`);
        }
        expectStrictlyIncreasing(all.map((e) => e.position));
      });

      it('horizon: every event recorded at or before its instant is readable at or before its position, appends in flight included', async () => {
        const before = await store.headPosition();
        const acknowledged: number[] = [];
        const horizons: { position: number | null; recordedAt: string; acknowledgedBefore: number; readableAtOnce: number }[] = [];
        const appends = Array.from({ length: 200 }, (_, i) =>
          new Promise((resolve) => setTimeout(resolve, i % 20)).then(async () => {
            acknowledged.push((await store.append(newStream('racing'), [newEvent()], { expectedRevision: 'no_stream' })).position);
          }),
        );
        const takers = Array.from({ length: 30 }, (_, i) =>
          new Promise((resolve) => setTimeout(resolve, i % 25)).then(async () => {
            const acknowledgedBefore = Math.max(before ?? 0, ...acknowledged);
            const horizon = await store.horizon();
            // Readable as soon as it resolves: no later read can find less.
            const readableAtOnce = (await store.readAll({ after: before, limit: 10_000 })).filter((e) => e.position <= (horizon.position ?? 0)).length;
            horizons.push({ ...horizon, acknowledgedBefore, readableAtOnce });
          }),
        );
        await Promise.all([...appends, ...takers]);

        const all = await store.readAll({ after: before, limit: 10_000 });
        expect(all).toHaveLength(200);
        expect(horizons).toHaveLength(30);
        for (const h of horizons) {
          expect(new Date(h.recordedAt).toISOString()).toBe(h.recordedAt);
          expect(h.position ?? 0).toBeGreaterThanOrEqual(h.acknowledgedBefore);
          const covered = all.filter((e) => e.recordedAt <= h.recordedAt);
          const late = covered.filter((e) => h.position === null || e.position > h.position);
          expect(late.map((e) => `${e.position} recorded at ${e.recordedAt}`)).toEqual([]);
          expect(h.readableAtOnce).toBe(all.filter((e) => e.position <= (h.position ?? 0)).length);
        }
      });

      it('horizon on a store that holds nothing new: the head, and an instant no later append is recorded at or before', async () => {
        const head = await store.headPosition();
        const horizon = await store.horizon();
        expect(horizon.position).toBe(head);
        const { position } = await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
        const [event] = await store.readAll({ after: head, limit: 1 });
        expect(event.position).toBe(position);
        expect(event.recordedAt > horizon.recordedAt).toBe(true);
      });
    });

    describe('subscribeToAll', () => {
      it('from the start, delivers existing events then live ones, in order, each once', async () => {
        const [stream, other] = [newStream(), newStream('other')];
        const existing = newEvents(2);
        await store.append(stream, existing, { expectedRevision: 'no_stream' });
        const iterator = store.subscribeToAll()[Symbol.asyncIterator]();

        const delivered = await pullUntil(iterator, idsOf(existing));
        const live = [newEvent(), newEvent()];
        await store.append(stream, [live[0]], { expectedRevision: 1 });
        await store.append(other, [live[1]], { expectedRevision: 'no_stream' });
        await pullUntil(iterator, idsOf(live), delivered);
        await iterator.return?.(undefined);

        expectStrictlyIncreasing(delivered.map((e) => e.position));
        const ours = new Set(idsOf([...existing, ...live]));
        expect(idsOf(delivered).filter((id) => ours.has(id))).toEqual(idsOf([...existing, ...live]));
      });

      it('from a checkpoint, delivers only later events', async () => {
        const stream = newStream();
        const events = newEvents(3);
        await store.append(stream, events, { expectedRevision: 'no_stream' });
        const [checkpoint] = await store.readStream(stream, { toRevision: 0 });
        const iterator = store.subscribeToAll({ after: checkpoint.position })[Symbol.asyncIterator]();

        const delivered = await pullUntil(iterator, idsOf(events.slice(1)));
        await iterator.return?.(undefined);

        expect(idsOf(delivered)).toEqual(idsOf(events.slice(1)));
      });

      it('ends when the signal aborts, also while waiting for new events', async () => {
        const waiting = new AbortController();
        const iterator = store.subscribeToAll({ after: await store.headPosition(), signal: waiting.signal })[Symbol.asyncIterator]();
        const pending = iterator.next();
        await new Promise((resolve) => setTimeout(resolve, 50));
        waiting.abort();
        expect(await within(pending, 2_000, 'the aborted subscription to end')).toEqual({ done: true, value: undefined });

        await store.append(newStream(), [newEvent()], { expectedRevision: 'no_stream' });
        const aborted = AbortSignal.abort();
        const before = store.subscribeToAll({ signal: aborted })[Symbol.asyncIterator]();
        expect(await within(before.next(), 2_000, 'a subscription aborted up front to end')).toEqual({ done: true, value: undefined });
      });

      it('ends when the consumer breaks out of for await', async () => {
        const before = await store.headPosition();
        await store.append(newStream(), newEvents(3), { expectedRevision: 'no_stream' });
        const delivered: RecordedEvent[] = [];
        const consume = async () => {
          for await (const event of store.subscribeToAll({ after: before })) {
            delivered.push(event);
            break;
          }
        };
        await within(consume(), 2_000, 'the loop to end after break');
        expect(delivered).toHaveLength(1);
      });
    });

    if (options.durable === false) {
      it.skip(`keeps every event across close and reopen: not applicable, ${name} is not durable`, () => undefined);
    } else {
      it('keeps every event, stream head and idempotency key across close and reopen', async () => {
        if (!subject.reopen) throw new Error(`${name}: the factory must provide reopen() to prove durability`);
        const stream = newStream();
        const key = `key-${stream}`;
        const events = newEvents(2);
        const result = await store.append(stream, events, { expectedRevision: 'no_stream', idempotencyKey: key });
        const written = await store.readStream(stream);
        await store.close();

        const reopened = await subject.reopen();
        expect(await reopened.readStream(stream)).toEqual(written);
        expect(await reopened.headPosition()).toBe(result.position);
        expect(await reopened.findIdempotentAppend(key)).toMatchObject({ streamName: stream, lastRevision: 1 });
        expect(await rejectionOf(reopened.append(stream, [newEvent()], { expectedRevision: 0 }))).toBeInstanceOf(WrongExpectedRevision);
        expect((await reopened.append(stream, [newEvent()], { expectedRevision: 1 })).nextRevision).toBe(2);
      });
    }
  });
}
