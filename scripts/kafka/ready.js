#!/usr/bin/env node
// Readiness probe for the local test broker (used by scripts/kafka/kafka.sh).
// Ready means: a kafkajs admin client can connect, sees a broker and an active
// controller in the cluster metadata, can list topics, and can look up a group
// coordinator (the first lookup makes the broker create __consumer_offsets, so
// consumer groups work as soon as this exits 0), and an idempotent producer can
// get a producer id (right after start-up the broker answers InitProducerId with
// COORDINATOR_LOAD_IN_PROGRESS until it has a block of ids from the controller;
// kafkajs retries that but logs it as an ERROR).
//
//   node scripts/kafka/ready.js [--brokers 127.0.0.1:19092] [--timeout 90]

const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const opts = { brokers: process.env.KAFKA_BROKERS || '127.0.0.1:19092', timeout: 90 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--brokers') opts.brokers = argv[++i];
    else if (a === '--timeout') opts.timeout = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function probeOnce(brokers) {
  const kafka = new Kafka({
    clientId: 'chuishao-kafka-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.length) throw new Error('metadata lists no brokers yet');
    if (cluster.controller == null || cluster.controller < 0) throw new Error('no active controller yet');
    const topics = await admin.listTopics();
    // FindCoordinator: fails with GROUP_COORDINATOR_NOT_AVAILABLE until __consumer_offsets is up.
    await admin.describeGroups(['chuishao-readiness-probe']);
    // InitProducerId (sent by connect() of an idempotent producer); no topic needed.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    try {
      await producer.connect();
    } finally {
      await producer.disconnect().catch(() => {});
    }
    return { cluster, topics };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const brokers = opts.brokers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const t0 = Date.now();
  const deadline = t0 + opts.timeout * 1000;
  let attempts = 0;
  let lastError;
  while (Date.now() < deadline) {
    attempts++;
    try {
      const { cluster, topics } = await probeOnce(brokers);
      console.log(
        `[ready.js] ${brokers.join(',')} ready after ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
          `(${attempts} attempt(s)): cluster ${cluster.clusterId}, controller ${cluster.controller}, ` +
          `${cluster.brokers.length} broker(s), ${topics.length} topic(s)`,
      );
      return 0;
    } catch (err) {
      lastError = err;
      await sleep(500);
    }
  }
  console.error(
    `[ready.js] NOT READY: ${brokers.join(',')} after ${opts.timeout} s (${attempts} attempts); ` +
      `last error: ${lastError && (lastError.stack || lastError.message || lastError)}`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[ready.js] FAILED: ${err && (err.stack || err)}`);
    process.exit(2);
  },
);
