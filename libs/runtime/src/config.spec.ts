import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundledPolicyFile } from '@chuishao/policy';
import { ConfigError, loadConfig, loadRebuildConfig } from './index';

const SECRET = 'a-production-secret-of-at-least-32-chars!';
/** What production needs besides its keys: whose tokens, for whom, and which directory. */
const PROD = { JWT_ISSUER: 'county-iam', JWT_AUDIENCE: 'chuishao', ALLOW_DEMO_DIRECTORY: 'true' };
const env = (extra: Record<string, string> = {}) => ({ DATA_DIR: '/tmp/chuishao-config-spec', ...extra });

/** The message loadConfig refuses `vars` with (fails the test if it does not refuse). */
function refusal(vars: Record<string, string>, load: (e: NodeJS.ProcessEnv) => unknown = loadConfig): ConfigError {
  try {
    load(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(vars)}`);
}

describe('loadConfig: defaults (the README Configuration table)', () => {
  it('runs embedded, in development, on the system clock, with every processor but the relay', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      production: false,
      environment: 'development',
      port: 3000,
      dataDir: resolve('./data'),
      store: { kind: 'sqlite', file: resolve('./data/events.sqlite'), synchronous: 'FULL' },
      readModelFile: resolve('./data/read-models.sqlite'),
      directoryFile: null,
      catalogFile: null,
      calendarFile: null,
      calendarDir: null,
      policyFile: null,
      auth: { jwtSecret: null, jwksUrl: null, issuer: null, audience: null },
      clock: 'system',
      projectorThread: true,
      watcherIntervalMs: 1000,
      readModelWaitMs: 5000,
      logLevels: ['error', 'warn', 'log'],
      logFormat: 'text',
      http: { headersMs: 10_000, requestMs: 30_000, idleMs: 120_000, keepAliveMs: 5_000 },
      operatorToken: null,
      metricsPort: null,
    });
    expect([...c.processors]).toEqual(['projector', 'watcher']);
  });

  it('keeps the environment it read, for the in-process relay', () => {
    const vars = env({ KAFKA_BROKERS: 'k:9092' });
    const c = loadConfig(vars);
    expect(c.env).toBe(vars);
    expect([...c.processors]).toEqual(['projector', 'watcher', 'relay']);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/lib/chuishao',
      STORE_SYNCHRONOUS: 'normal',
      PROCESSORS: 'projector, relay',
      KAFKA_BROKERS: 'k:9092',
      PROJECTOR_THREAD: 'FALSE',
      CLOCK: 'simulated',
      WATCHER_INTERVAL_MS: '250',
      READ_MODEL_WAIT_MS: '0',
      CATALOG_FILE: '/etc/chuishao/catalog.json',
      CALENDAR_FILE: 'calendar.json',
      CALENDAR_DIR: '/etc/chuishao/years',
      READ_MODEL_FILE: '/srv/read.sqlite',
      DIRECTORY_FILE: '/etc/chuishao/directory.json',
      JWT_SECRET: SECRET,
      JWKS_URL: 'https://iam.example/jwks.json',
      JWT_ISSUER: 'county-iam',
      JWT_AUDIENCE: 'chuishao',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '15000',
      HTTP_IDLE_TIMEOUT_MS: '60000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      OPERATOR_TOKEN: 'an-operator-token-of-32-characters!',
      METRICS_PORT: '9464',
    });
    expect(c).toMatchObject({
      port: 8080,
      dataDir: '/var/lib/chuishao',
      store: { kind: 'sqlite', file: '/var/lib/chuishao/events.sqlite', synchronous: 'NORMAL' },
      projectorThread: false,
      clock: 'simulated',
      watcherIntervalMs: 250,
      readModelWaitMs: 0,
      catalogFile: '/etc/chuishao/catalog.json',
      calendarFile: resolve('calendar.json'),
      calendarDir: '/etc/chuishao/years',
      readModelFile: '/srv/read.sqlite',
      directoryFile: '/etc/chuishao/directory.json',
      auth: { jwtSecret: SECRET, jwksUrl: 'https://iam.example/jwks.json', issuer: 'county-iam', audience: 'chuishao' },
      logLevels: ['error', 'warn', 'log', 'debug'],
      logFormat: 'json',
      http: { headersMs: 2000, requestMs: 15_000, idleMs: 60_000, keepAliveMs: 1000 },
      operatorToken: 'an-operator-token-of-32-characters!',
      metricsPort: 9464,
    });
    expect([...c.processors]).toEqual(['projector', 'relay']);
  });

  it('takes EventStoreDB with its connection string, a cluster of hosts too', () => {
    const url = 'esdb://a:2113,b:2113?tls=false';
    expect(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: url }).store).toEqual({ kind: 'eventstoredb', url });
  });

  it('treats a blank variable (docker-compose `${JWT_ISSUER:-}`) as unset', () => {
    const c = loadConfig({ PORT: '', JWT_ISSUER: '', NODE_ENV: '', LOG_LEVEL: '', PROCESSORS: '', DATA_DIR: '' });
    expect(c).toMatchObject({ port: 3000, environment: 'development', logLevels: ['error', 'warn', 'log'], dataDir: resolve('./data') });
    expect(c.auth.issuer).toBeNull();
    expect([...c.processors]).toEqual(['projector', 'watcher']);
  });

  it('PROCESSORS=external or none runs nothing in-process', () => {
    expect(loadConfig(env({ PROCESSORS: 'external', KAFKA_BROKERS: 'k:1' })).processors.size).toBe(0);
    expect(loadConfig(env({ PROCESSORS: 'none' })).processors.size).toBe(0);
  });
});

describe('loadConfig: environments', () => {
  it.each(['development', 'test'])('%s is not production: dev tokens stay on', (name) => {
    expect(loadConfig(env({ NODE_ENV: name }))).toMatchObject({ production: false, environment: name });
  });

  it.each([
    ['NODE_ENV', 'prod'],
    ['NODE_ENV', 'Production'],
    ['CHUISHAO_ENV', 'staging'],
  ])('refuses %s=%s instead of quietly running in development', (name, value) => {
    const error = refusal(env({ [name]: value }));
    expect(error.problems).toEqual([`${name}=${JSON.stringify(value)}: must be one of development, production or test`]);
  });

  it('checks NODE_ENV even when CHUISHAO_ENV decides', () => {
    expect(refusal(env({ CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, ...PROD, NODE_ENV: 'prod' })).message).toMatch(/NODE_ENV="prod"/);
  });

  it('CHUISHAO_ENV wins over NODE_ENV', () => {
    expect(loadConfig(env({ CHUISHAO_ENV: 'development', NODE_ENV: 'production' })).production).toBe(false);
    expect(loadConfig(env({ CHUISHAO_ENV: 'production', NODE_ENV: 'test', JWT_SECRET: SECRET, ...PROD })).production).toBe(true);
  });

  it('production without JWT_SECRET or JWKS_URL is refused, either way of saying production', () => {
    for (const name of ['CHUISHAO_ENV', 'NODE_ENV']) {
      expect(refusal(env({ [name]: 'production', ...PROD })).problems).toEqual([
        'JWT_SECRET (not set): production mode needs JWT_SECRET or JWKS_URL; refusing to start without real authentication',
      ]);
    }
  });

  it('production starts with a secret or a JWKS URL', () => {
    expect(loadConfig(env({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...PROD })).production).toBe(true);
    expect(loadConfig(env({ NODE_ENV: 'production', JWKS_URL: 'https://iam.example/jwks.json', ...PROD })).auth.jwksUrl).toBe('https://iam.example/jwks.json');
  });

  it('production needs the issuer and audience of its tokens, and the county directory unless the demo one is allowed', () => {
    expect(refusal(env({ NODE_ENV: 'production', JWT_SECRET: SECRET })).problems).toEqual([
      "JWT_ISSUER (not set): production mode needs JWT_ISSUER (the identity provider's iss), so tokens of another issuer are refused",
      "JWT_AUDIENCE (not set): production mode needs JWT_AUDIENCE (this service's aud), so tokens issued to another application are refused",
      "DIRECTORY_FILE (not set): production mode needs the county's DIRECTORY_FILE; it serves the bundled demo county only with ALLOW_DEMO_DIRECTORY=true",
    ]);
    const county = loadConfig(
      env({ NODE_ENV: 'production', JWT_SECRET: SECRET, JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', DIRECTORY_FILE: '/etc/chuishao/directory.json' }),
    );
    expect([county.directoryFile, county.allowDemoDirectory]).toEqual(['/etc/chuishao/directory.json', false]);
    expect(loadConfig(env({ JWT_SECRET: SECRET })).allowDemoDirectory).toBe(false); // development serves the demo county anyway
  });

  it('token lifetime and rate limits have defaults and are configurable', () => {
    expect(loadConfig(env()).auth.maxTokenLifetimeSeconds).toBe(12 * 3600);
    expect(loadConfig(env()).rateLimits).toEqual({ windowSeconds: 60, userReads: 600, userCommands: 120, org: 3000, heavy: 20, ip: 120, redisUrl: null });
    const set = loadConfig(env({ JWT_MAX_LIFETIME_S: '3600', RATE_LIMIT_HEAVY: '5', RATE_LIMIT_REDIS_URL: 'redis://10.0.0.5:6379/2' }));
    expect([set.auth.maxTokenLifetimeSeconds, set.rateLimits.heavy, set.rateLimits.redisUrl]).toEqual([3600, 5, 'redis://10.0.0.5:6379/2']);
    expect(refusal(env({ RATE_LIMIT_REDIS_URL: 'http://redis:6379', RATE_LIMIT_IP: '0' })).problems).toEqual([
      'RATE_LIMIT_IP="0": must be an integer ≥ 1',
      'RATE_LIMIT_REDIS_URL="http://redis:6379": must be a redis:// or rediss:// URL',
    ]);
  });

  it('CLOCK=simulated is refused in production only', () => {
    expect(refusal(env({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...PROD, CLOCK: 'simulated' })).problems).toEqual([
      'CLOCK="simulated": CLOCK=simulated is for development only (accepted in production: system)',
    ]);
    expect(loadConfig(env({ NODE_ENV: 'test', CLOCK: 'simulated' })).clock).toBe('simulated');
  });

  it('the console signs in at OIDC_ISSUER as OIDC_CLIENT_ID, both or neither', () => {
    expect(loadConfig(env()).oidc).toBeNull();
    expect(loadConfig(env({ OIDC_ISSUER: 'https://id.qingchuan.gov.cn/realms/county', OIDC_CLIENT_ID: 'chuishao-console' })).oidc).toEqual({
      issuer: 'https://id.qingchuan.gov.cn/realms/county',
      clientId: 'chuishao-console',
    });
    expect(refusal(env({ OIDC_ISSUER: 'https://id.qingchuan.gov.cn' })).problems).toEqual([
      'OIDC_CLIENT_ID (not set): OIDC_ISSUER and OIDC_CLIENT_ID go together (the console signs in at that issuer as that client)',
    ]);
    expect(refusal(env({ OIDC_ISSUER: 'id.qingchuan', OIDC_CLIENT_ID: 'c' })).problems).toEqual([
      'OIDC_ISSUER="id.qingchuan": must be an http:// or https:// URL',
    ]);
  });
});

describe('loadConfig: every bad value is refused, naming the variable and what it accepts', () => {
  it.each([
    ['PORT', 'http', 'must be an integer from 0 to 65535'],
    ['PORT', '65536', 'must be an integer from 0 to 65535'],
    ['PORT', '80.5', 'must be an integer from 0 to 65535'],
    ['PORT', '0x50', 'must be an integer from 0 to 65535'],
    ['PORT', ' ', 'must be an integer from 0 to 65535'],
    ['READ_MODEL_WAIT_MS', '5e3', 'must be an integer ≥ 0'],
    ['EVENT_STORE', 'postgres', 'must be one of sqlite or eventstoredb'],
    ['EVENTSTORE_URL', 'http://localhost:2113', 'must be an esdb:// or esdb+discover:// connection string'],
    ['STORE_SYNCHRONOUS', 'EXTRA', 'must be one of FULL, NORMAL or OFF'],
    ['JWKS_URL', 'iam.example/jwks.json', 'must be an http:// or https:// URL'],
    ['JWKS_URL', 'file:///etc/jwks.json', 'must be an http:// or https:// URL'],
    ['CLOCK', 'fast', 'must be one of system or simulated'],
    ['PROCESSORS', 'projector,indexer', 'must be inline, external, none or a comma-separated list of projector, watcher, relay'],
    ['PROCESSORS', 'projector,', 'must be inline, external, none or a comma-separated list of projector, watcher, relay'],
    ['PROJECTOR_THREAD', 'no', 'must be true or false'],
    ['WATCHER_INTERVAL_MS', '0', 'must be an integer ≥ 1'],
    ['WATCHER_INTERVAL_MS', '1s', 'must be an integer ≥ 1'],
    ['READ_MODEL_WAIT_MS', '-1', 'must be an integer ≥ 0'],
    ['LOG_LEVEL', 'chatty', 'must be one of error, warn, log, debug or verbose'],
    ['LOG_FORMAT', 'pretty', 'must be one of json or text'],
    ['HTTP_REQUEST_TIMEOUT_MS', '0', 'must be an integer from 100 to 3600000'],
    ['HTTP_HEADERS_TIMEOUT_MS', '10s', 'must be an integer from 100 to 600000'],
    ['HTTP_IDLE_TIMEOUT_MS', '-5', 'must be an integer from 100 to 3600000'],
    ['METRICS_PORT', 'metrics', 'must be an integer from 0 to 65535'],
    ['METRICS_PORT', '3000', 'must differ from PORT'],
  ])('%s=%s', (name, value, accepted) => {
    expect(refusal(env({ [name]: value })).problems).toEqual([`${name}=${JSON.stringify(value)}: ${accepted}`]);
  });

  it('JWT_SECRET shorter than 32 characters, without echoing the secret', () => {
    const error = refusal(env({ JWT_SECRET: 'hunter2' }));
    expect(error.problems).toEqual(['JWT_SECRET (7 characters, not shown): must be at least 32 characters']);
    expect(error.message).not.toContain('hunter2');
  });

  it('OPERATOR_TOKEN shorter than 32 characters or with spaces, without echoing it', () => {
    const short = refusal(env({ OPERATOR_TOKEN: 'letmein' }));
    expect(short.problems).toEqual(['OPERATOR_TOKEN (7 characters, not shown): must be at least 32 characters']);
    expect(short.message).not.toContain('letmein');
    expect(refusal(env({ OPERATOR_TOKEN: 'an operator token with spaces in it' })).problems).toEqual([
      'OPERATOR_TOKEN (35 characters, not shown): must be printable ASCII without spaces',
    ]);
  });

  it('production logs JSON unless told otherwise', () => {
    const prod = { CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', ALLOW_DEMO_DIRECTORY: 'true' };
    expect(loadConfig(prod).logFormat).toBe('json');
    expect(loadConfig({ ...prod, LOG_FORMAT: 'text' }).logFormat).toBe('text');
  });

  it('EVENT_STORE=eventstoredb without EVENTSTORE_URL', () => {
    expect(refusal(env({ EVENT_STORE: 'eventstoredb' })).problems).toEqual([
      'EVENTSTORE_URL (not set): EVENT_STORE=eventstoredb needs EVENTSTORE_URL (an esdb:// connection string)',
    ]);
  });

  it('reports all problems at once, the in-process relay’s too, in one message', () => {
    const error = refusal({ NODE_ENV: 'prod', PORT: 'x', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nohost', RELAY_PARTITIONS: '0' });
    expect(error.problems).toEqual([
      'NODE_ENV="prod": must be one of development, production or test',
      'PORT="x": must be an integer from 0 to 65535',
      'LOG_LEVEL="loud": must be one of error, warn, log, debug or verbose',
      'KAFKA_BROKERS="nohost": must be a comma-separated list of host:port; not host:port: nohost',
      'RELAY_PARTITIONS="0": must be an integer ≥ 1',
    ]);
    expect(error.message).toBe(`invalid configuration (5 problems):\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    expect(error.code).toBe('CONFIG.INVALID');
  });

  it('leaves the relay’s variables alone when the relay does not run here', () => {
    expect(loadConfig(env({ PROCESSORS: 'external', KAFKA_BROKERS: 'nohost', RELAY_PARTITIONS: '0' })).processors.size).toBe(0);
  });

  it('a relay named in PROCESSORS needs KAFKA_BROKERS', () => {
    expect(refusal(env({ PROCESSORS: 'relay' })).problems).toEqual(['KAFKA_BROKERS (not set): must be a comma-separated list of host:port']);
  });
});

