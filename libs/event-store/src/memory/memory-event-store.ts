import { EventEmitter } from 'node:events';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedRevision } from '../errors';
import { assertWellFormedAppend, InvalidAppend, withIdempotencyKey } from '../invalid-append';
import {
  assertPartition,
  streamPartition,
  type AppendOptions,
  type AppendResult,
  type EventData,
  type EventStore,
  type FoldableEvent,
  type IdempotentAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type RecordedHorizon,
  type SubscribeOptions,
} from '../port';

export interface MemoryEventStoreOptions {
  /** The clock that stamps `recordedAt` (the system clock by default). */
  clock?: () => Date;
}

const DEFAULT_READ_LIMIT = 1_000;

/**
 * The port in a process's memory, for fast tests of what runs on a store (the command path). Keeps nothing across
 * close. Every append runs to completion synchronously inside its call, so concurrent appends serialise as one
 * writer's would; events are copied in and out as JSON, so no caller shares an object with the store.
 */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly eventIds = new Set<string>();
  private readonly keys = new Map<string, IdempotentAppend>();
  private readonly notifier = new EventEmitter();
  private readonly now: () => Date;
  /** No commit may be recorded at or before this instant (epoch ms): the last horizon taken. */
  private recordedFloor = -Infinity;
  private lastRecordedAt = -Infinity;
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.now = options.clock ?? (() => new Date());
    this.notifier.setMaxListeners(0);
  }

  async append(streamName: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const { expectedRevision, idempotencyKey } = options;
    assertWellFormedAppend(streamName, events, expectedRevision);
    const copies = events.map((e) => copyIn(streamName, withIdempotencyKey(e, idempotencyKey)));
    const stored = this.streams.get(streamName);
    const actual = stored ? stored.length - 1 : 'no_stream';
    // A used key first: whatever revision it now expects, the append it repeats has committed.
    if (idempotencyKey !== undefined && this.keys.has(idempotencyKey)) throw new IdempotencyKeyUsed(idempotencyKey);
    if (expectedRevision !== 'any' && expectedRevision !== actual) throw new WrongExpectedRevision(streamName, expectedRevision, actual);
    const known = copies.find((e) => this.eventIds.has(e.id));
    if (known) throw new InvalidAppend(streamName, `event id ${known.id} is already stored`);

    const recordedAt = new Date(Math.max(this.now().getTime(), this.lastRecordedAt, this.recordedFloor + 1));
    this.lastRecordedAt = recordedAt.getTime();
    const stream = stored ?? [];
    const firstRevision = stream.length;
    let position = this.log.length === 0 ? 0 : this.log[this.log.length - 1].position;
    for (const event of copies) {
      const recorded: RecordedEvent = { ...event, streamName, revision: stream.length, position: ++position, recordedAt: recordedAt.toISOString() };
      stream.push(recorded);
      this.log.push(recorded);
      this.eventIds.add(recorded.id);
    }
    this.streams.set(streamName, stream);
    const result = { nextRevision: stream.length - 1, position };
    if (idempotencyKey !== undefined) this.keys.set(idempotencyKey, { streamName, firstRevision, lastRevision: result.nextRevision, position });
    this.notifier.emit('appended');
    return result;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    return (this.streams.get(streamName) ?? []).filter((e) => e.revision >= from && e.revision <= to).map(copyOut);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.page(options).map(copyOut);
  }

  async readAllFoldable(options: ReadAllOptions = {}): Promise<FoldableEvent[]> {
    return this.page(options).map(({ id: _id, metadata: _metadata, ...event }) => copyOut(event));
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    return this.log.length === 0 ? null : this.log[this.log.length - 1].position;
  }

  /** Appends run whole within their call, so none is in flight here: the head now, and a floor for later commits. */
  async horizon(): Promise<RecordedHorizon> {
    this.assertOpen();
    const instant = this.now().getTime();
    this.recordedFloor = Math.max(this.recordedFloor, instant);
    return { position: await this.headPosition(), recordedAt: new Date(instant).toISOString() };
  }

  async findIdempotentAppend(idempotencyKey: string): Promise<IdempotentAppend | null> {
    this.assertOpen();
    const found = this.keys.get(idempotencyKey);
    return found ? { ...found } : null;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    let checkpoint = options.after ?? null;
    while (!this.closed && !signal?.aborted) {
      const page = this.page({ after: checkpoint, limit: DEFAULT_READ_LIMIT });
      for (const event of page) {
        yield copyOut(event);
        checkpoint = event.position;
        if (this.closed || signal?.aborted) return;
      }
      if (page.length === 0) await this.nextAppend(signal);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notifier.emit('closed');
  }

  private page(options: ReadAllOptions): RecordedEvent[] {
    this.assertOpen();
    assertPartition(options.partition);
    const after = options.after ?? 0;
    const limit = Math.max(0, options.limit ?? DEFAULT_READ_LIMIT);
    const partition = options.partition && options.partition.count > 1 ? options.partition : null;
    const out: RecordedEvent[] = [];
    // Positions are dense from 1, so the first event after `after` is found by index.
    for (let i = Math.max(0, Math.floor(after)); i < this.log.length && out.length < limit; i++) {
      const event = this.log[i];
      if (!partition || streamPartition(event.streamName, partition.count) === partition.index) out.push(event);
    }
    return out;
  }

  /** Resolves on the next append, on abort or on close; leaves no listener behind. */
  private nextAppend(signal: AbortSignal | undefined): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.notifier.off('appended', wake);
        this.notifier.off('closed', wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.notifier.on('appended', wake);
      this.notifier.on('closed', wake);
      signal?.addEventListener('abort', wake);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailable('the in-memory event store is closed');
  }
}

/** Stored as JSON would store it: a value JSON cannot carry is refused, as the other adapters refuse it. */
function copyIn(streamName: string, event: EventData): EventData {
  try {
    return { id: event.id, type: event.type, data: JSON.parse(JSON.stringify(event.data)), metadata: JSON.parse(JSON.stringify(event.metadata)) };
  } catch (error) {
    throw new InvalidAppend(streamName, `event ${event.id} cannot be stored as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function copyOut<T>(event: T): T {
  return structuredClone(event);
}
