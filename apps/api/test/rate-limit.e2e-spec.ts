import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';
import { client, freePort, killAllServers, startServer } from './server-process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_URL = process.env.RATE_LIMIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const expect429 = (res: { status: number; headers: Record<string, string>; body: any }) => {
  expect([res.status, res.body.code, res.headers['content-type']]).toEqual([429, 'RATE_LIMITED', expect.stringContaining('application/problem+json')]);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
};

describe('rate limits (in memory, one instance)', () => {
  let h: Harness;
  // Each user gets a fresh id so budgets start from zero in each test.
  const as = async (org: string, user = randomUUID().slice(0, 8)) => ({ Authorization: `Bearer ${await h.token(org, user)}` });
  beforeAll(async () => {
    h = await startHarness({
      RATE_LIMIT_USER_READS: '5',
      RATE_LIMIT_USER_COMMANDS: '3',
      RATE_LIMIT_ORG: '12',
      RATE_LIMIT_HEAVY: '2',
      RATE_LIMIT_IP: '40',
    });
  });
  afterAll(() => h.close());

  it('a user has a read budget: the 6th read in the window answers 429 with Retry-After; another user is unaffected', async () => {
    const zhang = await as(TOWNSHIP);
    for (let i = 0; i < 5; i++) expect((await h.http().get('/v1/cases').set(zhang)).status).toBe(200);
    expect429(await h.http().get('/v1/cases').set(zhang));
    expect429(await h.http().get('/v1/scorecards?from=2026-11-01&to=2026-12-01').set(zhang)); // one budget across routes
    expect(
      (
        await h
          .http()
          .get('/v1/cases')
          .set(await as(TOWNSHIP))
      ).status,
    ).toBe(200);
  });

  it('commands have their own budget per user', async () => {
    const li = await as(TOWNSHIP);
    for (let i = 0; i < 3; i++)
      expect(
        (
          await h
            .http()
            .post('/v1/whistles')
            .set(li)
            .send(whistleBody([ECOLOGY]))
        ).status,
      ).toBe(201);
    const refused = await h
      .http()
      .post('/v1/whistles')
      .set(li)
      .send(whistleBody([ECOLOGY]));
    expect429(refused);
    expect((await h.http().get('/v1/cases').set(li)).status).toBe(200); // reads still within theirs
  });

  it('an org has a budget for all its users together', async () => {
    // The assessment office's org: 12 requests in the window, whoever sends them (5 users × 3 reads = 15).
    const statuses: number[] = [];
    for (let u = 0; u < 5; u++) {
      const user = await as(ASSESSMENT);
      for (let i = 0; i < 3; i++) statuses.push((await h.http().get('/v1/scorecards?from=2026-11-01&to=2026-12-01').set(user)).status);
    }
    expect(statuses).toEqual([...Array(12).fill(200), 429, 429, 429]);
  });

  it('heavy reads (explain, scorecards for an explicit asOf, exports) have a lower budget', async () => {
    const ao = await as(COMMAND_CENTRE);
    const period = 'from=2026-11-01&to=2026-12-01';
    expect((await h.http().get(`/v1/scorecards/${ECOLOGY}/explain?${period}`).set(ao)).status).toBe(200);
    expect((await h.http().get(`/v1/scorecards?${period}&format=csv`).set(ao)).status).toBe(200);
    expect429(await h.http().get(`/v1/scorecards/${ECOLOGY}/explain?${period}`).set(ao));
    expect429(await h.http().get(`/v1/scorecards?${period}&asOf=2026-11-20T00:00:00Z`).set(ao));
    // A plain scorecard for now is not heavy: it is served from the read model's cache.
    expect((await h.http().get(`/v1/scorecards?${period}`).set(ao)).status).toBe(200);
  });
});

describe('rate limits per client IP: unauthenticated routes and refused tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_IP: '4' });
  });
  afterAll(() => h.close());

  it('answers 429 to forged tokens beyond the IP budget, and to public routes beyond it', async () => {
    for (let i = 0; i < 4; i++) expect((await h.http().get('/v1/cases').set('Authorization', `Bearer forged.${i}.x`)).status).toBe(401);
    expect429(await h.http().get('/v1/cases').set('Authorization', 'Bearer forged.again.x'));
    // Public routes count per IP too (their own budget).
    for (let i = 0; i < 4; i++) expect((await h.http().get('/v1/orgs')).status).toBe(200);
    expect429(await h.http().get('/v1/orgs'));
  });
});

