import { loadRelayConfig } from '@chuishao/runtime';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_EVENT_TYPES, caseIdOf } from '@chuishao/domain';
import { SqliteEventStore, type RecordedEvent } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { countyTopic, deadLetterTopic, startRelay } from '@chuishao/relay';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { contractValidator } from '../../../test/contracts/contract-schemas';
import { allTopics, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics, withAdmin } from '../../../test/relay/kafka-reader';
import { waitFor } from '../../../test/relay/wait';

jest.setTimeout(120_000);

describe('relay envelope (real broker)', () => {
  const dir = tempDir('envelope');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event type to its county topic: CloudEvents headers, key = caseId, value = the data', async () => {
    await appendGenerated(store, new CaseTraffic({ seed: 3, openCases: 100 }), 4_000);
    const stored = await readStore(store);
    expect(new Set(stored.map((e) => e.type))).toEqual(new Set(CASE_EVENT_TYPES));
    const head = stored[stored.length - 1].position;

    const env = relayEnv(dir, { RELAY_PARTITIONS: '4', RELAY_HEALTH_PORT: '0' });
    const prefix = env.RELAY_TOPIC_PREFIX!;
    const logger = memoryLogger();
    const relay = await startRelay(store, loadRelayConfig(env), logger);
    try {
      await waitFor('the relay to reach the store head', () => relay.status().checkpoint === head);
      const health = await fetch(`http://127.0.0.1:${relay.healthPort}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ checkpoint: head, head, lagEvents: 0, lagSeconds: 0, state: 'live', deadLettered: 0 });
    } finally {
      await relay.stop();
    }

    const received = await readTopics(allTopics(prefix));
    const delivery = checkDelivery(stored, received);
    expect(delivery.problems).toEqual([]);
    expect(delivery.duplicated.size).toBe(0); // no failure, no restart: nothing is sent twice

    const origin = new Map<string, { countyId: string; townshipId: string }>();
    for (const e of stored) if (e.type === 'WhistleBlown') origin.set(e.data.caseId as string, e.data as never);
    const byId = new Map(received.map((m) => [m.headers.ce_id, m]));
    // Closed: a field or header the contract files do not describe fails here, as well as a wrong one.
    const contract = contractValidator({ closed: true });
    for (const e of stored) {
      const m = byId.get(e.id)!;
      const caseId = caseIdOf(e.streamName)!;
      const { countyId, townshipId } = origin.get(caseId)!;
      expect({ topic: m.topic, key: m.key, headers: m.headers }).toEqual({
        topic: countyTopic(prefix, countyId),
        key: caseId,
        headers: expected(e, caseId, countyId, townshipId),
      });
      expect(JSON.parse(m.value!)).toEqual(JSON.parse(JSON.stringify(e.data)));
      const ceType = /^cn\.gov\.whistle\.([A-Za-z]+)\.v1$/.exec(m.headers.ce_type)![1];
      expect({ id: e.id, problems: contract.event(ceType, JSON.parse(m.value!)) }).toEqual({ id: e.id, problems: [] });
      expect({ id: e.id, problems: contract.headers(m.headers) }).toEqual({ id: e.id, problems: [] });
    }

    // Topics were created with the configured partitions; the dead-letter topic exists and is empty.
    const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: allTopics(prefix) }));
    for (const t of metadata.topics) expect({ topic: t.name, partitions: t.partitions.length }).toEqual({ topic: t.name, partitions: 4 });
    expect(received.filter((m) => m.topic === deadLetterTopic(prefix))).toEqual([]);
  });
});

function expected(e: RecordedEvent, caseId: string, countyId: string, townshipId: string): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: e.id,
    ce_type: `cn.gov.whistle.${e.type}.v1`,
    ce_source: `/counties/${countyId}/townships/${townshipId}`,
    ce_subject: caseId,
    ce_time: e.data.occurredAt as string,
    'content-type': 'application/json',
    ce_position: String(e.position),
    ce_revision: String(e.revision),
    ce_recordedat: e.recordedAt,
    ce_countyid: countyId,
    ce_townshipid: townshipId,
    ce_correlationid: e.metadata.correlationId,
    ce_causationid: e.metadata.causationId,
    ce_actororg: e.metadata.actor.orgId,
    ce_actorrole: e.metadata.actor.role,
  };
}
