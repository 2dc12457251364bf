import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The county side of the lag benchmark, in its own process like a real consumer: reads the given topics
 * and records, per message, now minus the event's commit time in the store (ce_recordedat header).
 * Prints "ready" once it has partitions assigned, then one JSON line {lags} when told to stop (SIGTERM).
 * Usage: node lag-consumer.js <brokers> <topic>...
 */
async function main() {
  const [brokers, ...topics] = process.argv.slice(2);
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-lag-consumer', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-lag-${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 30_000 });
  const lags: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) lags.push(now - Date.parse(String(m.headers?.ce_recordedat)));
    },
  });
  process.once('SIGTERM', async () => {
    await consumer.disconnect();
    process.stdout.write(`${JSON.stringify({ lags })}\n`);
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(`lag consumer failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
