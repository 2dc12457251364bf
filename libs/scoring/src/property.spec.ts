import fc from 'fast-check';
import type { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '@chuishao/event-store';
import { openReadModelDb } from '@chuishao/projections';
import { actionsArb, DEPTS, historyOf, workflowActionsArb } from '../test/random-history';
import { T0 } from '@chuishao/histories';
import { COUNT_FIELDS } from './evaluate';
import { factsFromEvents, SCORED_EVENT_TYPES, type PartFacts } from './facts';
import { DEFAULT_SCORING_POLICY } from './policy';
import { fromRow, scoringPartsProjection, tablesOf, type PartRow } from './projection';
import { computeScorecard, type Scorecard } from './scorecard';

const TZ = 'Asia/Shanghai';
const departments = DEPTS.map((id) => ({ id, name: id }));
const PERIODS: [string, string][] = [
  ['2026-01-01', '2030-01-01'],
  ['2026-03-01', '2026-04-01'],
  ['2026-03-05', '2026-03-12'],
];
const scorecard = (parts: PartFacts[], asOf: number, [from, to]: [string, string]) =>
  computeScorecard(parts, { from, to, asOf, policy: { ...DEFAULT_SCORING_POLICY, minRankedParts: 2 }, departments, timeZone: TZ });
const byId = (parts: PartFacts[]) => [...parts].sort((a, b) => (a.holdingId < b.holdingId ? -1 : 1));

/** The projection as the runner drives it: one transaction per batch. */
function project(db: DatabaseSync, batches: RecordedEvent[][]): PartFacts[] {
  for (const batch of batches) {
    db.exec('BEGIN IMMEDIATE');
    scoringPartsProjection.applyBatch(db, batch);
    db.exec('COMMIT');
  }
  return (db.prepare(`SELECT * FROM ${tablesOf(1).parts}`).all() as unknown as PartRow[]).map(fromRow);
}

function split<T>(items: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  for (let i = 0, k = 0; i < items.length; k++) {
    const n = sizes.length ? sizes[k % sizes.length] : items.length;
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Events that are known at T: per case, the prefix whose running max of occurredAt/recordedAt is ≤ T. */
function knownAt(events: RecordedEvent[], asOf: number): RecordedEvent[] {
  const running = new Map<string, number>();
  const hidden = new Set<string>();
  return events.filter((e) => {
    if (!SCORED_EVENT_TYPES.has(e.type)) return false;
    const caseId = String(e.data.caseId);
    const known = Math.max(running.get(caseId) ?? -Infinity, Date.parse(String(e.data.occurredAt)), Date.parse(e.recordedAt));
    running.set(caseId, known);
    if (known > asOf) hidden.add(caseId);
    return !hidden.has(caseId);
  });
}

function invariants(card: Scorecard) {
  for (const r of card.departments) {
    expect(r.respondedOnTime).toBeLessThanOrEqual(r.responded);
    expect(r.responded).toBeLessThanOrEqual(r.received);
    expect(r.respondedOnTime).toBeLessThanOrEqual(r.responseDue);
    expect(r.responseDue).toBeLessThanOrEqual(r.received);
    expect(r.completedOnTime).toBeLessThanOrEqual(r.completionDue);
    expect(r.resolved).toBeLessThanOrEqual(r.reviewed);
    expect(r.satisfied + r.basicallySatisfied + r.dissatisfied).toBe(r.reviewed);
    for (const rate of [r.responseRate, r.completionRate, r.resolutionRate, r.satisfactionRate]) {
      if (rate !== null) expect(rate >= 0 && rate <= 1).toBe(true);
    }
    if (r.compositeScore !== null) expect(r.compositeScore >= 0 && r.compositeScore <= 100).toBe(true);
    expect(r.responseDue === 0).toBe(r.responseRate === null);
    if (r.medianResponseMinutes !== null) expect(r.medianResponseMinutes).toBeLessThanOrEqual(r.p90ResponseMinutes!);
  }
}

describe('property: the incrementally projected facts give the from-scratch scorecard', () => {
  it('draws histories that re-base deadlines, so the properties below cover DeadlinesRebased', () => {
    const histories = fc.sample(actionsArb(60), { numRuns: 100, seed: 7 }).map((actions) => historyOf(actions).events);
    const rebased = histories.filter((events) => events.some((e) => e.type === 'DeadlinesRebased'));
    expect(rebased.length).toBeGreaterThan(10);
  });

  it('draws histories with the practice’s moves, so the properties below cover extensions, returns and appeals decided both ways', () => {
    const histories = fc.sample(workflowActionsArb(60), { numRuns: 300, seed: 7 }).map((actions) => historyOf(actions).events);
    const having = (type: string, yes: boolean) =>
      histories.filter((events) =>
        events.some(
          (e) => e.type === type && ((e.data as { upheld?: boolean; approved?: boolean }).upheld ?? (e.data as { approved?: boolean }).approved) === yes,
        ),
      ).length;
    const counts = ['ExtensionDecided', 'ReturnDecided', 'AppealDecided'].map((type) => [type, having(type, true), having(type, false)] as const);
    for (const [type, yes, no] of counts) expect([type, yes >= 3, no >= 3, yes, no]).toEqual([type, true, true, yes, no]);
  });

  it.each([
    ['the default mix', actionsArb],
    ['a mix rich in extensions, returns and appeals', workflowActionsArb],
  ])('for random histories (%s), random batch splits and redeliveries, at random asOf instants', (_mix, arb) => {
    fc.assert(
      fc.property(
        arb(60),
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.integer({ min: -60, max: 40 * 24 * 60 }), { minLength: 1, maxLength: 6 }),
        (actions, sizes, redeliver, asOfMinutes) => {
          const { events } = historyOf(actions);
          const batches = split(events, sizes);
          // Redelivery: a batch applied again (as if the runner lost its checkpoint write) changes nothing.
          for (const r of redeliver) if (batches.length > 0) batches.splice((r % batches.length) + 1, 0, batches[r % batches.length]);
          const db = openReadModelDb(':memory:');
          scoringPartsProjection.setup(db);
          const incremental = byId(project(db, batches));
          db.close();
          const scratch = byId(factsFromEvents(events));
          expect(incremental).toEqual(scratch);

          const last = events.length ? Date.parse(String(events[events.length - 1].data.occurredAt)) : T0;
          const instants = [...asOfMinutes.map((m) => T0 + m * 60_000), last, last + 3_600_000, ...scratch.slice(0, 3).map((p) => p.responseDueAt)];
          for (const asOf of instants) {
            for (const period of PERIODS) {
              const card = scorecard(incremental, asOf, period);
              expect(card).toEqual(scorecard(scratch, asOf, period));
              // asOf reproduces the past: only what was recorded by then counts.
              expect(card).toEqual(scorecard(factsFromEvents(knownAt(events, asOf)), asOf, period));
              invariants(card);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    ['the default mix', actionsArb],
    ['a mix rich in extensions, returns and appeals', workflowActionsArb],
  ])('totals over departments (%s): every known part is received once, every transfer is one out and one in', (_mix, arb) => {
    fc.assert(
      fc.property(arb(60), fc.integer({ min: 0, max: 60 * 24 * 60 }), (actions, m) => {
        const asOf = T0 + m * 60_000;
        const { events } = historyOf(actions);
        const card = scorecard(factsFromEvents(events), asOf, PERIODS[0]);
        const total = (f: (typeof COUNT_FIELDS)[number]) => card.departments.reduce((s, r) => s + r[f], 0);
        const known = knownAt(events, asOf);
        const count = (type: string) => known.filter((e) => e.type === type).length;
        const assignments = known.reduce((n, e) => n + (e.type === 'WhistleBlown' ? (e.data.parts as unknown[]).length : 0), 0);
        const decided = (type: string, yes: boolean) => known.filter((e) => e.type === type && (e.data.upheld ?? e.data.approved) === yes).length;
        // An upheld return takes the misrouted holding out of every count but returnsUpheld, and its new department receives it.
        expect(total('received')).toBe(assignments + count('CaseTransferred') + count('PartReassigned'));
        expect(total('returnsUpheld')).toBe(decided('ReturnDecided', true));
        expect(total('returnsRejected')).toBeLessThanOrEqual(decided('ReturnDecided', false));
        expect(total('transfersOut')).toBe(count('CaseTransferred'));
        // A holding received by transfer and then returned (upheld) is not a transfer in.
        expect(total('transfersIn')).toBeLessThanOrEqual(count('CaseTransferred'));
        // A rework opened by a review that an upheld appeal voided is not counted.
        expect(total('reopened')).toBeLessThanOrEqual(count('CaseReopened'));
        expect(total('extensionsApproved')).toBeLessThanOrEqual(decided('ExtensionDecided', true));
        expect(total('appealsUpheld') + total('appealsRejected')).toBeLessThanOrEqual(count('AppealDecided'));
        expect(total('leadParts')).toBeLessThanOrEqual(total('received'));
        // Without upheld returns or appeals, transfers and reworks count exactly as before.
        if (decided('ReturnDecided', true) === 0) expect(total('transfersIn')).toBe(count('CaseTransferred'));
        if (decided('AppealDecided', true) === 0 && decided('ReturnDecided', true) === 0) expect(total('reopened')).toBe(count('CaseReopened'));
        expect(total('reviewed')).toBeLessThanOrEqual(count('ReviewCompleted'));
        expect(total('overdue')).toBeLessThanOrEqual(total('received'));
      }),
      { numRuns: 100 },
    );
  });
});
