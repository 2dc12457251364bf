import { parentPort, workerData } from 'node:worker_threads';
import { createEventStore, type EventStoreConfig } from '@chuishao/event-store';
import { catchUpPartition, openReadModelDb, type PartitionTask, type SessionOptions } from '@chuishao/projections';
import { REBUILDABLE } from '../read-models';

/** One partition of a rebuild (rebuild.ts), on its own thread with its own store and read-model connections. */
export interface PartitionWorkerData {
  store: EventStoreConfig;
  readModelFile: string;
  task: PartitionTask;
}

async function run({ store: storeConfig, readModelFile, task }: PartitionWorkerData): Promise<void> {
  const store = createEventStore(storeConfig);
  // A partition writes rows of its own cases only, mostly recent ones: a smaller page cache will do.
  const db = openReadModelDb(readModelFile, { cacheMiB: 16 });
  try {
    const targets = task.targets.map((t) => {
      const gp = REBUILDABLE[t.name];
      if (!gp?.session) throw new Error(`no read model ${t.name} that can be rebuilt in partitions`);
      return { ...t, session: (connection: typeof db, options: SessionOptions) => gp.session!(connection, t.generation, options) };
    });
    await catchUpPartition(store, db, targets, task.partition, task.to, { batch: task.batch });
  } finally {
    db.close();
    await store.close();
  }
}

run(workerData as PartitionWorkerData).then(
  () => parentPort!.postMessage({ type: 'done' }),
  (error: unknown) =>
    parentPort!.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : undefined,
    }),
);
