// Messages between the SQLite adapter (main thread) and its writer thread (sqlite-writer.worker.ts).
// Batches cross as flat arrays of primitives: structured clone copies those about three times faster than the same
// data as objects, which is most of the cost of a round trip for a batch of small appends.
import type { ExpectedRevision } from '../port';

/** The writer thread's workerData. `entry` is the worker module, for the TypeScript bootstrap. */
export interface WriterConfig {
  file: string;
  synchronous: string;
  entry?: string;
}

/** An event serialized on the main thread, so a value JSON cannot hold fails its own append before any round trip. */
export interface EventRow {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export interface AppendRequest {
  id: number;
  streamName: string;
  rows: EventRow[];
  expectedRevision: ExpectedRevision;
  idempotencyKey?: string;
}

export type Flat = Array<string | number | undefined>;

/**
 * Main → writer. One 'append' message carries every append issued in one turn of the main event loop. `recordedAt`
 * is the main thread's clock when it sent them (the application's clock, which a simulated or test clock may move).
 * A 'horizon' asks for a transaction that raises the file's recorded floor to `instant` (epoch ms) and reports the
 * head position under the write lock (see sqlite-writer.worker.ts).
 */
export type ToWriter = { type: 'append'; requests: Flat; recordedAt: string } | { type: 'horizon'; id: number; instant: number } | { type: 'close' };

export type RefusalCode = 'STORE.WRONG_EXPECTED_REVISION' | 'STORE.IDEMPOTENCY_KEY_USED' | 'STORE.INVALID_APPEND';

/**
 * Writer → main, one message per transaction. `outcomes` holds four slots per append: its id, then '', the next
 * revision and the position if it was written, or a refusal code and its detail (the actual revision, the reason).
 * `horizons` are the ids of the horizon requests the transaction answered, `head` the newest position at its commit.
 */
export type FromWriter =
  | { type: 'committed'; outcomes: Flat; horizons: number[]; head: number | null }
  | { type: 'rolledBack'; ids: number[]; horizons: number[]; message: string };

export function encodeRequests(requests: readonly AppendRequest[]): Flat {
  const flat: Flat = [];
  for (const { id, streamName, expectedRevision, idempotencyKey, rows } of requests) {
    flat.push(id, streamName, expectedRevision, idempotencyKey, rows.length);
    for (const row of rows) flat.push(row.id, row.type, row.data, row.metadata);
  }
  return flat;
}

export function decodeRequests(flat: Flat): AppendRequest[] {
  const requests: AppendRequest[] = [];
  let i = 0;
  const next = <T>() => flat[i++] as T;
  while (i < flat.length) {
    const request = { id: next<number>(), streamName: next<string>(), expectedRevision: next<ExpectedRevision>() };
    const idempotencyKey = next<string | undefined>();
    const rows = Array.from({ length: next<number>() }, () => ({ id: next<string>(), type: next<string>(), data: next<string>(), metadata: next<string>() }));
    requests.push({ ...request, idempotencyKey, rows });
  }
  return requests;
}