describe('the client IP behind a reverse proxy (TRUST_PROXY): the per-IP budgets and the audit trail', () => {
  const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;
  /** The audit records of one correlation id, as the command centre reads them. */
  async function recorded(h: Harness, cc: string, correlationId: string) {
    const res = await h.http().get('/v1/audit?limit=1000').set('Authorization', cc).set('X-Forwarded-For', '192.0.2.100').expect(200);
    return (res.body.items as { ip: string; status: number; correlationId: string }[]).filter((i) => i.correlationId === correlationId);
  }
  const forged = (h: Harness, xff: string, correlationId: string) =>
    h.http().get('/v1/cases').set('Authorization', 'Bearer forged.token.x').set('X-Forwarded-For', xff).set('X-Correlation-Id', correlationId);

  describe('without TRUST_PROXY (the default)', () => {
    let h: Harness;
    let cc: string;
    beforeAll(async () => {
      h = await startHarness({ RATE_LIMIT_IP: '3' });
      cc = `Bearer ${await h.token(COMMAND_CENTRE, 'auditor')}`; // the first of this IP's 3 public requests
    });
    afterAll(() => h.close());

    it('a forged X-Forwarded-For neither buys another public budget nor another budget of refused tokens', async () => {
      expect((await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
      expect((await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200);
      expect429(await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.3'));
      for (let i = 0; i < 3; i++) expect((await forged(h, `198.51.100.${i}`, `no-proxy-${i}`)).status).toBe(401);
      expect429(await forged(h, '198.51.100.9', 'no-proxy-429'));
    });

    it('records the socket’s address, not the forged one', async () => {
      for (const id of ['no-proxy-0', 'no-proxy-429']) {
        const items = await recorded(h, cc, id);
        expect([id, items.length, items[0]?.ip]).toEqual([id, 1, expect.stringMatching(LOOPBACK)]);
      }
      // A caller with a valid token: its refusal is recorded with the socket's address too.
      await h
        .http()
        .get(`/v1/cases/${randomUUID()}`)
        .set('Authorization', cc)
        .set('X-Forwarded-For', '198.51.100.50')
        .set('X-Correlation-Id', 'no-proxy-404')
        .expect(404);
      expect((await recorded(h, cc, 'no-proxy-404')).map((i) => i.ip)).toEqual([expect.stringMatching(LOOPBACK)]);
    });
  });

  describe('TRUST_PROXY=loopback (nginx on the same host)', () => {
    let h: Harness;
    let cc: string;
    beforeAll(async () => {
      h = await startHarness({ RATE_LIMIT_IP: '3', TRUST_PROXY: 'loopback' });
      cc = `Bearer ${(await h.http().post('/v1/dev/tokens').set('X-Forwarded-For', '192.0.2.100').send({ orgId: COMMAND_CENTRE, userId: 'auditor' }).expect(201)).body.token}`;
    });
    afterAll(() => h.close());

    it('each forwarded client has its own per-IP budgets', async () => {
      for (let i = 0; i < 3; i++) expect((await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
      expect429(await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.1'));
      expect((await h.http().get('/v1/orgs').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200);
      expect((await h.http().get('/v1/orgs')).status).toBe(200); // the proxy's own address: a budget of its own
      for (let i = 0; i < 3; i++) expect((await forged(h, '198.51.100.7', `proxy-${i}`)).status).toBe(401);
      expect429(await forged(h, '198.51.100.7', 'proxy-429'));
      expect((await forged(h, '198.51.100.8', 'proxy-other')).status).toBe(401);
    });

    it('records the forwarded client’s address; an address the client itself put in front of the proxy’s is not believed', async () => {
      expect((await recorded(h, cc, 'proxy-0')).map((i) => i.ip)).toEqual(['198.51.100.7']);
      expect((await recorded(h, cc, 'proxy-429')).map((i) => [i.status, i.ip])).toEqual([[429, '198.51.100.7']]);
      await h
        .http()
        .get(`/v1/cases/${randomUUID()}`)
        .set('Authorization', cc)
        .set('X-Forwarded-For', '198.51.100.50')
        .set('X-Correlation-Id', 'proxy-404')
        .expect(404);
      expect((await recorded(h, cc, 'proxy-404')).map((i) => i.ip)).toEqual(['198.51.100.50']);
      // nginx appends the peer it saw ($proxy_add_x_forwarded_for): only the loopback hop is trusted, so its peer is the client.
      expect((await forged(h, '10.9.9.9, 198.51.100.60', 'proxy-chain')).status).toBe(401);
      expect((await recorded(h, cc, 'proxy-chain')).map((i) => i.ip)).toEqual(['198.51.100.60']);
    });
  });
});

describe('rate limits shared in Redis by two API processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-ratelimit-'));
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } catch (error) {
      throw new Error(`REDIS NOT REACHABLE at ${REDIS_URL}: this suite tests shared rate limits against a real Redis (${(error as Error).message})`);
    }
  });
  afterAll(async () => {
    await killAllServers();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('one user’s budget is one budget across both instances', async () => {
    const env = { RATE_LIMIT_REDIS_URL: REDIS_URL, RATE_LIMIT_USER_READS: '6' };
    const [pa, pb] = [await freePort(), await freePort()];
    await startServer(dir, pa, env);
    await startServer(dir, pb, env);
    const [a, b] = [client(`http://127.0.0.1:${pa}`), client(`http://127.0.0.1:${pb}`)];
    const user = `u-${randomUUID().slice(0, 8)}`;
    const token = (await a.call('POST', '/v1/dev/tokens', undefined, { orgId: TOWNSHIP, userId: user })).body.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? b : a).call('GET', '/v1/cases', token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const [fromA, fromB] = [await a.call('GET', '/v1/cases', token), await b.call('GET', '/v1/cases', token)];
    expect([fromA.status, fromA.body.code, fromB.status]).toEqual([429, 'RATE_LIMITED', 429]);
    // The counts are in Redis, under the user's key.
    const keys = await redis.keys(`*chuishao:rate:user-reads:user:${TOWNSHIP}/${user}*`);
    expect(keys.length).toBeGreaterThan(0);
  }, 60_000);
});
