import { caseIdOf } from '@chuishao/domain';
import type { RecordedEvent } from '@chuishao/event-store';
import type { Received } from './kafka-reader';

export interface DeliveryReport {
  problems: string[];
  /** Events received more than once (each copy identical, so consumers drop them by ce_id). */
  duplicated: Map<string, number>;
  messages: number;
}

/**
 * What a county consumer must be able to rely on, checked on everything read from the topics:
 * every stored event arrived; nothing else arrived; each went to its case's county topic with its
 * case's ce_source; copies of an event are identical (same ce_id, key, value, headers); each case
 * lives in one partition; and, dropping repeats by ce_id, each case's events come in revision order
 * 0, 1, 2, … without a gap. Events `expectedDeadLetters` names must be on the dead-letter topic instead.
 */
export function checkDelivery(stored: RecordedEvent[], received: Received[], expectedDeadLetters = new Set<string>(), limit = 20): DeliveryReport {
  const problems: string[] = [];
  const report = (p: string) => problems.length < limit && problems.push(p);
  const byId = new Map(stored.map((e) => [e.id, e]));
  const origins = new Map<string, { countyId: string; townshipId: string }>();
  for (const e of stored) if (e.type === 'WhistleBlown') origins.set(caseIdOf(e.streamName)!, e.data as never);
  const first = new Map<string, Received>();
  const copies = new Map<string, number>();
  const perCase = new Map<string, { where: string; revisions: number[] }>();
  for (const m of received) {
    const id = m.headers.ce_id;
    const event = byId.get(id);
    if (!event) {
      report(`received ${id} which the store does not have (${m.topic}/${m.partition}@${m.offset})`);
      continue;
    }
    const earlier = first.get(id);
    copies.set(id, (copies.get(id) ?? 0) + 1);
    if (earlier) {
      if (earlier.value !== m.value || earlier.key !== m.key || earlier.topic !== m.topic || JSON.stringify(earlier.headers) !== JSON.stringify(m.headers)) {
        report(`copies of ${id} differ: ${earlier.topic}/${earlier.partition}@${earlier.offset} vs ${m.topic}/${m.partition}@${m.offset}`);
      }
      continue;
    }
    first.set(id, m);
    if (expectedDeadLetters.has(id)) {
      if (!m.topic.endsWith('.dead-letter')) report(`${id} should be on the dead-letter topic, is on ${m.topic}`);
      continue;
    }
    const origin = origins.get(m.key ?? '');
    if (
      !origin ||
      !m.topic.endsWith(`.${origin.countyId}.case-events`) ||
      m.headers.ce_source !== `/counties/${origin.countyId}/townships/${origin.townshipId}`
    ) {
      report(`${id} of case ${m.key} went to ${m.topic} with ce_source ${m.headers.ce_source}, its case is from ${JSON.stringify(origin)}`);
    }
    const where = `${m.topic}/${m.partition}`;
    const c = perCase.get(m.key ?? '') ?? { where, revisions: [] };
    if (c.where !== where) report(`case ${m.key} is in ${c.where} and ${where}`);
    c.revisions.push(Number(m.headers.ce_revision));
    perCase.set(m.key ?? '', c);
  }
  const missing = stored.filter((e) => !first.has(e.id));
  if (missing.length > 0)
    report(
      `${missing.length} events never arrived, e.g. positions ${missing
        .slice(0, 5)
        .map((e) => e.position)
        .join(', ')}`,
    );
  const expectedRevisions = new Map<string, number[]>();
  for (const e of stored) {
    if (expectedDeadLetters.has(e.id)) continue;
    const key = caseIdOf(e.streamName)!;
    expectedRevisions.set(key, [...(expectedRevisions.get(key) ?? []), e.revision]);
  }
  for (const [caseId, { revisions }] of perCase) {
    if (revisions.join(',') !== (expectedRevisions.get(caseId) ?? []).join(',')) {
      report(`case ${caseId} arrived as revisions ${revisions.join(',')}, stored ${expectedRevisions.get(caseId)?.join(',')}`);
    }
  }
  return { problems, duplicated: new Map([...copies].filter(([, n]) => n > 1)), messages: received.length };
}

/** Every event of the store, in position order. */
export async function readStore(store: { readAll(o: { after?: number | null; limit?: number }): Promise<RecordedEvent[]> }): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll({ limit: 5000 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1].position, limit: 5000 })) {
    all.push(...page);
  }
  return all;
}
