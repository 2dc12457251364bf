import { rebuildFromCommandLine } from '../../../projector/src/rebuild.command';

/**
 * Rebuilds the scoring read model while the service keeps serving it (kept for its documented name;
 * `dist/apps/projector/src/rebuild.command.js <read model>` rebuilds any read model the same way):
 *
 *   node --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js dist/apps/api/src/scorecards/rebuild-scorecards.command.js
 */
void rebuildFromCommandLine('scoring-parts');
