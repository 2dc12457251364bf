import { Inject, Injectable } from '@nestjs/common';
import { CaseLoader } from '@chuishao/commands';
import { CaseNotFound, canSee, caseStream, type Actor, type CaseState } from '@chuishao/domain';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import { EVENT_STORE } from '../tokens';

/** Reads a case (always current), or answers 404 to whoever may not see it. */
@Injectable()
export class CaseReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly loader: CaseLoader,
  ) {}

  async load(caseId: string, actor: Actor): Promise<{ state: CaseState; version: number; position: number }> {
    const { state, version, position } = await this.loader.load(caseId);
    if (!state || !canSee(actor, state)) throw CaseNotFound.because(caseId);
    return { state, version, position };
  }

  async history(caseId: string, actor: Actor): Promise<RecordedEvent[]> {
    await this.load(caseId, actor);
    return this.store.readStream(caseStream(caseId));
  }
}
