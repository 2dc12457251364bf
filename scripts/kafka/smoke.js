#!/usr/bin/env node
// End-to-end smoke test of a running Kafka broker with the project's client (kafkajs).
//
//   node scripts/kafka/smoke.js [--brokers 127.0.0.1:19092] [--topic chuishao.smoke]
//                               [--messages 1000] [--keys 16] [--partitions 3] [--timeout 120]
//   (or: scripts/kafka/kafka.sh smoke [--port N])
//
// 1. creates the topic (3 partitions, replication factor 1) if it does not exist,
// 2. produces N messages with an idempotent producer, acks=-1 (all), sequentially
//    in batches, each tagged with this run's id, a key and a per-key sequence number,
// 3. consumes the whole topic from the beginning with a fresh consumer group up to the
//    end offsets read after producing, and checks for this run: exact count, no
//    duplicates, per-key order (seq 0..n-1 in offset order) and one partition per key.
// Messages left by earlier runs (e.g. before a broker restart) are counted and reported,
// not treated as errors. Exit 0 with a summary; non-zero with a loud FAILED message.

const crypto = require('node:crypto');
const { Kafka, logLevel, Partitioners } = require('kafkajs');

function parseArgs(argv) {
  const opts = {
    brokers: process.env.KAFKA_BROKERS || '127.0.0.1:19092',
    topic: 'chuishao.smoke',
    messages: 1000,
    keys: 16,
    partitions: 3,
    batch: 100,
    timeout: 120,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.replace(/^--/, '');
    if (!a.startsWith('--') || !(name in opts)) throw new Error(`unknown argument ${a}`);
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    opts[name] = typeof opts[name] === 'number' ? Number(v) : v;
    if (typeof opts[name] === 'number' && !(opts[name] > 0)) throw new Error(`${a} must be > 0`);
  }
  return opts;
}

const _sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(2);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const brokers = opts.brokers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const runId = `${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
  const tStart = Date.now();
  const kafka = new Kafka({
    clientId: `chuishao-smoke-${runId}`,
    brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    requestTimeout: 30000,
  });

  // ---- 1. topic
  const admin = kafka.admin();
  await admin.connect();
  // Check first: createTopics on an existing topic works but kafkajs logs it as an ERROR.
  const exists = (await admin.listTopics()).includes(opts.topic);
  const created = exists
    ? false
    : await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: opts.topic, numPartitions: opts.partitions, replicationFactor: 1 }],
      });
  const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
  const partitionCount = meta.topics[0].partitions.length;
  if (partitionCount !== opts.partitions) {
    throw new Error(`topic ${opts.topic} has ${partitionCount} partitions, expected ${opts.partitions}`);
  }
  const startOffsets = await admin.fetchTopicOffsets(opts.topic);

  // ---- 2. produce (idempotent, acks=all)
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const tProduce = Date.now();
  const nextSeq = new Map();
  for (let i = 0; i < opts.messages; i += opts.batch) {
    const messages = [];
    for (let j = i; j < Math.min(i + opts.batch, opts.messages); j++) {
      const key = `key-${j % opts.keys}`;
      const seq = nextSeq.get(key) || 0;
      nextSeq.set(key, seq + 1);
      messages.push({
        key,
        value: JSON.stringify({ runId, key, seq, i: j }),
        headers: { 'smoke-run': runId },
      });
    }
    await producer.send({ topic: opts.topic, acks: -1, messages });
  }
  const produceSecs = secs(tProduce);
  await producer.disconnect();

  // End offsets after our writes: the consumer reads everything up to them.
  const endOffsets = await admin.fetchTopicOffsets(opts.topic);
  const target = new Map(endOffsets.map((p) => [p.partition, Number(p.high)]));
  const previousTotal = endOffsets.reduce((n, p) => n + Number(startOffsets.find((s) => s.partition === p.partition).high) - Number(p.low), 0);

  // ---- 3. consume with a fresh group from the beginning
  const groupId = `chuishao-smoke-${runId}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const problems = [];
  const seen = new Map(); // key -> [{seq, partition, offset}]
  const consumedUpTo = new Map(); // partition -> next offset
  let ours = 0;
  let others = 0;
  const tConsume = Date.now();
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const allCaughtUp = () => [...target].every(([p, high]) => high === 0 || (consumedUpTo.get(p) || 0) >= high);

  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      consumedUpTo.set(partition, offset + 1);
      const run = message.headers?.['smoke-run']?.toString();
      if (run === runId) {
        ours++;
        const body = JSON.parse(message.value.toString());
        if (body.key !== message.key.toString()) {
          problems.push(`key mismatch at ${partition}/${offset}: ${body.key} vs ${message.key}`);
        }
        if (!seen.has(body.key)) seen.set(body.key, []);
        seen.get(body.key).push({ seq: body.seq, partition, offset });
      } else {
        others++;
      }
      if (allCaughtUp()) resolveDone();
    },
  });
  if (allCaughtUp()) resolveDone();
  try {
    await withTimeout(done, opts.timeout * 1000, `consuming ${opts.topic} up to ${JSON.stringify([...target])}`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  const consumeSecs = secs(tConsume);
  await admin.deleteGroups([groupId]).catch(() => {});
  await admin.disconnect();

  // ---- verify
  if (ours !== opts.messages) problems.push(`consumed ${ours} messages of this run, expected ${opts.messages}`);
  for (const [key, expected] of nextSeq) {
    const got = seen.get(key) || [];
    if (got.length !== expected) problems.push(`${key}: ${got.length} messages, expected ${expected}`);
    got.forEach((m, idx) => {
      if (m.seq !== idx) problems.push(`${key}: position ${idx} has seq ${m.seq} (out of order or duplicate)`);
    });
    const parts = new Set(got.map((m) => m.partition));
    if (parts.size > 1) problems.push(`${key}: spread over partitions ${[...parts].join(',')}`);
  }
  if (others !== previousTotal) {
    problems.push(`read ${others} messages from earlier runs, but the topic held ${previousTotal} before this run`);
  }
  if (problems.length) {
    throw new Error(`verification failed:\n  - ${problems.slice(0, 20).join('\n  - ')}`);
  }

  const perPartition = [...target]
    .sort((a, b) => a[0] - b[0])
    .map(([p, high]) => `p${p}:${high}`)
    .join(' ');
  console.log(
    `[smoke.js] OK run ${runId} on ${brokers.join(',')}: topic ${opts.topic} ` +
      `(${created ? 'created' : 'existing'}, ${partitionCount} partitions, end offsets ${perPartition}); ` +
      `produced ${opts.messages} (idempotent, acks=-1) in ${produceSecs} s; consumed ${ours} of this run ` +
      `+ ${others} from earlier runs in ${consumeSecs} s; per-key order OK for ${nextSeq.size} keys; ` +
      `total ${secs(tStart)} s`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\n[smoke.js] FAILED: ${err && (err.stack || err)}\n`);
    process.exit(1);
  },
);
