import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import type { RelayCheckpointStore } from './checkpoint-store';
import { originOf, type CaseOrigin } from './envelope';

const CACHE_LIMIT = 50_000;

/**
 * Finds each case's county and township for its later events. Looked up in order: this process's
 * memory, the checkpoint file (origins committed with earlier checkpoints), and finally the case's
 * first event in the store, which is always right, so a lost or fresh checkpoint file costs a read,
 * never a wrong ce_source.
 */
export class CaseOrigins {
  private readonly cache = new Map<string, CaseOrigin>();
  /** Learnt since the last commit; persisted together with the next checkpoint. */
  private unsaved = new Map<string, CaseOrigin>();

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpointStore,
  ) {}

  /** The case's origin, or a sentence saying why there is none (the event then goes to the dead-letter topic). */
  async resolve(event: RecordedEvent, caseId: string): Promise<CaseOrigin | string> {
    if (event.type === 'WhistleBlown') {
      const declared = originOf(event);
      if (typeof declared !== 'string') this.learn(caseId, declared, true);
      return declared;
    }
    const cached = this.cache.get(caseId);
    if (cached) {
      this.touch(caseId, cached);
      return cached;
    }
    const saved = this.checkpoints.origin(caseId);
    if (saved) {
      this.touch(caseId, saved);
      return saved;
    }
    const [first] = await this.store.readStream(event.streamName, { fromRevision: 0, toRevision: 0 });
    if (first?.type !== 'WhistleBlown') {
      return `case ${caseId} does not start with a WhistleBlown event, so its county is unknown`;
    }
    const origin = originOf(first);
    if (typeof origin !== 'string') this.learn(caseId, origin, true);
    return origin;
  }

  /** Origins to persist with the checkpoint; the caller commits them. */
  takeUnsaved(): Map<string, CaseOrigin> {
    const taken = this.unsaved;
    this.unsaved = new Map();
    return taken;
  }

  private learn(caseId: string, origin: CaseOrigin, unsaved: boolean): void {
    if (unsaved) this.unsaved.set(caseId, origin);
    this.touch(caseId, origin);
  }

  /** Re-inserting moves the case to the end of the Map's order, which makes the cache least-recently-used. */
  private touch(caseId: string, origin: CaseOrigin): void {
    this.cache.delete(caseId);
    this.cache.set(caseId, origin);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
  }
}
