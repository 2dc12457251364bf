import { join } from 'node:path';
import { activeGeneration, openReadModelDb, rebuildProjection } from '@chuishao/projections';
import { COUNT_FIELDS, ROW_FIELDS, SCORING_PROJECTION, scoringGenerations } from '@chuishao/scoring';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, MARKET, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

const TRANSPORT = 'dept-transport';
const HOUSING = 'dept-housing';
const AGRICULTURE = 'dept-agriculture';

/**
 * The store stamps recordedAt with the wall clock, and a scorecard counts an event only once both its
 * occurredAt and its recordedAt are at or before asOf. So the scenario's clock runs ahead of the wall
 * clock: 2099-03-02 09:00 in Asia/Shanghai. Emergency whistles run on natural time (report in within
 * 30 minutes, complete within 3 days), so every deadline below is start + minutes.
 */
const START = '2099-03-02T01:00:00.000Z';
const minute = (m: number) => new Date(Date.parse(START) + m * 60_000).toISOString();
const MARCH = 'from=2099-03-01&to=2099-04-01';

interface Row {
  departmentId: string;
  name: string;
  rank: number | null;
  compositeScore: number | null;
  [field: string]: unknown;
}
interface Card {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  countyId: string;
  departments: Row[];
}

describe('GET /v1/scorecards: 以下评上 from the events', () => {
  let h: Harness;
  const cases: Record<string, string> = {};
  let card: Card;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const at = (m: number) => h.clock.advance((Date.parse(minute(m)) - h.clock.now().getTime()) / 60_000);
  const post = async (org: string, path: string, body: object) =>
    h
      .http()
      .post(path)
      .set(await auth(org))
      .send(body)
      .expect((r) => {
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      });
  const blow = async (name: string, departments: string[]) => {
    const res = await post(TOWNSHIP, '/v1/whistles', whistleBody(departments, { title: name, category: 'emergency' }));
    cases[name] = res.body.caseId;
  };
  const respond = (name: string, dept: string) => post(dept, `/v1/cases/${cases[name]}/responses`, {});
  const complete = (name: string, dept: string) => post(dept, `/v1/cases/${cases[name]}/completions`, { result: '已现场处置' });
  const review = (name: string, dept: string, resolved: boolean, satisfaction: string) =>
    post(TOWNSHIP, `/v1/cases/${cases[name]}/reviews`, { departmentId: dept, resolved, satisfaction });
  const get = async (org: string, query: string, status = 200) =>
    (
      await h
        .http()
        .get(`/v1/scorecards?${query}`)
        .set(await auth(org))
        .expect(status)
    ).body;
  const row = (c: Card, id: string) => c.departments.find((r) => r.departmentId === id)!;

  beforeAll(async () => {
    h = await startHarness({}, undefined, START);
    // Five joint whistles at minutes 0..4, each naming four departments: five parts each.
    for (let k = 1; k <= 5; k++) {
      at(k - 1);
      await blow(`J${k}`, [ECOLOGY, WATER, ENFORCEMENT, MARKET]);
    }
    at(10);
    for (let k = 1; k <= 5; k++) await respond(`J${k}`, ECOLOGY);
    for (let k = 1; k <= 4; k++) for (const d of [WATER, ENFORCEMENT]) await respond(`J${k}`, d);
    for (let k = 1; k <= 2; k++) await respond(`J${k}`, MARKET); // J3..J5 never: overdue after 32..34
    at(60);
    await respond('J5', WATER); // due at 34: late
    await respond('J5', ENFORCEMENT);
    at(100);
    for (let k = 1; k <= 5; k++) await complete(`J${k}`, ECOLOGY);
    at(200);
    for (let k = 1; k <= 4; k++) await review(`J${k}`, ECOLOGY, true, 'satisfied');
    await review('J5', ECOLOGY, false, 'dissatisfied'); // 退回重办: round 2
    at(300);
    await complete('J5', ECOLOGY);
    at(400);
    await review('J5', ECOLOGY, true, 'satisfied'); // the latest review counts
    at(500);
    await blow('T', [TRANSPORT]);
    at(510);
    await post(TRANSPORT, `/v1/cases/${cases.T}/transfers`, { toDepartmentId: HOUSING, reason: '属住建部门职责' });
    at(520);
    await respond('T', HOUSING);
    at(600);
    await blow('W', [AGRICULTURE]);
    at(610);
    await post(TOWNSHIP, `/v1/cases/${cases.W}/withdrawal`, { reason: '群众自行解决' });
    at(700);
    card = await get(ASSESSMENT, MARCH);
  });
  afterAll(() => h.close());

  it('gives exactly the numbers scoring.md defines: ranks with ties, unranked departments, transfers, rework, null rates', async () => {
    expect(card).toMatchObject({ from: '2099-03-01', to: '2099-04-01', asOf: minute(700), policyVersion: 'scoring-2026.1', countyId: 'county-qingchuan' });
    const nulls = {
      completionDue: 0,
      completedOnTime: 0,
      completionRate: null,
      reviewed: 0,
      resolved: 0,
      resolutionRate: null,
      satisfied: 0,
      basicallySatisfied: 0,
      dissatisfied: 0,
      satisfactionRate: null,
    };
    expect(row(card, ECOLOGY)).toEqual({
      departmentId: ECOLOGY,
      name: '市生态环境局青川分局',
      received: 5,
      responded: 5,
      respondedOnTime: 5,
      responseDue: 5,
      responseRate: 1,
      medianResponseMinutes: 8,
      p90ResponseMinutes: 10, // [6, 7, 8, 9, 10]
      completionDue: 5,
      completedOnTime: 5,
      completionRate: 1,
      reviewed: 5,
      resolved: 5,
      resolutionRate: 1,
      satisfied: 5,
      basicallySatisfied: 0,
      dissatisfied: 0,
      satisfactionRate: 1,
      transfersOut: 0,
      transfersIn: 0,
      reopened: 1,
      overdue: 0,
      returnsUpheld: 0,
      returnsRejected: 0,
      extensionsApproved: 0,
      appealsUpheld: 0,
      appealsRejected: 0,
      leadParts: 5, // named first on J1..J5
      compositeScore: 100,
      rank: 1,
    });
    const late = {
      received: 5,
      responded: 5,
      respondedOnTime: 4,
      responseDue: 5,
      responseRate: 0.8,
      medianResponseMinutes: 9,
      p90ResponseMinutes: 56,
      ...nulls,
      transfersOut: 0,
      transfersIn: 0,
      reopened: 0,
      overdue: 0,
      returnsUpheld: 0,
      returnsRejected: 0,
      extensionsApproved: 0,
      appealsUpheld: 0,
      appealsRejected: 0,
      leadParts: 0,
      compositeScore: 80,
      rank: 2,
    };
    expect(row(card, WATER)).toEqual({ departmentId: WATER, name: '青川县水利局', ...late });
    expect(row(card, ENFORCEMENT)).toEqual({ departmentId: ENFORCEMENT, name: '青川县综合行政执法局', ...late });
    expect(row(card, MARKET)).toEqual({
      departmentId: MARKET,
      name: '青川县市场监督管理局',
      received: 5,
      responded: 2,
      respondedOnTime: 2,
      responseDue: 5,
      responseRate: 0.4,
      medianResponseMinutes: 9,
      p90ResponseMinutes: 10,
      ...nulls,
      transfersOut: 0,
      transfersIn: 0,
      reopened: 0,
      overdue: 3,
      returnsUpheld: 0,
      returnsRejected: 0,
      extensionsApproved: 0,
      appealsUpheld: 0,
      appealsRejected: 0,
      leadParts: 0,
      compositeScore: 40,
      rank: 4,
    });
    // The transfer: a response of the transferring department (10 minutes), the receiver's clocks from the transfer.
    expect(row(card, TRANSPORT)).toMatchObject({
      received: 1,
      responded: 1,
      respondedOnTime: 1,
      responseDue: 1,
      medianResponseMinutes: 10,
      completionDue: 0,
      transfersOut: 1,
      transfersIn: 0,
      compositeScore: 100,
      rank: null,
    });
    expect(row(card, HOUSING)).toMatchObject({
      received: 1,
      responded: 1,
      respondedOnTime: 1,
      responseDue: 1,
      medianResponseMinutes: 10,
      completionDue: 0,
      transfersOut: 0,
      transfersIn: 1,
      compositeScore: 100,
      rank: null,
    });
    // Withdrawn before its response deadline (630): received, never due.
    expect(row(card, AGRICULTURE)).toMatchObject({
      received: 1,
      responded: 0,
      responseDue: 0,
      responseRate: null,
      completionDue: 0,
      overdue: 0,
      compositeScore: null,
      rank: null,
    });
    expect(row(card, 'dept-fire')).toMatchObject({ received: 0, responseRate: null, medianResponseMinutes: null, compositeScore: null, rank: null });
    // Ranked first (1, 2, 2, 4), then the unranked; every department of the county is listed.
    expect(card.departments.slice(0, 6).map((r) => [r.departmentId, r.rank])).toEqual([
      [ECOLOGY, 1],
      [ENFORCEMENT, 2],
      [WATER, 2],
      [MARKET, 4],
      [HOUSING, null],
      [TRANSPORT, null],
    ]);
    const orgs = (await h.http().get('/v1/orgs').expect(200)).body as { id: string; type: string }[];
    expect(card.departments.map((r) => r.departmentId).sort()).toEqual(
      orgs
        .filter((o) => o.type === 'department')
        .map((o) => o.id)
        .sort(),
    );
    for (const r of card.departments) expect(Object.keys(r)).toEqual(ROW_FIELDS);
  });

  it('due is judged against asOf: the scorecard of minute 20', async () => {
    const early: Card = await get(ASSESSMENT, `${MARCH}&asOf=${minute(20)}`);
    expect(early.asOf).toBe(minute(20));
    expect(row(early, MARKET)).toMatchObject({ responded: 2, responseDue: 2, responseRate: 1, overdue: 0 }); // J3..J5 due at 32..34
    expect(row(early, WATER)).toMatchObject({ responded: 4, responseDue: 4, responseRate: 1 });
    expect(row(early, ECOLOGY)).toMatchObject({ completionDue: 0, reviewed: 0, compositeScore: 100 });
    // An offset is accepted (encoded or not) and means the same instant.
    const local: Card = await get(ASSESSMENT, `${MARCH}&asOf=2099-03-02T09:20:00%2B08:00`);
    expect(local.departments).toEqual(early.departments);
    const unencoded: Card = await get(ASSESSMENT, `${MARCH}&asOf=2099-03-02T09:20:00+08:00`);
    expect(unencoded.departments).toEqual(early.departments);
  });

  it('every authenticated org of the county reads it; the CSV has a header row, Chinese names and a BOM', async () => {
    for (const org of [TOWNSHIP, MARKET, COMMAND_CENTRE]) expect((await get(org, `${MARCH}&asOf=${card.asOf}`)).departments).toEqual(card.departments);
    for (const ask of [
      { query: `&format=csv`, accept: 'application/json' },
      { query: '', accept: 'text/csv' },
    ]) {
      const res = await h
        .http()
        .get(`/v1/scorecards?${MARCH}&asOf=${card.asOf}${ask.query}`)
        .set(await auth(ASSESSMENT))
        .set('Accept', ask.accept)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['x-scorecard-as-of']).toBe(card.asOf);
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').split('\r\n');
      expect(lines[0]).toBe(ROW_FIELDS.join(','));
      expect(lines[1]).toBe(`${ECOLOGY},市生态环境局青川分局,5,5,5,5,1,8,10,5,5,1,5,5,1,5,0,0,1,0,0,1,0,0,0,0,0,0,5,100,1`);
      expect(lines[4]).toBe(`${MARKET},青川县市场监督管理局,5,2,2,5,0.4,9,10,0,0,,0,0,,0,0,0,,0,0,0,3,0,0,0,0,0,0,40,4`);
      expect(lines).toHaveLength(card.departments.length + 2); // header, rows, and the final CRLF
    }
  });

  it('explain accounts for every counted part: per field, the parts’ counts sum to the row', async () => {
    for (const dept of [ECOLOGY, WATER, ENFORCEMENT, MARKET, TRANSPORT, HOUSING, AGRICULTURE]) {
      const res = await h
        .http()
        .get(`/v1/scorecards/${dept}/explain?${MARCH}&asOf=${card.asOf}`)
        .set(await auth(ASSESSMENT))
        .expect(200);
      const { department, parts } = res.body as { department: Row; parts: { counts: Record<string, number>; numerators: string[]; denominators: string[] }[] };
      expect(department).toEqual(row(card, dept));
      for (const f of COUNT_FIELDS) expect(parts.reduce((s, p) => s + p.counts[f], 0)).toBe(department[f]);
      const entered = (list: 'numerators' | 'denominators', rate: string) => parts.filter((p) => p[list].includes(rate)).length;
      expect(entered('numerators', 'responseRate')).toBe(department.respondedOnTime);
      expect(entered('denominators', 'responseRate')).toBe(department.responseDue);
      expect(entered('denominators', 'resolutionRate')).toBe(department.reviewed);
      expect(entered('numerators', 'satisfactionRate')).toBe((department.satisfied as number) + (department.basicallySatisfied as number));
    }
    const eco = (
      await h
        .http()
        .get(`/v1/scorecards/${ECOLOGY}/explain?${MARCH}&asOf=${card.asOf}`)
        .set(await auth(ECOLOGY))
        .expect(200)
    ).body;
    const j5 = eco.parts.find((p: { caseId: string }) => p.caseId === cases.J5);
    expect(j5).toMatchObject({
      townshipId: TOWNSHIP,
      townshipName: '东坝镇',
      receivedBy: 'whistle',
      assignedAt: minute(4),
      responseDueAt: minute(34),
      completionDueAt: minute(4 + 4320),
      respondedAt: minute(10),
      responseKind: 'report_in',
      responseMinutes: 6,
      firstCompletedAt: minute(100),
      rounds: [
        { round: 1, completionDueAt: minute(4 + 4320), openedAt: minute(4), completedAt: minute(100) },
        { round: 2, completionDueAt: minute(200 + 4320), openedAt: minute(200), completedAt: minute(300) },
      ],
      latestReview: { round: 2, resolved: true, satisfaction: 'satisfied', reviewedAt: minute(400) },
      reviews: 2,
      counts: { received: 1, reopened: 1, reviewed: 1, satisfied: 1, dissatisfied: 0 },
      numerators: ['responseRate', 'completionRate', 'resolutionRate', 'satisfactionRate'],
    });
    const withdrawn = (
      await h
        .http()
        .get(`/v1/scorecards/${AGRICULTURE}/explain?${MARCH}&asOf=${card.asOf}`)
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body.parts[0];
    expect(withdrawn).toMatchObject({ ended: { kind: 'withdrawn', at: minute(610) }, clocksStoppedAt: minute(610), denominators: [] });
  });

  it('one department month by month', async () => {
    const res = await h
      .http()
      .get(`/v1/scorecards/${ECOLOGY}?from=2099-02-15&to=2099-04-10&asOf=${card.asOf}`)
      .set(await auth(TOWNSHIP))
      .expect(200);
    expect(res.body.department).toMatchObject({ departmentId: ECOLOGY, received: 5, compositeScore: 100, rank: 1 });
    expect(res.body.trend.map((t: Row) => [t.month, t.from, t.to, t.received, t.rank])).toEqual([
      ['2099-02', '2099-02-15', '2099-03-01', 0, null],
      ['2099-03', '2099-03-01', '2099-04-01', 5, 1],
      ['2099-04', '2099-04-01', '2099-04-10', 0, null],
    ]);
    expect(res.body.trend[1]).toEqual({ ...row(card, ECOLOGY), month: '2099-03', from: '2099-03-01', to: '2099-04-01' });
  });

  it('access: own county only; explain for the assessment office, the command centre and the department itself', async () => {
    await h.http().get(`/v1/scorecards?${MARCH}`).expect(401);
    expect((await get(TOWNSHIP, `${MARCH}&countyId=county-elsewhere`, 403)).code).toBe('AUTH.FORBIDDEN');
    const explain = async (org: string, dept: string) =>
      (
        await h
          .http()
          .get(`/v1/scorecards/${dept}/explain?${MARCH}`)
          .set(await auth(org))
      ).status;
    expect(await explain(ASSESSMENT, WATER)).toBe(200);
    expect(await explain(COMMAND_CENTRE, WATER)).toBe(200);
    expect(await explain(WATER, WATER)).toBe(200);
    expect(await explain(ECOLOGY, WATER)).toBe(403);
    expect(await explain(TOWNSHIP, WATER)).toBe(403);
    expect(await explain(ASSESSMENT, 'dept-nowhere')).toBe(404);
    expect(await explain(ASSESSMENT, TOWNSHIP)).toBe(404); // a township has no scorecard
    expect(
      (
        await h
          .http()
          .get(`/v1/scorecards/dept-nowhere?${MARCH}`)
          .set(await auth(TOWNSHIP))
      ).status,
    ).toBe(404);
  });

  it('validation errors name their fields', async () => {
    const fields = async (query: string) => ((await get(ASSESSMENT, query, 400)).errors as { field: string }[]).map((e) => e.field);
    expect(await fields('to=2099-04-01')).toEqual(['from']);
    expect(await fields('from=2099-02-30&to=2099-04-01')).toEqual(['from']);
    expect(await fields('from=2099-04-01&to=2099-04-01')).toEqual(['to']);
    expect(await fields('from=2095-01-01&to=2099-04-01')).toEqual(['to']);
    expect(await fields(`${MARCH}&asOf=yesterday`)).toEqual(['asOf']);
    expect(await fields(`${MARCH}&asOf=${minute(100_000)}`)).toEqual(['asOf']); // in the future
    expect(await fields(`${MARCH}&policy=nope`)).toEqual(['policy']);
    expect(await fields(`${MARCH}&format=pdf`)).toEqual(['format']); // json, csv, csv-zh, xlsx only
    expect(await fields(`${MARCH}&color=red`)).toEqual(['color']);
    const res = await h
      .http()
      .get(`/v1/scorecards?to=2099-04-01`)
      .set(await auth(ASSESSMENT))
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('asOf reproduces the past: more events later, the same scorecard for the first asOf', async () => {
    const first: Card = await get(ASSESSMENT, MARCH); // served now
    at(800);
    await respond('J3', MARKET);
    await complete('J1', WATER);
    await review('J1', WATER, false, 'basically_satisfied');
    at(900);
    await blow('late', [ECOLOGY]);
    const now: Card = await get(ASSESSMENT, MARCH);
    expect(row(now, MARKET)).toMatchObject({ responded: 3, overdue: 2 });
    expect(row(now, ECOLOGY).received).toBe(6);
    expect(row(now, WATER)).toMatchObject({ reviewed: 1, resolved: 0, reopened: 1 });
    expect(await get(ASSESSMENT, `${MARCH}&asOf=${first.asOf}`)).toEqual(first);
  });

  it('a rebuild into a new generation while serving gives the same scorecards, and the live projection continues in it', async () => {
    const before: Card = await get(ASSESSMENT, MARCH);
    const db = openReadModelDb(join(h.dataDir, 'read-models.sqlite'));
    const generation = activeGeneration(db, SCORING_PROJECTION);
    const result = await rebuildProjection(h.runtime.store, db, scoringGenerations, { graceMs: 50 });
    expect(result.generation).toBe(generation + 1);
    expect(await get(ASSESSMENT, `${MARCH}&asOf=${before.asOf}`)).toEqual(before);
    at(1000);
    await respond('late', ECOLOGY);
    expect(row(await get(ASSESSMENT, MARCH), ECOLOGY)).toMatchObject({ received: 6, responded: 6 });
    db.close();
  });
});
