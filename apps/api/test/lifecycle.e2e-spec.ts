import { ECOLOGY, ENFORCEMENT, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

/** The acceptance path, over real HTTP on a real store, step by step. */
describe('a whole whistle lifecycle', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('blow (2 departments) → respond → transfer → respond → complete → unresolved → rework → resolved; other part; case closed', async () => {
    const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
    const township = await auth(TOWNSHIP);

    const blown = await h.http().post('/v1/whistles').set(township).send(whistleBody()).expect(201);
    const caseId: string = blown.body.caseId;
    expect(blown.headers.location).toBe(`/v1/cases/${caseId}`);
    expect(blown.body).toMatchObject({ townshipId: TOWNSHIP, status: 'open', version: 0, raisedAt: '2026-03-02T01:00:00.000Z' });
    expect(blown.body.parts.map((p: { departmentId: string }) => p.departmentId)).toEqual([ECOLOGY, WATER]);
    // Raised Monday 09:00 Beijing time: 2 working hours to report in, 3 working days (to 17:30) to complete.
    expect(blown.body.parts[0]).toMatchObject({
      status: 'awaiting_response',
      round: 1,
      responseDueAt: '2026-03-02T03:00:00.000Z',
      completionDueAt: '2026-03-05T09:30:00.000Z',
    });

    const post = async (org: string, path: string, body: object) =>
      h
        .http()
        .post(`/v1/cases/${caseId}/${path}`)
        .set(await auth(org))
        .send(body)
        .expect(200);

    h.clock.advance(10);
    await post(ECOLOGY, 'responses', { note: '生态分局已报到' });
    h.clock.advance(5);
    const transferred = await post(WATER, 'transfers', { toDepartmentId: ENFORCEMENT, reason: '排污口位于城区管网，属执法局职责' });
    expect(transferred.body.parts[1]).toMatchObject({ departmentId: ENFORCEMENT, status: 'awaiting_response', assignedAt: '2026-03-02T01:15:00.000Z' });
    h.clock.advance(20);
    await post(ENFORCEMENT, 'responses', {});
    h.clock.advance(60);
    await post(ECOLOGY, 'completions', { result: '已取样送检，责令停止排放' });
    const reopened = await post(TOWNSHIP, 'reviews', { departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied', comment: '夜间仍有排放' });
    expect(reopened.body.parts[0]).toMatchObject({ status: 'in_progress', round: 2, completionDueAt: '2026-03-05T09:30:00.000Z' });
    expect(reopened.body.parts[0].deadlineBasis).toMatchObject({ completion: { amount: 3, unit: 'days', clock: 'working' } });
    h.clock.advance(120);
    await post(ECOLOGY, 'completions', { result: '排污口已封堵，作坊已立案处罚' });
    const resolved = await post(TOWNSHIP, 'reviews', { departmentId: ECOLOGY, resolved: true, satisfaction: 'satisfied' });
    expect(resolved.body.parts[0]).toMatchObject({ status: 'closed', outcome: 'resolved', review: { round: 2, resolved: true, satisfaction: 'satisfied' } });
    expect(resolved.body.status).toBe('open');
    h.clock.advance(30);
    await post(ENFORCEMENT, 'completions', { result: '管网错接已整改' });
    const closed = await post(TOWNSHIP, 'reviews', { departmentId: ENFORCEMENT, resolved: true, satisfaction: 'basically_satisfied' });
    expect(closed.body).toMatchObject({ status: 'closed', closedAt: '2026-03-02T05:05:00.000Z' });

    const events = await h.http().get(`/v1/cases/${caseId}/events`).set(township).expect(200);
    expect(events.body.map((e: { type: string }) => e.type)).toEqual([
      'WhistleBlown',
      'DepartmentResponded',
      'CaseTransferred',
      'DepartmentResponded',
      'HandlingCompleted',
      'ReviewCompleted',
      'CaseReopened',
      'HandlingCompleted',
      'ReviewCompleted',
      'PartClosed',
      'HandlingCompleted',
      'ReviewCompleted',
      'PartClosed',
      'CaseClosed',
    ]);
    expect(events.body.map((e: { actor: { orgId: string } }) => e.actor.orgId)).toEqual([
      TOWNSHIP,
      ECOLOGY,
      WATER,
      ENFORCEMENT,
      ECOLOGY,
      TOWNSHIP,
      TOWNSHIP,
      ECOLOGY,
      TOWNSHIP,
      TOWNSHIP,
      ENFORCEMENT,
      TOWNSHIP,
      TOWNSHIP,
      TOWNSHIP,
    ]);
    expect(events.body.map((e: { revision: number }) => e.revision)).toEqual([...Array(14).keys()]);
    for (const e of events.body) {
      expect(e.occurredAt).toMatch(/^2026-03-02T\d\d:\d\d:00\.000Z$/);
      expect(e.actor.userId).toBe(`${e.actor.orgId}-tester`);
      expect(e.correlationId).toEqual(expect.any(String));
    }

    const again = await h.http().get(`/v1/cases/${caseId}`).set(township).expect(200);
    expect(again.headers.etag).toBe('"13"');
    expect(again.body).toEqual(closed.body);
  });
});
