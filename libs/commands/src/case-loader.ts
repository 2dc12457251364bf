import { caseStream, decode, evolve, type CaseStateOrNone } from '@chuishao/domain';
import type { EventStore } from '@chuishao/event-store';

/** A case folded up to `version` (-1: no events), with the position of its last event. */
export interface LoadedCase {
  state: CaseStateOrNone;
  version: number;
  position: number;
}

const DEFAULT_MAX_CACHED = 20_000;
const EMPTY: LoadedCase = Object.freeze({ state: null, version: -1, position: -1 });

/**
 * Loads case state. The store is the truth; the cache only remembers folds it already did, and every
 * load still reads the stream from the cached revision on, so another writer's events are never missed.
 * `cached` skips that read, for callers whose result the store checks anyway (an append's expected revision).
 */
export class CaseLoader {
  private readonly cache = new Map<string, LoadedCase>();

  constructor(
    private readonly store: EventStore,
    private readonly maxCached = DEFAULT_MAX_CACHED,
  ) {}

  async load(caseId: string): Promise<LoadedCase> {
    const cached = this.cached(caseId);
    const newer = await this.store.readStream(caseStream(caseId), { fromRevision: cached.version + 1 });
    if (newer.length === 0) return cached;
    const last = newer[newer.length - 1];
    const loaded = { state: newer.reduce((s, e) => evolve(s, decode(e)), cached.state), version: last.revision, position: last.position };
    this.remember(caseId, loaded);
    return loaded;
  }

  /** The fold as far as this process has seen it, without reading the store (no events yet: an empty case). */
  cached(caseId: string): LoadedCase {
    return this.cache.get(caseId) ?? EMPTY;
  }

  /** After an append this process made: the new fold, without reading it back. */
  remember(caseId: string, loaded: LoadedCase): void {
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.delete(caseId);
    this.cache.set(caseId, loaded);
  }
}
