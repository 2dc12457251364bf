import { resolve } from 'node:path';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** What the relay itself needs; the kafkajs client settings travel separately as a `KafkaConfig`. */
export interface RelayOptions {
  /** Checkpoint key inside the checkpoint file, so two relays (to two clusters) can share one data dir. */
  name: string;
  /** `<prefix>.<countyId>.case-events` per county and `<prefix>.dead-letter`. */
  topicPrefix: string;
  /** Used only when the relay creates a missing topic; existing topics are left as they are. */
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` for created topics, so `acks=all` means this many copies; null: broker default. */
  minInsyncReplicas: number | null;
  /** Most events read from the store and sent in one round. */
  batchSize: number;
  /** Most (estimated) bytes per partition in one produce request (the broker limits each partition's record batch). */
  batchMaxBytes: number;
  /** A message estimated larger than this is dead-lettered instead of sent (keep it below the broker's limit). */
  maxMessageBytes: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often the lag (events and seconds behind the store head) is measured. */
  lagIntervalMs: number;
  /** How often the status is logged; 0 turns the periodic line off. */
  logIntervalMs: number;
  /** Broker-side wait for the in-sync replicas on each produce request. */
  ackTimeoutMs: number;
}

export interface RelayConfig {
  kafka: KafkaConfig;
  relay: RelayOptions;
  checkpointFile: string;
  /** null: no health endpoint (the embedded API reports status() its own way). */
  healthPort: number | null;
}

export class RelayConfigError extends Error {
  readonly code = 'RELAY.CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RelayConfigError';
  }
}

/** Kafka topic names allow [a-zA-Z0-9._-]; a prefix is checked up front rather than failing on the first send. */
const TOPIC_PREFIX = /^[a-zA-Z0-9._-]{1,200}$/;

/** Reads the environment once and fails at start-up on anything malformed. */
export function loadRelayConfig(env: NodeJS.ProcessEnv): RelayConfig {
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new RelayConfigError('KAFKA_BROKERS must list at least one host:port');
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new RelayConfigError(`KAFKA_BROKERS: not host:port: ${b}`);
  }
  const topicPrefix = env.RELAY_TOPIC_PREFIX ?? 'chuishao';
  if (!TOPIC_PREFIX.test(topicPrefix)) throw new RelayConfigError(`RELAY_TOPIC_PREFIX may hold only [a-zA-Z0-9._-]: ${topicPrefix}`);
  const replicationFactor = int(env, 'RELAY_REPLICATION_FACTOR', 1, 1);
  const minIsr = env.RELAY_MIN_INSYNC_REPLICAS;
  const batchMaxBytes = int(env, 'RELAY_BATCH_MAX_BYTES', 1_000_000, 1024);
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const relay: RelayOptions = {
    name: env.RELAY_NAME ?? 'kafka-relay',
    topicPrefix,
    partitions: int(env, 'RELAY_PARTITIONS', 6, 1),
    replicationFactor,
    // With one replica there is nothing to require; with more, two copies before an ack survive one broker loss.
    minInsyncReplicas: minIsr ? int(env, 'RELAY_MIN_INSYNC_REPLICAS', 1, 1) : replicationFactor > 1 ? 2 : null,
    batchSize: int(env, 'RELAY_BATCH_SIZE', 1000, 1),
    batchMaxBytes,
    maxMessageBytes: int(env, 'RELAY_MAX_MESSAGE_BYTES', 1_000_000, 1024),
    retryInitialMs: int(env, 'RELAY_RETRY_INITIAL_MS', 250, 1),
    retryMaxMs: int(env, 'RELAY_RETRY_MAX_MS', 10_000, 1),
    lagIntervalMs: int(env, 'RELAY_LAG_INTERVAL_MS', 5_000, 100),
    logIntervalMs: int(env, 'RELAY_LOG_INTERVAL_MS', 30_000, 0),
    ackTimeoutMs: int(env, 'RELAY_ACK_TIMEOUT_MS', 30_000, 100),
  };
  if (relay.minInsyncReplicas !== null && relay.minInsyncReplicas > replicationFactor) {
    throw new RelayConfigError('RELAY_MIN_INSYNC_REPLICAS cannot exceed RELAY_REPLICATION_FACTOR');
  }
  if (relay.retryMaxMs < relay.retryInitialMs) throw new RelayConfigError('RELAY_RETRY_MAX_MS must be >= RELAY_RETRY_INITIAL_MS');
  const healthPort = env.RELAY_HEALTH_PORT ? int(env, 'RELAY_HEALTH_PORT', 0, 0, 65535) : null;
  return {
    kafka: {
      brokers,
      clientId: env.KAFKA_CLIENT_ID ?? 'chuishao-relay',
      ssl: bool(env, 'KAFKA_SSL'),
      sasl: sasl(env),
      connectionTimeout: int(env, 'KAFKA_CONNECTION_TIMEOUT_MS', 3_000, 100),
      requestTimeout: int(env, 'KAFKA_REQUEST_TIMEOUT_MS', 30_000, 100),
    },
    relay,
    checkpointFile: resolve(env.RELAY_CHECKPOINT_FILE ?? resolve(dataDir, 'relay.sqlite')),
    healthPort,
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new RelayConfigError(`${name} must be an integer in [${min}, ${max}], got ${raw}`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? 'false').toLowerCase();
  if (raw !== 'true' && raw !== 'false') throw new RelayConfigError(`${name} must be true or false, got ${env[name]}`);
  return raw === 'true';
}

function sasl(env: NodeJS.ProcessEnv): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (!mechanism) return undefined;
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password) throw new RelayConfigError('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    throw new RelayConfigError(`KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got ${mechanism}`);
  }
  return { mechanism, username, password };
}
