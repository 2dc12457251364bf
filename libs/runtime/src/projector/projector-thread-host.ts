import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProcessorLog } from '../processors';
import type { ProjectorThreadData } from './projector-thread';

/**
 * Folding events allocates many short-lived objects: a larger young generation (V8's default semi-space is
 * 16 MiB; this is 3 x 64 MiB, as `--max-semi-space-size=64` gives apps/projector) cut a 1M-event rebuild by ~11%.
 */
const PROJECTOR_YOUNG_GENERATION_MB = 192;

/** Runs the projectors on a worker thread; only from the compiled build (a Worker does not load TypeScript). */
export class ProjectorThread {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  private constructor(data: ProjectorThreadData, entry: string, log: ProcessorLog) {
    this.worker = new Worker(entry, { workerData: data, name: 'projector', resourceLimits: { maxYoungGenerationSizeMb: PROJECTOR_YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: { type: string; projection?: string; message?: string }) => {
      // A projection that cannot apply an event stops there, loudly, rather than skip it.
      if (m.type === 'failed') log.error(`projection ${m.projection} stopped: ${m.message}`);
    });
    this.worker.on('error', (error) => log.error(`projector thread failed: ${error.message}`));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  static available(): boolean {
    return existsSync(ProjectorThread.entry());
  }

  static start(data: ProjectorThreadData, log: ProcessorLog): ProjectorThread {
    return new ProjectorThread(data, ProjectorThread.entry(), log);
  }

  private static entry(): string {
    return join(__dirname, 'projector-thread.js');
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ type: 'stop' });
    const stopped = new Promise<void>((resolve) => this.worker.once('message', (m: { type: string }) => m.type === 'stopped' && resolve()));
    await Promise.race([stopped, this.exited, new Promise((r) => setTimeout(r, 5000))]);
    await this.worker.terminate();
  }
}
