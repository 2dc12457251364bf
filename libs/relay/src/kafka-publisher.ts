import { Kafka, logLevel, Partitioners, type Admin, type KafkaConfig, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { rejectedByBroker, type EnvelopeOptions, type OutboundMessage } from './envelope';
import { kafkaLogCreator, messageOf, type RelayLogger } from './logger';

export interface PublisherOptions extends EnvelopeOptions {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number | null;
  batchMaxBytes: number;
  ackTimeoutMs: number;
}

/**
 * Broker errors that refuse particular records rather than the request: the batch is split until the
 * refused event is alone, and that one is parked on the dead-letter topic. Anything else fails the
 * round, and the relay retries it whole.
 */
const RECORD_REJECTIONS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'UNSUPPORTED_FOR_MESSAGE_FORMAT']);

/**
 * kafkajs rides out short hiccups (a leader election) itself, but gives up after these retries (about
 * 4 s) so that the relay sees a longer outage, reports it, rebuilds the producer and backs off on its own
 * schedule. (kafkajs's default for an idempotent producer is to retry forever, silently.)
 */
const CLIENT_RETRY = { retries: 4, initialRetryTime: 250, maxRetryTime: 2_000 };

/** The producer settings the delivery guarantee rests on; the benchmark's bare producer uses the same. */
export function relayProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    // One request per broker at a time: the relay awaits every batch anyway, and with one in flight a retried
    // request can never overtake a later one, so the order per partition is the order of the store.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: CLIENT_RETRY,
  });
}

export function relayKafka(config: KafkaConfig, logger: RelayLogger): Kafka {
  return new Kafka({ retry: CLIENT_RETRY, logLevel: logLevel.ERROR, logCreator: kafkaLogCreator(logger), ...config });
}

/** The relay's connection to Kafka: topic creation and acknowledged (acks=all) sends. */
export class KafkaPublisher {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private readonly knownTopics = new Set<string>();
  private readonly partitionCounts = new Map<string, number>();
  /** The producer's own partitioner, to foresee which partition (record batch) each message joins. */
  private readonly partitioner = Partitioners.DefaultPartitioner();
  /** The partitioner only looks at the number of partitions (for keyed messages): one stand-in list per count. */
  private readonly fakeMetadata = new Map<number, PartitionMetadata[]>();

  constructor(
    config: KafkaConfig,
    private readonly options: PublisherOptions,
    private readonly logger: RelayLogger,
  ) {
    this.kafka = relayKafka(config, logger);
  }

  /**
   * Sends the messages in order, each request awaited before the next. A request ends before any partition's
   * share would exceed batchMaxBytes: the broker's size limit applies to each partition's record batch.
   * `onAcked` gets each acknowledged run of messages (as sent: refused ones replaced by their dead letters).
   */
  async publish(messages: OutboundMessage[], onAcked: (sent: OutboundMessage[]) => void): Promise<void> {
    await this.ensureTopics([...new Set(messages.map((m) => m.topic))]);
    let start = 0;
    while (start < messages.length) {
      const perPartition = new Map<string, number>();
      let end = start;
      for (; end < messages.length; end++) {
        const bucket = this.assignPartition(messages[end]);
        const bytes = (perPartition.get(bucket) ?? 0) + messages[end].bytes;
        if (end > start && bytes > this.options.batchMaxBytes) break;
        perPartition.set(bucket, bytes);
      }
      onAcked(await this.sendSplitting(messages.slice(start, end)));
      start = end;
    }
  }

  /** Connects the producer and creates the given topics if missing, so an unreachable broker shows at once. */
  async connect(topics: string[]): Promise<void> {
    await this.connectedProducer();
    await this.ensureTopics(topics);
  }