describe('loadConfig: LOG_LEVEL', () => {
  it('logs errors, warnings and log lines by default, not the per-command debug lines', () => {
    expect(loadConfig(env()).logLevels).toEqual(['error', 'warn', 'log']);
  });

  it('debug adds the per-command lines; verbose everything', () => {
    expect(loadConfig(env({ LOG_LEVEL: 'debug' })).logLevels).toEqual(['error', 'warn', 'log', 'debug']);
    expect(loadConfig(env({ LOG_LEVEL: 'verbose' })).logLevels).toEqual(['error', 'warn', 'log', 'debug', 'verbose']);
    expect(loadConfig(env({ LOG_LEVEL: 'warn' })).logLevels).toEqual(['error', 'warn']);
  });
});

describe('loadRebuildConfig', () => {
  it('leaves threads and batch to the rebuild when unset', () => {
    expect(loadRebuildConfig(env()).rebuild).toEqual({ threads: null, batch: null });
    expect(loadRebuildConfig(env({ REBUILD_THREADS: '2', REBUILD_BATCH: '2000' })).rebuild).toEqual({ threads: 2, batch: 2000 });
  });

  it('refuses bad values together with the store’s', () => {
    expect(refusal(env({ REBUILD_THREADS: '0', REBUILD_BATCH: 'lots', EVENT_STORE: 'mysql' }), loadRebuildConfig).problems).toEqual([
      'EVENT_STORE="mysql": must be one of sqlite or eventstoredb',
      'REBUILD_THREADS="0": must be an integer ≥ 1',
      'REBUILD_BATCH="lots": must be an integer ≥ 1',
    ]);
  });
});

