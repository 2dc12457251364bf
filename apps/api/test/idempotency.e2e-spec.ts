import { ECOLOGY, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

describe('Idempotency-Key and concurrent writers', () => {
  let h: Harness;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const eventCount = async (caseId: string) =>
    (
      await h
        .http()
        .get(`/v1/cases/${caseId}/events`)
        .set(await auth(TOWNSHIP))
        .expect(200)
    ).body.length;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('a retried whistle returns the first response and opens no second case', async () => {
    const first = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .set('Idempotency-Key', 'blow-1')
      .send(whistleBody())
      .expect(201);
    h.clock.advance(5);
    const retry = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .set('Idempotency-Key', 'blow-1')
      .send(whistleBody())
      .expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const inbox = await h
      .http()
      .get(`/v1/cases?minPosition=${first.body.position}`)
      .set(await auth(TOWNSHIP))
      .expect(200);
    expect(inbox.body.items.filter((c: { title: string }) => c.title === whistleBody().title)).toHaveLength(1);
  });

  it('a retried command after the case moved on still returns its own first response', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody())
        .expect(201)
    ).body.caseId;
    const first = await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('Idempotency-Key', 'resp-1')
      .send({ note: '到' })
      .expect(200);
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(WATER))
      .send({})
      .expect(200);
    const retry = await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('Idempotency-Key', 'resp-1')
      .send({ note: '到' })
      .expect(200);
    expect(retry.body).toEqual(first.body);
    expect(await eventCount(caseId)).toBe(3);
  });

  it('the same key with another body is refused with 422 and appends nothing', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody())
        .expect(201)
    ).body.caseId;
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('Idempotency-Key', 'k-2')
      .send({ note: 'a' })
      .expect(200);
    const res = await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('Idempotency-Key', 'k-2')
      .send({ note: 'b' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect(await eventCount(caseId)).toBe(2);
  });

  it('keys are per org: another org using the same key string is a new request', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody())
        .expect(201)
    ).body.caseId;
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('Idempotency-Key', 'same')
      .send({})
      .expect(200);
    const water = await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(WATER))
      .set('Idempotency-Key', 'same')
      .send({})
      .expect(200);
    expect(water.body.parts[1].status).toBe('in_progress');
  });

  it('concurrent identical requests with one key append once', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody())
        .expect(201)
    ).body.caseId;
    const headers = { ...(await auth(ECOLOGY)), 'Idempotency-Key': 'burst' };
    const all = await Promise.all(Array.from({ length: 10 }, () => h.http().post(`/v1/cases/${caseId}/responses`).set(headers).send({})));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await eventCount(caseId)).toBe(2);
  });

  it('concurrent different writers on one case: every answered command is stored once, none lost', async () => {
    const departments = ['dept-ecology', 'dept-water', 'dept-market', 'dept-housing', 'dept-transport', 'dept-agriculture'];
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody(departments))
        .expect(201)
    ).body.caseId;
    const results = await Promise.all(
      departments.map(async (d) =>
        h
          .http()
          .post(`/v1/cases/${caseId}/responses`)
          .set(await auth(d))
          .send({}),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results) expect([200, 409]).toContain(r.status);
    const events = (
      await h
        .http()
        .get(`/v1/cases/${caseId}/events`)
        .set(await auth(TOWNSHIP))
    ).body as { type: string; actor: { orgId: string } }[];
    const responders = events.filter((e) => e.type === 'DepartmentResponded').map((e) => e.actor.orgId);
    expect(responders).toHaveLength(ok);
    expect(new Set(responders).size).toBe(ok);
    expect(ok).toBe(departments.length);
  });
});
