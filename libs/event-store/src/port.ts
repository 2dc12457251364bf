/**
 * The event store port: the one contract both adapters (embedded SQLite, EventStoreDB) honour.
 * The shared contract suite (libs/event-store/test/contract.ts) is the executable form of this file.
 */

/** Who did what, and why: the event metadata is the audit log. */
export interface EventMetadata {
  actor: { orgId: string; role: string; userId: string };
  correlationId: string;
  causationId: string;
  schemaVersion: number;
  /** Caller-scoped idempotency key of the command that produced the event, if any. */
  idempotencyKey?: string;
  /** Hash of the request body that produced the event (to tell a retry from a reused key). */
  requestHash?: string;
  /** The W3C trace context (`traceparent`) of the request that produced the event, when it sent a valid one. */
  traceparent?: string;
  [extra: string]: unknown;
}

/** An event about to be appended. `id` is a UUID chosen by the writer. */
export interface EventData {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/** An event as stored. */
export interface RecordedEvent extends EventData {
  streamName: string;
  /** 0-based position of the event within its stream. */
  revision: number;
  /** Global, strictly increasing position across all streams (not necessarily dense). */
  position: number;
  /** When the store recorded it (ISO-8601, UTC): stamped in commit order, so it never decreases with position. */
  recordedAt: string;
}

/**
 * An event as a projection folds it: without its id and metadata. Who did what is the audit log, read by
 * the API and the relay; no read model reads it, and it is about a quarter of an event's stored bytes.
 */
export type FoldableEvent = Omit<RecordedEvent, 'id' | 'metadata'>;

/**
 * What `EventStore.horizon()` answers: every event whose recordedAt is at or before `recordedAt` has a position at or
 * before `position` and is readable now, and no event recorded at or before `recordedAt` will be appended later.
 * A read model at or past `position` therefore holds exactly the events recorded by `recordedAt`, now and forever.
 */
export interface RecordedHorizon {
  /** The newest position when the horizon was taken (null: the store was empty). */
  position: number | null;
  /** ISO-8601, UTC, millisecond precision, like recordedAt. */
  recordedAt: string;
}

/** `no_stream`: the stream must not exist; a number: the stream's last revision must equal it; `any`: no check. */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /** When given, the append is recorded under this key atomically; a second append with a used key fails. */
  idempotencyKey?: string;
}

export interface AppendResult {
  /** Revision of the last event appended (the stream's new last revision). */
  nextRevision: number;
  /** Global position of the last event appended. */
  position: number;
}

/** What an earlier append under an idempotency key wrote. */
export interface IdempotentAppend {
  streamName: string;
  firstRevision: number;
  lastRevision: number;
  position: number;
}

export interface ReadStreamOptions {
  /** Read from this revision (inclusive); default 0. */
  fromRevision?: number;
  /** Read up to this revision (inclusive); default: to the end. */
  toRevision?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this global position; default: from the beginning. */
  after?: number | null;
  /** Maximum events to return; default 1000. */
  limit?: number;
  /**
   * Only the events of streams in this partition (see streamPartition): a stream's events all fall in one
   * partition, so `count` readers can fold disjoint sets of streams side by side. A page shorter than
   * `limit` still means the end of the store.
   */
  partition?: StreamPartition;
}

/** Partition `index` of `count` (0 <= index < count). */
export interface StreamPartition {
  index: number;
  count: number;
}

/**
 * The partition a stream falls in: the code point of its name's last character, modulo `count`. Every
 * adapter filters with this one rule (the SQLite adapter in SQL); stream names ending in a UUID or a
 * counter spread evenly.
 */
export function streamPartition(streamName: string, count: number): number {
  const last = streamName.codePointAt(streamName.length - 1) ?? 0;
  // A name ending in a surrogate pair: the pair's code point, as SQLite's unicode() reads the last character.
  const codePoint = last >= 0xdc00 && last <= 0xdfff && streamName.length > 1 ? streamName.codePointAt(streamName.length - 2)! : last;
  return codePoint % count;
}

export function assertPartition(partition: StreamPartition | undefined): void {
  if (partition === undefined) return;
  const { index, count } = partition;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`partition must have an integer count >= 1 and 0 <= index < count; got ${JSON.stringify(partition)}`);
  }
}

export interface SubscribeOptions {
  /** Deliver events strictly after this checkpoint; null or absent: from the beginning. */
  after?: number | null;
  /** Optional signal to end the subscription. */
  signal?: AbortSignal;
}

export interface EventStore {
  /** Appends atomically, all or nothing. Throws WrongExpectedRevision / IdempotencyKeyUsed. */
  append(streamName: string, events: EventData[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream in revision order; [] when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in global order (user events only). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** readAll's events, page for page, as FoldableEvents: what a rebuild reads (cheaper where the store can skip the metadata). */
  readAllFoldable(options?: ReadAllOptions): Promise<FoldableEvent[]>;
  /** Position of the newest event, or null on an empty store. */
  headPosition(): Promise<number | null>;
  /**
   * An instant up to which every commit is visible, and the head at it (RecordedHorizon). recordedAt never decreases
   * with position, and no append recorded at or before a horizon's instant commits after it: what lets a reader
   * state that instant as the asOf of a read model at that head, and anyone recompute the same answer later.
   */
  horizon(): Promise<RecordedHorizon>;
  /** The earlier append under this idempotency key, or null. */
  findIdempotentAppend(idempotencyKey: string): Promise<IdempotentAppend | null>;
  /**
   * Catch-up then live subscription to all events after a checkpoint, in global order, each exactly once
   * per subscription. Ends when the signal aborts (the iterator returns) or when iteration is broken off.
   */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  close(): Promise<void>;
}