describe('loadConfig: the audit trail of refusals', () => {
  it('records 30 refusals a minute per caller and 3,000 in all one by one, stored every second, by default', () => {
    expect(loadConfig(env()).audit).toEqual({ refusalsPerMinute: 30, refusalsTotalPerMinute: 3000, flushIntervalMs: 1000 });
    expect(loadConfig(env({ AUDIT_REFUSALS_PER_MINUTE: '0', AUDIT_REFUSALS_TOTAL_PER_MINUTE: '50', AUDIT_FLUSH_MS: '200' })).audit).toEqual({
      refusalsPerMinute: 0,
      refusalsTotalPerMinute: 50,
      flushIntervalMs: 200,
    });
  });

  it('refuses values that are no counts or intervals, naming each', () => {
    expect(refusal(env({ AUDIT_REFUSALS_PER_MINUTE: '-1', AUDIT_REFUSALS_TOTAL_PER_MINUTE: '0', AUDIT_FLUSH_MS: '5' })).problems).toEqual([
      'AUDIT_REFUSALS_PER_MINUTE="-1": must be an integer ≥ 0',
      'AUDIT_REFUSALS_TOTAL_PER_MINUTE="0": must be an integer ≥ 1',
      'AUDIT_FLUSH_MS="5": must be an integer from 10 to 60000',
    ]);
  });
});

