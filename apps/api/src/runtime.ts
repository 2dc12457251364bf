import { mkdirSync } from 'node:fs';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { CasePolicy } from '@chuishao/domain';
import { join } from 'node:path';
import { calendarCoverage, CalendarRegistry } from '@chuishao/calendar';
import { Catalog } from '@chuishao/catalog';
import { countyPolicy } from '@chuishao/deadlines';
import { Directory } from '@chuishao/directory';
import { createEventStore, type EventStore } from '@chuishao/event-store';
import { caseInboxProjection, openReadModelDb, ProjectionRunner } from '@chuishao/projections';
import { setupScoringReadModel } from '@chuishao/scoring';
import { PROJECTIONS } from '../../projector/src/projections';
import { ProjectorThread } from '../../projector/src/projector-thread-host';
import { AppModule } from './app.module';
import { SimulatedClock, systemClock, type Clock } from '@chuishao/runtime';
import { watchCases } from '../../watcher/src/watch-cases';
import type { DeadlineWatcher } from '../../watcher/src/deadline-watcher';
import { startRelay, type RunningRelay } from '../../relay/src/start-relay';
import type { AppConfig } from '@chuishao/runtime';
import helmet from 'helmet';
import { checkJsonDepth, refuseUnsafeValues, requireJsonBody } from './http/body-guards';
import { methodNotAllowed } from './http/method-not-allowed';
import { validationPipe } from './http/validation';
import { COMMAND_HANDLER } from './tokens';
import { setupOpenApi } from './openapi/openapi.setup';
import { ReadModels } from './read-models';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { applyHttpTimeouts } from './http/timeouts';
import { readModelLag } from './health/read-model-lag';
import { jsonLogging } from './observability/logging';
import { Metrics } from './observability/metrics';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server';
import { traceContext } from './observability/trace-context';

/**
 * How often the projector thread looks for new events (it cannot see this thread's commits). Under load a longer
 * interval means fewer, larger batches, each with its own read-model transaction and checkpoint: bench:lifecycle
 * measured ~0.13 ms projector CPU per command at 10 ms, ~0.07 ms at 50 ms. Read models then trail the store by up to
 * 50 ms more; `minPosition` reads wait for them as before.
 */
