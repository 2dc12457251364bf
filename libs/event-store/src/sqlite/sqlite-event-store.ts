import { EventEmitter } from 'node:events';
import { DatabaseSync } from 'node:sqlite';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedRevision } from '../errors';
import { assertWellFormedAppend, InvalidAppend, withIdempotencyKey } from '../invalid-append';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  IdempotentAppend,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../port';
import { SCHEMA, SqliteStatements } from './sqlite-schema';

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
  /** How often an idle subscription re-reads the file: appends by other processes raise no in-process notification. */
  pollIntervalMs?: number;
}

/** Long enough to ride out another process's commit or checkpoint on the same file. */
const BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_POLL_INTERVAL_MS = 200;
const DEFAULT_READ_LIMIT = 1_000;
const SUBSCRIPTION_PAGE = 500;

/** An event serialized up front, so a value JSON cannot hold fails its own append, not the whole batch. */
interface EventRow {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

interface PendingAppend {
  streamName: string;
  rows: EventRow[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded adapter: one SQLite file in WAL mode. Appends issued in the same turn of the event loop are
 * group-committed in one transaction (one fsync), each still checked on its own against the stream head.
 */
export class SqliteEventStore implements EventStore {
  readonly synchronous: SqliteSynchronous;
  private readonly db: DatabaseSync;
  private readonly sql: SqliteStatements;
  private readonly pollIntervalMs: number;
  /** Wakes waiting subscriptions: 'appended' after each commit, 'closed' on close. */
  private readonly notifier = new EventEmitter();
  private queue: PendingAppend[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  /** Bumped on every commit, so a subscription can tell whether it missed one while delivering a page. */
  private commitSequence = 0;
  private committedTransactions = 0;
  private closed = false;

  constructor(options: SqliteEventStoreOptions) {
    const synchronous = options.synchronous ?? 'FULL';
    // PRAGMA values cannot be bound as parameters; the check keeps configuration text out of the SQL.
    if (!SYNCHRONOUS_LEVELS.includes(synchronous)) {
      throw new RangeError(`synchronous must be one of ${SYNCHRONOUS_LEVELS.join(', ')}; got ${synchronous}`);
    }
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.notifier.setMaxListeners(0);
    this.db = new DatabaseSync(options.file, { timeout: BUSY_TIMEOUT_MS });
    const mode = this.db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (mode !== 'wal') {
      this.db.close();
      throw new StoreUnavailable(`${options.file}: SQLite refused WAL journal mode (got ${String(mode)})`);
    }
    this.db.exec(`PRAGMA synchronous = ${synchronous}`);
    // Read back, so what the benchmark reports is what the connection runs with.
    this.synchronous = SYNCHRONOUS_LEVELS[this.db.prepare('PRAGMA synchronous').get()?.synchronous as number];
    this.db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    this.sql = new SqliteStatements(this.db);
  }

  /** Transactions committed by this instance: with group commit, far fewer than appends under concurrency. */
  get transactionsCommitted(): number {
    return this.committedTransactions;
  }

  async append(streamName: string, events: EventData[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertWellFormedAppend(streamName, events, options.expectedRevision);
    const rows = events.map((e) => toRow(streamName, withIdempotencyKey(e, options.idempotencyKey)));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamName, rows, options, resolve, reject });
      // setImmediate rather than a microtask: it also gathers appends from other I/O callbacks of this loop turn.
      this.flushScheduled ??= setImmediate(() => this.flush());
    });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    return this.sql.readStream.all(streamName, from, to).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readPage(options.after ?? null, options.limit ?? DEFAULT_READ_LIMIT);
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    return (this.sql.headPosition.get()?.position as number | null | undefined) ?? null;
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

  /** Commits what is queued, then closes the file; waiting subscriptions end. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flush();
    this.closed = true;
    this.notifier.emit('closed');
    this.db.close();
  }

  private flush(): void {
    this.flushScheduled = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const recordedAt = new Date().toISOString();
    const settle: Array<() => void> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const pending of batch) {
        try {
          const result = this.write(pending, recordedAt);
          settle.push(() => pending.resolve(result));
        } catch (error) {
          // write() throws these before its first INSERT, so the rejected append leaves nothing in the transaction.
          if (!(error instanceof WrongExpectedRevision || error instanceof IdempotencyKeyUsed || error instanceof InvalidAppend)) {
            throw error;
          }
          settle.push(() => pending.reject(error));
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      const failure = new StoreUnavailable(`SQLite append failed; the batch was rolled back: ${messageOf(error)}`, error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    // Settle only now: a promise resolves once its append is durable (as far as `synchronous` promises).
    this.committedTransactions++;
    this.commitSequence++;
    for (const done of settle) done();
    this.notifier.emit('appended');
  }

  /** Checks one append against the state inside the batch transaction (earlier appends included), then writes it. */
  private write({ streamName, rows, options }: PendingAppend, recordedAt: string): AppendResult {
    const key = options.idempotencyKey;
    // The key is checked first: a retry of a committed command must learn that, not that the stream moved on.
    if (key !== undefined && this.sql.findIdempotencyKey.get(key)) throw new IdempotencyKeyUsed(key);
    const head = this.sql.streamHead.get(streamName)?.last_revision as number | undefined;
    if (!matchesExpected(options.expectedRevision, head)) {
      throw new WrongExpectedRevision(streamName, options.expectedRevision, head ?? 'no_stream');
    }
    for (const row of rows) {
      if (this.sql.eventIdExists.get(row.id)) throw new InvalidAppend(streamName, `event id ${row.id} is already stored`);
    }
    // Only writes from here on.
    const firstRevision = (head ?? -1) + 1;
    let position = 0;
    rows.forEach((row, i) => {
      const inserted = this.sql.insertEvent.run(streamName, firstRevision + i, row.id, row.type, row.data, row.metadata, recordedAt);
      position = Number(inserted.lastInsertRowid);
    });
    const lastRevision = firstRevision + rows.length - 1;
    this.sql.upsertStreamHead.run(streamName, lastRevision);
    if (key !== undefined) this.sql.insertIdempotencyKey.run(key, streamName, firstRevision, lastRevision, position);
    return { nextRevision: lastRevision, position };
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

function matchesExpected(expected: ExpectedRevision, head: number | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return head === undefined;
  return head === expected;
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