describe('loadConfig: TRUST_PROXY', () => {
  it('trusts no proxy by default: the socket’s address is the client’s', () => {
    expect(loadConfig(env()).trustProxy).toBe(false);
    expect(loadConfig(env({ TRUST_PROXY: '' })).trustProxy).toBe(false);
  });

  it('takes a hop count, or a list of proxy addresses, CIDRs and Express’s range names', () => {
    expect(loadConfig(env({ TRUST_PROXY: '1' })).trustProxy).toBe(1);
    expect(loadConfig(env({ TRUST_PROXY: 'loopback' })).trustProxy).toEqual(['loopback']);
    expect(loadConfig(env({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8 ,uniquelocal' })).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
      'uniquelocal',
    ]);
  });

  it('refuses trusting every peer and anything that is no count, address or range, naming the variable', () => {
    const message = 'must be a hop count from 1 to 10, or a comma-separated list of proxy IPs or CIDRs (prefix ≥ 1) or loopback, linklocal, uniquelocal';
    for (const value of ['true', 'all', '0', '11', '0.0.0.0/0', '::/0', '10.0.0.0/33', 'nginx', '10.0.0.5,', '10.0.0.256', '10.0.0.0/8/1']) {
      expect([value, refusal(env({ TRUST_PROXY: value })).problems]).toEqual([value, [`TRUST_PROXY=${JSON.stringify(value)}: ${message}`]]);
    }
  });
});

describe('loadConfig: POLICY_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chuishao-policy-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policyFile = (
    name: string,
    edit: (data: { versions: { weights: Record<string, number>; limits: { maxExtensions: number; appealWindow: Record<string, unknown> } }[] }) => void,
  ) => {
    const data = JSON.parse(readFileSync(bundledPolicyFile(), 'utf8'));
    edit(data);
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(data));
    return file;
  };

  it('takes a valid file, resolved', () => {
    const file = policyFile('ok.json', (d) => {
      d.versions[0].limits.maxExtensions = 1;
    });
    expect(loadConfig(env({ POLICY_FILE: file })).policyFile).toBe(file);
    // docker-compose's `${POLICY_FILE:-}`: the bundled policy.
    expect(loadConfig(env({ POLICY_FILE: '' })).policyFile).toBeNull();
  });

  it('refuses to start on a bad file, naming the variable, the file and each field at fault', () => {
    const file = policyFile('bad.json', (d) => {
      d.versions[1].weights.wR = 50;
      d.versions[0].limits.appealWindow.clock = 'lunar';
    });
    expect(refusal(env({ POLICY_FILE: file })).problems).toEqual([
      `POLICY_FILE=${JSON.stringify(file)}: versions[0].limits.appealWindow.clock: must be natural or working; versions[1].weights: must sum to 100 (wR + wS + wF is 110)`,
    ]);
    const missing = join(dir, 'missing.json');
    expect(refusal(env({ POLICY_FILE: missing })).problems).toEqual([`POLICY_FILE=${JSON.stringify(missing)}: cannot be read (ENOENT)`]);
  });
});
