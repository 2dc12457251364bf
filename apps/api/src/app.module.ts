import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { CaseLoader, type CaseCommandHandler } from '@chuishao/commands';
import type { CasePolicy } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import type { EventStore } from '@chuishao/event-store';
import type { PolicyBook } from '@chuishao/policy';
import { AuditTrail } from './audit/audit-trail';
import { ListAuditRoute } from './audit/list-audit.route';
import { AuthGuard } from './auth/auth.guard';
import { DevTokensRoute } from './auth/dev-tokens.route';
import { TokenService } from './auth/token.service';
import { BlowWhistleRoute } from './cases/blow-whistle/blow-whistle.route';
import { CaseReader } from './cases/case-reader';
import { CompleteRoute } from './cases/complete/complete.route';
import { GetCaseEventsHandler, GetCaseEventsRoute } from './cases/get-case-events/get-case-events.route';
import { GetCaseHandler, GetCaseRoute } from './cases/get-case/get-case.route';
import { ListCasesHandler, ListCasesRoute } from './cases/list-cases/list-cases.route';
import { RespondRoute } from './cases/respond/respond.route';
import { ReviewRoute } from './cases/review/review.route';
import { TransferRoute } from './cases/transfer/transfer.route';
import { WithdrawRoute } from './cases/withdraw/withdraw.route';
import type { AppConfig, Clock } from '@chuishao/runtime';
import { RouteMethods } from './http/method-not-allowed';
import { ProblemFilter } from './http/problem.filter';
import { rateLimitProviders } from './http/rate-limit';
import { OpenApiRoute } from './openapi/openapi.route';
import { OrgsRoute } from './orgs/orgs.route';
import { CatalogRoute } from './catalog/catalog.route';
import { GetCalendarRoute } from './calendar/get-calendar.route';
import { ConsoleConfigRoute } from './console/console-config.route';
import { HealthRoute } from './health/health.route';
import type { Catalog } from '@chuishao/catalog';
import { DevClockRoute } from './dev/clock.route';
import { ReassignRoute } from './cases/reassign/reassign.route';
import { WORKFLOW_ROUTES } from './cases/workflow-routes';
import { UrgeRoute } from './cases/urge/urge.route';
import { ATTACHMENT_PROVIDERS, ATTACHMENT_ROUTES } from './attachments/attachments.wiring';
import type { ReadModels } from './read-models';
import { SCORECARD_PROVIDERS, SCORECARD_ROUTES } from './scorecards/scorecards.wiring';
import { SCORING_POLICIES } from './scorecards/scorecard.service';
import { ListPoliciesRoute } from './policies/list-policies/list-policies.route';
import { CALENDARS, CATALOG, CLOCK, COMMAND_HANDLER, CONFIG, DIRECTORY, EVENT_STORE, POLICY, POLICY_BOOK, READ_MODELS } from './tokens';

import type { CalendarRegistry } from '@chuishao/calendar';
import type { Metrics } from './observability/metrics';
import { metricsOnApiPort, MetricsRoute } from './observability/metrics.route';
import { METRICS } from './tokens';

export interface AppDependencies {
  config: AppConfig;
  store: EventStore;
  directory: Directory;
  clock: Clock;
  policy: CasePolicy;
  /** The versioned assessment policy: the scorecards' weights (SCORING_POLICIES) and GET /v1/policies. */
  policies: PolicyBook;
  readModels: ReadModels;
  catalog: Catalog;
  /** The working calendar in force (its coverage is reported on /v1/health). */
  calendars: CalendarRegistry;
  /** One cache of case folds for the reader and the command handler, so reads warm what commands decide on. */
  loader: CaseLoader;
  /** The one command path (libs/commands), shared with the deadline watcher. */
  handle: CaseCommandHandler;
  /** Prometheus metrics (served at /metrics; the command path reports to them). */
  metrics: Metrics;
}

@Module({})
export class AppModule {
  /** The HTTP API over given parts: the same wiring serves `npm start`, docker and the e2e tests. */
  static with(deps: AppDependencies): DynamicModule {
    const limits = rateLimitProviders(deps.config.rateLimits);
    return {
      module: AppModule,
      // The queries' bus; commands go straight to the library handler (COMMAND_HANDLER).
      imports: [CqrsModule.forRoot()],
      controllers: [
        OrgsRoute,
        CatalogRoute,
        GetCalendarRoute,
        HealthRoute,
        OpenApiRoute,
        ConsoleConfigRoute,
        ...(deps.config.production ? [] : [DevTokensRoute]),
        ...(deps.config.clock === 'simulated' ? [DevClockRoute] : []),
        BlowWhistleRoute,
        ListCasesRoute,
        GetCaseRoute,
        GetCaseEventsRoute,
        RespondRoute,
        TransferRoute,
        CompleteRoute,
        ReviewRoute,
        WithdrawRoute,
        UrgeRoute,
        ReassignRoute,
        ...WORKFLOW_ROUTES,
        ...SCORECARD_ROUTES,
        ListPoliciesRoute,
        ...ATTACHMENT_ROUTES,
        ListAuditRoute,
        ...(metricsOnApiPort(deps.config) ? [MetricsRoute] : []),
      ],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: DIRECTORY, useValue: deps.directory },
        { provide: CLOCK, useValue: deps.clock },
        { provide: POLICY, useValue: deps.policy },
        { provide: POLICY_BOOK, useValue: deps.policies },
        { provide: SCORING_POLICIES, useValue: deps.policies.scoring },
        { provide: CATALOG, useValue: deps.catalog },
        { provide: CALENDARS, useValue: deps.calendars },
        { provide: READ_MODELS, useValue: deps.readModels },
        { provide: METRICS, useValue: deps.metrics },
        { provide: TokenService, useFactory: () => new TokenService(deps.config, deps.directory) },
        ...limits.before,
        { provide: APP_GUARD, useClass: AuthGuard },
        ...limits.after,
        { provide: AuditTrail, useFactory: () => new AuditTrail(deps.store, deps.clock, deps.config.audit) },
        { provide: RouteMethods, useValue: new RouteMethods() },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: CaseLoader, useValue: deps.loader },
        { provide: COMMAND_HANDLER, useValue: deps.handle },
        CaseReader,
        GetCaseHandler,
        GetCaseEventsHandler,
        ListCasesHandler,
        ...SCORECARD_PROVIDERS,
        ...ATTACHMENT_PROVIDERS,
      ],
    };
  }
}
