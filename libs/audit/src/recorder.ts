import { randomUUID } from 'node:crypto';
import type { EventData, EventStore } from '@chuishao/event-store';
import { RefusalAggregator, type AggregationLimits } from './aggregator';
import { auditStream, dayOf, DETAIL_MAX, REFUSALS_AGGREGATED, REQUEST_REFUSED, type Refusal, type RefusalsAggregate } from './refusal';

export interface RecorderOptions extends AggregationLimits {
  store: EventStore;
  now: () => Date;
  /** How often buffered records are appended (one append per day stream per flush); 0: only on flush() and close(). */
  flushIntervalMs: number;
  /** Buffered records that trigger a flush at once, whatever the interval (default 500). */
  batchSize?: number;
  /** Records kept while the store refuses appends; beyond, new ones are dropped and counted in the log (default 50,000). */
  maxPending?: number;
  onError?: (message: string) => void;
}

/** Who records: the service itself, on behalf of the refused caller (the record names the caller). */
const RECORDER = { orgId: 'system', role: 'system', userId: 'audit-trail' };

interface Pending {
  stream: string;
  event: EventData;
}

/**
 * Records refusals durably and append-only in the event store, in day streams of their own (`audit-refusals-<day>`).
 * `record()` never waits: records are buffered and appended together every `flushIntervalMs` (one transaction, one fsync,
 * so a flood of refusals costs no fsync each) and on `flush()`/`close()`. Above a caller's rate they are counted instead
 * (RefusalAggregator), and each window's counts are appended once the window has ended.
 *
 * What a SIGKILL loses: the records buffered since the last flush (at most `flushIntervalMs` of them), and the counts of
 * the window still open (at most one window of aggregated refusals; their callers' first records were flushed).
 */
export class RefusalRecorder {
  private readonly aggregator: RefusalAggregator;
  private pending: Pending[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;
  private dropped = 0;
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(private readonly options: RecorderOptions) {
    this.aggregator = new RefusalAggregator(options);
    this.batchSize = options.batchSize ?? 500;
    this.maxPending = options.maxPending ?? 50_000;
    this.timer = options.flushIntervalMs > 0 ? setInterval(() => void this.flush(), options.flushIntervalMs) : null;
    this.timer?.unref();
  }

  /** Takes one refusal: recorded on its own or counted. Never throws, never waits. */
  record(refusal: Refusal): void {
    if (this.closed) return;
    const r = { ...refusal, detail: refusal.detail.slice(0, DETAIL_MAX) };
    if (this.aggregator.admit(r)) this.push(dayOf(r.at), REQUEST_REFUSED, r as unknown as Record<string, unknown>, r.correlationId);
    if (this.pending.length >= this.batchSize) void this.flush();
  }

  /** Appends everything buffered and the counts of every window that has ended; resolves once they are stored. */
  flush(): Promise<void> {
    return this.enqueue(() => this.aggregator.takeEnded(this.options.now().getTime()));
  }

  /** Flushes everything, the open window's counts too, and stops taking records. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.enqueue(() => this.aggregator.takeAll());
  }

  /** Records buffered, not yet stored. */
  get buffered(): number {
    return this.pending.length;
  }

  private enqueue(aggregates: () => RefusalsAggregate[]): Promise<void> {
    this.chain = this.chain
      .then(() => {
        for (const a of aggregates()) this.push(dayOf(a.windowStart), REFUSALS_AGGREGATED, a as unknown as Record<string, unknown>, a.firstCorrelationId);
        return this.write();
      })
      .catch((error) => this.options.onError?.(`refusal records not stored: ${error instanceof Error ? error.message : String(error)}`));
    return this.chain;
  }

  private push(day: string, type: string, data: Record<string, unknown>, correlationId: string): void {
    // Full only while the store refuses appends: what comes then is counted as lost, and said so in the log.
    if (this.pending.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    const id = randomUUID();
    this.pending.push({ stream: auditStream(day), event: { id, type, data, metadata: { actor: RECORDER, correlationId, causationId: id, schemaVersion: 1 } } });
  }

  /** One append per day stream, in order; what the store refused stays buffered for the next flush. */
  private async write(): Promise<void> {
    if (this.dropped > 0) {
      this.options.onError?.(`${this.dropped} refusal record(s) dropped: the event store refused appends while more than ${this.maxPending} were buffered`);
      this.dropped = 0;
    }
    while (this.pending.length > 0) {
      const stream = this.pending[0].stream;
      let n = 0;
      while (n < this.pending.length && n < this.batchSize && this.pending[n].stream === stream) n++;
      const batch = this.pending.slice(0, n);
      try {
        await this.options.store.append(
          stream,
          batch.map((p) => p.event),
          { expectedRevision: 'any' },
        );
      } catch (error) {
        this.options.onError?.(`refusal records not stored yet (${this.pending.length} buffered): ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      this.pending.splice(0, n);
    }
  }
}
