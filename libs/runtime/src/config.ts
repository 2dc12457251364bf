import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { commonRules, commonShape, environmentOf, logFormatOf, port, storeOf, type Environment, type StoreConfig } from './common';
import { ConfigError, flag, integer, oneOf, problemsOf, variable, withRules, type Rule } from './env';
import { loadPolicyBook, PolicyFileInvalid } from '@chuishao/policy';
import { relaySchema } from './relay-config';

export interface AppConfig {
  production: boolean;
  /** CHUISHAO_ENV, else NODE_ENV, else development; only production changes behaviour. */
  environment: Environment;
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
  /** The versioned assessment policy (weights, ranking threshold, the moves' limits); the bundled one by default. Checked here. */
  policyFile: string | null;
  auth: {
    jwtSecret: string | null;
    jwksUrl: string | null;
    issuer: string | null;
    audience: string | null;
    /** The longest a bearer token may live (exp − iat). */
    maxTokenLifetimeSeconds: number;
  };
  /** Requests per window and caller; counts shared in Redis when `redisUrl` is set (several API instances). */
  rateLimits: RateLimits;
  /**
   * Which peers may state the client's address in X-Forwarded-For (Express's `trust proxy`): `false` (the socket's
   * address is the client's), a hop count, or the proxies' addresses, CIDRs or `loopback`/`linklocal`/`uniquelocal`.
   * The rate limits per IP and the audit trail use the address Express derives from it (req.ip).
   */
  trustProxy: TrustProxy;
  /** The audit trail of refusals: how much of a flood is recorded one by one, and how often records are stored. */
  audit: AuditSettings;
  /** Production on the bundled demo directory only when asked for (ALLOW_DEMO_DIRECTORY=true). */
  allowDemoDirectory: boolean;
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
  /** Node's HTTP server limits, so a slow client cannot hold a connection (and its memory) for long. */
  http: HttpTimeouts;
  /** Log lines as JSON (pino, one line per request) or as Nest's text; JSON by default in production. */
  logFormat: 'json' | 'text';
  /** Bearer token for the operator's views: health details, and /metrics in production. */
  operatorToken: string | null;
  /** Serve /metrics on this port only (not on the API's); null: on the API's port. */
  metricsPort: number | null;
  /** The environment this was read from: the relay reads its own settings (KAFKA_*, RELAY_*) from it. */
  env: NodeJS.ProcessEnv;
  /** The web console's sign-in: OpenID Connect (authorization code + PKCE) at this issuer for this client, when set. */
  oidc: { issuer: string; clientId: string } | null;
}

export interface RateLimits {
  windowSeconds: number;
  /** Per user (org + sub), reads and commands apart. */
  userReads: number;
  userCommands: number;
  /** Per org, all its users together. */
  org: number;
  /** Per user, on top: explain, scorecards for an explicit asOf or policy, exports. */
  heavy: number;
  /** Per client IP: the unauthenticated routes, and refused tokens. */
  ip: number;
  redisUrl: string | null;
}

export type TrustProxy = false | number | string[];

export interface HttpTimeouts {
  /** The request line and headers must have arrived within this (else 408 and the connection closes). */
  headersMs: number;
  /** The whole request, body included, must have arrived within this (else 408 and the connection closes). */
  requestMs: number;
  /** A connection on which nothing is sent or received for this long is closed (also one waiting for an answer). */
  idleMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A request not answered within this from its arrival is answered 503 (its handler may still finish). */
  answerMs: number;
}

