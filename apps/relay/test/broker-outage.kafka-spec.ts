import { loadRelayConfig } from '@chuishao/runtime';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { type RelayState, startRelay } from '@chuishao/relay';
import { kafkaShAsync } from '../../../test/relay/broker';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { allTopics, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics } from '../../../test/relay/kafka-reader';
import { sleep, waitFor } from '../../../test/relay/wait';

jest.setTimeout(300_000);

const OUTAGE_MS = 10_000;

describe('broker outage (real broker stopped and restarted on its data)', () => {
  const dir = tempDir('outage');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  let brokerStopped = false;
  afterAll(async () => {
    if (brokerStopped) await kafkaShAsync('start'); // the test failed mid-outage: leave the broker running for the other suites
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing when the broker is stopped for 10 s mid-run: the relay retries, then catches up', async () => {
    const generator = new CaseTraffic({ seed: 51, openCases: 500 });
    await appendGenerated(store, generator, 1_000);
    const env = relayEnv(dir, { RELAY_RETRY_MAX_MS: '1000', RELAY_LAG_INTERVAL_MS: '200' });
    const logger = memoryLogger();
    const relay = await startRelay(store, loadRelayConfig(env), logger);
    const states = new Set<RelayState>();
    const sampler = setInterval(() => states.add(relay.status().state), 50);
    let writing = true;
    // Steady traffic throughout, outage included: about 1,000 events/s.
    const writer = (async () => {
      while (writing) {
        await appendGenerated(store, generator, 50, 10);
        await sleep(50);
      }
    })();
    try {
      await waitFor('the relay to be live', () => relay.status().checkpoint !== null && relay.status().state === 'live');
      brokerStopped = true;
      await kafkaShAsync('stop'); // data kept: the same broker comes back
      const checkpointAtStop = relay.status().checkpoint!;
      await sleep(OUTAGE_MS);
      expect(relay.status().checkpoint).toBe(checkpointAtStop); // nothing acknowledged, nothing checkpointed
      await kafkaShAsync('start');
      brokerStopped = false;
      await waitFor('the relay to publish again', () => relay.status().checkpoint! > checkpointAtStop, 120_000);
      await appendGenerated(store, generator, 1_000);
      writing = false;
      await writer;
      const head = (await store.headPosition())!;
      await waitFor('the relay to reach the store head', () => relay.status().checkpoint === head, 120_000);
    } finally {
      writing = false;
      clearInterval(sampler);
      await relay.stop();
    }

    expect(states.has('retrying')).toBe(true); // the outage was seen, reported, and ridden out
    expect(logger.lines.some((l) => l.includes('round failed'))).toBe(true);
    const stored = await readStore(store);
    const delivery = checkDelivery(stored, await readTopics(allTopics(env.RELAY_TOPIC_PREFIX!)));
    expect(delivery.problems).toEqual([]);
    process.stderr.write(
      `[outage] ${stored.length} events, ${delivery.messages} messages, ${delivery.duplicated.size} duplicated; states seen: ${[...states].join(', ')}\n`,
    );
  });
});
