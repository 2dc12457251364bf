import { loadRelayConfig } from '@chuishao/runtime';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { caseStream } from '@chuishao/domain';
import { SqliteEventStore } from '@chuishao/event-store';
import { appendGenerated } from '../fixtures/append-generated';
import { CaseTraffic } from '@chuishao/histories';
import { countyTopic, deadLetterTopic, startRelay } from '@chuishao/relay';
import { checkDelivery, readStore } from '../../../test/relay/delivery-check';
import { contractValidator } from '../../../test/contracts/contract-schemas';
import { allTopics, memoryLogger, relayEnv, tempDir } from '../../../test/relay/harness';
import { readTopics, withAdmin } from '../../../test/relay/kafka-reader';
import { waitFor } from '../../../test/relay/wait';

jest.setTimeout(120_000);

const TINY = { countyId: 'county-tiny', townships: ['twp-tiny'], departments: ['dept-tiny-a', 'dept-tiny-b'], commandCentreId: 'cc-tiny' };
const meta = { actor: { orgId: 'twp-chengguan', role: 'township', userId: 'u1' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };

describe('relay poison events (real broker)', () => {
  const dir = tempDir('poison');
  const file = join(dir, 'events.sqlite');
  const store = new SqliteEventStore({ file, synchronous: 'NORMAL' });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parks each poison event on the dead-letter topic with its reason and relays everything else', async () => {
    const env = relayEnv(dir, { RELAY_MAX_MESSAGE_BYTES: '20000', RELAY_BATCH_SIZE: '50' });
    const prefix = env.RELAY_TOPIC_PREFIX!;
    // A county topic someone created with a small max.message.bytes: the broker, not the relay, refuses a message.
    await withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: countyTopic(prefix, TINY.countyId), numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '6000' }] },
        ],
      }),
    );
    const generator = new CaseTraffic({ seed: 31 });
    await appendGenerated(store, generator, 300);

    // 1. Data JSON.stringify cannot serialise (nested too deeply), written past the store's checks (an older writer, a migration).
    const unserialisable = randomUUID();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const raw = new DatabaseSync(file, { timeout: 5000 });
    raw
      .prepare('INSERT INTO events (stream_name, revision, id, type, data, metadata, recorded_at) VALUES (?, 0, ?, ?, ?, ?, ?)')
      .run(
        caseStream(unserialisable),
        unserialisable,
        'WhistleBlown',
        `{"caseId":"${unserialisable}","occurredAt":"2026-03-02T08:00:00.000Z","townshipId":"twp-chengguan","countyId":"county-qingchuan","title":"t","location":{"address":"a","shape":${deep}}}`,
        JSON.stringify(meta),
        new Date().toISOString(),
      );
    raw.prepare('INSERT INTO streams (name, last_revision) VALUES (?, 0)').run(caseStream(unserialisable));
    raw.close();

    // 2. Larger than the relay's RELAY_MAX_MESSAGE_BYTES.
    const tooLarge = generated(new CaseTraffic({ seed: 32, openCases: 1 }), 1, (data) => (data.description = '大'.repeat(10_000)));
    // 3. Within the relay's limit but over the topic's: refused by the broker. Its case's later events still go through.
    // (A seed whose case goes on for several events after the first: the check below needs at least five.)
    const tinyCase = generated(new CaseTraffic({ seed: 34, openCases: 1, counties: [TINY] }), 6, (data) => (data.description = 'x'.repeat(8_000)));
    // 4. A case stream that does not start with WhistleBlown: no county to route to.
    const unroutable = randomUUID();
    // 5. Not a case event at all.
    const notACase = randomUUID();
    for (const append of [tooLarge, tinyCase]) {
      for (const a of append) await store.append(a.streamName, a.events, { expectedRevision: a.expectedRevision });
    }
    await store.append(
      caseStream(unroutable),
      [
        {
          id: unroutable,
          type: 'DepartmentResponded',
          data: { caseId: unroutable, occurredAt: '2026-03-02T08:00:00.000Z', partId: 'p1', departmentId: 'dept-market' },
          metadata: meta,
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    await store.append('audit-1', [{ id: notACase, type: 'Audited', data: { what: 'x' }, metadata: meta }], { expectedRevision: 'any' });
    await appendGenerated(store, generator, 300); // and normal traffic after the poison

    const poison = new Map([
      [unserialisable, 'unserialisable'],
      [tooLarge[0].events[0].id, 'too-large'],
      [tinyCase[0].events[0].id, 'rejected-by-broker'],
      [unroutable, 'unroutable'],
      [notACase, 'invalid-event'],
    ]);
    const head = (await store.headPosition())!;
    const logger = memoryLogger();
    const relay = await startRelay(store, loadRelayConfig(env), logger);
    try {
      await waitFor('the relay to reach the store head past the poison', () => relay.status().checkpoint === head);
      expect(relay.status()).toMatchObject({ deadLettered: poison.size, failures: 0, state: 'live' });
    } finally {
      await relay.stop();
    }

    const stored = await readStore(store);
    const received = await readTopics([...allTopics(prefix), countyTopic(prefix, TINY.countyId)]);
    const delivery = checkDelivery(stored, received, new Set(poison.keys()));
    expect(delivery.problems).toEqual([]);
    // The tiny county's case went on after its refused first event.
    const tinyRevisions = stored
      .filter((e) => e.streamName === tinyCase[0].streamName)
      .slice(1)
      .map((e) => String(e.revision));
    expect(tinyRevisions.length).toBeGreaterThanOrEqual(5);
    expect(received.filter((m) => m.topic === countyTopic(prefix, TINY.countyId)).map((m) => m.headers.ce_revision)).toEqual(tinyRevisions);

    const parked = received.filter((m) => m.topic === deadLetterTopic(prefix));
    expect(new Map(parked.map((m) => [m.headers.ce_id, m.headers.dlq_reason]))).toEqual(poison);
    const by = (id: string) => parked.find((m) => m.headers.ce_id === id)!;
    expect(by(unserialisable).headers.dlq_error).toContain('Maximum call stack size exceeded');
    expect(by(unserialisable).headers.dlq_topic).toBe(countyTopic(prefix, 'county-qingchuan'));
    expect(by(unserialisable).value).toBeNull();
    expect(by(tooLarge[0].events[0].id).headers.dlq_error).toContain("exceeds the relay's limit of 20000 bytes");
    expect(Number(by(tooLarge[0].events[0].id).headers.dlq_bytes)).toBeGreaterThan(20_000);
    expect(by(tinyCase[0].events[0].id).headers.dlq_error).toContain('MESSAGE_TOO_LARGE');
    expect(by(tinyCase[0].events[0].id).headers.ce_source).toBe('/counties/county-tiny/townships/twp-tiny');
    expect(by(unroutable).headers.dlq_error).toContain('does not start with a WhistleBlown');
    expect(JSON.parse(by(unroutable).value!)).toMatchObject({ caseId: unroutable });
    expect(by(notACase).headers.dlq_error).toContain('not a case stream');
    for (const m of parked) expect(m.headers).toMatchObject({ ce_specversion: '1.0', dlq_stream: expect.any(String), dlq_eventtype: expect.any(String) });
    const contract = contractValidator({ closed: true });
    for (const m of parked) expect({ id: m.headers.ce_id, problems: contract.deadLetterHeaders(m.headers) }).toEqual({ id: m.headers.ce_id, problems: [] });
    // Each one was also logged, with its reason.
    expect(logger.lines.filter((l) => l.includes('parked on')).length).toBe(poison.size);
  });
});

/** `count` generated appends of one case; `change` edits the first event's data (its WhistleBlown). */
function generated(generator: CaseTraffic, count: number, change: (data: Record<string, unknown>) => void) {
  const appends = Array.from({ length: count }, () => generator.next());
  change(appends[0].events[0].data);
  return appends;
}
