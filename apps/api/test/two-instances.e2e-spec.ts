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
    await a.http().post(`/v1/cases/${caseId}/responses`).set({ Authorization: `Bearer ${await a.token(ECOLOGY)}` }).send({}).expect(200);
    // b must refuse a second report-in by the same department and accept the other's.
    const again = await b.http().post(`/v1/cases/${caseId}/responses`).set({ Authorization: `Bearer ${await b.token(ECOLOGY)}` }).send({});
    expect(again.status).toBe(409);
    const water = await b.http().post(`/v1/cases/${caseId}/responses`).set({ Authorization: `Bearer ${await b.token(WATER)}` }).send({}).expect(200);
    expect(water.body.version).toBe(2);
    expect((await a.http().get(`/v1/cases/${caseId}`).set(twp).expect(200)).body).toEqual(water.body);
  });
});
