import { caseInboxGenerations, type GenerationalProjection } from '@chuishao/projections';
import { scoringGenerations } from '@chuishao/scoring';

/** Every read model that can be rebuilt while the service keeps serving it. */
export const REBUILDABLE: Readonly<Record<string, GenerationalProjection>> = {
  [caseInboxGenerations.name]: caseInboxGenerations,
  [scoringGenerations.name]: scoringGenerations,
};
