import { resolve } from 'node:path';
import { ConfigError, loadRelayConfig, loadRelayProcessConfig, RelayConfigError } from './index';

describe('loadRelayConfig', () => {
  it('has working defaults beside KAFKA_BROKERS', () => {
    const c = loadRelayConfig({ KAFKA_BROKERS: 'k1:9092, k2:9092', DATA_DIR: '/data' });
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.clientId).toBe('chuishao-relay');
    expect(c.checkpointFile).toBe('/data/relay.sqlite');
    expect(c.healthPort).toBeNull();
    expect(c.relay).toMatchObject({ topicPrefix: 'chuishao', partitions: 6, replicationFactor: 1, minInsyncReplicas: null, batchSize: 1000 });
  });

  it('has the defaults docs/relay.md lists', () => {
    const c = loadRelayConfig({ KAFKA_BROKERS: 'k:1' });
    expect(c.kafka).toEqual({ brokers: ['k:1'], clientId: 'chuishao-relay', ssl: false, sasl: undefined, connectionTimeout: 3000, requestTimeout: 30_000 });
    expect(c.relay).toEqual({
      name: 'kafka-relay',
      topicPrefix: 'chuishao',
      partitions: 6,
      replicationFactor: 1,
      minInsyncReplicas: null,
      batchSize: 1000,
      batchMaxBytes: 1_000_000,
      maxMessageBytes: 1_000_000,
      retryInitialMs: 250,
      retryMaxMs: 10_000,
      lagIntervalMs: 5000,
      logIntervalMs: 30_000,
      ackTimeoutMs: 30_000,
    });
    expect(c.checkpointFile).toBe(resolve('./data/relay.sqlite'));
  });

  it('asks for two in-sync replicas once there are several', () => {
    expect(loadRelayConfig({ KAFKA_BROKERS: 'k:1', RELAY_REPLICATION_FACTOR: '3' }).relay.minInsyncReplicas).toBe(2);
  });

  it('reads SASL, TLS, the health port and the checkpoint file', () => {
    const c = loadRelayConfig({
      KAFKA_BROKERS: 'k:1',
      KAFKA_SSL: 'TRUE',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'relay',
      KAFKA_SASL_PASSWORD: 'pw',
      RELAY_HEALTH_PORT: '0',
      RELAY_CHECKPOINT_FILE: '/ckpt/relay.sqlite',
      RELAY_LOG_INTERVAL_MS: '0',
    });
    expect(c.kafka.ssl).toBe(true);
    expect(c.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'relay', password: 'pw' });
    expect(c.healthPort).toBe(0);
    expect(c.checkpointFile).toBe('/ckpt/relay.sqlite');
    expect(c.relay.logIntervalMs).toBe(0);
  });

  it.each([
    [{}, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'nohost' }, 'not host:port'],
    [{ KAFKA_BROKERS: 'k:1', RELAY_PARTITIONS: '0' }, 'RELAY_PARTITIONS'],
    [{ KAFKA_BROKERS: 'k:1', RELAY_BATCH_SIZE: 'many' }, 'RELAY_BATCH_SIZE'],
    [{ KAFKA_BROKERS: 'k:1', RELAY_TOPIC_PREFIX: 'a b' }, 'RELAY_TOPIC_PREFIX'],
    [{ KAFKA_BROKERS: 'k:1', RELAY_MIN_INSYNC_REPLICAS: '2' }, 'cannot exceed'],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_USERNAME'],
  ])('refuses %j', (env, message) => {
    expect(() => loadRelayConfig(env as NodeJS.ProcessEnv)).toThrow(RelayConfigError);
    expect(() => loadRelayConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it.each([
    ['KAFKA_BROKERS', ' , ', 'must be a comma-separated list of host:port'],
    ['KAFKA_BROKERS', 'k:1,k2', 'must be a comma-separated list of host:port; not host:port: k2'],
    ['KAFKA_SSL', 'yes', 'must be true or false'],
    ['KAFKA_SASL_MECHANISM', 'gssapi', 'must be one of plain, scram-sha-256 or scram-sha-512'],
    ['KAFKA_CONNECTION_TIMEOUT_MS', '99', 'must be an integer ≥ 100'],
    ['KAFKA_REQUEST_TIMEOUT_MS', 'soon', 'must be an integer ≥ 100'],
    ['RELAY_TOPIC_PREFIX', 'county/1', 'may hold only [a-zA-Z0-9._-], 1 to 200 of them'],
    ['RELAY_PARTITIONS', '1.5', 'must be an integer ≥ 1'],
    ['RELAY_REPLICATION_FACTOR', '0', 'must be an integer ≥ 1'],
    ['RELAY_MIN_INSYNC_REPLICAS', '0', 'must be an integer ≥ 1'],
    ['RELAY_BATCH_SIZE', '0', 'must be an integer ≥ 1'],
    ['RELAY_BATCH_MAX_BYTES', '1023', 'must be an integer ≥ 1024'],
    ['RELAY_MAX_MESSAGE_BYTES', '1k', 'must be an integer ≥ 1024'],
    ['RELAY_RETRY_INITIAL_MS', '0', 'must be an integer ≥ 1'],
    ['RELAY_RETRY_MAX_MS', '0', 'must be an integer ≥ 1'],
    ['RELAY_LAG_INTERVAL_MS', '99', 'must be an integer ≥ 100'],
    ['RELAY_LOG_INTERVAL_MS', '-1', 'must be an integer ≥ 0'],
    ['RELAY_ACK_TIMEOUT_MS', '5', 'must be an integer ≥ 100'],
    ['RELAY_HEALTH_PORT', '70000', 'must be an integer from 0 to 65535'],
  ])('refuses %s=%s, naming it and what it accepts', (name, value, accepted) => {
    const env = { KAFKA_BROKERS: 'k:1', [name]: value };
    expect(() => loadRelayConfig(env)).toThrow(new RelayConfigError([`${name}=${JSON.stringify(value)}: ${accepted}`]));
  });

  it('refuses a retry ceiling under the first retry', () => {
    expect(() => loadRelayConfig({ KAFKA_BROKERS: 'k:1', RELAY_RETRY_INITIAL_MS: '500', RELAY_RETRY_MAX_MS: '100' })).toThrow(
      'RELAY_RETRY_MAX_MS="100": must be ≥ RELAY_RETRY_INITIAL_MS',
    );
  });

  it('names the missing SASL password', () => {
    const env = { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'relay' };
    expect(() => loadRelayConfig(env)).toThrow('KAFKA_SASL_PASSWORD (not set): KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  });

  it('is a ConfigError with the relay’s own code, listing every problem', () => {
    let error: unknown;
    try {
      loadRelayConfig({ RELAY_PARTITIONS: '0', KAFKA_SSL: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'RELAY.CONFIG_INVALID',
      problems: [
        'KAFKA_BROKERS (not set): must be a comma-separated list of host:port',
        'KAFKA_SSL="maybe": must be true or false',
        'RELAY_PARTITIONS="0": must be an integer ≥ 1',
      ],
    });
  });
});

describe('loadRelayProcessConfig (the relay as its own process)', () => {
  it('opens the API’s embedded store, polling it every 200 ms', () => {
    const c = loadRelayProcessConfig({ KAFKA_BROKERS: 'k:1', DATA_DIR: '/data', STORE_SYNCHRONOUS: 'normal' });
    expect(c.store).toEqual({ kind: 'sqlite', file: '/data/events.sqlite', synchronous: 'NORMAL', pollIntervalMs: 200 });
    expect(c.relay.checkpointFile).toBe('/data/relay.sqlite');
    expect(loadRelayProcessConfig({ KAFKA_BROKERS: 'k:1', STORE_POLL_MS: '50' }).store).toMatchObject({ pollIntervalMs: 50 });
  });

  it('or EventStoreDB', () => {
    const c = loadRelayProcessConfig({ KAFKA_BROKERS: 'k:1', EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://es:2113?tls=false' });
    expect(c.store).toEqual({ kind: 'eventstoredb', url: 'esdb://es:2113?tls=false' });
  });

  it('refuses the store’s, the environment’s and the relay’s problems together', () => {
    expect(() => loadRelayProcessConfig({ NODE_ENV: 'prod', EVENT_STORE: 'eventstoredb', STORE_POLL_MS: '0', RELAY_PARTITIONS: 'six' })).toThrow(
      new RelayConfigError([
        'NODE_ENV="prod": must be one of development, production or test',
        'KAFKA_BROKERS (not set): must be a comma-separated list of host:port',
        'RELAY_PARTITIONS="six": must be an integer ≥ 1',
        'STORE_POLL_MS="0": must be an integer ≥ 1',
        'EVENTSTORE_URL (not set): EVENT_STORE=eventstoredb needs EVENTSTORE_URL (an esdb:// connection string)',
      ]),
    );
  });
});
