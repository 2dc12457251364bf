import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';
import {
  RelayCheckpointStore,
  caseIdOf,
  originOf,
  toOutbound,
  type CaseOrigin,
  relayKafka,
  relayProducer,
  KafkaRelay,
  type RelayLogger,
} from '@chuishao/relay';
import type { RelayOptions } from '@chuishao/runtime';

const quiet: RelayLogger = { info: () => undefined, warn: (m) => console.error(`  relay warn: ${m}`), error: (m) => console.error(`  relay error: ${m}`) };

export function benchOptions(prefix: string, batchSize: number): RelayOptions {
  return {
    name: 'bench',
    topicPrefix: prefix,
    partitions: 6,
    replicationFactor: 1,
    minInsyncReplicas: null,
    batchSize,
    batchMaxBytes: 1_000_000,
    maxMessageBytes: 1_000_000,
    retryInitialMs: 250,
    retryMaxMs: 2_000,
    lagIntervalMs: 5_000,
    logIntervalMs: 0,
    ackTimeoutMs: 30_000,
  };
}

/**
 * events/s for the bare producer and for the relay, on the same events (the first `limit`), each to its own
 * fresh topics; which goes first alternates by round, so neither always gets the warmer broker.
 */
export async function measureThroughput(
  store: EventStore,
  brokers: string[],
  dir: string,
  batchSize: number,
  round: number,
  limit = Number.MAX_SAFE_INTEGER,
): Promise<{ bare: number; relay: number }> {
  const events = (await readEverything(store)).slice(0, limit);
  const relay = () => relayRun(store, events, brokers, join(dir, `relay-${round}.sqlite`), batchSize);
  const bare = () => bareProducer(events, brokers, batchSize);
  if (round % 2 === 1) {
    const b = await bare();
    return { bare: b, relay: await relay() };
  }
  const r = await relay();
  return { bare: await bare(), relay: r };
}

/** The same messages the relay would send (same envelope code), built before the clock starts. */
async function bareProducer(events: RecordedEvent[], brokers: string[], batchSize: number): Promise<number> {
  const prefix = `bench-bare-${randomBytes(3).toString('hex')}`;
  const origins = new Map<string, CaseOrigin>();
  const messages = events.map((e) => {
    const caseId = caseIdOf(e)!;
    if (e.type === 'WhistleBlown') origins.set(caseId, originOf(e) as CaseOrigin);
    return toOutbound(e, origins.get(caseId)!, { topicPrefix: prefix, maxMessageBytes: 1_000_000 });
  });
  const kafka = relayKafka({ brokers, clientId: 'bench-bare' }, quiet);
  await createTopics(kafka, [...new Set(messages.map((m) => m.topic))]);
  const producer = relayProducer(kafka);
  const started = performance.now();
  await producer.connect();
  for (let i = 0; i < messages.length; i += batchSize) {
    const byTopic = new Map<string, Message[]>();
    for (const m of messages.slice(i, i + batchSize)) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m.message]);
    await producer.sendBatch({ acks: -1, timeout: 30_000, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return messages.length / seconds;
}

/** The relay from an empty checkpoint to the store head: read, envelope, send, checkpoint. */
async function relayRun(store: EventStore, events: RecordedEvent[], brokers: string[], checkpointFile: string, batchSize: number): Promise<number> {
  const prefix = `bench-relay-${randomBytes(3).toString('hex')}`;
  const counties = new Set(events.filter((e) => e.type === 'WhistleBlown').map((e) => (originOf(e) as CaseOrigin).countyId));
  // Topics exist before the clock starts, as for the bare producer.
  await createTopics(
    relayKafka({ brokers, clientId: 'bench-admin' }, quiet),
    [...counties].map((c) => `${prefix}.${c}.case-events`).concat(`${prefix}.dead-letter`),
  );
  const checkpoints = RelayCheckpointStore.open(checkpointFile);
  const relay = new KafkaRelay(store, checkpoints, { brokers, clientId: 'bench-relay' }, benchOptions(prefix, batchSize), quiet);
  const started = performance.now();
  relay.start();
  await relay.reached(events[events.length - 1].position);
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  checkpoints.close();
  return events.length / seconds;
}

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll({ limit: 10_000 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1].position, limit: 10_000 }))
    all.push(...page);
  return all;
}

export async function createTopics(kafka: ReturnType<typeof relayKafka>, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
  await admin.disconnect();
}
