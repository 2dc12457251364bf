import type { KafkaConfig } from 'kafkajs';
import { isAuditStream } from '@chuishao/audit';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import { Backoff, sleep } from './backoff';
import { BatchReader, handled } from './batch-reader';
import { CaseOrigins } from './case-origins';
import type { RelayCheckpointStore } from './checkpoint-store';
import type { RelayOptions } from '@chuishao/runtime';
import { caseIdOf, deadLetterTopic, toOutbound, type OutboundMessage } from './envelope';
import { KafkaPublisher } from './kafka-publisher';
import { measureLag, type Lag } from './lag';
import { consoleLogger, messageOf, type RelayLogger } from './logger';

export type RelayState = 'starting' | 'catching-up' | 'live' | 'retrying' | 'stopped';

export interface RelayStatus extends Lag {
  state: RelayState;
  /** Position up to which the broker acknowledged every event (null: nothing yet). */
  checkpoint: number | null;
  /** Since this process started. */
  published: number;
  deadLettered: number;
  /** Failed rounds in a row (0 when the last round got its acknowledgement). */
  failures: number;
  lastError: string | null;
  /** The batch on the wire (positions), not yet fully acknowledged; null when nothing is being sent. */
  sending: { from: number; to: number; events: number; since: string } | null;
}

/** How long stop() waits for a send in flight before dropping it (it is re-sent after the restart). */
const STOP_GRACE_MS = 10_000;

/**
 * Relays every stored event to Kafka, from its checkpoint, in store order: catch-up then live.
 *
 * One round: read a batch, turn each event into its message (or dead letter), send with acks=all, and
 * only when the broker acknowledged a request, commit the checkpoint up to its last event. Any failure
 * (broker down or slow, store unavailable, checkpoint file unwritable) ends the round: the producer is
 * rebuilt and, after an exponential backoff, the next round starts again from the checkpoint. So nothing
 * is ever skipped, and the only events sent twice are those after the last checkpoint.
 */
