import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import { StoreUnavailable } from '../errors';
import { assertWellFormedAppend, InvalidAppend, withIdempotencyKey } from '../invalid-append';
import {
  assertPartition,
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
  type StreamPartition,
  type SubscribeOptions,
} from '../port';
import { openConnection, SCHEMA, SqliteStatements } from './sqlite-schema';
import { SqliteWriter } from './sqlite-writer';
import type { EventRow } from './sqlite-writer-protocol';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';
/** Indexed by the number `PRAGMA synchronous` reports. */
const SYNCHRONOUS_LEVELS: readonly SqliteSynchronous[] = ['OFF', 'NORMAL', 'FULL'];

export interface SqliteEventStoreOptions {
  /** Database file; created with the schema when missing. */
  file: string;
  /**
   * SQLite `synchronous` in WAL mode. FULL: every commit fsyncs the WAL, an acknowledged append survives power loss.
   * NORMAL: fsync only at checkpoints, survives a process crash but power loss may drop the newest commits. OFF: never fsync.
   */
  synchronous?: SqliteSynchronous;
  /** The clock that stamps `recordedAt` (the application's clock; the system clock by default). */
  clock?: () => Date;
  /** How often an idle subscription re-reads the file: appends by other processes raise no in-process notification. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 200;
const DEFAULT_READ_LIMIT = 1_000;
const SUBSCRIPTION_PAGE = 500;

/**
 * The embedded adapter: one SQLite file in WAL mode. Reads run on this thread's connection; appends go to a writer
 * thread (SqliteWriter) that group-commits them, so the commit's fsync never blocks this event loop.
 */
export class SqliteEventStore implements EventStore {
  readonly synchronous: SqliteSynchronous;
  private readonly db: DatabaseSync;
  private readonly sql: SqliteStatements;
  private readonly pollIntervalMs: number;
  /** Wakes waiting subscriptions: 'appended' after each commit, 'closed' on close. */
  private readonly notifier = new EventEmitter();
  /** Started on the first append: a store opened only to read (a projector, a rebuild worker) runs no writer thread. */
  private writer: SqliteWriter | null = null;
  private readonly writerOptions: { file: string; synchronous: SqliteSynchronous; clock?: () => Date };
  /** Bumped on every commit, so a subscription can tell whether it missed one while delivering a page. */
  private commitSequence = 0;
  private closed = false;
  /** The clock that stamps recordedAt (the writer gets the same one). */
  private readonly now: () => Date;
  private closing: Promise<void> | null = null;

  constructor(options: SqliteEventStoreOptions) {
    const synchronous = options.synchronous ?? 'FULL';
    // PRAGMA values cannot be bound as parameters; the check keeps configuration text out of the SQL.
    if (!SYNCHRONOUS_LEVELS.includes(synchronous)) {
      throw new RangeError(`synchronous must be one of ${SYNCHRONOUS_LEVELS.join(', ')}; got ${synchronous}`);
    }
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.notifier.setMaxListeners(0);
    const { db, journalMode } = openConnection(options.file, synchronous);
    this.db = db;
    if (journalMode !== 'wal') {
      this.db.close();
      throw new StoreUnavailable(`${options.file}: SQLite refused WAL journal mode (got ${String(journalMode)})`);
    }
    // Read back, so what the benchmark reports is what the connections run with (the writer applies the same level).
    this.synchronous = SYNCHRONOUS_LEVELS[this.db.prepare('PRAGMA synchronous').get()?.synchronous as number];
    // Created here, synchronously, so reads work before the writer thread has started.
    this.db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    this.sql = new SqliteStatements(this.db);
    this.writerOptions = { file: options.file, synchronous, clock: options.clock };
    this.now = options.clock ?? (() => new Date());
  }

  /** Transactions committed by this instance: with group commit, far fewer than appends under concurrency. */
  get transactionsCommitted(): number {
    return this.writer?.transactionsCommitted ?? 0;
  }

  async append(streamName: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertWellFormedAppend(streamName, events, options.expectedRevision);
    const rows = events.map((e) => toRow(streamName, withIdempotencyKey(e, options.idempotencyKey)));
    return this.startedWriter().append({ streamName, rows, expectedRevision: options.expectedRevision, idempotencyKey: options.idempotencyKey });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    return this.sql.readStream.all(streamName, from, to).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const page = this.pageOf(options);
    if (!page.partition) return this.readPage(page.after, page.limit);
    return this.sql.readAllPartition.all(page.after, page.partition.count, page.partition.index, page.limit).map(toRecordedEvent);
  }

