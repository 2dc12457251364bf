import { resolve } from 'node:path';

export type StoreConfig = { kind: 'sqlite'; file: string; synchronous: 'FULL' | 'NORMAL' | 'OFF' } | { kind: 'eventstoredb'; url: string };

export interface AppConfig {
  production: boolean;
  port: number;
  dataDir: string;
  store: StoreConfig;
  readModelFile: string;
  directoryFile: string | null;
  /** The whistle catalogue (吹哨清单) and the working calendar; the bundled demo/national ones by default. */
  catalogFile: string | null;
  calendarFile: string | null;
  /** Official arrangements one per file (`<YYYY>.json`), added to the calendar file's years. */
  calendarDir: string | null;
  auth: { jwtSecret: string | null; jwksUrl: string | null; issuer: string | null; audience: string | null };
  /**
   * Background processors run in this process: all of them in the embedded `npm start` (PROCESSORS=inline),
   * none when each runs as its own process (PROCESSORS=external), or a comma list (projector,watcher,relay).
   */
  processors: ReadonlySet<Processor>;
  /** How long `minPosition` queries wait for the read model. */
  readModelWaitMs: number;
  /** `simulated` (development only): server time can be moved forward through /v1/dev/clock/advance. */
  clock: 'system' | 'simulated';
  watcherIntervalMs: number;
  /** Embedded store: run the in-process projectors on a worker thread (PROJECTOR_THREAD=false keeps them on the main one). */
  projectorThread: boolean;
  /** Nest log levels enabled: LOG_LEVEL=log (default) or debug, which adds a line per command (off the hot path otherwise). */
  logLevels: LogLevel[];
  /** The environment this was read from: the relay reads its own settings (KAFKA_*, RELAY_*) from it. */
  env: NodeJS.ProcessEnv;
}

export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** LOG_LEVEL names the most detailed level wanted; everything more severe is logged too. */
function parseLogLevel(value: string): LogLevel[] {
  const at = LOG_LEVELS.indexOf(value as LogLevel);
  if (at < 0) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${value}`);
  return LOG_LEVELS.slice(0, at + 1);
}

export const PROCESSORS = ['projector', 'watcher', 'relay'] as const;
export type Processor = (typeof PROCESSORS)[number];

function parseProcessors(value: string, kafka: boolean): ReadonlySet<Processor> {
  // The relay runs in-process only when there is a broker to relay to.
  if (value === 'inline') return new Set(PROCESSORS.filter((p) => p !== 'relay' || kafka));
  if (value === 'external' || value === 'none') return new Set();
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(PROCESSORS as readonly string[]).includes(n));
  if (unknown.length) throw new ConfigError(`PROCESSORS: unknown ${unknown.join(', ')} (use inline, external, or a list of ${PROCESSORS.join(', ')})`);
  return new Set(names as Processor[]);
}

export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
}

/** Reads the environment once, failing at start-up rather than on the first request. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = (env.CHUISHAO_ENV ?? env.NODE_ENV) === 'production';
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got ${env.PORT}`);
  const synchronous = (env.STORE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (!['FULL', 'NORMAL', 'OFF'].includes(synchronous)) throw new ConfigError('STORE_SYNCHRONOUS must be FULL, NORMAL or OFF');
  const kind = env.EVENT_STORE ?? 'sqlite';
  let store: StoreConfig;
  if (kind === 'sqlite') {
    store = { kind, file: resolve(dataDir, 'events.sqlite'), synchronous: synchronous as 'FULL' };
  } else if (kind === 'eventstoredb') {
    if (!env.EVENTSTORE_URL) throw new ConfigError('EVENT_STORE=eventstoredb needs EVENTSTORE_URL');
    store = { kind, url: env.EVENTSTORE_URL };
  } else {
    throw new ConfigError(`EVENT_STORE must be sqlite or eventstoredb, got ${kind}`);
  }
  const auth = {
    jwtSecret: env.JWT_SECRET || null,
    jwksUrl: env.JWKS_URL || null,
    issuer: env.JWT_ISSUER || null,
    audience: env.JWT_AUDIENCE || null,
  };
  if (production && !auth.jwtSecret && !auth.jwksUrl) {
    throw new ConfigError('production mode needs JWT_SECRET or JWKS_URL; refusing to start without real authentication');
  }
  if (auth.jwtSecret && auth.jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  const clock = env.CLOCK ?? 'system';
  if (clock !== 'system' && clock !== 'simulated') throw new ConfigError(`CLOCK must be system or simulated, got ${clock}`);
  if (production && clock === 'simulated') throw new ConfigError('CLOCK=simulated is for development only');
  return {
    production,
    clock,
    env,
    projectorThread: (env.PROJECTOR_THREAD ?? 'true') !== 'false',
    watcherIntervalMs: Number(env.WATCHER_INTERVAL_MS ?? 1000),
    port,
    dataDir,
    store,
    readModelFile: resolve(env.READ_MODEL_FILE ?? resolve(dataDir, 'read-models.sqlite')),
    directoryFile: env.DIRECTORY_FILE ? resolve(env.DIRECTORY_FILE) : null,
    catalogFile: env.CATALOG_FILE ? resolve(env.CATALOG_FILE) : null,
    calendarFile: env.CALENDAR_FILE ? resolve(env.CALENDAR_FILE) : null,
    calendarDir: env.CALENDAR_DIR ? resolve(env.CALENDAR_DIR) : null,
    auth,
    processors: parseProcessors(env.PROCESSORS ?? 'inline', Boolean(env.KAFKA_BROKERS)),
    readModelWaitMs: Number(env.READ_MODEL_WAIT_MS ?? 5000),
    logLevels: parseLogLevel(env.LOG_LEVEL ?? 'log'),
  };
}
