import { AppealReviewRoute } from './appeal-review/appeal-review.route';
import { DecideAppealRoute } from './decide-appeal/decide-appeal.route';
import { DecideExtensionRoute } from './decide-extension/decide-extension.route';
import { DecideReturnRoute } from './decide-return/decide-return.route';
import { RequestExtensionRoute } from './request-extension/request-extension.route';
import { ReturnPartRoute } from './return-part/return-part.route';

/** The practice's moves: 延期 (extension requests and decisions), 退单/审定 (returns and decisions), 申诉 (appeals and decisions). */
export const WORKFLOW_ROUTES = [RequestExtensionRoute, DecideExtensionRoute, ReturnPartRoute, DecideReturnRoute, AppealReviewRoute, DecideAppealRoute];
