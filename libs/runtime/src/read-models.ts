import { caseInboxGenerations, caseInboxProjection, type GenerationalProjection, type Projection } from '@chuishao/projections';
import { scoringGenerations, scoringPartsProjection } from '@chuishao/scoring';

/** Every read model the projector keeps, each with its own checkpoint: the inbox and the scorecards' part facts. */
export const PROJECTIONS: readonly Projection[] = [caseInboxProjection, scoringPartsProjection];

/** Every read model that can be rebuilt while the service keeps serving it. */
export const REBUILDABLE: Readonly<Record<string, GenerationalProjection>> = {
  [caseInboxGenerations.name]: caseInboxGenerations,
  [scoringGenerations.name]: scoringGenerations,
};
