import { Inject, Injectable } from '@nestjs/common';
import { CaseNotFound, canSee, foldCase, type Actor, type CaseState } from '@chuishao/domain';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import { EVENT_STORE } from '../tokens';
import { streamOf, toCaseEvent } from './case-commands';

/** Reads a case straight from its stream (always current), or answers 404 to whoever may not see it. */
@Injectable()
export class CaseReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(caseId: string, actor: Actor): Promise<{ state: CaseState; history: RecordedEvent[] }> {
    const history = await this.store.readStream(streamOf(caseId));
    const state = foldCase(history.map(toCaseEvent));
    if (!state || !canSee(actor, state)) throw CaseNotFound.because(caseId);
    return { state, history };
  }
}
