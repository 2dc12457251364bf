import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic, TWO_COUNTIES } from '@chuishao/histories';
import { RelayCheckpointStore, KafkaRelay, relayKafka } from '@chuishao/relay';
import { ROOT, percentile } from './bench-support';
import { benchOptions, createTopics } from './throughput-run';

export interface LagResult {
  sent: number;
  received: number;
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning', '--disable-warning=ExperimentalWarning'];
const WARM_UP_MS = 3_000;

/**
 * Steady traffic into the embedded store (commands of `rate / 100` events every 10 ms), relayed either by a
 * KafkaRelay in this process or by the compiled relay app in its own process, consumed in a third process.
 */
export async function measureLag(mode: 'in-process' | 'own process', brokers: string[], dir: string, rate: number, seconds: number): Promise<LagResult> {
  mkdirSync(dir, { recursive: true });
  const prefix = `bench-lag-${randomBytes(3).toString('hex')}`;
  const topics = TWO_COUNTIES.map((c) => `${prefix}.${c.countyId}.case-events`);
  await createTopics(relayKafka({ brokers, clientId: 'bench-admin' }, console), [...topics, `${prefix}.dead-letter`]);
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'FULL' });
  const generator = new CaseTraffic({ seed: 7, openCases: 1_000 });
  const initial = await appendGenerated(store, generator, 100); // the file exists (and the relay has something to start with)

  const consumer = spawn(process.execPath, [...NODE_FLAGS, join(__dirname, 'lag-consumer.js'), brokers.join(','), ...topics], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: consumer.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the lag consumer did not get ready');
  let relay: KafkaRelay | null = null;
  let relayProcess: ChildProcess | null = null;
  const checkpoints = RelayCheckpointStore.open(join(dir, 'relay.sqlite'));
  if (mode === 'in-process') {
    relay = new KafkaRelay(store, checkpoints, { brokers, clientId: 'bench-lag' }, benchOptions(prefix, 1_000), {
      info: () => undefined,
      warn: console.error,
      error: console.error,
    });
    relay.start();
  } else {
    relayProcess = spawn(process.execPath, [...NODE_FLAGS, '-r', './scripts/register-paths.js', 'dist/apps/relay/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), DATA_DIR: dir, RELAY_TOPIC_PREFIX: prefix, RELAY_HEALTH_PORT: '0', RELAY_LOG_INTERVAL_MS: '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  await waitUntil(() => checkpoints.read('kafka-relay') !== null || checkpoints.read('bench') !== null); // the relay is through its start-up

  // Steady load: a tick every 10 ms, catching up on the schedule if a tick runs late.
  const perTick = rate / 100;
  const started = Date.now();
  let sent = 0;
  let sentAfterWarmUp = 0;
  for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
    const appended = await appendGenerated(store, generator, perTick, perTick);
    sent += appended.events;
    if (Date.now() - started > WARM_UP_MS) sentAfterWarmUp += appended.events;
    const next = started + (tick + 1) * 10;
    if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
  }
  const elapsed = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 3_000)); // let the last events arrive
  consumer.kill('SIGTERM');
  const { lags } = JSON.parse((await lines.next()).value as string) as { lags: number[] };
  if (relay) await relay.stop();
  relayProcess?.kill('SIGTERM');
  checkpoints.close();
  await store.close();
  // Drop the warm-up (JIT, first connections): the oldest events of the run.
  const measured = lags.slice(Math.max(0, lags.length - sentAfterWarmUp)).sort((a, b) => a - b);
  return {
    sent: initial.events + sent,
    received: lags.length,
    rate: sent / elapsed,
    p50: percentile(measured, 50),
    p90: percentile(measured, 90),
    p99: percentile(measured, 99),
    max: measured[measured.length - 1],
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const end = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the relay did not start within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
