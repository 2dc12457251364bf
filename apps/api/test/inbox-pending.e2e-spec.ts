import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, MARKET, OTHER_TOWNSHIP, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

interface Item {
  caseId: string;
  pending: string[];
}

/** GET /v1/cases?pending=…: the cases some part of which awaits a decision on 延期, 退单 or 申诉, in each caller's scope. */
describe('GET /v1/cases?pending=extension|return|appeal', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  let lastPosition = 0;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const post = async (org: string, path: string, body: object) => {
    h.clock.advance(1);
    const res = await h
      .http()
      .post(path)
      .set(await auth(org))
      .send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    lastPosition = res.body.position;
    return res.body;
  };
  const list = async (org: string, query = '') =>
    (
      await h
        .http()
        .get(`/v1/cases?minPosition=${lastPosition}${query}`)
        .set(await auth(org))
        .expect(200)
    ).body.items as Item[];
  /** The names of the cases listed, sorted. */
  const names = async (org: string, pending: string) => {
    const items = await list(org, `&pending=${pending}`);
    return items.map((i) => Object.keys(ids).find((k) => ids[k] === i.caseId)).sort();
  };
  const path = (name: string, what: string) => `/v1/cases/${ids[name]}/${what}`;

  beforeAll(async () => {
    h = await startHarness();
    const blow = async (name: string, township: string, departments: string[]) => {
      ids[name] = (await post(township, '/v1/whistles', whistleBody(departments, { title: name, category: 'emergency' }))).caseId;
    };
    await blow('ext', TOWNSHIP, [ECOLOGY]);
    await blow('ret', TOWNSHIP, [WATER]);
    await blow('app', OTHER_TOWNSHIP, [MARKET]);
    await blow('quiet', TOWNSHIP, [ECOLOGY, ENFORCEMENT]);
    await post(ECOLOGY, path('ext', 'responses'), {});
    await post(ECOLOGY, path('ext', 'extension-requests'), { reason: '水样送检，等待报告', workingDays: 2 });
    await post(WATER, path('ret', 'returns'), { reason: '职能不符' });
    await post(MARKET, path('app', 'responses'), {});
    await post(MARKET, path('app', 'completions'), { result: '已处置' });
    await post(OTHER_TOWNSHIP, path('app', 'reviews'), { departmentId: MARKET, resolved: false, satisfaction: 'dissatisfied' });
    await post(MARKET, path('app', 'appeals'), { reason: '评价时整改期限未到' });
    await post(ECOLOGY, path('quiet', 'responses'), {});
  });
  afterAll(() => h.close());

  it('the command centre sees the county’s cases per pending move, each item saying what it awaits', async () => {
    expect(await names(COMMAND_CENTRE, 'extension')).toEqual(['ext']);
    expect(await names(COMMAND_CENTRE, 'return')).toEqual(['ret']);
    expect(await names(COMMAND_CENTRE, 'appeal')).toEqual(['app']);
    const all = await list(COMMAND_CENTRE);
    const pendingOf = (name: string) => all.find((i) => i.caseId === ids[name])!.pending;
    expect([pendingOf('ext'), pendingOf('ret'), pendingOf('app'), pendingOf('quiet')]).toEqual([['extension'], ['return'], ['appeal'], []]);
    // The single case says the same.
    const one = await h
      .http()
      .get(`/v1/cases/${ids.ret}`)
      .set(await auth(WATER))
      .expect(200);
    expect(one.body.pending).toEqual(['return']);
  });

  it('keeps each role’s scope: a department sees only its own pending cases, a township only its whistles', async () => {
    expect(await names(ECOLOGY, 'extension')).toEqual(['ext']);
    expect(await names(WATER, 'extension')).toEqual([]);
    expect(await names(WATER, 'return')).toEqual(['ret']);
    expect(await names(ECOLOGY, 'return')).toEqual([]);
    expect(await names(ENFORCEMENT, 'extension')).toEqual([]);
    expect(await names(MARKET, 'appeal')).toEqual(['app']);
    expect(await names(ECOLOGY, 'appeal')).toEqual([]);
    expect(await names(TOWNSHIP, 'appeal')).toEqual([]);
    expect(await names(OTHER_TOWNSHIP, 'appeal')).toEqual(['app']);
    expect(await names(OTHER_TOWNSHIP, 'extension')).toEqual([]);
    expect(await names(TOWNSHIP, 'extension')).toEqual(['ext']);
    expect(await names(ASSESSMENT, 'appeal')).toEqual(['app']);
  });

  it('a decision takes the case out of the filter', async () => {
    await post(COMMAND_CENTRE, path('ext', 'extension-decisions'), { departmentId: ECOLOGY, approved: false, note: '不予延期' });
    await post(COMMAND_CENTRE, path('ret', 'return-decisions'), { departmentId: WATER, upheld: true, toDepartmentId: ENFORCEMENT });
    await post(ASSESSMENT, path('app', 'appeal-decisions'), { departmentId: MARKET, upheld: false, note: '申诉不成立' });
    for (const move of ['extension', 'return', 'appeal']) expect(await names(COMMAND_CENTRE, move)).toEqual([]);
    expect((await list(COMMAND_CENTRE)).map((i) => i.pending)).toEqual([[], [], [], []]);
  });

  it('an unknown value is a 400 problem naming pending', async () => {
    for (const bad of ['extensions', 'EXTENSION', '']) {
      const res = await h
        .http()
        .get(`/v1/cases?pending=${bad}`)
        .set(await auth(COMMAND_CENTRE));
      expect([res.status, res.headers['content-type']]).toEqual([400, expect.stringContaining('application/problem+json')]);
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['pending']);
    }
  });
});
