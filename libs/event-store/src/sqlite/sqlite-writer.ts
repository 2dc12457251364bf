import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedRevision } from '../errors';
import { InvalidAppend } from '../invalid-append';
import type { AppendResult } from '../port';
import { encodeRequests, type AppendRequest, type FromWriter, type RefusalCode, type ToWriter, type WriterConfig } from './sqlite-writer-protocol';

interface PendingAppend {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A writer that does not exit this long after being told to close is terminated (it should take milliseconds). */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * From TypeScript sources (jest, a child process run with the swc hook) nothing compiled the worker module, and a
 * Worker does not go through jest's transform: this bootstrap registers @swc/core in the worker first. Compiled (dist),
 * the `.js` sibling is loaded directly.
 */
const TS_BOOTSTRAP = `
const { createRequire, registerHooks } = require('node:module');
const { entry } = require('node:worker_threads').workerData;
const requireHere = createRequire(entry);
const { transformSync } = requireHere('@swc/core');
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.')) throw error;
      return next(specifier + '.ts', context);
    }
  },
  load(url, context, next) {
    if (!url.endsWith('.ts')) return next(url, context);
    const { source } = next(url, { ...context, format: 'commonjs' });
    const options = { filename: url, jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } };
    return { format: 'commonjs', source: transformSync(String(source), options).code, shortCircuit: true };
  },
});
requireHere(entry);
`;

/**
 * The main-thread side of the writer thread (sqlite-writer.worker.ts). Appends issued in one turn of the event loop
 * go over as one message; the worker commits everything it has received in one transaction and answers per append.
 * The worker starts on the first append (a store that only reads never starts one) and is unref'd while idle, so an
 * open store does not keep the process alive. If it dies, every pending and later append fails with StoreUnavailable.
 */
export class SqliteWriter {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private queue: PendingAppend[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  private readonly inFlight = new Map<number, PendingAppend>();
  /** Horizon requests sent to the writer, by id: each resolves with the head position its transaction saw. */
  private readonly horizons = new Map<number, { resolve(head: number | null): void; reject(error: unknown): void }>();
  private idleWaiters: Array<() => void> = [];
  private nextId = 0;
  private failure: StoreUnavailable | null = null;
  private committed = 0;

  constructor(
    private readonly config: WriterConfig,
    /** Called after each commit, once its appends are settled. */
    private readonly onCommit: () => void,
    /** The clock events are recorded by. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  get transactionsCommitted(): number {
    return this.committed;
  }

  append(request: Omit<AppendRequest, 'id'>): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ request: { ...request, id: ++this.nextId }, resolve, reject });
      // setImmediate rather than a microtask: it also gathers appends from other I/O callbacks of this loop turn.
      this.flushScheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Raises the file's recorded floor to `instant` (epoch ms) in a transaction of its own or of the next batch, and
   * resolves with the head position at that commit: every event recorded at or before `instant` is at or before it.
   */
  horizon(instant: number): Promise<number | null> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    return new Promise<number | null>((resolve, reject) => {
      this.horizons.set(id, { resolve, reject });
      worker.postMessage({ type: 'horizon', id, instant } satisfies ToWriter);
      worker.ref();
    });
  }

  /** Sends what is queued, waits for every answer, then closes the writer's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flush();
    if (this.inFlight.size > 0 || this.horizons.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const worker = this.worker;
    if (!worker) return;
    if (!this.failure) worker.postMessage({ type: 'close' } satisfies ToWriter);
    worker.ref();
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private flush(): void {
    this.flushScheduled = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const worker = this.failure ? null : (this.worker ?? this.start());
    if (!worker) {
      for (const pending of batch) pending.reject(this.failure);
      return;
    }
    try {
      const recordedAt = this.now().toISOString();
      worker.postMessage({ type: 'append', requests: encodeRequests(batch.map((p) => p.request)), recordedAt } satisfies ToWriter);
    } catch (error) {
      // Only a value that cannot be cloned gets here (a caller bypassing the types); this runs in setImmediate, so reject.
      const failure = new StoreUnavailable(`the append could not be handed to the SQLite writer thread: ${messageOf(error)}`, error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    for (const pending of batch) this.inFlight.set(pending.request.id, pending);
    worker.ref();
  }

  private start(): Worker {
    const entry = join(__dirname, `sqlite-writer.worker${extname(__filename)}`);
    const options = { workerData: { ...this.config, entry } satisfies WriterConfig, name: 'sqlite-writer' };
    const worker = entry.endsWith('.ts') ? new Worker(TS_BOOTSTRAP, { ...options, eval: true }) : new Worker(entry, options);
    worker.on('message', (message: FromWriter) => this.receive(message));
    worker.on('messageerror', (error) => this.fail('an answer from the SQLite writer thread was unreadable', error));
    worker.on('error', (error) => this.fail(`the SQLite writer thread failed: ${messageOf(error)}`, error));
    worker.on('exit', (code) => this.fail(`the SQLite writer thread exited (code ${code})`));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromWriter): void {
    if (message.type === 'rolledBack') {
      const failure = new StoreUnavailable(`SQLite append failed; the batch was rolled back: ${message.message}`, new Error(message.message));
      for (const id of message.ids) this.take(id)?.reject(failure);
      for (const id of message.horizons) this.takeHorizon(id)?.reject(failure);
    } else {
      // Settled only now: a promise resolves once its append is durable (as far as `synchronous` promises).
      this.committed++;
      const o = message.outcomes;
      for (let i = 0; i < o.length; i += 4) {
        const pending = this.take(o[i] as number);
        if (o[i + 1] === '') pending?.resolve({ nextRevision: o[i + 2] as number, position: o[i + 3] as number });
        else pending?.reject(toError(pending.request, o[i + 1] as RefusalCode, o[i + 2]));
      }
      for (const id of message.horizons) this.takeHorizon(id)?.resolve(message.head);
      if (o.length > 0) this.onCommit();
    }
    this.settleIdle();
  }

  /** Idempotent: the first cause wins ('error' is followed by 'exit'). An exit after close() finds nothing pending. */
  private fail(message: string, cause?: unknown): void {
    this.failure ??= new StoreUnavailable(message, cause);
    const pending = [...this.inFlight.values(), ...this.queue, ...this.horizons.values()];
    this.inFlight.clear();
    this.horizons.clear();
    this.queue = [];
    for (const p of pending) p.reject(this.failure);
    this.settleIdle();
  }

  private take(id: number): PendingAppend | undefined {
    const pending = this.inFlight.get(id);
    this.inFlight.delete(id);
    return pending;
  }

  private takeHorizon(id: number) {
    const pending = this.horizons.get(id);
    this.horizons.delete(id);
    return pending;
  }

  private settleIdle(): void {
    if (this.inFlight.size > 0 || this.horizons.size > 0) return;
    this.worker?.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The same error classes, with the same fields, as a refusal on this thread would have thrown. */
function toError({ streamName, expectedRevision, idempotencyKey }: AppendRequest, code: RefusalCode, detail: unknown): Error {
  switch (code) {
    case 'STORE.WRONG_EXPECTED_REVISION':
      return new WrongExpectedRevision(streamName, expectedRevision, detail as number | 'no_stream');
    case 'STORE.IDEMPOTENCY_KEY_USED':
      return new IdempotencyKeyUsed(idempotencyKey ?? '');
    case 'STORE.INVALID_APPEND':
      return new InvalidAppend(streamName, String(detail));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
