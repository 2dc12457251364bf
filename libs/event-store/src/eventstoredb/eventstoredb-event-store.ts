import { createHash } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedRevision } from '../errors';
import { assertWellFormedAppend, InvalidAppend, withIdempotencyKey } from '../invalid-append';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  FoldableEvent,
  IdempotentAppend,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RecordedHorizon,
  SubscribeOptions,
} from '../port';
import { assertPartition, streamPartition } from '../port';

/** Bookkeeping streams of this adapter; user stream names must not start with it. */
const RESERVATION_STREAM_PREFIX = 'idempotency-';
const RESERVATION_EVENT_TYPE = 'IdempotencyKeyReserved';
/** Where horizon() writes its probes: under the bookkeeping prefix (never a sha256), so reads leave it out too. */
const HORIZON_STREAM = `${RESERVATION_STREAM_PREFIX}horizon`;
const HORIZON_EVENT_TYPE = 'HorizonProbe';
const DEFAULT_READ_LIMIT = 1_000;
const SUBSCRIPTION_PAGE = 500;
/** What servers that do not know an event's $all position send in its place (max uint64). */
const UNKNOWN_POSITION = 2n ** 64n - 1n;

/**
 * Adapter over EventStoreDB. Positions are commit positions; for events written by ordinary (non-transactional)
 * appends the prepare position equals it, which is what lets a plain number stand for a full $all position.
 *
 * Idempotency without multi-stream transactions: before appending under a key, a reservation stream
 * `idempotency-<sha256(key)>` is created (expected NO_STREAM) naming the target stream, and every appended event
 * carries the key in its metadata. The key counts as used only if the target stream holds events carrying it.
 * Caveat: a reservation whose append never committed is reused by the next append to the same stream, so two
 * concurrent appends under one key with expectedRevision 'any' can both commit; with an exact expected revision
 * the stream check lets only one through. A reservation naming another stream keeps the key refused.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  /** The probe in flight, shared by the callers that arrive meanwhile (its instant is at most as old as they are). */
  private probe: Promise<RecordedHorizon> | null = null;
  private probeStreamCapped = false;

  constructor(url: string) {
    this.client = EventStoreDBClient.connectionString(url);
  }

  async append(streamName: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    assertWellFormedAppend(streamName, events, options.expectedRevision);
    const key = options.idempotencyKey;
    if (key !== undefined) await this.reserve(key, streamName);
    try {
      const written = await this.client.appendToStream(
        streamName,
        events.map((e) => toEsdbEvent(withIdempotencyKey(e, key))),
        { expectedRevision: toEsdbExpected(options.expectedRevision) },
      );
      return { nextRevision: Number(written.nextExpectedRevision), position: positionOf(written.position) };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw unavailable(error);
      // A concurrent append under the same key may be what moved the stream: report the key, as the SQLite adapter does.
      if (key !== undefined && (await this.findIdempotentAppend(key))) throw new IdempotencyKeyUsed(key);
      const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
      throw new WrongExpectedRevision(streamName, options.expectedRevision, actual);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    const to = options.toRevision;
    if (to !== undefined && to < from) return [];
    const read = this.client.readStream(streamName, {
      fromRevision: BigInt(from),
      direction: FORWARDS,
      ...(to === undefined ? {} : { maxCount: BigInt(to - from + 1) }),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of drain(read)) if (resolved.event) events.push(toRecordedEvent(resolved.event));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw unavailable(error);
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    assertPartition(options.partition);
    const after = options.after ?? null;
    const limit = options.limit ?? DEFAULT_READ_LIMIT;
    const partition = options.partition;
    const events: RecordedEvent[] = [];
    if (limit <= 0) return events;
    // Reading from a position includes the event at it; `after` is exclusive, hence the filter.
    for await (const event of this.userEvents(after === null ? START : fullPosition(after), FORWARDS)) {
      if (after !== null && event.position <= after) continue;
      // Filtered here, reading on until the page is full, so a short page still means the end.
      if (partition && streamPartition(event.streamName, partition.count) !== partition.index) continue;
      events.push(event);
      if (events.length === limit) break;
    }
    return events;
  }

  /** The gRPC read brings the metadata anyway: readAll's events without it. */
  async readAllFoldable(options: ReadAllOptions = {}): Promise<FoldableEvent[]> {
    return (await this.readAll(options)).map(({ id: _id, metadata: _metadata, ...event }) => event);
  }

  async headPosition(): Promise<number | null> {
    for await (const event of this.userEvents(END, BACKWARDS)) return event.position;
    return null;
  }

  /**
   * The server stamps `created` when its single writer writes the event, in log order, and an acknowledged append
   * is readable together with everything before it in the log (on the leader, which clients read by default).
   * So: append a probe, read back the newest probe, then the head. Every event created before that probe's
   * millisecond precedes it in the log and is now readable at or before the head; every later one is created in
   * the probe's millisecond or after. Assumes the leader's clock does not step back.
   */
  horizon(): Promise<RecordedHorizon> {
    this.probe ??= this.takeHorizon().finally(() => (this.probe = null));
    return this.probe;
  }

  private async takeHorizon(): Promise<RecordedHorizon> {
    try {
      if (!this.probeStreamCapped) {
        // Only the newest probe is ever read: the server may drop the others.
        await this.client.setStreamMetadata(HORIZON_STREAM, { maxCount: 1 });
        this.probeStreamCapped = true;
      }
      await this.client.appendToStream(HORIZON_STREAM, jsonEvent({ type: HORIZON_EVENT_TYPE, data: {} }), { expectedRevision: ANY });
      // The newest probe is ours or a later one (another instance's): either is at or after ours in the log.
      let created: Date | null = null;
      for await (const { event } of drain(this.client.readStream(HORIZON_STREAM, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }))) {
        if (event) created = event.created;
      }
      if (!created) throw new StoreUnavailable('EventStoreDB: the horizon probe just written could not be read back');
      return { position: await this.headPosition(), recordedAt: new Date(created.getTime() - 1).toISOString() };
    } catch (error) {
      throw unavailable(error);
    }
  }

  async findIdempotentAppend(idempotencyKey: string): Promise<IdempotentAppend | null> {
    const streamName = await this.reservedStream(idempotencyKey);
    if (streamName === null) return null;
    // An append's events are contiguous and usually recent: scan backwards and stop past the last match.
    let found: IdempotentAppend | null = null;
    try {
      for await (const { event } of drain(this.client.readStream(streamName, { fromRevision: END, direction: BACKWARDS }))) {
        if (!event) continue;
        const carriesKey = (event.metadata as Partial<EventMetadata> | undefined)?.idempotencyKey === idempotencyKey;
        if (!carriesKey) {
          if (found) break;
          continue;
        }
        const revision = Number(event.revision);
        found ??= { streamName, firstRevision: revision, lastRevision: revision, position: positionOf(event.position) };
        found.firstRevision = revision;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw unavailable(error);
    }
    return found;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    let checkpoint = options.after ?? null;
    // Catch up by pages: an ESDB subscription resumes only from a full {commit, prepare} pair, and paging keeps the
    // checkpoint a plain number. Then go live from the last delivered position.
    for (;;) {
      const page = await this.readAll({ after: checkpoint, limit: SUBSCRIPTION_PAGE });
      for (const event of page) {
        if (signal?.aborted) return;
        yield event;
        checkpoint = event.position;
      }
      if (page.length < SUBSCRIPTION_PAGE) break;
    }
    if (signal?.aborted) return;
    const subscription = this.client.subscribeToAll({
      fromPosition: checkpoint === null ? START : fullPosition(checkpoint),
      filter: excludeSystemEvents(),
    });
    const stop = (): void => void subscription.unsubscribe();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const { event } of subscription) {
        if (signal?.aborted) return;
        if (!event || !isUserEvent(event)) continue;
        const recorded = toRecordedEvent(event);
        if (checkpoint !== null && recorded.position <= checkpoint) continue;
        yield recorded;
        checkpoint = recorded.position;
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw unavailable(error);
    } finally {
      signal?.removeEventListener('abort', stop);
      await subscription.unsubscribe();
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** User events of $all from `from`; breaking out of the loop cancels the read. */
  private async *userEvents(from: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS): AsyncGenerator<RecordedEvent> {
    try {
      for await (const { event } of drain(this.client.readAll({ fromPosition: from, direction }))) {
        if (event && isUserEvent(event)) yield toRecordedEvent(event);
      }
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Claims the key for `streamName`, or throws IdempotencyKeyUsed. */
  private async reserve(key: string, streamName: string): Promise<void> {
    const reservation = jsonEvent({ type: RESERVATION_EVENT_TYPE, data: { idempotencyKey: key, streamName } });
    try {
      await this.client.appendToStream(reservationStream(key), reservation, { expectedRevision: NO_STREAM });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw unavailable(error);
    }
    if (await this.findIdempotentAppend(key)) throw new IdempotencyKeyUsed(key);
    // Reserved but never committed (the earlier append failed): reuse it for the same stream only.
    if ((await this.reservedStream(key)) !== streamName) throw new IdempotencyKeyUsed(key);
  }

  private async reservedStream(key: string): Promise<string | null> {
    try {
      for await (const { event } of drain(this.client.readStream(reservationStream(key), { fromRevision: START, maxCount: 1 }))) {
        if (event?.isJson) return (event.data as { streamName: string }).streamName;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw unavailable(error);
    }
    return null;
  }
}

/** Iterates a read and cancels the server call when the loop ends early (a destroyed stream alone leaves it running). */
async function* drain<E>(read: StreamingRead<E>): AsyncGenerator<E> {
  try {
    yield* read;
  } finally {
    await read.cancel();
  }
}

function reservationStream(key: string): string {
  return RESERVATION_STREAM_PREFIX + createHash('sha256').update(key).digest('hex');
}

function isUserEvent(event: EsdbRecordedEvent): boolean {
  return !event.type.startsWith('$') && !event.streamId.startsWith('$') && !event.streamId.startsWith(RESERVATION_STREAM_PREFIX);
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

function toEsdbEvent(event: EventData) {
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });
}

function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  if (!event.isJson) throw new StoreUnavailable(`event ${event.id} in ${event.streamId} is not JSON: not written through this port`);
  return {
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as EventMetadata,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: positionOf(event.position),
    recordedAt: event.created.toISOString(),
  };
}

function positionOf(position: Position | undefined): number {
  // Servers before 2022 leave stream reads without the $all position; inventing one would corrupt checkpoints.
  if (!position || position.commit === UNKNOWN_POSITION) {
    throw new StoreUnavailable('EventStoreDB did not report the $all position of an event; a newer server is required');
  }
  return Number(position.commit);
}

function fullPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

function unavailable(error: unknown): Error {
  if (error instanceof WrongExpectedRevision || error instanceof IdempotencyKeyUsed || error instanceof InvalidAppend) return error;
  if (error instanceof StoreUnavailable) return error;
  return new StoreUnavailable(`EventStoreDB: ${error instanceof Error ? error.message : String(error)}`, error);
}
