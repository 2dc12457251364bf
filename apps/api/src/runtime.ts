import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { CalendarRegistry } from '@chuishao/calendar';
import type { CasePolicy } from '@chuishao/domain';
import type { EventStore } from '@chuishao/event-store';
import { caseInboxProjection, openReadModelDb, type ProjectionRunner } from '@chuishao/projections';
import { setupScoringReadModel } from '@chuishao/scoring';
import { openServices, startProcessors, type AppConfig, type Clock, type LogFactory } from '@chuishao/runtime';
import type { DeadlineWatcher } from '@chuishao/watcher';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { checkJsonDepth, refuseUnsafeValues, requireJsonBody } from './http/body-guards';
import { RouteMethods } from './http/method-not-allowed';
import { validationPipe } from './http/validation';
import { setupOpenApi } from './openapi/openapi.setup';
import { ReadModels } from './read-models';
import { serveConsole } from './console/serve-console';
import type { RunningRelay } from '@chuishao/relay';
import { applyHttpTimeouts } from './http/timeouts';
import { isApiPath, requestEntry } from './http/request-entry';
import { readModelLag } from '@chuishao/runtime';
import { Metrics } from './observability/metrics';
import { startMetricsServer, type MetricsServer } from '@chuishao/runtime';

export interface Runtime {
  app: INestApplication;
  store: EventStore;
  runners: ProjectionRunner[];
  watcher: DeadlineWatcher | null;
  calendars: CalendarRegistry;
  metrics: Metrics;
  /** The port /metrics is served on when METRICS_PORT is set (0 picks a free one); null otherwise. */
  metricsPort: number | null;
  /** Reads the calendar files again (SIGHUP): a refused file leaves the calendar in force. */
  reloadCalendar(): ReturnType<CalendarRegistry['reload']>;
  close(): Promise<void>;
}

/**
 * Assembles the service: event store, directory, read models, the API, and (embedded mode) the
 * projector in the same process. Tests call this too, with their own clock and data dir.
 */
export async function createRuntime(config: AppConfig, options: { clock?: Clock; policy?: CasePolicy; logger?: false } = {}): Promise<Runtime> {
  const log: LogFactory = (context) => {
    const logger = new Logger(context);
    return { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m), debug: (m) => logger.debug(m) };
  };
  // JSON logs: what is logged before the app's logger exists waits for it, so every line is JSON.
  const json = options.logger !== false && config.logFormat === 'json';
  if (json) Logger.attachBuffer();
  let relay: RunningRelay | null = null;
  let readDb: ReturnType<typeof openReadModelDb> | null = null;
  const metrics = new Metrics({
    readModels: async () => (readDb ? readModelLag(readDb, await store.headPosition()) : {}),
    ...(config.processors.has('relay')
      ? {
          relay: () => {
            const status = relay?.status();
            return status ? { events: status.lagEvents, seconds: status.lagSeconds } : null;
          },
        }
      : {}),
  });
  const services = openServices(config, { clock: options.clock, policy: options.policy, log, observeCommands: metrics.command });
  const { store, directory, clock, policy, catalog, calendars } = services;
  // The API reads the read models through its own connection, as it would from another process.
  readDb = openReadModelDb(config.readModelFile);
  caseInboxProjection.setup(readDb);
  setupScoringReadModel(readDb);
  const readModels = new ReadModels(readDb, config.readModelWaitMs);
  // Loaded only when used: pino and nestjs-pino add ~0.2 s to every start otherwise.
  const logging = json ? (await import('./observability/logging')).jsonLogging(config) : undefined;
  const module = AppModule.with({
    config,
    store,
    directory,
    clock,
    policy,
    policies: services.policies,
    readModels,
    catalog,
    calendars,
    loader: services.loader,
    handle: services.handle,
    metrics,
  });
  // JSON is the only body the API reads: no urlencoded parser probing every request's Content-Type.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: options.logger ?? config.logLevels,
    bodyParser: false,
    ...(json ? { bufferLogs: true } : {}),
  });
  if (logging) {
    app.useLogger(logging.logger);
    app.flushLogs();
  }
  applyHttpTimeouts(app.getHttpServer(), config.http);
  // First: the trace context every later step (log line, metrics, events) uses, no-store, the answer deadline.
  app.use(requestEntry({ answerMs: config.http.answerMs, observers: [metrics.answered, ...(logging ? [logging.answered] : [])] }));
  // Pages (the console, /docs) get helmet's headers; API answers got theirs at the entry.
  const pageHeaders = helmet();
  app.use((req: Request, res: Response, next: NextFunction) => (isApiPath(req) ? next() : pageHeaders(req, res, next)));
  serveConsole(app, config);
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: '256kb', verify: checkJsonDepth });
  app.use(refuseUnsafeValues);
  app.useGlobalPipes(validationPipe());
  app.disable('x-powered-by');
  // req.ip (rate limits per IP, the audit trail): the socket's address unless TRUST_PROXY names the proxies in front.
  app.set('trust proxy', config.trustProxy);
  // No automatic body-hash ETags: case responses carry their version as the ETag (If-Match), and the other bodies
  // (scorecards and explain stamp asOf = now) change on every request, so hashing them (1.7 MiB for an explain) bought nothing.
  app.set('etag', false);
  app.get(RouteMethods).learn(setupOpenApi(app));
  await app.init();

  const processors = await startProcessors(services, { readModels: readDb, log });
  relay = processors.relay;
  const metricsServer: MetricsServer | null = config.metricsPort === null ? null : await startMetricsServer(metrics, config.metricsPort);

  return {
    app,
    store,
    runners: processors.runners,
    watcher: processors.watcher,
    calendars,
    metrics,
    metricsPort: metricsServer?.port ?? null,
    reloadCalendar: () => services.reloadCalendar(),
    async close() {
      await processors.stop();
      await app.close();
      await metricsServer?.close();
      readDb?.close();
      await store.close();
    },
  };
}
