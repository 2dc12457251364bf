import { ExplainScorecardHandler, ExplainScorecardRoute } from './explain-scorecard/explain-scorecard.route';
import { GetDepartmentScorecardHandler, GetDepartmentScorecardRoute } from './get-department-scorecard/get-department-scorecard.route';
import { ListScorecardsHandler, ListScorecardsRoute } from './list-scorecards/list-scorecards.route';
import { ScorecardService } from './scorecard.service';

/** What app.module.ts registers for the scorecards (one spread each, to keep that file's edit small). */
export const SCORECARD_ROUTES = [ListScorecardsRoute, GetDepartmentScorecardRoute, ExplainScorecardRoute];
export const SCORECARD_PROVIDERS = [ScorecardService, ListScorecardsHandler, GetDepartmentScorecardHandler, ExplainScorecardHandler];
