import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { EventStore, EventStoreConfig } from '@chuishao/event-store';
import { openReadModelDb, rebuildProjections, type PartitionTask, type RebuildOptions, type RebuildResult } from '@chuishao/projections';
import type { PartitionWorkerData } from './rebuild-partition.worker';
import { REBUILDABLE } from '../read-models';

export interface RebuildReadModels {
  /** Names from REBUILDABLE; rebuilt over one reading of the events. */
  names: readonly string[];
  store: EventStore;
  /** How the partition workers open the same store. */
  storeConfig: EventStoreConfig;
  readModelFile: string;
  /** Partition workers (threads) for the bulk of the history; 1 reads it on this thread. */
  threads: number;
  maxBatch?: number;
  graceMs?: number;
  onProgress?: RebuildOptions['onProgress'];
}

/** Threads a rebuild uses unless told: the cores there are, up to 4 (it shares the machine with the service). */
export const defaultRebuildThreads = (): number => Math.max(1, Math.min(4, availableParallelism()));

/**
 * Rebuilds read models into new generations while the old ones serve (generations.ts), the history
 * folded by `threads` workers in stream partitions. What rebuild.command.ts runs, and the benchmark.
 */
export async function rebuildReadModels(options: RebuildReadModels): Promise<RebuildResult[]> {
  const gps = options.names.map((name) => {
    const gp = REBUILDABLE[name];
    if (!gp) throw new Error(`no read model ${name}; one of ${Object.keys(REBUILDABLE).join(', ')}`);
    return gp;
  });
  const db = openReadModelDb(options.readModelFile);
  const workers = new Set<Worker>();
  try {
    return await rebuildProjections(options.store, db, gps, {
      maxBatch: options.maxBatch,
      graceMs: options.graceMs,
      onProgress: options.onProgress,
      partitions: {
        count: options.threads,
        run: (task, signal) => runPartitionWorker({ store: options.storeConfig, readModelFile: options.readModelFile, task }, workers, signal),
      },
    });
  } finally {
    // One partition failed: the others stop too (their work so far stays, behind their checkpoints).
    await Promise.all([...workers].map((w) => w.terminate()));
    db.close();
  }
}

/**
 * Old generation cap of a partition worker. What a worker keeps alive is bounded by its sessions (a share of
 * their rows) and one chunk of events: a 1M-event rebuild still ran with 192 MiB. Without a cap, and with the
 * collector on one thread, V8 let each heap grow to ~400 MiB before collecting (process peak ≈ 1 GiB); with
 * it the process peaks at ≈ 640 MiB and runs no slower. A worker that needed more would fail the rebuild
 * (ERR_WORKER_OUT_OF_MEMORY; rerun resumes), not the service.
 */
const WORKER_OLD_GENERATION_MB = 512;

/**
 * V8 flags for the partition workers' heaps, measured on a 1M-event rebuild (docs/benchmarks.md, session 5):
 * - a 64 MiB semi-space, as the projector thread has (folding allocates many short-lived objects): 40
 *   scavenges per worker instead of 63, ~4% faster, ~80 MiB more peak RSS;
 * - an old generation that starts at 200 MiB: from V8's default (a few MiB, grown step by step) each worker
 *   ran ~8 full collections while its sessions' rows settled in, their marking on V8's helper threads
 *   competing with the other worker for the cores; with it 2, helper CPU ≈ 3.7 → 2.3 s, ~9% faster, ~50 MiB
 *   more peak RSS.
 * Workers take no V8 flags of their own (Worker execArgv refuses them, resourceLimits has neither), and an
 * isolate reads these when it is created: so they are set in this process before the workers start, and the
 * rebuild command needs no flags on its command line. The rebuild runs as a process of its own
 * (rebuild.command.ts): nothing else here starts isolates after it.
 */
const WORKER_V8_FLAGS = ['--max-semi-space-size=64', '--initial-old-space-size=200'];

function runPartitionWorker(data: PartitionWorkerData, workers: Set<Worker>, signal: AbortSignal): Promise<void> {
  const task: PartitionTask = data.task;
  for (const flag of WORKER_V8_FLAGS) setFlagsFromString(flag);
  return new Promise((resolve, reject) => {
    // Compiled build only: a Worker does not load TypeScript (tests run the rebuild from dist, as users do).
    const worker = new Worker(join(__dirname, 'rebuild-partition.worker.js'), {
      workerData: data,
      name: `rebuild p${task.partition.index}of${task.partition.count}`,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB },
    });
    workers.add(worker);
    // Another partition failed: this one stops where it is (its last commit stays, behind its checkpoint).
    const stop = () => void worker.terminate();
    signal.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => {
      workers.delete(worker);
      signal.removeEventListener('abort', stop);
    });
    const failed = (reason: string) => new Error(`partition ${task.partition.index} of ${task.partition.count}: ${reason}`);
    let outcome: Error | 'done' | null = null;
    worker.on('message', (m: { type: string; message?: string; name?: string }) => {
      if (outcome !== null) return;
      if (m.type === 'done') outcome = 'done';
      else {
        outcome = failed(m.message ?? 'failed');
        // The rebuild tells a partition another rebuild took over (GenerationTakenOver) by its name.
        if (m.name) outcome.name = m.name;
      }
    });
    worker.on('error', (error) => {
      outcome ??= error;
    });
    // Settled once the thread is gone, so its memory is back before the merge builds the indexes.
    worker.on('exit', (code) => {
      if (outcome === 'done') resolve();
      else reject(outcome ?? failed(`worker exited with ${code}`));
    });
  });
}