const PROJECTOR_POLL_MS = 50;

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
export async function createRuntime(
  config: AppConfig,
  options: { clock?: Clock; policy?: CasePolicy; logger?: false } = {},
): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true });
  // JSON logs: what is logged before the app's logger exists waits for it, so every line is JSON.
  const json = options.logger !== false && config.logFormat === 'json';
  if (json) Logger.attachBuffer();
  const clock = options.clock ?? (config.clock === 'simulated' ? new SimulatedClock(config.dataDir) : systemClock);
  // The embedded store records events by the application's clock, so recordedAt and occurredAt agree in every mode.
  const store = createEventStore(config.store, () => clock.now());
  const directory = config.directoryFile ? Directory.load(config.directoryFile) : Directory.demo();
  if (config.production && !config.directoryFile) new Logger('directory').warn('serving the bundled demo county (ALLOW_DEMO_DIRECTORY=true); set DIRECTORY_FILE to the county directory');
  const runners: ProjectionRunner[] = [];
  let projectorThread: ProjectorThread | null = null;
  if (config.processors.has('projector')) {
    if (config.store.kind === 'sqlite' && config.projectorThread && ProjectorThread.available()) {
      const { file, synchronous } = config.store;
      projectorThread = ProjectorThread.start({ storeFile: file, synchronous, readModelFile: config.readModelFile, pollIntervalMs: PROJECTOR_POLL_MS });
    } else {
      const runner = new ProjectionRunner(store, openReadModelDb(config.readModelFile), PROJECTIONS);
      runner.start();
      runners.push(runner);
    }
  }
  // The API reads the read models through its own connection, as it would from another process.
  const readDb = openReadModelDb(config.readModelFile);
  caseInboxProjection.setup(readDb);
  setupScoringReadModel(readDb);
  const readModels = new ReadModels(readDb, config.readModelWaitMs);

  const calendars = CalendarRegistry.open({
    file: config.calendarFile,
    dir: config.calendarDir,
    // The last calendar in force, so that a restart with a broken file keeps serving on it.
    snapshotFile: join(config.dataDir, 'calendar-in-force.json'),
    now: () => clock.now(),
  });
  const catalog = config.catalogFile
    ? Catalog.load(config.catalogFile, { knownDepartmentIds: directory.list().filter((o) => o.type === 'department').map((o) => o.id) })
    : Catalog.demo();
  const policy = options.policy ?? countyPolicy(calendars, catalog);
  const calendarLog = new Logger('calendar');
  logCalendar(calendars, clock, calendarLog);
  let relay: RunningRelay | null = null;
  const metrics = new Metrics({
    readModels: async () => readModelLag(readDb, await store.headPosition()),
    relay: () => {
      const status = relay?.status();
      return status ? { events: status.lagEvents, seconds: status.lagSeconds } : null;
    },
  });
  const logging = json ? jsonLogging(config) : undefined;
  const module = AppModule.with({ config, store, directory, clock, policy, readModels, catalog, calendars, metrics, logging });
  // JSON is the only body the API reads: no urlencoded parser probing every request's Content-Type.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: options.logger ?? config.logLevels, bodyParser: false, ...(json ? { bufferLogs: true } : {}),
  });
  if (json) {
    app.useLogger(app.get(PinoNestLogger));
    app.flushLogs();
  }
  applyHttpTimeouts(app.getHttpServer(), config.http);
  // First: the correlation id and trace context every later step (log line, metrics, events) uses.
  app.use(traceContext);
  app.use(metrics.http);
  app.use(helmet());
  // Answers about cases and people are never to sit in a shared proxy or a browser's cache.
  app.use('/v1', (_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: '256kb', verify: checkJsonDepth });
  app.use(refuseUnsafeValues);
  const methods = methodNotAllowed();
  app.use(methods.middleware);
  app.useGlobalPipes(validationPipe());
  app.disable('x-powered-by');
  // No automatic body-hash ETags: case responses carry their version as the ETag (If-Match), and the other bodies
  // (scorecards and explain stamp asOf = now) change on every request, so hashing them (1.7 MiB for an explain) bought nothing.
  app.set('etag', false);
  methods.learn(setupOpenApi(app));
  await app.init();

  if (config.processors.has('relay')) {
    const log = new Logger('relay');
    relay = await startRelay(store, config.env, { info: (m) => log.log(m), warn: (m) => log.warn(m), error: (m) => log.error(m) });
  }

  let watcher: DeadlineWatcher | null = null;
  if (config.processors.has('watcher')) {
    watcher = watchCases(app.get(COMMAND_HANDLER), directory, readDb, clock, config.watcherIntervalMs, calendars);
    calendars.onChange(() => watcher?.poke());
    if (clock instanceof SimulatedClock) clock.onAdvance(() => watcher?.poke());
    watcher.start();
  }

  const metricsServer: MetricsServer | null = config.metricsPort === null ? null : await startMetricsServer(metrics, config.metricsPort);

  return {
    app,
    store,
    runners,
    watcher,
    calendars,
    metrics,
    metricsPort: metricsServer?.port ?? null,
    reloadCalendar() {
      const result = calendars.reload();
      if (result.ok) calendarLog.log(`calendar reloaded: ${result.version}${result.changed ? '' : ' (unchanged)'}`);
      else calendarLog.error(`calendar reload refused, ${calendars.current.version} stays in force: ${result.refusal.problems.join('; ')}`);
      logCalendar(calendars, clock, calendarLog);
      return result;
    },
    async close() {
      await watcher?.stop();
      await relay?.stop();
      await app.close();
      await metricsServer?.close();
      await Promise.all(runners.map((r) => r.stop()));
      await projectorThread?.stop();
      readDb.close();
      await store.close();
    },
  };
}

/** At start and after a reload: the calendar in force, and what the operator has to load or fix. */
function logCalendar(calendars: CalendarRegistry, clock: Clock, log: Logger): void {
  const coverage = calendarCoverage(calendars.current, clock.now(), calendars.lastRefusal);
  const official = calendars.current.officialYears.join(', ');
  if (coverage.refused) log.error(coverage.advice!);
  else if (coverage.advice) log.warn(coverage.advice);
  else log.log(`working calendar ${coverage.version}, official years ${official}`);
}
