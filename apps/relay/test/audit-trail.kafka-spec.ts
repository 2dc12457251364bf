import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAuditStream, RefusalRecorder } from '@chuishao/audit';
import { caseIdOf } from '@chuishao/domain';
import { SqliteEventStore } from '@chuishao/event-store';
import { CaseTraffic } from '@chuishao/histories';
import { appendGenerated } from '../fixtures/append-generated';
import { startRelay } from '@chuishao/relay';
import { loadRelayConfig } from '@chuishao/runtime';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { allTopics, fileCheckpoint, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics } from '../../../test/relay/kafka-reader';
import { waitFor } from '../../../test/relay/wait';

jest.setTimeout(120_000);

describe('the relay and the audit trail of refusals (real broker)', () => {
  const dir = tempDir('audit');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays every case event and no refusal record, to no topic, and its checkpoint passes them', async () => {
    const env = relayEnv(dir, { RELAY_BATCH_SIZE: '40' });
    const prefix = env.RELAY_TOPIC_PREFIX!;
    let now = Date.parse('2026-03-02T08:00:00Z');
    const recorder = new RefusalRecorder({ store, now: () => new Date(now), perCaller: 3, total: 100, flushIntervalMs: 0 });
    const traffic = new CaseTraffic({ seed: 41 });
    // Case traffic with refusal records between (naming its cases), and a run of refusals at the very end.
    for (let round = 0; round < 10; round++) {
      await appendGenerated(store, traffic, 60, 10);
      const some = (await store.readAll({ after: Math.max(0, ((await store.headPosition()) ?? 0) - 5), limit: 5 }))
        .map((e) => caseIdOf(e.streamName))
        .filter(Boolean);
      for (let i = 0; i < 8; i++) {
        now += 5_000;
        recorder.record({
          at: new Date(now).toISOString(),
          orgId: null,
          userId: null,
          role: null,
          countyId: null,
          ip: '10.9.8.7',
          method: 'GET',
          route: '/v1/cases/:caseId',
          caseId: some[i % some.length] ?? null,
          status: 401,
          outcome: 'AUTH.UNAUTHENTICATED',
          detail: 'forged',
          correlationId: `r${round}-${i}`,
        });
      }
      await recorder.flush();
    }
    await recorder.close();
    const stored = await readStore(store);
    const trail = stored.filter((e) => isAuditStream(e.streamName));
    expect(trail.length).toBeGreaterThan(20);
    expect(isAuditStream(stored[stored.length - 1].streamName)).toBe(true);
    const head = stored[stored.length - 1].position;

    const logger = memoryLogger();
    const relay = await startRelay(store, loadRelayConfig(env), logger);
    try {
      await waitFor('the relay to reach the head, past the trailing refusal records', () => relay.status().checkpoint === head);
      expect(relay.status()).toMatchObject({ deadLettered: 0, failures: 0, lagEvents: expect.any(Number) });
    } finally {
      await relay.stop();
    }
    expect(fileCheckpoint(dir)).toBe(head);
    const received = await readTopics(allTopics(prefix));
    const trailIds = new Set(trail.map((e) => e.id));
    // Not on a county topic, not on the dead-letter topic: nowhere.
    expect(received.filter((m) => trailIds.has(m.headers.ce_id))).toEqual([]);
    expect(
      checkDelivery(
        stored.filter((e) => !isAuditStream(e.streamName)),
        received,
      ).problems,
    ).toEqual([]);
    expect(received.length).toBeGreaterThanOrEqual(stored.length - trail.length);
  });
});
