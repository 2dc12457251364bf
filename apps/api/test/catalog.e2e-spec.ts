import { join } from 'node:path';
import { openReadModelDb, writeCheckpoint } from '@chuishao/projections';
import { COMMAND_CENTRE, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

interface Matter {
  code: string;
  category: string;
  departmentIds: string[];
  responseLimit: object;
  completionLimit: object;
  maxReworkRounds: number;
}

describe('whistle catalogue (吹哨清单) and working-time deadlines', () => {
  let h: Harness;
  const auth = async () => ({ Authorization: `Bearer ${await h.token(TOWNSHIP)}` });
  // 20:00 Beijing time on Wednesday 30 September 2026, the evening before the National Day holiday.
  beforeAll(async () => {
    h = await startHarness({}, undefined, '2026-09-30T12:00:00.000Z');
  });
  afterAll(() => h.close());

  it('publishes the catalogue without a token', async () => {
    const res = await h.http().get('/v1/catalog').expect(200);
    expect(res.body.matters.length).toBeGreaterThanOrEqual(30);
    expect(res.body.version).toEqual(expect.any(String));
  });

  it('a whistle for a matter takes its departments, category and limits from the catalogue', async () => {
    const matters = (await h.http().get('/v1/catalog')).body.matters as Matter[];
    const matter = matters.find((m) => m.category !== 'emergency' && m.departmentIds.length > 1)!;
    const { category: _c, departmentIds: _d, ...body } = whistleBody();
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send({ ...body, matterCode: matter.code })
      .expect(201);
    expect(res.body.category).toBe(matter.category);
    expect(res.body.matterCode).toBe(matter.code);
    expect(res.body.parts.map((p: { departmentId: string }) => p.departmentId)).toEqual(matter.departmentIds);
    expect(res.body.limits).toEqual({ response: matter.responseLimit, completion: matter.completionLimit, maxReworkRounds: matter.maxReworkRounds });
    expect(res.body.parts[0].deadlineBasis).toMatchObject({ matterCode: matter.code, catalogVersion: expect.any(String), calendarVersion: expect.any(String) });
  });

  it('refuses an unknown matter and a category that contradicts the matter', async () => {
    const unknown = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send({ ...whistleBody(), matterCode: 'XX-999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'matterCode', message: 'not in the whistle catalogue' }]);
    const matters = (await h.http().get('/v1/catalog')).body.matters as Matter[];
    const emergency = matters.find((m) => m.category === 'emergency')!;
    const wrong = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send({ ...whistleBody(), category: 'key_task', matterCode: emergency.code });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('category');
    const neither = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send({ title: 't', description: 'd', location: { address: 'a' } });
    expect([...new Set((neither.body.errors as { field: string }[]).map((e) => e.field))].sort()).toEqual(['category', 'departmentIds']);
  });

  it('an ordinary whistle raised the evening before 国庆 gets the deadlines the calendar says', async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send(whistleBody())
      .expect(201);
    // Working time resumes Thursday 8 October 08:30: report in by 10:30; three working days are
    // 8 Oct, 9 Oct and the make-up Saturday 10 Oct (调休), so completion is due 10 Oct 17:30.
    expect(res.body.parts[0]).toMatchObject({
      responseDueAt: '2026-10-08T02:30:00.000Z',
      completionDueAt: '2026-10-10T09:30:00.000Z',
    });
  });

  it('an emergency on the same evening keeps the 30 natural minutes', async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send(whistleBody(undefined, { category: 'emergency' }))
      .expect(201);
    expect(res.body.parts[0].responseDueAt).toBe('2026-09-30T12:30:00.000Z');
  });
});

describe('GET /v1/health', () => {
  it('reports the store head, the inbox lag and the calendar coverage to the command centre', async () => {
    const h = await startHarness();
    try {
      const blown = await h
        .http()
        .post('/v1/whistles')
        .set({ Authorization: `Bearer ${await h.token(TOWNSHIP)}` })
        .send(whistleBody())
        .expect(201);
      await h
        .http()
        .get(`/v1/cases?minPosition=${blown.body.position}`)
        .set({ Authorization: `Bearer ${await h.token(TOWNSHIP)}` })
        .expect(200);
      const cc = { Authorization: `Bearer ${await h.token(COMMAND_CENTRE)}` };
      const res = await h.http().get('/v1/health').set(cc).expect(200);
      // Whether the calendar is degraded depends on the date the suite runs; the health's status follows it.
      expect(res.body.status).toBe(res.body.calendar.status);
      expect(res.body).toMatchObject({
        store: { head: blown.body.position },
        readModels: { 'case-inbox': { checkpoint: blown.body.position, behind: 0, generation: 1, rebuilding: null } },
        calendar: { years: { '2025': 'official', '2026': 'official' } },
      });
      // A rebuild under way shows with its generation and progress.
      const db = openReadModelDb(join(h.dataDir, 'read-models.sqlite'));
      db.prepare("UPDATE projection_generations SET building = 2 WHERE name = 'case-inbox'").run();
      writeCheckpoint(db, { projection: 'case-inbox', generation: 2 }, 1);
      db.close();
      const during = await h.http().get('/v1/health').set(cc).expect(200);
      expect(during.body.readModels['case-inbox']).toMatchObject({ generation: 1, rebuilding: { generation: 2, checkpoint: 1 } });
    } finally {
      await h.close();
    }
  });

  const OPERATOR_TOKEN = 'an-operator-token-of-at-least-32-characters';

  it('tells anyone else the status only: no store head, no event counts, no calendar', async () => {
    const h = await startHarness({ OPERATOR_TOKEN });
    try {
      const township = { Authorization: `Bearer ${await h.token(TOWNSHIP)}` };
      await h.http().post('/v1/whistles').set(township).send(whistleBody()).expect(201);
      const cc = (
        await h
          .http()
          .get('/v1/health/ready')
          .set({ Authorization: `Bearer ${await h.token(COMMAND_CENTRE)}` })
          .expect(200)
      ).body;
      expect(cc.store.head).toEqual(expect.any(Number));
      for (const path of ['/v1/health', '/v1/health/ready']) {
        for (const headers of [{}, township, { Authorization: 'Bearer not-a-token' }, { Authorization: `Bearer ${OPERATOR_TOKEN}x` }]) {
          const res = await h.http().get(path).set(headers).expect(200);
          expect([path, headers, res.body]).toEqual([path, headers, { status: cc.status }]);
        }
        // The operator's token reads the details too.
        const operator = await h
          .http()
          .get(path)
          .set({ Authorization: `Bearer ${OPERATOR_TOKEN}` })
          .expect(200);
        expect(operator.body).toMatchObject({ status: cc.status, store: { head: cc.store.head }, readModels: { 'case-inbox': expect.any(Object) } });
      }
      expect((await h.http().get('/v1/health/live').expect(200)).body).toEqual({ status: 'ok' });
    } finally {
      await h.close();
    }
  });
});
