import { loadRelayConfig } from '@chuishao/runtime';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { startRelay } from '@chuishao/relay';
import { brokerPid } from '../../../test/relay/broker';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { allTopics, fileCheckpoint, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics } from '../../../test/relay/kafka-reader';
import { waitFor } from '../../../test/relay/wait';

jest.setTimeout(120_000);

describe('relay checkpoint (real broker)', () => {
  const dirs: string[] = [];
  const stores: SqliteEventStore[] = [];
  const open = (name: string) => {
    const dir = tempDir(name);
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    dirs.push(dir);
    stores.push(store);
    return { dir, store };
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('does not move while the broker has not acknowledged, and moves once it has', async () => {
    const { dir, store } = open('ack');
    const generator = new CaseTraffic({ seed: 21 });
    const first = await appendGenerated(store, generator, 500);
    const env = relayEnv(dir, { RELAY_LAG_INTERVAL_MS: '100' });
    const relay = await startRelay(store, loadRelayConfig(env), memoryLogger());
    try {
      await waitFor('the relay to reach the first head', () => relay.status().checkpoint === first.lastPosition);
      const broker = brokerPid();
      // SIGSTOP: the broker stays connected but answers nothing, so a send stays unacknowledged.
      process.kill(broker, 'SIGSTOP');
      let head: number;
      try {
        const second = await appendGenerated(store, generator, 300);
        head = second.lastPosition!;
        // The relay has new events on the wire and has measured the new head...
        const frozen = await waitFor('a batch on the wire and the new head measured', () => {
          const s = relay.status();
          return s.sending !== null && s.sending.from > first.lastPosition! && s.head === head ? s : null;
        });
        // ...and yet its checkpoint, in memory and in its file, is still the last acknowledged position.
        expect(frozen).toMatchObject({ checkpoint: first.lastPosition, lagEvents: second.events, state: 'catching-up' });
        expect(fileCheckpoint(dir)).toBe(first.lastPosition);
      } finally {
        process.kill(broker, 'SIGCONT');
      }
      await waitFor('the checkpoint to reach the new head once the broker answers', () => relay.status().checkpoint === head);
      expect(fileCheckpoint(dir)).toBe(head);
    } finally {
      await relay.stop();
    }
    const delivery = checkDelivery(await readStore(store), await readTopics(allTopics(env.RELAY_TOPIC_PREFIX!)));
    expect(delivery.problems).toEqual([]);
  });

  it('resumes after a restart from its checkpoint: nothing lost, nothing re-sent after a clean stop', async () => {
    const { dir, store } = open('restart');
    const generator = new CaseTraffic({ seed: 22, openCases: 300 });
    const env = relayEnv(dir);
    const runRelayToHead = async () => {
      const head = (await store.headPosition())!;
      const relay = await startRelay(store, loadRelayConfig(env), memoryLogger());
      try {
        await waitFor('the relay to reach the store head', () => relay.status().checkpoint === head);
      } finally {
        await relay.stop();
      }
    };

    await appendGenerated(store, generator, 2_000);
    await runRelayToHead();
    // Later events of the same (still open) cases, relayed by a new relay on the same checkpoint file.
    await appendGenerated(store, generator, 2_000);
    await runRelayToHead();
    // A checkpoint file that lost the case origins: the relay falls back to each case's first event.
    const db = new DatabaseSync(join(dir, 'relay.sqlite'));
    db.exec('DELETE FROM case_origins');
    db.close();
    await appendGenerated(store, generator, 1_000);
    await runRelayToHead();

    const delivery = checkDelivery(await readStore(store), await readTopics(allTopics(env.RELAY_TOPIC_PREFIX!)));
    expect(delivery.problems).toEqual([]); // every event, in order, each with its case's county topic and ce_source
    expect(delivery.duplicated.size).toBe(0);
  });
});
