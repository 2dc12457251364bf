import type { DatabaseSync } from 'node:sqlite';
import { caseInboxProjection, openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { startRelay, type RunningRelay } from '@chuishao/relay';
import { setupScoringReadModel } from '@chuishao/scoring';
import { watchCases, type DeadlineWatcher } from '@chuishao/watcher';
import { SimulatedClock } from './clock';
import { ProjectorThread } from './projector/projector-thread-host';
import { PROJECTIONS } from './read-models';
import { loadRelayConfig } from './relay-config';
import { consoleLog, type LogFactory, type ProcessorLog, type Services } from './services';

export type { ProcessorLog };

/**
 * How often the projector thread looks for new events (it cannot see this thread's commits). Under load a longer
 * interval means fewer, larger batches, each with its own read-model transaction and checkpoint: bench:lifecycle
 * measured ~0.13 ms projector CPU per command at 10 ms, ~0.07 ms at 50 ms. Read models then trail the store by up to
 * 50 ms more; `minPosition` reads wait for them as before.
 */
const PROJECTOR_POLL_MS = 50;

export interface RunningProcessors {
  /** In-process projection runners (empty when the projector runs on its thread or elsewhere). */
  runners: ProjectionRunner[];
  watcher: DeadlineWatcher | null;
  relay: RunningRelay | null;
  /** Stops every processor; the store stays open. */
  stop(): Promise<void>;
}

/**
 * Starts the background processors `config.processors` names on open services: the projector (on a worker
 * thread of the embedded store when it can), the Kafka relay and the deadline watcher. The watcher reads the
 * inbox read model through `readModels`, or through a connection of its own.
 */
export async function startProcessors(services: Services, options: { readModels?: DatabaseSync; log?: LogFactory } = {}): Promise<RunningProcessors> {
  const { config, store, clock, calendars } = services;
  const log = options.log ?? consoleLog;
  const runners: ProjectionRunner[] = [];
  let projectorThread: ProjectorThread | null = null;
  let ownReadModels: DatabaseSync | null = null;
  let relay: RunningRelay | null = null;
  let watcher: DeadlineWatcher | null = null;
  const stop = async () => {
    await watcher?.stop();
    await relay?.stop();
    await Promise.all(runners.map((r) => r.stop()));
    await projectorThread?.stop();
    ownReadModels?.close();
  };
  try {
    if (config.processors.has('projector')) {
      if (config.store.kind === 'sqlite' && config.projectorThread && ProjectorThread.available()) {
        const { file, synchronous } = config.store;
        projectorThread = ProjectorThread.start(
          { storeFile: file, synchronous, readModelFile: config.readModelFile, pollIntervalMs: PROJECTOR_POLL_MS },
          log('projector'),
        );
      } else {
        const runner = new ProjectionRunner(store, openReadModelDb(config.readModelFile), PROJECTIONS);
        runner.start();
        runners.push(runner);
      }
    }
    if (config.processors.has('relay')) {
      const relayLog: ProcessorLog = log('relay');
      relay = await startRelay(store, loadRelayConfig(config.env), {
        info: (m) => relayLog.log(m),
        warn: (m) => relayLog.warn(m),
        error: (m) => relayLog.error(m),
      });
    }
    if (config.processors.has('watcher')) {
      let readModels = options.readModels;
      if (!readModels) {
        readModels = ownReadModels = openReadModelDb(config.readModelFile);
        // The projector may not have created the tables yet; the watcher reads them from the first round.
        caseInboxProjection.setup(readModels);
        setupScoringReadModel(readModels);
      }
      const w = watchCases(services.handle, services.directory, readModels, clock, config.watcherIntervalMs, calendars);
      watcher = w;
      calendars.onChange(() => w.poke());
      if (clock instanceof SimulatedClock) clock.onAdvance(() => w.poke());
      w.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { runners, watcher, relay, stop };
}
