import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { brokers } from './broker';

export interface Received {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export const testKafka = () => new Kafka({ brokers: brokers(), clientId: 'relay-tests', logLevel: logLevel.NOTHING });

export async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Everything in the given topics now: reads with a fresh consumer group from the beginning up to the
 * high watermarks taken first. A relay whose checkpoint covers an event has had it acknowledged
 * (acks=all), so it is below those watermarks. Topics that do not exist count as empty.
 */
export async function readTopics(topics: string[], deadlineMs = 120_000): Promise<Received[]> {
  const ends = await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const result = new Map<string, number>();
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > 0) result.set(`${topic}/${p.partition}`, Number(p.high));
    }
    return result;
  });
  if (ends.size === 0) return [];
  const received: Received[] = [];
  const consumer = testKafka().consumer({ groupId: `relay-test-${randomUUID()}`, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${received.length} messages, not all of ${[...ends].map(([k, v]) => `${k}<${v}`).join(', ')} within ${deadlineMs} ms`)),
        deadlineMs,
      );
      const pending = new Set(ends.keys());
      consumer
        .run({
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            const id = `${batch.topic}/${batch.partition}`;
            const end = ends.get(id);
            for (const m of batch.messages) {
              if (end === undefined || Number(m.offset) >= end) continue;
              received.push({
                topic: batch.topic,
                partition: batch.partition,
                offset: Number(m.offset),
                key: m.key?.toString() ?? null,
                value: m.value?.toString() ?? null,
                headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)])),
              });
              if (Number(m.offset) === end - 1) pending.delete(id);
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset);
}
