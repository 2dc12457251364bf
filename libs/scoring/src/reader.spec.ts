import fc from 'fast-check';
import type { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '@chuishao/event-store';
import { openReadModelDb, writeCheckpoint } from '@chuishao/projections';
import { actionsArb, DEPTS, historyOf } from '../test/random-history';
import { COUNTY, T0 } from '@chuishao/histories';
import { COUNT_FIELDS } from './evaluate';
import { factsFromEvents } from './facts';
import { DEFAULT_SCORING_POLICY } from './policy';
import { SCORING_PROJECTION, scoringPartsProjection } from './projection';
import { ScorecardReader, type ScorecardRequest } from './reader';
import { computeScorecard, computeTrend } from './scorecard';

const departments = DEPTS.map((id) => ({ id, name: `名称-${id}` }));
const policy = { ...DEFAULT_SCORING_POLICY, minRankedParts: 2 };
const request = (asOf: number, from = '2026-03-01', to = '2026-05-01'): ScorecardRequest => ({
  countyId: COUNTY,
  timeZone: 'Asia/Shanghai',
  from,
  to,
  asOf,
  policy,
  departments,
});

/** One runner batch: the rows and the checkpoint in one transaction. */
function project(db: DatabaseSync, batch: RecordedEvent[]) {
  if (batch.length === 0) return;
  db.exec('BEGIN IMMEDIATE');
  scoringPartsProjection.applyBatch(db, batch);
  writeCheckpoint(db, SCORING_PROJECTION, batch[batch.length - 1].position);
  db.exec('COMMIT');
}

describe('ScorecardReader', () => {
  it('answers exactly what computeScorecard gives: between batches, for asOf values in any order (mirror and cache never lie)', () => {
    fc.assert(
      fc.property(
        actionsArb(50),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(fc.integer({ min: -10, max: 30 * 24 * 60 }), fc.constantFrom(0, 120, 121, 4320)), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 59_999 }), { minLength: 1, maxLength: 3 }),
        (actions, sizes, minutes, jitter) => {
          const { events } = historyOf(actions);
          const db = openReadModelDb(':memory:');
          scoringPartsProjection.setup(db);
          const reader = new ScorecardReader(db);
          let applied = 0;
          for (let b = 0; applied < events.length || b === 0; b++) {
            const next = events.slice(applied, applied + sizes[b % sizes.length]);
            project(db, next);
            applied += next.length;
            const parts = factsFromEvents(events.slice(0, applied));
            for (const [i, m] of minutes.entries()) {
              const q = request(T0 + m * 60_000 + jitter[i % jitter.length] * (i % 2));
              const expected = computeScorecard(parts, q);
              expect(reader.scorecard(q)).toEqual(expected);
              expect(reader.scorecard(q)).toEqual(expected); // again, from the cache
              if (i > 1) continue;
              const one = reader.department(q, 'dept-b');
              expect(one.department).toEqual(expected.departments.find((r) => r.departmentId === 'dept-b'));
              expect(one.trend).toEqual(computeTrend(parts, q, 'dept-b'));
              // explain accounts for every counted part: its per-part counts sum to the row.
              const explained = reader.explain(q, 'dept-a');
              const row = expected.departments.find((r) => r.departmentId === 'dept-a')!;
              expect(explained.department).toEqual(row);
              for (const f of COUNT_FIELDS) expect(explained.parts.reduce((s, p) => s + p.counts[f], 0)).toBe(row[f]);
            }
          }
          db.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('loads the mirror in chunks while the projection keeps writing, and ends equal to the read model', async () => {
    const all = fc
      .sample(actionsArb(120), { seed: 11, numRuns: 5 })
      .flatMap((a, k) => historyOf(a).events.map((e) => ({ ...e, data: { ...e.data, caseId: `h${k}-${String(e.data.caseId)}` } })));
    all.forEach((e, i) => {
      e.position = i + 1;
    });
    const db = openReadModelDb(':memory:');
    scoringPartsProjection.setup(db);
    const half = Math.floor(all.length / 2);
    project(db, all.slice(0, half));
    const reader = new ScorecardReader(db, { loadChunk: 7 });
    const loading = reader.ready();
    project(db, all.slice(half)); // lands between two chunks
    await loading;
    const q = request(T0 + 400 * 24 * 3_600_000, '2026-01-01', '2027-06-01');
    expect(reader.scorecard(q)).toEqual(computeScorecard(factsFromEvents(all), q));
    expect(reader.state().checkpoint).toBe(all.length);
    db.close();
  });
});