export class KafkaRelay {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private position: number | null;
  private readonly origins: CaseOrigins;
  private readonly publisher: KafkaPublisher;
  private readonly backoff: Backoff;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly waiters: { position: number; resolve: () => void }[] = [];
  private lag: Lag = { head: null, lagEvents: 0, lagEventsAtLeast: false, lagSeconds: 0, measuredAt: new Date(0).toISOString() };
  private connected = false;
  private closed = false;
  private published = 0;
  private deadLettered = 0;
  private lastError: string | null = null;
  private sending: RelayStatus['sending'] = null;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpointStore,
    kafka: KafkaConfig,
    private readonly options: RelayOptions,
    private readonly logger: RelayLogger = consoleLogger,
  ) {
    this.position = checkpoints.read(options.name);
    this.origins = new CaseOrigins(store, checkpoints);
    this.publisher = new KafkaPublisher(kafka, options, logger);
    this.backoff = new Backoff(options.retryInitialMs, options.retryMaxMs);
  }

  get checkpoint(): number | null {
    return this.position;
  }

  start(): void {
    if (this.running) return;
    this.logger.info(`relaying from checkpoint ${this.position ?? 'start'} to ${this.options.topicPrefix}.<countyId>.case-events`);
    this.running = this.supervise();
    this.every(this.options.lagIntervalMs, () => this.measure());
    if (this.options.logIntervalMs > 0) this.every(this.options.logIntervalMs, async () => this.logger.info(this.describe()));
    void this.measure();
  }

  /** Stops reading, lets a send in flight finish (briefly), disconnects. The store stays open (it is the caller's). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.stopping.abort();
    for (const t of this.timers) clearInterval(t);
    let grace: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (grace = setTimeout(() => resolve('timeout'), STOP_GRACE_MS)));
    const outcome = await Promise.race([this.running ?? Promise.resolve(), timedOut]);
    clearTimeout(grace);
    if (outcome === 'timeout') this.logger.warn(`a send was still in flight after ${STOP_GRACE_MS} ms; it is re-sent on the next start`);
    this.closed = true;
    await this.publisher.reset();
    this.logger.info(`stopped at checkpoint ${this.position ?? 'start'}`);
  }

  /** Resolves once everything up to `position` is acknowledged (tests, and callers that must wait). */
  reached(position: number): Promise<void> {
    if (this.position !== null && this.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  status(): RelayStatus {
    // The lag is measured periodically; an acknowledgement since then that reached the measured head means caught up.
    const caughtUp = this.lag.head === null || (this.position !== null && this.position >= this.lag.head);
    const lag = caughtUp ? { ...this.lag, lagEvents: 0, lagEventsAtLeast: false, lagSeconds: 0 } : this.lag;
    const failures = this.backoff.failures;
    const state: RelayState =
      this.closed || this.stopping.signal.aborted
        ? 'stopped'
        : failures > 0
          ? 'retrying'
          : !this.connected
            ? 'starting'
            : lag.lagEvents === 0
              ? 'live'
              : 'catching-up';
    return {
      state,
      checkpoint: this.position,
      ...lag,
      published: this.published,
      deadLettered: this.deadLettered,
      failures,
      lastError: this.lastError,
      sending: this.sending,
    };
  }

  private async supervise(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.round();
      } catch (error) {
        if (signal.aborted) break;
        this.lastError = messageOf(error);
        const delay = this.backoff.next();
        this.logger.warn(
          `round failed (${this.backoff.failures} in a row), nothing after checkpoint ${this.position ?? 'start'} is considered sent: ` +
            `${this.lastError}; retrying in ${delay} ms`,
        );
        await this.publisher.reset();
        await sleep(delay, signal);
      }
    }
  }

  /** Reads from the checkpoint and publishes until stopped; throws on any failure. */
  private async round(): Promise<void> {
    await this.publisher.connect([deadLetterTopic(this.options.topicPrefix)]);
    this.connected = true;
    // Nothing waiting to be sent: the outage is over as far as anyone can tell (otherwise the next ack says so).
    const head = await this.store.headPosition();
    if (head === null || (this.position !== null && this.position >= head)) this.recovered();
    const abort = new AbortController();
    const onStop = () => abort.abort();
    this.stopping.signal.addEventListener('abort', onStop);
    const reader = new BatchReader(this.store.subscribeToAll({ after: this.position, signal: abort.signal }), this.options.batchSize);
    try {
      let next = handled(reader.next());
      for (;;) {
        const batch = await next;
        if (batch === null) {
          if (this.stopping.signal.aborted) return;
          throw new Error('the event store subscription ended (store closed?)');
        }
        const outbound = await this.prepare(batch);
        next = handled(reader.next()); // read the next batch from the store while this one is on the wire
        const to = batch[batch.length - 1].position;
        this.sending = { from: batch[0].position, to, events: batch.length, since: new Date().toISOString() };
        await this.publisher.publish(outbound, (sent) => this.acknowledged(sent));
        // Everything of the batch is acknowledged or was not to be relayed (the audit trail): the checkpoint passes it.
        if (!this.closed && (this.position === null || this.position < to)) this.advance(to);
        this.sending = null;
        if (this.stopping.signal.aborted) return;
      }
    } finally {
      this.sending = null;
      this.stopping.signal.removeEventListener('abort', onStop);
      abort.abort();
      await reader.close().catch((e) => this.logger.warn(`closing the subscription: ${messageOf(e)}`));
    }
  }

  private async prepare(batch: RecordedEvent[]): Promise<OutboundMessage[]> {
    const out: OutboundMessage[] = [];
    for (const event of batch) {
      // The audit trail of refusals (who was refused, from which address) stays in the store: never on a topic.
      if (isAuditStream(event.streamName)) continue;
      const caseId = caseIdOf(event);
      const origin = caseId === null ? 'not a case event' : await this.origins.resolve(event, caseId);
      out.push(toOutbound(event, origin, this.options));
    }
    return out;
  }

  /** The broker acknowledged `sent` (in store order): only now does the checkpoint move. */
  private acknowledged(sent: OutboundMessage[]): void {
    if (this.closed) return; // stop() gave up on this send; the next start re-sends it
    this.advance(sent[sent.length - 1].event.position);
    for (const m of sent) {
      if (!m.deadLetter) continue;
      this.deadLettered++;
      this.logger.warn(
        `event ${m.event.id} (${m.event.type}, position ${m.event.position}) parked on ${m.topic}: ${m.deadLetter.reason}: ${m.deadLetter.detail}`,
      );
    }
    this.published += sent.length;
  }

  /** Everything up to `last` is delivered (or not to be relayed): commit the checkpoint. */
  private advance(last: number): void {
    this.checkpoints.commit(this.options.name, last, this.origins.takeUnsaved());
    this.position = last;
    this.recovered();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= last) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private recovered(): void {
    if (this.backoff.failures > 0) this.logger.info(`relaying again after ${this.backoff.failures} failed round(s); checkpoint ${this.position ?? 'start'}`);
    this.backoff.reset();
    this.lastError = null;
  }

  private async measure(): Promise<void> {
    try {
      this.lag = await measureLag(this.store, this.position);
    } catch (error) {
      this.logger.warn(`lag not measured: ${messageOf(error)}`);
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task(), ms);
    timer.unref(); // the relay's timers never keep a process alive on their own
    this.timers.push(timer);
  }

  private describe(): string {
    const s = this.status();
    return (
      `status ${s.state}: checkpoint ${s.checkpoint ?? 'start'}, head ${s.head ?? 'empty'}, ` +
      `lag ${s.lagEventsAtLeast ? '>=' : ''}${s.lagEvents} events / ${s.lagSeconds.toFixed(1)} s, ` +
      `published ${s.published}, dead-lettered ${s.deadLettered}${s.lastError ? `, last error: ${s.lastError}` : ''}`
    );
  }
}
