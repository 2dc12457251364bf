import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countyTopic, deadLetterTopic, type RelayLogger } from '@chuishao/relay';
import { TWO_COUNTIES } from '@chuishao/histories';
import { brokers } from './broker';

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `relay-${name}-`));

/** Every test relays to its own topics (a fresh prefix), so tests sharing the broker never see each other's messages. */
export function relayEnv(dataDir: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: brokers().join(','),
    DATA_DIR: dataDir,
    RELAY_TOPIC_PREFIX: `t-${randomBytes(4).toString('hex')}`,
    RELAY_PARTITIONS: '6',
    RELAY_LOG_INTERVAL_MS: '0',
    RELAY_RETRY_MAX_MS: '2000',
    ...overrides,
  };
}

export const allTopics = (prefix: string) => [...TWO_COUNTIES.map((c) => countyTopic(prefix, c.countyId)), deadLetterTopic(prefix)];

/** Keeps the relay's log lines for assertions and failure messages instead of printing them mid-test. */
export function memoryLogger(echo = process.env.RELAY_TEST_VERBOSE === '1'): RelayLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`);
    if (echo) process.stderr.write(`[relay ${level}] ${m}\n`);
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** The relay's checkpoint as another process sees it in its file (null: no file or no checkpoint yet). */
export function fileCheckpoint(dataDir: string, name = 'kafka-relay'): number | null {
  const file = join(dataDir, 'relay.sqlite');
  if (!existsSync(file)) return null;
  const db = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  try {
    const row = db.prepare('SELECT position FROM relay_checkpoints WHERE name = ?').get(name) as { position: number } | undefined;
    return row?.position ?? null;
  } catch (error) {
    if (String(error).includes('no such table')) return null; // the relay has not created its tables yet
    throw error;
  } finally {
    db.close();
  }
}
