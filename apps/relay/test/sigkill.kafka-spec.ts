import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { allTopics, fileCheckpoint, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics } from '../../../test/relay/kafka-reader';
import { assertRelayBuilt, failedRoundCheckpoints, RelayProcess } from '../../../test/relay/relay-process';
import { sleep, waitFor } from '../../../test/relay/wait';

jest.setTimeout(300_000);

const EVENTS = 50_000;
const KILLS = 6;

describe('relay process SIGKILLed under load (real broker)', () => {
  const dir = tempDir('sigkill');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  let relay: RelayProcess | null = null;
  afterAll(async () => {
    relay?.kill('SIGKILL');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses nothing of ${EVENTS} events while the relay is killed ${KILLS} times; order per case holds; duplicates are copies`, async () => {
    assertRelayBuilt();
    const generator = new CaseTraffic({ seed: 41, openCases: 2_000 });
    await appendGenerated(store, generator, 500); // the store file exists before the relay opens it
    const env = relayEnv(dir, { STORE_POLL_MS: '50', RELAY_HEALTH_PORT: '0', RELAY_LOG_INTERVAL_MS: '2000' });
    let runs = 0;
    const spawnRelay = () => new RelayProcess(env, join(dir, `relay-${++runs}.log`));
    relay = spawnRelay();

    // The writer generates the events in steps while the killer kills the relay at random moments.
    let written = 500;
    const writer = (async () => {
      while (written < EVENTS) {
        written += (await appendGenerated(store, generator, Math.min(500, EVENTS - written), 50)).events;
        await sleep(40);
      }
    })();
    /** Durable checkpoints the relay had to resume from: after each kill, re-sending starts right after them. */
    const resumedFrom: number[] = [];
    const killsDuringWriting: boolean[] = [];
    for (let k = 0; k < KILLS; k++) {
      // Spread the kills over the generation, and kill only once this run has made progress, so that every
      // kill lands in the middle of relaying (not while it is still connecting).
      const target = Math.floor(((k + 1) * EVENTS) / (KILLS + 1));
      await waitFor(`the writer to pass ${target} events`, () => written >= target, 120_000, 20);
      const before = fileCheckpoint(dir) ?? 0;
      await waitFor(`relay run ${runs} to move its checkpoint past ${before}`, () => (fileCheckpoint(dir) ?? 0) > before, 60_000, 20);
      if (k % 2 === 0) {
        await sleep(Math.random() * 300);
      } else {
        // Every other kill aims at a batch on the wire: the broker may have written it but the checkpoint not yet moved.
        const current = relay;
        await waitFor('a batch on the wire', async () => (await current.health())?.sending ?? null, 60_000, 5);
        await sleep(Math.random() * 30);
      }
      killsDuringWriting.push(written < EVENTS);
      relay.kill('SIGKILL');
      expect(await relay.exited).toBe('SIGKILL');
      resumedFrom.push(fileCheckpoint(dir) ?? 0);
      relay = spawnRelay();
    }
    await writer;
    const head = (await store.headPosition())!;
    await waitFor('the last relay run to reach the store head', () => fileCheckpoint(dir) === head, 120_000, 100);
    relay.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    relay = null;

    const stored = await readStore(store);
    expect(stored.length).toBeGreaterThanOrEqual(EVENTS);
    const received = await readTopics(allTopics(env.RELAY_TOPIC_PREFIX!), 180_000);
    const delivery = checkDelivery(stored, received);
    expect(delivery.problems).toEqual([]);

    // Duplicates only after a checkpoint the relay resumed from: an event can be sent once more per resumption
    // from before it, never more, and an event covered by every checkpoint it resumed from is never repeated.
    const logs = Array.from({ length: runs }, (_, i) => join(dir, `relay-${i + 1}.log`));
    const resumptions = [...resumedFrom, ...logs.flatMap(failedRoundCheckpoints)];
    const positionOf = new Map(stored.map((e) => [e.id, e.position]));
    const excess = [...delivery.duplicated].filter(([id, copies]) => copies > 1 + resumptions.filter((r) => r < positionOf.get(id)!).length);
    expect(excess).toEqual([]);
    expect(killsDuringWriting.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    process.stderr.write(
      `[sigkill] ${stored.length} events, ${KILLS} kills (${killsDuringWriting.filter(Boolean).length} while writing) ` +
        `resumed from ${resumedFrom.join(', ')}; ${received.length} messages, ${delivery.duplicated.size} events duplicated\n`,
    );
  });
});
