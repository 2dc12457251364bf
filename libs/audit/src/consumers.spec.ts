import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { caseIdOf } from '@chuishao/domain';
import { SqliteEventStore } from '@chuishao/event-store';
import { CaseTraffic } from '@chuishao/histories';
import { caseInboxGenerations, caseInboxProjection, openReadModelDb, ProjectionRunner, rebuildProjections } from '@chuishao/projections';
import { scoringGenerations, scoringPartsProjection } from '@chuishao/scoring';
import { RefusalRecorder } from './recorder';
import { isAuditStream } from './refusal';
import { refusalAt } from './testing';

/** Every read-model table's rows, without the store positions (the two stores number their events differently). */
function dump(db: DatabaseSync): Record<string, string[]> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
    .map((t) => t.name)
    .filter((name) => !/checkpoint|generation/.test(name));
  return Object.fromEntries(
    tables.map((name) => [
      name,
      (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[])
        .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => column !== 'position')))
        .sort(),
    ]),
  );
}

describe('the read models pass over the audit trail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-consumers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the case inbox and the scoring parts are the same with or without refusal records between the case events, live and rebuilt', async () => {
    // One recording instant for both stores: the scoring parts keep when each fact was recorded.
    const clock = () => new Date('2026-06-01T00:00:00.000Z');
    const plain = new SqliteEventStore({ file: join(dir, 'plain.sqlite'), synchronous: 'OFF', clock });
    const audited = new SqliteEventStore({ file: join(dir, 'audited.sqlite'), synchronous: 'OFF', clock });
    // Refusals naming the very cases being written, single records and counts (perCaller 2), flushed between appends.
    let now = Date.parse('2026-03-02T00:00:00Z');
    const recorder = new RefusalRecorder({ store: audited, now: () => new Date(now), perCaller: 2, total: 100, flushIntervalMs: 0 });
    const traffic = [new CaseTraffic({ seed: 7, openCases: 20 }), new CaseTraffic({ seed: 7, openCases: 20 })];
    let auditEvents = 0;
    for (let i = 0; i < 600; i++) {
      const [a, b] = [traffic[0].next(), traffic[1].next()];
      await plain.append(a.streamName, a.events, { expectedRevision: a.expectedRevision });
      await audited.append(b.streamName, b.events, { expectedRevision: b.expectedRevision });
      const caseId = caseIdOf(b.streamName);
      now += 7_000;
      recorder.record(refusalAt(now, { caseId, route: '/v1/cases/:caseId/responses', method: 'POST', status: 409, outcome: 'CASE.INVALID_STATE' }));
      if (i % 5 === 0) await recorder.flush();
    }
    await recorder.close();
    const everything = await audited.readAll({ limit: 1_000_000 });
    auditEvents = everything.filter((e) => isAuditStream(e.streamName)).length;
    expect(auditEvents).toBeGreaterThan(100);
    expect(everything.some((e) => e.type === 'RefusalsAggregated')).toBe(true);

    const models = [];
    for (const [name, store] of [
      ['plain', plain],
      ['audited', audited],
    ] as const) {
      const db = openReadModelDb(join(dir, `${name}-read.sqlite`));
      const runner = new ProjectionRunner(store, db, [caseInboxProjection, scoringPartsProjection]);
      runner.start();
      const head = (await store.headPosition())!;
      await runner.reached(head);
      await runner.stop();
      // The runner moved past the trail's events too: nothing is left "behind".
      expect(runner.checkpoint).toBe(head);
      models.push(dump(db));
      // And a rebuild (npm run rebuild: the history folded in stream partitions, then switched to).
      await rebuildProjections(store, db, [caseInboxGenerations, scoringGenerations], { graceMs: 0, partitions: { count: 3 } });
      models.push(dump(db));
      db.close();
    }
    const [withoutTrail, withoutTrailRebuilt, withTrail, withTrailRebuilt] = models;
    expect(Object.values(withoutTrail).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(40);
    expect(withTrail).toEqual(withoutTrail);
    expect(Object.keys(withTrailRebuilt)).not.toEqual(Object.keys(withTrail)); // the rebuilt generation's tables
    expect(withTrailRebuilt).toEqual(withoutTrailRebuilt);
    await plain.close();
    await audited.close();
  });
});