  /** Drops the connections; the next publish builds fresh ones (a new producer id after a failure). */
  async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    // Topics may have been deleted, re-created or given more partitions meanwhile: look again next round.
    this.knownTopics.clear();
    this.partitionCounts.clear();
    await Promise.all([this.dropProducer(), admin?.disconnect().catch((e) => this.logger.warn(`admin disconnect: ${messageOf(e)}`))]);
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch((e) => this.logger.warn(`producer disconnect: ${messageOf(e)}`));
  }

  private async sendSplitting(chunk: OutboundMessage[]): Promise<OutboundMessage[]> {
    try {
      await this.send(chunk);
      return chunk;
    } catch (error) {
      const refusal = recordRefusal(error);
      if (!refusal) throw error;
      // kafkajs has already rolled back the idempotence sequence numbers of every partition in the refused
      // request, also of those the broker did write; reusing this producer would fail with
      // OUT_OF_ORDER_SEQUENCE_NUMBER. A new producer (new producer id) starts clean.
      await this.dropProducer();
      if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        return [...(await this.sendSplitting(chunk.slice(0, half))), ...(await this.sendSplitting(chunk.slice(half)))];
      }
      // A dead letter the broker refuses cannot be parked anywhere: keep failing (and alerting) rather than skip it.
      if (chunk[0].deadLetter) throw error;
      const parked = rejectedByBroker(chunk[0], refusal, this.options);
      this.logger.warn(`broker refused event ${chunk[0].event.id} at ${chunk[0].event.position} (${refusal}); parking it on ${parked.topic}`);
      await this.ensureTopics([parked.topic]);
      await this.send([parked]);
      return [parked];
    }
  }

  private async send(chunk: OutboundMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const m of chunk) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m.message);
      else byTopic.set(m.topic, [m.message]);
    }
    const producer = await this.connectedProducer();
    await producer.sendBatch({
      acks: -1,
      timeout: this.options.ackTimeoutMs,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = relayProducer(this.kafka);
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    // Listed first rather than created blindly: kafkajs logs every TOPIC_ALREADY_EXISTS answer as an error.
    const existing = new Set(await this.admin.listTopics());
    const create = missing.filter((t) => !existing.has(t));
    if (create.length > 0) {
      const { partitions, replicationFactor, minInsyncReplicas } = this.options;
      const configEntries = [
        ...(minInsyncReplicas !== null ? [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }] : []),
        // Room for the largest request the relay sends, whatever the broker's default.
        { name: 'max.message.bytes', value: String(Math.max(this.options.batchMaxBytes, this.options.maxMessageBytes) + 64 * 1024) },
      ];
      // Still false rather than an error if another relay created one meanwhile; existing topics keep their settings.
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: create.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries })),
      });
      this.logger.info(`created topic(s) ${create.join(', ')} (${partitions} partitions, replication ${replicationFactor})`);
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: missing });
    for (const t of metadata.topics) this.partitionCounts.set(t.name, t.partitions.length);
    for (const t of missing) this.knownTopics.add(t);
  }

  /**
   * Picks the partition the way the producer's default partitioner would (murmur2 of the key, as Java clients do)
   * and sets it on the message, so the producer does not hash again; returns "topic/partition" for the byte budget.
   * Keyless messages (some dead letters) are left to the producer and share one budget per topic.
   */
  private assignPartition(m: OutboundMessage): string {
    const count = this.partitionCounts.get(m.topic);
    if (m.message.key === null || m.message.key === undefined || !count) return `${m.topic}/*`;
    let partitionMetadata = this.fakeMetadata.get(count);
    if (!partitionMetadata) {
      partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      this.fakeMetadata.set(count, partitionMetadata);
    }
    m.message.partition ??= this.partitioner({ topic: m.topic, partitionMetadata, message: m.message });
    return `${m.topic}/${m.message.partition}`;
  }
}

/** The kafkajs error type when the broker refused records (possibly wrapped by kafkajs's retrier), else null. */
function recordRefusal(error: unknown): string | null {
  // biome-ignore lint/suspicious/noExplicitAny: kafkajs errors carry cause or originalError, untyped
  for (let e: any = error, depth = 0; e && depth < 5; e = e.cause ?? e.originalError, depth++) {
    if (typeof e.type === 'string' && RECORD_REJECTIONS.has(e.type)) return `${e.type}: ${e.message}`;
  }
  return null;
}
