import { rebuildFromCommandLine } from '../../../projector/src/rebuild.command';

/**
 * Rebuilds the scoring read model while the service keeps serving it (kept for its documented name;
 * `npm run rebuild -- <read model>` rebuilds any read model the same way), on Node 24:
 *
 *   node --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js dist/apps/api/src/scorecards/rebuild-scorecards.command.js
 */
void rebuildFromCommandLine('scoring-parts');