export interface AuditSettings {
  /** Refusals of one caller (user, or client IP without a valid token) recorded one by one per minute; the rest counted. */
  refusalsPerMinute: number;
  /** Refusals recorded one by one per minute, every caller together; the rest counted. */
  refusalsTotalPerMinute: number;
  /** How often buffered refusal records are appended to the event store. */
  flushIntervalMs: number;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const PROCESSORS = ['projector', 'watcher', 'relay'] as const;
export type Processor = (typeof PROCESSORS)[number];

const processorList = (value: string) => value.split(',').map((s) => s.trim());
const isProcessors = (value: string) =>
  value === 'inline' || value === 'external' || value === 'none' || processorList(value).every((n) => (PROCESSORS as readonly string[]).includes(n));

/** Express's names for address ranges (proxy-addr); `true` (trust every peer) is not offered: any client could forge its address. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_PROXY_ERROR = 'must be a hop count from 1 to 10, or a comma-separated list of proxy IPs or CIDRs (prefix ≥ 1) or loopback, linklocal, uniquelocal';
function isProxyAddress(item: string): boolean {
  if (PROXY_RANGES.includes(item)) return true;
  const [ip, prefix, ...rest] = item.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}
const trustProxy = () =>
  z.string().transform((value, ctx): TrustProxy => {
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) {
      const hops = Number(trimmed);
      if (hops >= 1 && hops <= 10) return hops;
    } else {
      const items = trimmed.split(',').map((s) => s.trim());
      if (items.every((item) => item !== '' && isProxyAddress(item))) return items;
    }
    ctx.addIssue({ code: 'custom', message: TRUST_PROXY_ERROR });
    return z.NEVER;
  });

/** A policy file that is read and validated with the rest of the configuration, so a bad one refuses start naming its field. */
const policyFile = () =>
  z.string().superRefine((file, ctx) => {
    try {
      loadPolicyBook(resolve(file));
    } catch (error) {
      if (!(error instanceof PolicyFileInvalid)) throw error;
      ctx.addIssue({ code: 'custom', message: error.problems.join('; ') });
    }
  });

const appShape = {
  ...commonShape,
  PORT: variable(port().default(3000)),
  JWT_SECRET: variable(z.string().min(32, { error: 'must be at least 32 characters' }).optional()),
  JWKS_URL: variable(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  JWT_ISSUER: variable(z.string().optional()),
  JWT_AUDIENCE: variable(z.string().optional()),
  JWT_MAX_LIFETIME_S: variable(integer(60, 7 * 24 * 3600).default(12 * 3600)),
  RATE_LIMIT_WINDOW_S: variable(integer(1, 3600).default(60)),
  RATE_LIMIT_USER_READS: variable(integer(1).default(600)),
  RATE_LIMIT_USER_COMMANDS: variable(integer(1).default(120)),
  RATE_LIMIT_ORG: variable(integer(1).default(3000)),
  RATE_LIMIT_HEAVY: variable(integer(1).default(20)),
  RATE_LIMIT_IP: variable(integer(1).default(120)),
  RATE_LIMIT_REDIS_URL: variable(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()),
  TRUST_PROXY: variable(trustProxy().optional()),
  AUDIT_REFUSALS_PER_MINUTE: variable(integer(0).default(30)),
  AUDIT_REFUSALS_TOTAL_PER_MINUTE: variable(integer(1).default(3000)),
  AUDIT_FLUSH_MS: variable(integer(10, 60_000).default(1000)),
  ALLOW_DEMO_DIRECTORY: variable(flag().default(false)),
  CLOCK: variable(oneOf(['system', 'simulated']).default('system')),
  PROCESSORS: variable(
    z
      .string()
      .refine(isProcessors, { error: `must be inline, external, none or a comma-separated list of ${PROCESSORS.join(', ')}` })
      .default('inline'),
  ),
  // Only whether it is set: the relay's own schema checks the value when the relay runs.
  KAFKA_BROKERS: variable(z.string().optional()),
  PROJECTOR_THREAD: variable(flag().default(true)),
  WATCHER_INTERVAL_MS: variable(integer(1).default(1000)),
  READ_MODEL_WAIT_MS: variable(integer(0).default(5000)),
  READ_MODEL_FILE: variable(z.string().optional()),
  DIRECTORY_FILE: variable(z.string().optional()),
  CATALOG_FILE: variable(z.string().optional()),
  CALENDAR_FILE: variable(z.string().optional()),
  CALENDAR_DIR: variable(z.string().optional()),
  POLICY_FILE: variable(policyFile().optional()),
  LOG_LEVEL: variable(oneOf(LOG_LEVELS).default('log')),
  OIDC_ISSUER: variable(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  OIDC_CLIENT_ID: variable(z.string().max(256, { error: 'must be at most 256 characters' }).optional()),
  HTTP_HEADERS_TIMEOUT_MS: variable(integer(100, 600_000).default(10_000)),
  HTTP_REQUEST_TIMEOUT_MS: variable(integer(100, 3_600_000).default(30_000)),
  HTTP_IDLE_TIMEOUT_MS: variable(integer(100, 3_600_000).default(120_000)),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: variable(integer(100, 600_000).default(5_000)),
  HTTP_ANSWER_TIMEOUT_MS: variable(integer(100, 3_600_000).default(60_000)),
  OPERATOR_TOKEN: variable(
    z
      .string()
      .min(32, { error: 'must be at least 32 characters' })
      .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
      .optional(),
  ),
  METRICS_PORT: variable(port().optional()),
};

type AppVariables = z.output<z.ZodObject<typeof appShape>>;
const production = (v: AppVariables) => environmentOf(v) === 'production';

const appRules: Rule<AppVariables>[] = [
  ...commonRules,
  {
    reads: ['NODE_ENV', 'CHUISHAO_ENV'],
    at: 'JWT_SECRET',
    message: 'production mode needs JWT_SECRET or JWKS_URL; refusing to start without real authentication',
    holds: (v) => !production(v) || v.JWT_SECRET !== undefined || v.JWKS_URL !== undefined,
  },
  {
    reads: ['NODE_ENV', 'CHUISHAO_ENV'],
    at: 'JWT_ISSUER',
    message: "production mode needs JWT_ISSUER (the identity provider's iss), so tokens of another issuer are refused",
    holds: (v) => !production(v) || v.JWT_ISSUER !== undefined,
  },
  {
    reads: ['NODE_ENV', 'CHUISHAO_ENV'],
    at: 'JWT_AUDIENCE',
    message: "production mode needs JWT_AUDIENCE (this service's aud), so tokens issued to another application are refused",
    holds: (v) => !production(v) || v.JWT_AUDIENCE !== undefined,
  },
  {
    reads: ['NODE_ENV', 'CHUISHAO_ENV'],
    at: 'DIRECTORY_FILE',
    message: "production mode needs the county's DIRECTORY_FILE; it serves the bundled demo county only with ALLOW_DEMO_DIRECTORY=true",
    holds: (v) => !production(v) || v.DIRECTORY_FILE !== undefined || v.ALLOW_DEMO_DIRECTORY,
  },
  {
    reads: ['NODE_ENV', 'CHUISHAO_ENV', 'CLOCK'],
    at: 'CLOCK',
    message: 'CLOCK=simulated is for development only (accepted in production: system)',
    holds: (v) => !production(v) || v.CLOCK !== 'simulated',
  },
  {
    reads: ['OIDC_ISSUER', 'OIDC_CLIENT_ID'],
    at: 'OIDC_CLIENT_ID',
    message: 'OIDC_ISSUER and OIDC_CLIENT_ID go together (the console signs in at that issuer as that client)',
    holds: (v) => (v.OIDC_ISSUER === undefined) === (v.OIDC_CLIENT_ID === undefined),
  },
  {
    reads: ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS'],
    at: 'HTTP_HEADERS_TIMEOUT_MS',
    message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
    holds: (v) => v.HTTP_HEADERS_TIMEOUT_MS <= v.HTTP_REQUEST_TIMEOUT_MS,
  },
  {
    reads: ['PORT', 'METRICS_PORT'],
    at: 'METRICS_PORT',
    message: 'must differ from PORT',
    holds: (v) => v.METRICS_PORT === undefined || v.METRICS_PORT === 0 || v.METRICS_PORT !== v.PORT,
  },
];

/** The API's variables (also the watcher's, projector's and rebuild's: they open the same stores). */
export const appSchema = withRules(z.object(appShape), appRules);

function processorsOf(value: string, kafka: boolean): ReadonlySet<Processor> {
  // The relay runs in-process only when there is a broker to relay to.
  if (value === 'inline') return new Set(PROCESSORS.filter((p) => p !== 'relay' || kafka));
  if (value === 'external' || value === 'none') return new Set();
  return new Set(processorList(value) as Processor[]);
}

function appConfigOf(v: AppVariables, env: NodeJS.ProcessEnv): AppConfig {
  const dataDir = resolve(v.DATA_DIR);
  const file = (path: string | undefined) => (path === undefined ? null : resolve(path));
  const environment = environmentOf(v);
  return {
    production: environment === 'production',
    environment,
    clock: v.CLOCK,
    env,
    projectorThread: v.PROJECTOR_THREAD,
    watcherIntervalMs: v.WATCHER_INTERVAL_MS,
    port: v.PORT,
    dataDir,
    store: storeOf({ ...v, DATA_DIR: dataDir }),
    readModelFile: resolve(v.READ_MODEL_FILE ?? resolve(dataDir, 'read-models.sqlite')),
    directoryFile: file(v.DIRECTORY_FILE),
    catalogFile: file(v.CATALOG_FILE),
    calendarFile: file(v.CALENDAR_FILE),
    calendarDir: file(v.CALENDAR_DIR),
    policyFile: file(v.POLICY_FILE),
    auth: {
      jwtSecret: v.JWT_SECRET ?? null,
      jwksUrl: v.JWKS_URL ?? null,
      issuer: v.JWT_ISSUER ?? null,
      audience: v.JWT_AUDIENCE ?? null,
      maxTokenLifetimeSeconds: v.JWT_MAX_LIFETIME_S,
    },
    rateLimits: {
      windowSeconds: v.RATE_LIMIT_WINDOW_S,
      userReads: v.RATE_LIMIT_USER_READS,
      userCommands: v.RATE_LIMIT_USER_COMMANDS,
      org: v.RATE_LIMIT_ORG,
      heavy: v.RATE_LIMIT_HEAVY,
      ip: v.RATE_LIMIT_IP,
      redisUrl: v.RATE_LIMIT_REDIS_URL ?? null,
    },
    trustProxy: v.TRUST_PROXY ?? false,
    audit: {
      refusalsPerMinute: v.AUDIT_REFUSALS_PER_MINUTE,
      refusalsTotalPerMinute: v.AUDIT_REFUSALS_TOTAL_PER_MINUTE,
      flushIntervalMs: v.AUDIT_FLUSH_MS,
    },
    allowDemoDirectory: v.ALLOW_DEMO_DIRECTORY,
    processors: processorsOf(v.PROCESSORS, v.KAFKA_BROKERS !== undefined),
    readModelWaitMs: v.READ_MODEL_WAIT_MS,
    // LOG_LEVEL names the most detailed level wanted; everything more severe is logged too.
    logLevels: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(v.LOG_LEVEL) + 1),
    oidc: v.OIDC_ISSUER && v.OIDC_CLIENT_ID ? { issuer: v.OIDC_ISSUER, clientId: v.OIDC_CLIENT_ID } : null,
    logFormat: logFormatOf(v),
    http: {
      headersMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestMs: v.HTTP_REQUEST_TIMEOUT_MS,
      idleMs: v.HTTP_IDLE_TIMEOUT_MS,
      keepAliveMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      answerMs: v.HTTP_ANSWER_TIMEOUT_MS,
    },
    operatorToken: v.OPERATOR_TOKEN ?? null,
    metricsPort: v.METRICS_PORT ?? null,
  };
}

/**
 * Reads the environment once, failing at start-up rather than on the first request, with every problem
 * at once. An in-process relay's variables are checked here too, before anything is opened.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const app = problemsOf(appSchema, env);
  const processors = env.PROCESSORS || 'inline';
  const relayRuns = isProcessors(processors) && processorsOf(processors, Boolean(env.KAFKA_BROKERS)).has('relay');
  const relay = relayRuns ? problemsOf(relaySchema, env) : null;
  const problems = [...(app.ok ? [] : app.problems), ...(relay && !relay.ok ? relay.problems : [])];
  if (!app.ok || problems.length) throw new ConfigError(problems);
  return appConfigOf(app.value, env);
}

const rebuildSchema = withRules(
  z.object({
    ...appShape,
    // Unset: the cores, up to 4 (decided by the rebuild, which knows the machine).
    REBUILD_THREADS: variable(integer(1).optional()),
    REBUILD_BATCH: variable(integer(1).optional()),
  }),
  appRules,
);

export interface RebuildConfig extends AppConfig {
  rebuild: { threads: number | null; batch: number | null };
}

/** The rebuild command's variables: the API's stores plus REBUILD_THREADS and REBUILD_BATCH. */
export function loadRebuildConfig(env: NodeJS.ProcessEnv = process.env): RebuildConfig {
  const parsed = problemsOf(rebuildSchema, env);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return { ...appConfigOf(parsed.value, env), rebuild: { threads: parsed.value.REBUILD_THREADS ?? null, batch: parsed.value.REBUILD_BATCH ?? null } };
}
