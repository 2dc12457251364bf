import { resolve } from 'node:path';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { commonRules, commonShape, logFormatOf, port, storeOf, type StoreConfig } from './common';
import { ConfigError, flag, integer, lowerCase, oneOf, problemsOf, variable, withRules, type Rule } from './env';

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

export class RelayConfigError extends ConfigError {
  override readonly code = 'RELAY.CONFIG_INVALID';
  constructor(problems: readonly string[]) {
    super(problems, 'relay configuration');
    this.name = 'RelayConfigError';
  }
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$/;
const brokerList = (value: string) =>
  value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
const BROKERS = 'must be a comma-separated list of host:port';

const relayShape = {
  DATA_DIR: commonShape.DATA_DIR,
  KAFKA_BROKERS: variable(
    z
      .string({ error: BROKERS })
      .transform(brokerList)
      .refine((brokers) => brokers.length > 0 && brokers.every((b) => HOST_PORT.test(b)), {
        error: (issue) => {
          const bad = (issue.input as string[]).filter((b) => !HOST_PORT.test(b));
          return bad.length ? `${BROKERS}; not host:port: ${bad.join(', ')}` : BROKERS;
        },
      }),
  ),
  KAFKA_CLIENT_ID: variable(z.string().default('chuishao-relay')),
  KAFKA_SSL: variable(flag().default(false)),
  KAFKA_SASL_MECHANISM: variable(lowerCase(oneOf(['plain', 'scram-sha-256', 'scram-sha-512']).optional())),
  KAFKA_SASL_USERNAME: variable(z.string().optional()),
  KAFKA_SASL_PASSWORD: variable(z.string().optional()),
  KAFKA_CONNECTION_TIMEOUT_MS: variable(integer(100).default(3_000)),
  KAFKA_REQUEST_TIMEOUT_MS: variable(integer(100).default(30_000)),
  // Kafka topic names allow [a-zA-Z0-9._-]; checked up front rather than failing on the first send.
  RELAY_TOPIC_PREFIX: variable(
    z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,200}$/, { error: 'may hold only [a-zA-Z0-9._-], 1 to 200 of them' })
      .default('chuishao'),
  ),
  RELAY_NAME: variable(z.string().default('kafka-relay')),
  RELAY_PARTITIONS: variable(integer(1).default(6)),
  RELAY_REPLICATION_FACTOR: variable(integer(1).default(1)),
  RELAY_MIN_INSYNC_REPLICAS: variable(integer(1).optional()),
  RELAY_BATCH_SIZE: variable(integer(1).default(1000)),
  RELAY_BATCH_MAX_BYTES: variable(integer(1024).default(1_000_000)),
  RELAY_MAX_MESSAGE_BYTES: variable(integer(1024).default(1_000_000)),
  RELAY_RETRY_INITIAL_MS: variable(integer(1).default(250)),
  RELAY_RETRY_MAX_MS: variable(integer(1).default(10_000)),
  RELAY_LAG_INTERVAL_MS: variable(integer(100).default(5_000)),
  RELAY_LOG_INTERVAL_MS: variable(integer(0).default(30_000)),
  RELAY_ACK_TIMEOUT_MS: variable(integer(100).default(30_000)),
  RELAY_HEALTH_PORT: variable(port().optional()),
  RELAY_CHECKPOINT_FILE: variable(z.string().optional()),
};

type RelayVariables = z.output<z.ZodObject<typeof relayShape>>;

const relayRules: Rule<RelayVariables>[] = [
  {
    reads: ['RELAY_MIN_INSYNC_REPLICAS', 'RELAY_REPLICATION_FACTOR'],
    at: 'RELAY_MIN_INSYNC_REPLICAS',
    message: 'cannot exceed RELAY_REPLICATION_FACTOR',
    holds: (v) => v.RELAY_MIN_INSYNC_REPLICAS === undefined || v.RELAY_MIN_INSYNC_REPLICAS <= v.RELAY_REPLICATION_FACTOR,
  },
  {
    reads: ['RELAY_RETRY_MAX_MS', 'RELAY_RETRY_INITIAL_MS'],
    at: 'RELAY_RETRY_MAX_MS',
    message: 'must be ≥ RELAY_RETRY_INITIAL_MS',
    holds: (v) => v.RELAY_RETRY_MAX_MS >= v.RELAY_RETRY_INITIAL_MS,
  },
  ...(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).map(
    (name): Rule<RelayVariables> => ({
      reads: ['KAFKA_SASL_MECHANISM'],
      at: name,
      message: 'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
      holds: (v) => v.KAFKA_SASL_MECHANISM === undefined || v[name] !== undefined,
    }),
  ),
];

