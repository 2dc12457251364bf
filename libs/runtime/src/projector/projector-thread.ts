import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore, type SqliteSynchronous } from '@chuishao/event-store';
import { openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { PROJECTIONS } from '../read-models';

/**
 * The projectors on a worker thread of the embedded `npm start`: folding events into read models is a
 * fifth of the work per command, and here it runs beside the HTTP thread instead of on it. The thread
 * opens the store file for reading only (the API's store keeps the one writer) and polls it briefly.
 */
export interface ProjectorThreadData {
  storeFile: string;
  synchronous: SqliteSynchronous;
  readModelFile: string;
  pollIntervalMs: number;
}

const data = workerData as ProjectorThreadData;
const store = new SqliteEventStore({ file: data.storeFile, synchronous: data.synchronous, pollIntervalMs: data.pollIntervalMs });
// One runner for every projection: the events are read and parsed once, and each batch commits all read models together.
const runner = new ProjectionRunner(store, openReadModelDb(data.readModelFile), PROJECTIONS, {
  onError: (error) =>
    parentPort!.postMessage({
      type: 'failed',
      projection: PROJECTIONS.map((p) => p.name).join('+'),
      message: error instanceof Error ? error.message : String(error),
    }),
});
runner.start();

parentPort!.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  void runner
    .stop()
    .then(() => store.close())
    .then(() => parentPort!.postMessage({ type: 'stopped' }));
});
