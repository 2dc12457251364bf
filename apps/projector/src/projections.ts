import { caseInboxProjection, type Projection } from '@chuishao/projections';
import { scoringPartsProjection } from '@chuishao/scoring';

/** Every read model the projector keeps, each with its own checkpoint: the inbox and the scorecards' part facts. */
export const PROJECTIONS: readonly Projection[] = [caseInboxProjection, scoringPartsProjection];
