import { ROW_FIELDS, ScoringPolicies, computeScorecard, factsFromEvents, type ScorecardRow } from '@chuishao/scoring';
import { ASSESSMENT, ECOLOGY, ENFORCEMENT, MARKET, TOWNSHIP, WATER, startHarness, whistleBody, type Harness } from './harness';

const HOUSING = 'dept-housing';
const TRANSPORT = 'dept-transport';
const WRITERS = 8;
const READERS = 4;
const SERVED_TARGET = 1_000;
/** A bound on the writers' work, so a reader that cannot get answers fails the test instead of hanging it. */
const MAX_LIFECYCLES_PER_WRITER = 400;

interface Card {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  countyId: string;
  departments: ScorecardRow[];
}

/**
 * scoring.md: "A scorecard served at instant T and one recomputed later with asOf=T are identical". Commands and
 * scorecard reads race over real HTTP on the production settings (wall clock, synchronous FULL, the projector on its
 * thread); afterwards every served scorecard is recomputed with the asOf it states, once through the API and once
 * from a fold of every stored event, and compared field by field.
 */
describe('served scorecards under concurrent writes', () => {
  let h: Harness;
  beforeAll(async () => {
    // CLOCK=simulated with no advance is the wall clock, so recordedAt and asOf run on real time as in production.
    h = await startHarness({ CLOCK: 'simulated', STORE_SYNCHRONOUS: 'FULL', READ_MODEL_WAIT_MS: '20000' });
  });
  afterAll(() => h.close());

  it('each scorecard served during the writes equals its recomputation with the asOf it states', async () => {
    const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
    const headers = Object.fromEntries(
      await Promise.all([TOWNSHIP, ECOLOGY, WATER, ENFORCEMENT, MARKET, HOUSING, TRANSPORT, ASSESSMENT].map(async (o) => [o, await auth(o)])),
    );
    const post = async (org: string, path: string, body: object) => {
      const res = await h.http().post(path).set(headers[org]).send(body);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    // The period holds every part written here: from yesterday to the day after tomorrow, in the county's zone.
    const localDate = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
    const period = `from=${localDate(-1)}&to=${localDate(2)}`;

    let writing = true;
    let lifecycles = 0;
    const served: Card[] = [];
    const failures: string[] = [];

    // Each writer runs whole lifecycles: a whistle to three departments, report-ins, a transfer, a completion, a review.
    const writer = async (w: number) => {
      for (let k = 0; k < MAX_LIFECYCLES_PER_WRITER && served.length < SERVED_TARGET; k++) {
        const body = whistleBody([ECOLOGY, WATER, MARKET], { title: `并发写入 ${w}-${k}`, category: 'emergency' });
        const { caseId } = await post(TOWNSHIP, '/v1/whistles', body);
        await Promise.all([
          post(ECOLOGY, `/v1/cases/${caseId}/responses`, {}),
          post(WATER, `/v1/cases/${caseId}/transfers`, { toDepartmentId: k % 2 ? HOUSING : TRANSPORT, reason: '属其他部门职责' }),
        ]);
        await post(ECOLOGY, `/v1/cases/${caseId}/completions`, { result: '已现场处置' });
        if (k % 3 === 0) await post(MARKET, `/v1/cases/${caseId}/responses`, {});
        await post(TOWNSHIP, `/v1/cases/${caseId}/reviews`, {
          departmentId: ECOLOGY,
          resolved: k % 4 !== 0,
          satisfaction: k % 4 ? 'satisfied' : 'dissatisfied',
        });
        lifecycles++;
      }
    };
    const reader = async () => {
      while (writing) {
        const res = await h.http().get(`/v1/scorecards?${period}`).set(headers[ASSESSMENT]);
        if (res.status === 200) served.push(res.body);
        else failures.push(`${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    const readers = Array.from({ length: READERS }, reader);
    try {
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    } finally {
      writing = false;
      await Promise.all(readers);
    }
    expect(failures).toEqual([]);
    expect(served.length).toBeGreaterThanOrEqual(SERVED_TARGET);

    // Read while commands were committing, the served scorecards show many different states.
    const received = (c: Card) => c.departments.reduce((s, r) => s + r.received, 0);
    expect(new Set(served.map(received)).size).toBeGreaterThan(50);

    // Recomputation 1: the API, asked later for the asOf each scorecard stated.
    const recomputed: Card[] = [];
    for (const card of served) {
      const res = await h
        .http()
        .get(`/v1/scorecards?${period}&asOf=${encodeURIComponent(card.asOf)}`)
        .set(headers[ASSESSMENT])
        .expect(200);
      recomputed.push(res.body);
    }
    // Recomputation 2: scoring.md from every stored event, without the read model.
    const events = [];
    for (let after: number | null = null; ; ) {
      const page = await h.runtime.store.readAll({ after, limit: 5000 });
      events.push(...page);
      if (page.length < 5000) break;
      after = page[page.length - 1].position;
    }
    const parts = factsFromEvents(events);
    const policies = new ScoringPolicies();
    const county = served[0].countyId;
    const fromEvents = served.map((card) =>
      computeScorecard(parts, {
        from: card.from,
        to: card.to,
        asOf: Date.parse(card.asOf),
        policy: policies.named(card.policyVersion)!,
        departments: card.departments.map((r) => ({ id: r.departmentId, name: r.name })).sort((a, b) => (a.id < b.id ? -1 : 1)),
        timeZone: 'Asia/Shanghai',
      }),
    );

    let compared = 0;
    let differing = 0;
    const differences: string[] = [];
    served.forEach((card, i) => {
      const before = differences.length;
      for (const [source, other] of [
        ['api', recomputed[i].departments],
        ['events', fromEvents[i].departments],
      ] as const) {
        const byId = new Map(other.map((r) => [r.departmentId, r]));
        expect(other.length).toBe(card.departments.length);
        for (const row of card.departments) {
          const again = byId.get(row.departmentId);
          for (const field of ROW_FIELDS) {
            compared++;
            if (again?.[field] !== row[field]) differences.push(`${card.asOf} ${row.departmentId}.${field}: served ${row[field]}, ${source} ${again?.[field]}`);
          }
        }
      }
      if (differences.length > before) differing++;
      expect(recomputed[i].asOf).toBe(card.asOf);
      expect(recomputed[i].countyId).toBe(county);
    });
    console.log(
      `served ${served.length} scorecards during ${lifecycles} lifecycles; ${compared} fields compared; ${differences.length} differences in ${differing} scorecards`,
    );
    expect(differences.slice(0, 20)).toEqual([]);
    expect(differences.length).toBe(0);

    // Nothing lost: after the writes, the scorecard holds every part written (3 per whistle, +1 per transfer).
    const final: Card = (await h.http().get(`/v1/scorecards?${period}`).set(headers[ASSESSMENT]).expect(200)).body;
    expect(received(final)).toBe(lifecycles * 4);
  }, 600_000);
});
