import { loadRelayConfig, RelayConfigError } from './config';

describe('loadRelayConfig', () => {
  it('has working defaults beside KAFKA_BROKERS', () => {
    const c = loadRelayConfig({ KAFKA_BROKERS: 'k1:9092, k2:9092', DATA_DIR: '/data' });
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.clientId).toBe('chuishao-relay');
    expect(c.checkpointFile).toBe('/data/relay.sqlite');
    expect(c.healthPort).toBeNull();
    expect(c.relay).toMatchObject({ topicPrefix: 'chuishao', partitions: 6, replicationFactor: 1, minInsyncReplicas: null, batchSize: 1000 });
  });

  it('asks for two in-sync replicas once there are several', () => {
    expect(loadRelayConfig({ KAFKA_BROKERS: 'k:1', RELAY_REPLICATION_FACTOR: '3' }).relay.minInsyncReplicas).toBe(2);
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
});
