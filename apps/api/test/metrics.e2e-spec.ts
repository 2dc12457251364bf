import { caseStream } from '@chuishao/domain';
import { COMMAND_CENTRE, ECOLOGY, OTHER_TOWNSHIP, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

type Series = Map<string, number>;

/** The Prometheus text format as `name{label="value",…}` → value (labels in the order the server writes them). */
function parse(text: string): Series {
  const series: Series = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    series.set(m[1], Number(m[2]));
  }
  return series;
}

const PROD = {
  CHUISHAO_ENV: 'production',
  JWT_SECRET: 'a-production-secret-of-at-least-32-chars!',
  JWT_ISSUER: 'iam',
  JWT_AUDIENCE: 'chuishao',
  ALLOW_DEMO_DIRECTORY: 'true',
};
const OPERATOR_TOKEN = 'the-operator-token-of-at-least-32-chars';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('metrics at /metrics', () => {
  let h: Harness;
  const scrape = async () => {
    const res = await h.http().get('/metrics').buffer(true).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return parse(res.text);
  };
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_HEAVY: '1', WATCHER_INTERVAL_MS: '50' });
  });
  afterAll(() => h.close());

  it('counts requests by route pattern and status, commands by type and outcome, appends, breaches and 429s', async () => {
    const township = await auth(TOWNSHIP);
    const before = await scrape();
    const at = (s: Series, key: string) => s.get(key) ?? 0;

    const blown = await h
      .http()
      .post('/v1/whistles')
      .set(township)
      .send(whistleBody([ECOLOGY], { category: 'emergency' }))
      .expect(201);
    const caseId = blown.body.caseId as string;
    // Another township: 404, the case is not theirs to see; the command path refuses it as CASE.NOT_FOUND.
    await h
      .http()
      .post(`/v1/cases/${caseId}/withdrawal`)
      .set(await auth(OTHER_TOWNSHIP))
      .send({ reason: '不是我们的' })
      .expect(404);
    await h.http().get(`/v1/cases/${caseId}`).set(township).expect(200);
    await h.http().get('/v1/nowhere').expect(404);
    // The heavy-read budget is 1: the second explain is refused.
    const ao = await auth('assess-qingchuan');
    const explain = `/v1/scorecards/${ECOLOGY}/explain?from=2026-01-01&to=2026-02-01`;
    const statuses = [(await h.http().get(explain).set(ao)).status, (await h.http().get(explain).set(ao)).status];
    expect(statuses).toContain(429);
    // The emergency's 30 minutes to report in run out: the watcher records the breach.
    h.clock.advance(31);
    for (let i = 0; i < 200 && !(await h.runtime.store.readStream(caseStream(caseId))).some((e) => e.type === 'ResponseOverdue'); i++) {
      h.runtime.watcher?.poke();
      await new Promise((r) => setTimeout(r, 50));
    }

    const after = await scrape();
    const delta = (key: string) => at(after, key) - at(before, key);
    expect(delta('chuishao_http_requests_total{method="POST",route="/v1/whistles",status="201"}')).toBe(1);
    expect(delta('chuishao_http_requests_total{method="POST",route="/v1/cases/:caseId/withdrawal",status="404"}')).toBe(1);
    expect(delta('chuishao_http_requests_total{method="GET",route="/v1/cases/:caseId",status="200"}')).toBe(1);
    expect(delta('chuishao_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(delta('chuishao_http_request_duration_seconds_count{method="POST",route="/v1/whistles",status="201"}')).toBe(1);
    expect(delta('chuishao_rate_limit_refusals_total{route="/v1/scorecards/:departmentId/explain"}')).toBe(1);
    // No case id ends up in a series.
    expect([...after.keys()].filter((k) => k.includes(caseId))).toEqual([]);

    expect(delta('chuishao_commands_total{type="BlowWhistle",outcome="appended"}')).toBe(1);
    expect(delta('chuishao_commands_total{type="WithdrawCase",outcome="CASE.NOT_FOUND"}')).toBe(1);
    expect(delta('chuishao_commands_total{type="CheckDeadlines",outcome="appended"}')).toBeGreaterThanOrEqual(1);
    expect(delta('chuishao_watcher_breaches_total{rung="response_overdue"}')).toBe(1);
    expect(delta('chuishao_event_store_append_duration_seconds_count')).toBeGreaterThanOrEqual(2);

    // Read-model lag, measured when scraped: the inbox catches up with the store.
    const head = await h.runtime.store.headPosition();
    await h.http().get(`/v1/cases?minPosition=${head}`).set(township).expect(200);
    const lag = await scrape();
    expect(lag.get('chuishao_read_model_lag_positions{projection="case-inbox"}')).toBe(0);
    expect(lag.has('chuishao_read_model_lag_positions{projection="scoring-parts"}')).toBe(true);
    // No relay runs in this process: no relay series.
    expect(lag.has('chuishao_relay_lag_events')).toBe(false);
  }, 30_000);

  it('records a valid traceparent on the events and uses its trace id as the correlation id; an invalid one is ignored', async () => {
    const township = await auth(TOWNSHIP);
    const traced = await h
      .http()
      .post('/v1/whistles')
      .set({ ...township, traceparent: TRACEPARENT })
      .send(whistleBody())
      .expect(201);
    const [event] = await h.runtime.store.readStream(caseStream(traced.body.caseId));
    expect(event.metadata).toMatchObject({ traceparent: TRACEPARENT, correlationId: '4bf92f3577b34da6a3ce929d0e0e4736' });

    const both = await h
      .http()
      .post('/v1/whistles')
      .set({ ...township, traceparent: TRACEPARENT, 'X-Correlation-Id': 'wf-1' })
      .send(whistleBody())
      .expect(201);
    expect((await h.runtime.store.readStream(caseStream(both.body.caseId)))[0].metadata).toMatchObject({ traceparent: TRACEPARENT, correlationId: 'wf-1' });

    const bad = await h
      .http()
      .post('/v1/whistles')
      .set({ ...township, traceparent: '00-nothex-01' })
      .send(whistleBody())
      .expect(201);
    const [plain] = await h.runtime.store.readStream(caseStream(bad.body.caseId));
    expect(plain.metadata).not.toHaveProperty('traceparent');
    expect(plain.metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    // The command centre sees the correlation id in the case's history.
    const history = await h
      .http()
      .get(`/v1/cases/${traced.body.caseId}/events`)
      .set(await auth(COMMAND_CENTRE))
      .expect(200);
    expect(history.body[0].correlationId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    // A refusal's audit record names the same correlation id.
    const otherTrace = '00-aaaabbbbccccddddeeeeffff00001111-00f067aa0ba902b7-00';
    await h
      .http()
      .post(`/v1/cases/${traced.body.caseId}/withdrawal`)
      .set({ ...(await auth(OTHER_TOWNSHIP)), traceparent: otherTrace })
      .send({ reason: '不是我们的' })
      .expect(404);
    let recorded: { correlationId: string; status: number }[] = [];
    for (let i = 0; i < 100 && recorded.length === 0; i++) {
      const items = (
        await h
          .http()
          .get('/v1/audit')
          .set(await auth(COMMAND_CENTRE))
          .expect(200)
      ).body.items as { correlationId: string; status: number }[];
      recorded = items.filter((item) => item.correlationId === 'aaaabbbbccccddddeeeeffff00001111');
      if (recorded.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(recorded.map((item) => item.status)).toEqual([404]);
  }, 30_000);
});

describe('metrics in production', () => {
  it('are not served without an operator token', async () => {
    const h = await startHarness(PROD);
    try {
      const res = await h.http().get('/metrics').expect(404);
      expect(res.text).not.toContain('chuishao_');
    } finally {
      await h.close();
    }
  });

  it('need OPERATOR_TOKEN as the bearer token', async () => {
    const h = await startHarness({ ...PROD, OPERATOR_TOKEN });
    try {
      for (const auth of [undefined, 'Bearer wrong-token', `Bearer ${OPERATOR_TOKEN}x`]) {
        const req = h.http().get('/metrics');
        const res = await (auth ? req.set('Authorization', auth) : req);
        expect([auth, res.status, res.text.includes('chuishao_')]).toEqual([auth, 401, false]);
      }
      const ok = await h.http().get('/metrics').set('Authorization', `Bearer ${OPERATOR_TOKEN}`).buffer(true).expect(200);
      expect(ok.text).toContain('chuishao_http_requests_total{method="GET",route="/metrics",status="401"} 3');
    } finally {
      await h.close();
    }
  });

  it('move to METRICS_PORT when it is set, and are then not on the API port', async () => {
    const h = await startHarness({ ...PROD, METRICS_PORT: '0' });
    try {
      await h.http().get('/metrics').expect(404);
      expect(h.runtime.metricsPort).toEqual(expect.any(Number));
      const res = await fetch(`http://127.0.0.1:${h.runtime.metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('chuishao_http_requests_total{method="GET",route="unmatched",status="404"} 1');
      expect((await fetch(`http://127.0.0.1:${h.runtime.metricsPort}/v1/orgs`)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
