import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { calendarCoverage, CalendarRegistry } from '@chuishao/calendar';
import { Catalog } from '@chuishao/catalog';
import { CaseLoader, caseCommandHandler, type CaseCommandHandler, type CommandObservation } from '@chuishao/commands';
import { countyPolicy } from '@chuishao/deadlines';
import { Directory } from '@chuishao/directory';
import type { CasePolicy } from '@chuishao/domain';
import { createEventStore, type EventStore } from '@chuishao/event-store';
import { policyBookOf, type PolicyBook } from '@chuishao/policy';
import { SimulatedClock, systemClock, type Clock } from './clock';
import type { AppConfig } from './config';

/** Where the runtime's few lines go: the API passes a Nest logger, the standalone processes the console. */
export interface ProcessorLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}
export type LogFactory = (context: string) => ProcessorLog;

export const consoleLog: LogFactory = (context) => ({
  log: (m) => console.log(`${new Date().toISOString()} [${context}] ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} [${context}] WARN ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} [${context}] ERROR ${m}`),
});

/** What every process of the service shares: the store, the county's data, the policy and the one command path. */
export interface Services {
  config: AppConfig;
  clock: Clock;
  store: EventStore;
  directory: Directory;
  calendars: CalendarRegistry;
  catalog: Catalog;
  policy: CasePolicy;
  /** The versioned assessment policy (POLICY_FILE or the bundled one): the scorecards' weights and the moves' limits. */
  policies: PolicyBook;
  /** One cache of case folds for readers and the command handler, so reads warm what commands decide on. */
  loader: CaseLoader;
  handle: CaseCommandHandler;
  /** Reads the calendar files again (SIGHUP): a refused file leaves the calendar in force. */
  reloadCalendar(): ReturnType<CalendarRegistry['reload']>;
}

/** Opens the stores and loads the county's directory, calendar, catalogue and policy; tests pass their own clock. */
export function openServices(
  config: AppConfig,
  options: { clock?: Clock; policy?: CasePolicy; log?: LogFactory; observeCommands?: (observation: CommandObservation) => void } = {},
): Services {
  const log = options.log ?? consoleLog;
  mkdirSync(config.dataDir, { recursive: true });
  const clock = options.clock ?? (config.clock === 'simulated' ? new SimulatedClock(config.dataDir) : systemClock);
  // The embedded store records events by the application's clock, so recordedAt and occurredAt agree in every mode.
  const store = createEventStore(config.store, () => clock.now());
  const directory = config.directoryFile ? Directory.load(config.directoryFile) : Directory.demo();
  if (config.production && !config.directoryFile)
    log('directory').warn('serving the bundled demo county (ALLOW_DEMO_DIRECTORY=true); set DIRECTORY_FILE to the county directory');
  const calendars = CalendarRegistry.open({
    file: config.calendarFile,
    dir: config.calendarDir,
    // The last calendar in force, so that a restart with a broken file keeps serving on it.
    snapshotFile: join(config.dataDir, 'calendar-in-force.json'),
    now: () => clock.now(),
  });
  const catalog = config.catalogFile
    ? Catalog.load(config.catalogFile, {
        knownDepartmentIds: directory
          .list()
          .filter((o) => o.type === 'department')
          .map((o) => o.id),
      })
    : Catalog.demo();
  const policies = policyBookOf(config.policyFile);
  // The moves' limits of the version in force at the instant decide() asks (the application's clock), so a version
  // that comes into force while serving applies from its effectiveFrom on, without a restart.
  const policy =
    options.policy ??
    countyPolicy(calendars, catalog, () => {
      const inForce = policies.inForceAt(clock.now().getTime());
      return { ...inForce.limits, version: inForce.version };
    });
  const calendarLog = log('calendar');
  logCalendar(calendars, clock, calendarLog);
  const loader = new CaseLoader(store);
  // Debug, not log: the appended events already record who did what; at thousands of commands a second a
  // formatted, synchronously written line each was ~7% of the HTTP thread (bench:lifecycle).
  const commandLog = log('commands');
  const handle = caseCommandHandler({ store, policy, clock, loader, debug: (line) => commandLog.debug?.(line), observe: options.observeCommands });
  return {
    config,
    clock,
    store,
    directory,
    calendars,
    catalog,
    policy,
    policies,
    loader,
    handle,
    reloadCalendar() {
      const result = calendars.reload();
      if (result.ok) calendarLog.log(`calendar reloaded: ${result.version}${result.changed ? '' : ' (unchanged)'}`);
      else calendarLog.error(`calendar reload refused, ${calendars.current.version} stays in force: ${result.refusal.problems.join('; ')}`);
      logCalendar(calendars, clock, calendarLog);
      return result;
    },
  };
}

/** At start and after a reload: the calendar in force, and what the operator has to load or fix. */
function logCalendar(calendars: CalendarRegistry, clock: Clock, log: ProcessorLog): void {
  const coverage = calendarCoverage(calendars.current, clock.now(), calendars.lastRefusal);
  const official = calendars.current.officialYears.join(', ');
  if (coverage.refused) log.error(coverage.advice!);
  else if (coverage.advice) log.warn(coverage.advice);
  else log.log(`working calendar ${coverage.version}, official years ${official}`);
}
