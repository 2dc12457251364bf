import { ECOLOGY, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

/** Two API instances on one store: neither may act on a stale view of a case the other changed. */
describe('two API instances on the same store', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness();
    b = await startHarness({}, { dataDir: a.dataDir });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('each sees and builds on the other’s writes', async () => {
    const twp = { Authorization: `Bearer ${await a.token(TOWNSHIP)}` };
    const caseId = (await a.http().post('/v1/whistles').set(twp).send(whistleBody()).expect(201)).body.caseId;
    // b loads (and caches) the case, then a changes it behind b's back.
    expect((await b.http().get(`/v1/cases/${caseId}`).set(twp).expect(200)).body.version).toBe(0);
    await a
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set({ Authorization: `Bearer ${await a.token(ECOLOGY)}` })
      .send({})
      .expect(200);
    // b must refuse a second report-in by the same department and accept the other's.
    const again = await b
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set({ Authorization: `Bearer ${await b.token(ECOLOGY)}` })
      .send({});
    expect(again.status).toBe(409);
    const water = await b
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set({ Authorization: `Bearer ${await b.token(WATER)}` })
      .send({})
      .expect(200);
    expect(water.body.version).toBe(2);
    expect((await a.http().get(`/v1/cases/${caseId}`).set(twp).expect(200)).body).toEqual(water.body);
  });

  // Commands decide first on the instance's cached fold (the append's expected revision catches a stale one);
  // an answer the store did not check must still come from the store's current state.
  it('a case the other instance created is found, and a refusal on a stale fold is decided again', async () => {
    const twp = { Authorization: `Bearer ${await a.token(TOWNSHIP)}` };
    const ecologyA = { Authorization: `Bearer ${await a.token(ECOLOGY)}` };
    const ecologyB = { Authorization: `Bearer ${await b.token(ECOLOGY)}` };
    const caseId = (await a.http().post('/v1/whistles').set(twp).send(whistleBody()).expect(201)).body.caseId;
    // b has never loaded this case: not a 404.
    await b
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set({ Authorization: `Bearer ${await b.token(WATER)}` })
      .send({})
      .expect(200);
    // a reports in for ecology behind b's back; on b's fold ecology has not reported in, so completing looks refused.
    await a.http().post(`/v1/cases/${caseId}/responses`).set(ecologyA).send({}).expect(200);
    const completed = await b.http().post(`/v1/cases/${caseId}/completions`).set(ecologyB).send({ result: '已处理' }).expect(200);
    expect(completed.body.version).toBe(3);
  });

  it('If-Match is compared with the store’s version, not a stale cached one', async () => {
    const twp = { Authorization: `Bearer ${await a.token(TOWNSHIP)}` };
    const caseId = (await a.http().post('/v1/whistles').set(twp).send(whistleBody()).expect(201)).body.caseId;
    expect((await b.http().get(`/v1/cases/${caseId}`).set(twp).expect(200)).body.version).toBe(0);
    const responded = await a
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set({ Authorization: `Bearer ${await a.token(ECOLOGY)}` })
      .send({})
      .expect(200);
    const ecologyB = { Authorization: `Bearer ${await b.token(ECOLOGY)}` };
    await b.http().post(`/v1/cases/${caseId}/completions`).set(ecologyB).set('If-Match', '"0"').send({ result: '已处理' }).expect(412);
    await b.http().post(`/v1/cases/${caseId}/completions`).set(ecologyB).set('If-Match', responded.headers.etag).send({ result: '已处理' }).expect(200);
  });
});