/** The relay's own variables, whether it runs in the API's process or its own. */
export const relaySchema = withRules(z.object(relayShape), relayRules);

function relayConfigOf(v: RelayVariables): RelayConfig {
  const sasl: SASLOptions | undefined = v.KAFKA_SASL_MECHANISM
    ? { mechanism: v.KAFKA_SASL_MECHANISM, username: v.KAFKA_SASL_USERNAME!, password: v.KAFKA_SASL_PASSWORD! }
    : undefined;
  return {
    kafka: {
      brokers: v.KAFKA_BROKERS,
      clientId: v.KAFKA_CLIENT_ID,
      ssl: v.KAFKA_SSL,
      sasl,
      connectionTimeout: v.KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeout: v.KAFKA_REQUEST_TIMEOUT_MS,
    },
    relay: {
      name: v.RELAY_NAME,
      topicPrefix: v.RELAY_TOPIC_PREFIX,
      partitions: v.RELAY_PARTITIONS,
      replicationFactor: v.RELAY_REPLICATION_FACTOR,
      // With one replica there is nothing to require; with more, two copies before an ack survive one broker loss.
      minInsyncReplicas: v.RELAY_MIN_INSYNC_REPLICAS ?? (v.RELAY_REPLICATION_FACTOR > 1 ? 2 : null),
      batchSize: v.RELAY_BATCH_SIZE,
      batchMaxBytes: v.RELAY_BATCH_MAX_BYTES,
      maxMessageBytes: v.RELAY_MAX_MESSAGE_BYTES,
      retryInitialMs: v.RELAY_RETRY_INITIAL_MS,
      retryMaxMs: v.RELAY_RETRY_MAX_MS,
      lagIntervalMs: v.RELAY_LAG_INTERVAL_MS,
      logIntervalMs: v.RELAY_LOG_INTERVAL_MS,
      ackTimeoutMs: v.RELAY_ACK_TIMEOUT_MS,
    },
    checkpointFile: resolve(v.RELAY_CHECKPOINT_FILE ?? resolve(v.DATA_DIR, 'relay.sqlite')),
    healthPort: v.RELAY_HEALTH_PORT ?? null,
  };
}

/** Reads the relay's variables once and fails at start-up on anything malformed, listing every problem. */
export function loadRelayConfig(env: NodeJS.ProcessEnv): RelayConfig {
  const parsed = problemsOf(relaySchema, env);
  if (!parsed.ok) throw new RelayConfigError(parsed.problems);
  return relayConfigOf(parsed.value);
}

const relayProcessSchema = withRules(
  z.object({
    ...commonShape,
    ...relayShape,
    // Only a SQLite file written by another process needs polling; EventStoreDB pushes.
    STORE_POLL_MS: variable(integer(1).default(200)),
    // Prometheus metrics (relay lag, Node's process metrics) on a port of their own; unset: not served.
    METRICS_PORT: variable(port().optional()),
  }),
  [
    ...commonRules,
    ...relayRules,
    {
      reads: ['RELAY_HEALTH_PORT', 'METRICS_PORT'],
      at: 'METRICS_PORT',
      message: 'must differ from RELAY_HEALTH_PORT',
      holds: (v) => v.METRICS_PORT === undefined || v.METRICS_PORT === 0 || v.METRICS_PORT !== v.RELAY_HEALTH_PORT,
    },
  ],
);

export interface RelayProcessConfig {
  store: StoreConfig & { pollIntervalMs?: number };
  relay: RelayConfig;
  logFormat: 'json' | 'text';
  metricsPort: number | null;
}

/** The relay as its own process: the API's store variables, STORE_POLL_MS, and the relay's own. */
export function loadRelayProcessConfig(env: NodeJS.ProcessEnv): RelayProcessConfig {
  const parsed = problemsOf(relayProcessSchema, env);
  if (!parsed.ok) throw new RelayConfigError(parsed.problems);
  const store = storeOf(parsed.value);
  return {
    store: store.kind === 'sqlite' ? { ...store, pollIntervalMs: parsed.value.STORE_POLL_MS } : store,
    relay: relayConfigOf(parsed.value),
    logFormat: logFormatOf(parsed.value),
    metricsPort: parsed.value.METRICS_PORT ?? null,
  };
}
