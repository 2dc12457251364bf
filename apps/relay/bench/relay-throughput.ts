/**
 * Relay benchmark (issue 5 §6), run on demand, never as a test:
 *
 *   npm run build && node --disable-warning=TimeoutNegativeWarning --disable-warning=ExperimentalWarning \
 *     -r ./scripts/register-paths.js dist/apps/relay/bench/relay-throughput.js
 *
 * 1. Throughput: the relay draining an embedded (SQLite) store into the broker, against a bare kafkajs
 *    producer sending the very same messages (same envelope code, same producer settings, same batch size)
 *    in the same run, alternating, BENCH_ROUNDS times each.
 * 2. End-to-end lag at a steady 1,000 events/s: commit in the store (recordedAt) → received by a consumer
 *    in another process; for the relay in-process (embedded `npm start`) and as its own process (docker-compose).
 *
 * Env: KAFKA_BROKERS (default: the script broker on BENCH_KAFKA_PORT=19592, started if needed), BENCH_EVENTS
 * (100000), BENCH_ROUNDS (3), BENCH_LAG_SECONDS (30), BENCH_LAG_RATE (1000), RELAY_BATCH_SIZE (1000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { benchBrokers, machineFacts, median } from './bench-support';
import { measureLag } from './lag-run';
import { measureThroughput } from './throughput-run';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 30);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 1_000);
const BATCH = Number(process.env.RELAY_BATCH_SIZE ?? 1_000);

async function main() {
  console.log('# Relay benchmark\n');
  for (const [k, v] of Object.entries(machineFacts())) console.log(`- ${k}: ${v}`);
  const broker = benchBrokers();
  console.log(`- brokers: ${broker.brokers.join(',')}${broker.startedHere ? ' (started for this run)' : ''}`);
  console.log(`- relay batch size ${BATCH}, idempotent producer, acks=all, maxInFlightRequests 1, no compression\n`);
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  try {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    const t0 = Date.now();
    const appended = await appendGenerated(store, new CaseTraffic({ seed: 99, openCases: 2_000 }), EVENTS, 200);
    console.log(`## Throughput: ${appended.events} generated case events (${((Date.now() - t0) / 1000).toFixed(1)} s to write)\n`);
    console.log('| round | bare producer (events/s) | relay (events/s) | relay / bare |');
    console.log('|---|---|---|---|');
    await measureThroughput(store, broker.brokers, dir, BATCH, 0, 10_000); // warm-up (JIT in Node and in the broker), not reported
    const ratios: number[] = [];
    const bares: number[] = [];
    const relays: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await measureThroughput(store, broker.brokers, dir, BATCH, round);
      ratios.push(r.relay / r.bare);
      bares.push(r.bare);
      relays.push(r.relay);
      console.log(`| ${round} | ${Math.round(r.bare)} | ${Math.round(r.relay)} | ${((100 * r.relay) / r.bare).toFixed(0)}% |`);
    }
    console.log(`| median | ${Math.round(median(bares))} | ${Math.round(median(relays))} | ${(100 * median(ratios)).toFixed(0)}% |\n`);
    await store.close();

    console.log(`## End-to-end lag at ${LAG_RATE} events/s for ${LAG_SECONDS} s (store commit → consumer in another process)\n`);
    console.log('| relay runs | events sent | received | rate achieved | p50 | p90 | p99 | max |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const mode of ['in-process', 'own process'] as const) {
      const r = await measureLag(mode, broker.brokers, join(dir, `lag-${mode.replace(' ', '-')}`), LAG_RATE, LAG_SECONDS);
      console.log(
        `| ${mode === 'in-process' ? 'in-process (embedded npm start)' : 'own process (STORE_POLL_MS=200)'} | ${r.sent} | ${r.received} | ${r.rate.toFixed(0)}/s | ${r.p50} ms | ${r.p90} ms | ${r.p99} ms | ${r.max} ms |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    broker.stop();
  }
}

main().catch((error) => {
  console.error(`relay benchmark failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
