// The SQLite adapter's only write connection, on its own thread so that COMMIT's fsync never blocks the main event
// loop. Imports only node built-ins and its two sibling modules: it runs outside jest's transform (see sqlite-writer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection, SqliteStatements } from './sqlite-schema';
import { decodeRequests, type AppendRequest, type Flat, type FromWriter, type RefusalCode, type ToWriter, type WriterConfig } from './sqlite-writer-protocol';

/** A refusal is thrown before the append's first INSERT, so it leaves nothing in the batch transaction. */
class Refused {
  constructor(
    readonly code: RefusalCode,
    readonly detail?: string | number,
  ) {}
}

const config = workerData as WriterConfig;
const { db, journalMode } = openConnection(config.file, config.synchronous);
if (journalMode !== 'wal') throw new Error(`${config.file}: SQLite refused WAL journal mode (got ${String(journalMode)})`);
const sql = new SqliteStatements(db);
const port = parentPort!;
let batch: AppendRequest[] = [];
let batchRecordedAt = '';
/** Horizon requests waiting for the next transaction: ids, and the highest instant asked for. */
let horizons: number[] = [];
let horizonInstant = -Infinity;
let commitScheduled = false;

port.on('message', (message: ToWriter) => {
  if (message.type === 'append') {
    for (const request of decodeRequests(message.requests)) batch.push(request);
    if (message.recordedAt > batchRecordedAt) batchRecordedAt = message.recordedAt;
    scheduleCommit();
  } else if (message.type === 'horizon') {
    horizons.push(message.id);
    horizonInstant = Math.max(horizonInstant, message.instant);
    scheduleCommit();
  } else {
    commit();
    db.close();
    port.close();
  }
});

/** Committing on setImmediate lets every message already waiting (those sent during the last fsync) join the batch. */
function scheduleCommit(): void {
  if (commitScheduled) return;
  commitScheduled = true;
  setImmediate(commit);
}

/**
 * One transaction for the whole batch; each append is checked on its own, against heads moved earlier in the batch.
 *
 * recordedAt is stamped here, under the file's write lock, so it follows commit order across every connection: it is
 * the latest clock reading the batch carries, raised to the newest stored recordedAt (so it never decreases with
 * position) and past the recorded floor. A horizon raises that floor to its instant in the same transaction and
 * answers with the head after it: every commit before it is visible by then, and every commit after it (this
 * thread's or another process's) records after the instant. So no event recorded at or before a horizon's instant
 * can appear beyond its head, which is what lets a reader state that instant as the asOf of what it read.
 */
function commit(): void {
  commitScheduled = false;
  const requests = batch;
  const answered = horizons;
  const floorAsked = horizonInstant;
  batch = [];
  horizons = [];
  horizonInstant = -Infinity;
  if (requests.length === 0 && answered.length === 0) return;
  const clockAt = batchRecordedAt;
  batchRecordedAt = '';
  const outcomes: Flat = [];
  let head: number | null = null;
  try {
    db.exec('BEGIN IMMEDIATE');
    const floor = (sql.recordedFloor.get()?.floor as number | undefined) ?? -Infinity;
    const last = sql.lastRecordedAt.get()?.recorded_at as string | undefined;
    // An append batch always carries a clock reading, so the stamp is finite whenever there is something to stamp.
    const recordedAt = requests.length === 0 ? '' : new Date(Math.max(Date.parse(clockAt), last ? Date.parse(last) : -Infinity, floor + 1)).toISOString();
    for (const request of requests) {
      try {
        const { nextRevision, position } = write(request, recordedAt);
        outcomes.push(request.id, '', nextRevision, position);
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        outcomes.push(request.id, error.code, error.detail, undefined);
      }
    }
    if (answered.length > 0) {
      // Written only when it moves: horizons within one millisecond share one write.
      if (floorAsked > floor) sql.raiseRecordedFloor.run(floorAsked);
      head = (sql.headPosition.get()?.position as number | null | undefined) ?? null;
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    const message = error instanceof Error ? error.message : String(error);
    reply({ type: 'rolledBack', ids: requests.map((r) => r.id), horizons: answered, message });
    return;
  }
  reply({ type: 'committed', outcomes, horizons: answered, head });
}

function write({ streamName, rows, expectedRevision, idempotencyKey: key }: AppendRequest, recordedAt: string) {
  // The key is checked first: a retry of a committed command must learn that, not that the stream moved on.
  if (key !== undefined && sql.findIdempotencyKey.get(key)) throw new Refused('STORE.IDEMPOTENCY_KEY_USED');
  const head = sql.streamHead.get(streamName)?.last_revision as number | undefined;
  const matches = expectedRevision === 'any' || (expectedRevision === 'no_stream' ? head === undefined : head === expectedRevision);
  if (!matches) throw new Refused('STORE.WRONG_EXPECTED_REVISION', head ?? 'no_stream');
  for (const row of rows) {
    if (sql.eventIdExists.get(row.id)) throw new Refused('STORE.INVALID_APPEND', `event id ${row.id} is already stored`);
  }
  // Only writes from here on.
  const firstRevision = (head ?? -1) + 1;
  let position = 0;
  rows.forEach((row, i) => {
    const inserted = sql.insertEvent.run(streamName, firstRevision + i, row.id, row.type, row.data, row.metadata, recordedAt);
    position = Number(inserted.lastInsertRowid);
  });
  const lastRevision = firstRevision + rows.length - 1;
  sql.upsertStreamHead.run(streamName, lastRevision);
  if (key !== undefined) sql.insertIdempotencyKey.run(key, streamName, firstRevision, lastRevision, position);
  return { nextRevision: lastRevision, position };
}

function reply(message: FromWriter): void {
  port.postMessage(message);
}