  async readAllFoldable(options: ReadAllOptions = {}): Promise<FoldableEvent[]> {
    const { after, limit, partition } = this.pageOf(options);
    const rows = partition ? this.sql.readAllFoldablePartition.all(after, partition.count, partition.index, limit) : this.sql.readAllFoldable.all(after, limit);
    return (rows as unknown as FoldableRow[]).map(toFoldableEvent);
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    return (this.sql.headPosition.get()?.position as number | null | undefined) ?? null;
  }

  /**
   * The clock's reading now, made a floor for every later commit (by any connection to the file) in one write
   * transaction, which also waits out a commit in progress; the head is read under that lock. See the worker.
   */
  async horizon(): Promise<RecordedHorizon> {
    this.assertOpen();
    const instant = this.now().getTime();
    const position = await this.startedWriter().horizon(instant);
    return { position, recordedAt: new Date(instant).toISOString() };
  }

  async findIdempotentAppend(idempotencyKey: string): Promise<IdempotentAppend | null> {
    this.assertOpen();
    const row = this.sql.findIdempotencyKey.get(idempotencyKey);
    if (!row) return null;
    return {
      streamName: row.stream_name as string,
      firstRevision: row.first_revision as number,
      lastRevision: row.last_revision as number,
      position: row.position as number,
    };
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    let checkpoint = options.after ?? null;
    while (!this.closed && !signal?.aborted) {
      const seenCommit = this.commitSequence;
      const page = this.readPage(checkpoint, SUBSCRIPTION_PAGE);
      for (const event of page) {
        yield event;
        checkpoint = event.position;
        if (this.closed || signal?.aborted) return;
      }
      if (page.length < SUBSCRIPTION_PAGE) await this.nextChange(seenCommit, signal);
    }
  }

  /** Ends subscriptions and refuses new calls at once; appends already issued still commit (or fail) before it resolves. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.notifier.emit('closed');
      // The reader goes first, so the writer's connection is the last to close and runs the final checkpoint off this thread.
      this.db.close();
      this.closing = this.writer ? this.writer.close() : Promise.resolve();
    }
    return this.closing;
  }

  private startedWriter(): SqliteWriter {
    this.writer ??= new SqliteWriter(
      { file: this.writerOptions.file, synchronous: this.writerOptions.synchronous },
      () => {
        this.commitSequence++;
        this.notifier.emit('appended');
      },
      this.writerOptions.clock,
    );
    return this.writer;
  }

  /** readAll's options checked and defaulted; `partition` only when it splits the store. */
  private pageOf(options: ReadAllOptions): { after: number; limit: number; partition: StreamPartition | null } {
    this.assertOpen();
    assertPartition(options.partition);
    const partition = options.partition && options.partition.count > 1 ? options.partition : null;
    return { after: options.after ?? 0, limit: Math.max(0, options.limit ?? DEFAULT_READ_LIMIT), partition };
  }

  private readPage(after: number | null, limit: number): RecordedEvent[] {
    // SQLite reads a negative LIMIT as "no limit"; a caller asking for less than nothing gets nothing.
    return this.sql.readAll.all(after ?? 0, Math.max(0, limit)).map(toRecordedEvent);
  }

  /**
   * Resolves on the next in-process commit, after the poll interval (another process may have written),
   * on abort, or on close; resolves at once if a commit happened since `seenCommit`. Leaves no listener or timer.
   */
  private nextChange(seenCommit: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.commitSequence !== seenCommit || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.notifier.off('appended', wake);
        this.notifier.off('closed', wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, this.pollIntervalMs);
      this.notifier.on('appended', wake);
      this.notifier.on('closed', wake);
      signal?.addEventListener('abort', wake);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailable('the SQLite event store is closed');
  }
}

function toRecordedEvent(row: Record<string, unknown>): RecordedEvent {
  return {
    position: row.position as number,
    streamName: row.stream_name as string,
    revision: row.revision as number,
    id: row.id as string,
    type: row.type as string,
    data: JSON.parse(row.data as string),
    metadata: JSON.parse(row.metadata as string),
    recordedAt: row.recorded_at as string,
  };
}

/** A row of FOLDABLE_COLUMNS (sqlite-schema.ts), returned as an array. */
type FoldableRow = [position: number, streamName: string, revision: number, type: string, data: string, recordedAt: string];

function toFoldableEvent(row: FoldableRow): FoldableEvent {
  return { position: row[0], streamName: row[1], revision: row[2], type: row[3], data: JSON.parse(row[4]), recordedAt: row[5] };
}

function toRow(streamName: string, event: EventData): EventRow {
  try {
    return { id: event.id, type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
  } catch (error) {
    throw new InvalidAppend(streamName, `event ${event.id} cannot be stored as JSON: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
