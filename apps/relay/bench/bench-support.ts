import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../../..');

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export function machineFacts(): Record<string, string> {
  const kafkaVersion =
    process.env.KAFKA_VERSION ?? /<kafka\.version>(.*)<\/kafka\.version>/.exec(readFileSync(join(ROOT, 'scripts/kafka/pom.xml'), 'utf8'))?.[1];
  const kafkajs = JSON.parse(readFileSync(join(ROOT, 'node_modules/kafkajs/package.json'), 'utf8')).version;
  return {
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `Linux ${release()}`,
    node: process.version,
    kafkajs,
    broker: `Apache Kafka ${kafkaVersion} (scripts/kafka/kafka.sh, single node KRaft, JVM -Xmx512m, C1 only), loopback`,
    'load average at start': loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

/** The brokers to use: KAFKA_BROKERS, or the repo's script broker on BENCH_KAFKA_PORT (started if needed). */
export function benchBrokers(): { brokers: string[]; startedHere: boolean; stop(): void } {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS.split(','), startedHere: false, stop: () => undefined };
  const port = process.env.BENCH_KAFKA_PORT ?? '19592';
  const script = join(ROOT, 'scripts/kafka/kafka.sh');
  const running = spawnSync(script, ['status', '--port', port], { stdio: 'ignore' }).status === 0;
  if (!running) execFileSync(script, ['start', '--port', port], { stdio: ['ignore', 'inherit', 'inherit'] });
  return {
    brokers: [`127.0.0.1:${port}`],
    startedHere: !running,
    stop: () => {
      if (!running) execFileSync(script, ['stop', '--port', port, '--clean'], { stdio: ['ignore', 'inherit', 'inherit'] });
    },
  };
}
