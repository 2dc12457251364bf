import { loadRelayConfig } from '@chuishao/runtime';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { startRelay } from '@chuishao/relay';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { allTopics, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics } from '../../../test/relay/kafka-reader';
import { waitFor } from '../../../test/relay/wait';

jest.setTimeout(120_000);

describe('relay ordering (real broker)', () => {
  const dir = tempDir('ordering');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each case in one partition and in revision order, during catch-up and live, across 6 partitions', async () => {
    const generator = new CaseTraffic({ seed: 5, openCases: 400 });
    await appendGenerated(store, generator, 5_000); // a backlog: the relay starts by catching up
    const env = relayEnv(dir, { RELAY_PARTITIONS: '6', RELAY_BATCH_SIZE: '300' });
    const relay = await startRelay(store, loadRelayConfig(env), memoryLogger());
    try {
      // Live traffic while it runs: small groups of appends, interleaving cases.
      for (let i = 0; i < 50; i++) {
        await appendGenerated(store, generator, 100, 10);
        await new Promise((r) => setImmediate(r));
      }
      const head = (await store.headPosition())!;
      await waitFor('the relay to reach the store head', () => relay.status().checkpoint === head);
    } finally {
      await relay.stop();
    }
    const stored = await readStore(store);
    const received = await readTopics(allTopics(env.RELAY_TOPIC_PREFIX!));
    const delivery = checkDelivery(stored, received);
    expect(delivery.problems).toEqual([]);
    expect(delivery.duplicated.size).toBe(0);
    // The cases really are spread: every partition of both county topics carries some.
    const used = new Set(received.map((m) => `${m.topic}/${m.partition}`));
    expect(used.size).toBe(12);
    // And cases do interleave within a partition (order per case is not a trivial one-case-per-partition order).
    const casesPerPartition = new Map<string, Set<string>>();
    for (const m of received) casesPerPartition.set(`${m.topic}/${m.partition}`, (casesPerPartition.get(`${m.topic}/${m.partition}`) ?? new Set()).add(m.key!));
    expect(Math.min(...[...casesPerPartition.values()].map((s) => s.size))).toBeGreaterThan(10);
  });
});
