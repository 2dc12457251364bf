import type { RecordedEvent } from '@chuishao/event-store';

const IDLE = Symbol('idle');

/**
 * Turns the store's catch-up-then-live subscription into batches: waits for one event, then takes
 * whatever else is already available (up to `max`) without waiting for new appends. Catching up gives
 * full batches; live traffic gives small ones at once, so batching never adds latency.
 */
export class BatchReader {
  private readonly events: AsyncIterator<RecordedEvent>;
  private pending: Promise<IteratorResult<RecordedEvent>>;

  constructor(
    subscription: AsyncIterable<RecordedEvent>,
    private readonly max: number,
  ) {
    this.events = subscription[Symbol.asyncIterator]();
    this.pending = handled(this.events.next());
  }

  /** The next batch, or null when the subscription ended (aborted or store closed). */
  async next(): Promise<RecordedEvent[] | null> {
    const first = await this.pending;
    if (first.done) return null;
    const batch = [first.value];
    this.pending = handled(this.events.next());
    // One macrotask for the whole batch: events the store yields without I/O (a page already read) resolve
    // as microtasks, before it fires; the first read that has to wait for I/O or new appends ends the batch.
    const idle = nextMacrotask();
    while (batch.length < this.max) {
      const next = await Promise.race([this.pending, idle]);
      if (next === IDLE || next.done) break;
      batch.push(next.value);
      this.pending = handled(this.events.next());
    }
    return batch;
  }

  /** Ends the subscription; a pending read settles (done) once the store notices. */
  async close(): Promise<void> {
    await this.events.return?.();
  }
}

/**
 * A read started ahead may fail (the store went away) before anyone awaits it; marking it handled keeps
 * that from being an unhandled rejection (which ends the process). The failure still reaches next().
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function nextMacrotask(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}
