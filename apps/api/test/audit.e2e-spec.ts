import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, OTHER_TOWNSHIP, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';
import { client, freePort, kill, startServer } from './server-process';

interface Item {
  kind: 'refusal' | 'aggregate';
  at: string;
  count: number;
  windowStart: string | null;
  windowEnd: string | null;
  orgId: string | null;
  userId: string | null;
  role: string | null;
  countyId: string | null;
  ip: string | null;
  method: string | null;
  route: string | null;
  caseId: string | null;
  status: number;
  outcome: string;
  detail: string;
  correlationId: string;
}

/** Every item of the trail for `query`, following the cursor. */
async function trail(h: Harness, query = '', user = 'auditor'): Promise<Item[]> {
  const cc = await h.token(COMMAND_CENTRE, user);
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const q = [query, 'limit=1000', cursor ? `cursor=${cursor}` : ''].filter(Boolean).join('&');
    const res = await h.http().get(`/v1/audit?${q}`).set('Authorization', `Bearer ${cc}`);
    expect([res.status, res.headers['content-type']]).toEqual([200, expect.stringContaining('application/json')]);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor !== null);
  return items;
}

const byCorrelation = (items: Item[], id: string) => items.filter((i) => i.correlationId === id);
const LOOPBACK = expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/);

describe('the audit trail of refusals (GET /v1/audit)', () => {
  let h: Harness;
  const bearer = async (org: string, user?: string) => ({ Authorization: `Bearer ${await h.token(org, user)}` });

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_HEAVY: '2', AUDIT_REFUSALS_PER_MINUTE: '5' });
  });
  afterAll(() => h.close());

  it('records each kind of refusal with who, where from, which route and case, the outcome and the correlation id', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await bearer(TOWNSHIP))
        .send(whistleBody([ECOLOGY, WATER]))
        .expect(201)
    ).body.caseId;
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await bearer(ECOLOGY))
      .send({})
      .expect(200);
    const heavy = await bearer(TOWNSHIP, 'heavy-reader');
    for (let i = 0; i < 2; i++) await h.http().get('/v1/scorecards?from=2026-02-01&to=2026-03-01&format=csv').set(heavy).expect(200);
    const corr = (k: string) => `audit-${k}-${caseId.slice(0, 8)}`;

    const refused: [string, Promise<{ status: number; body: { code: string } }>][] = [
      ['401-none', h.http().get(`/v1/cases/${caseId}`).set('X-Correlation-Id', corr('401-none'))],
      ['401-bad', h.http().get(`/v1/cases/${caseId}`).set('Authorization', 'Bearer forged.token.x').set('X-Correlation-Id', corr('401-bad'))],
      [
        '403',
        h
          .http()
          .post('/v1/whistles')
          .set(await bearer(ECOLOGY))
          .set('X-Correlation-Id', corr('403'))
          .send(whistleBody([WATER])),
      ],
      [
        '404',
        h
          .http()
          .get(`/v1/cases/${caseId}`)
          .set(await bearer(OTHER_TOWNSHIP))
          .set('X-Correlation-Id', corr('404')),
      ],
      [
        '409',
        h
          .http()
          .post(`/v1/cases/${caseId}/completions`)
          .set(await bearer(WATER))
          .set('X-Correlation-Id', corr('409'))
          .send({ result: '已处理' }),
      ],
      [
        '412',
        h
          .http()
          .post(`/v1/cases/${caseId}/responses`)
          .set(await bearer(WATER))
          .set('If-Match', '"0"')
          .set('X-Correlation-Id', corr('412'))
          .send({}),
      ],
      ['429', h.http().get('/v1/scorecards?from=2026-02-01&to=2026-03-01&format=csv').set(heavy).set('X-Correlation-Id', corr('429'))],
    ];
    const answers = [];
    for (const [, request] of refused) answers.push(await request);
    // 422: the same Idempotency-Key with another body.
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await bearer(WATER))
      .set('Idempotency-Key', `k-${caseId}`)
      .send({ note: 'a' })
      .expect(200);
    answers.push(
      await h
        .http()
        .post(`/v1/cases/${caseId}/responses`)
        .set(await bearer(WATER))
        .set('Idempotency-Key', `k-${caseId}`)
        .set('X-Correlation-Id', corr('422'))
        .send({ note: 'b' }),
    );
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [401, 'AUTH.UNAUTHENTICATED'],
      [401, 'AUTH.UNAUTHENTICATED'],
      [403, 'CASE.FORBIDDEN'],
      [404, 'CASE.NOT_FOUND'],
      [409, 'CASE.INVALID_STATE'],
      [412, 'CASE.PRECONDITION_FAILED'],
      [429, 'RATE_LIMITED'],
      [422, 'IDEMPOTENCY.KEY_REUSED'],
    ]);

    const items = await trail(h);
    const one = (k: string) => {
      const found = byCorrelation(items, corr(k));
      expect(found).toHaveLength(1);
      return found[0];
    };
    const base = { kind: 'refusal', count: 1, at: h.clock.now().toISOString(), ip: LOOPBACK, countyId: expect.anything() };
    const anonymous = { orgId: null, userId: null, role: null, countyId: null };
    expect(one('401-none')).toMatchObject({
      ...base,
      ...anonymous,
      status: 401,
      outcome: 'AUTH.UNAUTHENTICATED',
      method: 'GET',
      route: '/v1/cases/:caseId',
      caseId,
      detail: expect.stringContaining('Authorization'),
    });
    expect(one('401-bad')).toMatchObject({
      ...base,
      ...anonymous,
      status: 401,
      outcome: 'AUTH.UNAUTHENTICATED',
      method: 'GET',
      route: '/v1/cases/:caseId',
      caseId,
      detail: expect.stringContaining('invalid'),
    });
    const county = { countyId: 'county-qingchuan' };
    expect(one('403')).toMatchObject({
      ...base,
      ...county,
      orgId: ECOLOGY,
      userId: `${ECOLOGY}-tester`,
      role: 'department',
      status: 403,
      outcome: 'CASE.FORBIDDEN',
      method: 'POST',
      route: '/v1/whistles',
      caseId: null,
    });
    expect(one('404')).toMatchObject({
      ...base,
      ...county,
      orgId: OTHER_TOWNSHIP,
      role: 'township',
      status: 404,
      outcome: 'CASE.NOT_FOUND',
      method: 'GET',
      route: '/v1/cases/:caseId',
      caseId,
    });
    expect(one('409')).toMatchObject({
      ...base,
      orgId: WATER,
      role: 'department',
      status: 409,
      outcome: 'CASE.INVALID_STATE',
      method: 'POST',
      route: '/v1/cases/:caseId/completions',
      caseId,
    });
    expect(one('412')).toMatchObject({ ...base, orgId: WATER, status: 412, outcome: 'CASE.PRECONDITION_FAILED', route: '/v1/cases/:caseId/responses', caseId });
    expect(one('422')).toMatchObject({ ...base, orgId: WATER, status: 422, outcome: 'IDEMPOTENCY.KEY_REUSED', route: '/v1/cases/:caseId/responses', caseId });
    expect(one('429')).toMatchObject({
      ...base,
      orgId: TOWNSHIP,
      userId: 'heavy-reader',
      status: 429,
      outcome: 'RATE_LIMITED',
      method: 'GET',
      route: '/v1/scorecards',
      caseId: null,
    });
    // Accepted requests leave no refusal record (they are in the case events).
    expect(
      items
        .filter((i) => i.caseId === caseId)
        .map((i) => i.status)
        .sort(),
    ).toEqual([401, 401, 404, 409, 412, 422]);
  });

  it('a refused command without X-Correlation-Id is recorded under the id the service gave it', async () => {
    const user = `nocorr-${randomUUID().slice(0, 8)}`;
    await h
      .http()
      .get(`/v1/cases/${randomUUID()}`)
      .set(await bearer(OTHER_TOWNSHIP, user))
      .expect(404);
    const [item] = (await trail(h, `orgId=${OTHER_TOWNSHIP}`)).filter((i) => i.userId === user);
    expect(item.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a flood of refusals: beyond the per-minute allowance they are counted per window, and the counts sum right', async () => {
    h.clock.advance(1); // a window of its own
    const windowStart = new Date(Math.floor(h.clock.now().getTime() / 60_000) * 60_000).toISOString();
    const flooder = await bearer(OTHER_TOWNSHIP, `flooder-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 120; i++) await h.http().get(`/v1/cases/${randomUUID()}`).set(flooder).expect(404);
    for (let i = 0; i < 40; i++) await h.http().get('/v1/cases').set('Authorization', `Bearer forged.${i}.x`).expect(401);
    // While the window is open only the single records are there.
    const during = await trail(h, `from=${windowStart}`);
    expect(during.filter((i) => i.kind === 'aggregate')).toEqual([]);
    expect(during.length).toBe(5 + 5);

    h.clock.advance(1); // the window ends: its counts are stored
    const items = await trail(h, `from=${windowStart}`);
    const ofFlooder = items.filter((i) => i.orgId === OTHER_TOWNSHIP);
    const ofForger = items.filter((i) => i.orgId === null);
    for (const [of, total, outcome] of [
      [ofFlooder, 120, 'CASE.NOT_FOUND'],
      [ofForger, 40, 'AUTH.UNAUTHENTICATED'],
    ] as const) {
      expect(of.map((i) => i.kind)).toEqual(['refusal', 'refusal', 'refusal', 'refusal', 'refusal', 'aggregate']);
      expect(of.reduce((n, i) => n + i.count, 0)).toBe(total);
      const aggregate = of[5];
      expect(aggregate).toMatchObject({
        count: total - 5,
        outcome,
        windowStart,
        windowEnd: new Date(Date.parse(windowStart) + 60_000).toISOString(),
        at: windowStart,
        ip: LOOPBACK,
      });
      expect(aggregate.detail).toContain(outcome === 'CASE.NOT_FOUND' ? 'GET /v1/cases/:caseId' : 'GET /v1/cases');
      expect(aggregate.correlationId).toEqual(expect.any(String));
    }
    expect(items.length).toBe(12);
    // Filters apply to counts as to single records.
    expect((await trail(h, `from=${windowStart}&outcome=AUTH.UNAUTHENTICATED`)).reduce((n, i) => n + i.count, 0)).toBe(40);
  });

  it('the command centre reads it; a township, a department and the assessment office are refused 403 (and recorded)', async () => {
    const corr = `audit-forbidden-${randomUUID().slice(0, 8)}`;
    for (const org of [TOWNSHIP, ECOLOGY, ASSESSMENT]) {
      const res = await h
        .http()
        .get('/v1/audit')
        .set(await bearer(org))
        .set('X-Correlation-Id', corr);
      expect([res.status, res.body.code, res.headers['content-type']]).toEqual([403, 'AUTH.FORBIDDEN', expect.stringContaining('application/problem+json')]);
      expect(res.body.items).toBeUndefined();
    }
    const recorded = byCorrelation(await trail(h), corr);
    expect(recorded.map((i) => [i.orgId, i.status, i.outcome, i.route])).toEqual(
      [TOWNSHIP, ECOLOGY, ASSESSMENT].map((o) => [o, 403, 'AUTH.FORBIDDEN', '/v1/audit']),
    );
  });

  it('pages with a cursor: the same items as one page, in the same order', async () => {
    const all = await trail(h);
    const cc = await bearer(COMMAND_CENTRE, 'pager');
    const paged: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await h
        .http()
        .get(`/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        .set(cc)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      paged.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBeGreaterThan(3);
    expect(paged).toEqual(all);
  });

  it('CSV: UTF-8 with a header row, one row per item, the next cursor in a header', async () => {
    const corr = `audit-csv-${randomUUID().slice(0, 8)}`;
    await h
      .http()
      .get(`/v1/cases/${randomUUID()}`)
      .set(await bearer(OTHER_TOWNSHIP, 'li.ming'))
      .set('X-Correlation-Id', corr)
      .expect(404);
    const cc = await bearer(COMMAND_CENTRE, 'csv-reader');
    const res = await h
      .http()
      .get('/v1/audit?format=csv')
      .set(cc)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,kind,count,windowStart,windowEnd,countyId,orgId,userId,role,ip,method,route,caseId,status,outcome,detail,correlationId,id');
    expect(lines.length - 1).toBe((await trail(h)).length);
    const row = lines.find((l) => l.includes(corr))!;
    expect(row).toContain(`,${OTHER_TOWNSHIP},li.ming,township,`);
    expect(row).toContain(',GET,/v1/cases/:caseId,');
    expect(row).toContain(',404,CASE.NOT_FOUND,');
    const small = await h
      .http()
      .get('/v1/audit?format=csv&limit=2')
      .set(await bearer(COMMAND_CENTRE, 'csv-reader-2'))
      .expect(200);
    expect(small.headers['x-next-cursor']).toEqual(expect.any(String));
    expect(small.text.trimEnd().split('\r\n')).toHaveLength(3);
  });

  it('validates every parameter: 400 problem+json naming the field', async () => {
    const cc = await bearer(COMMAND_CENTRE, 'validator');
    const cases: [string, string][] = [
      ['from=yesterday', 'from'],
      ['from=2026-02-30', 'from'],
      ['to=2026-W01', 'to'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      ['from=2025-01-01&to=2026-03-01', 'from'],
      ['orgId=Not%20An%20Org', 'orgId'],
      ['outcome=not-a-code', 'outcome'],
      ['cursor=%21%21', 'cursor'],
      [`cursor=${Buffer.from('2026-13-01.1').toString('base64url')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=10001&format=csv', 'limit'],
      ['format=xml', 'format'],
      ['sort=at', 'sort'],
    ];
    for (const [query, field] of cases) {
      const res = await h.http().get(`/v1/audit?${query}`).set(cc);
      expect([query, res.status, res.headers['content-type'], res.body.code]).toEqual([
        query,
        400,
        expect.stringContaining('application/problem+json'),
        'REQUEST.INVALID',
      ]);
      expect([query, res.body.errors.map((e: { field: string }) => e.field)]).toEqual([query, [field]]);
    }
    // A `+` of an offset sent unencoded arrives as a space and is taken back.
    expect((await h.http().get('/v1/audit?from=2026-03-01T00:00:00+08:00').set(cc)).status).toBe(200);
  });
});

describe('the audit trail survives a restart (same DATA_DIR)', () => {
  it('what was refused before a clean shutdown, single records and the open window’s counts, is read after it', async () => {
    const first = await startHarness({ AUDIT_REFUSALS_PER_MINUTE: '1', AUDIT_FLUSH_MS: '60000' });
    const dataDir = first.dataDir;
    const corr = `audit-restart-${randomUUID().slice(0, 8)}`;
    const other = { Authorization: `Bearer ${await first.token(OTHER_TOWNSHIP, 'restart')}` };
    for (let i = 0; i < 3; i++) await first.http().get(`/v1/cases/${randomUUID()}`).set(other).set('X-Correlation-Id', `${corr}-${i}`).expect(404);
    // Not read before the shutdown: close() itself must store them.
    await first.runtime.close();
    const second = await startHarness({}, { dataDir });
    try {
      const items = (await trail(second)).filter((i) => i.userId === 'restart');
      expect(items.map((i) => [i.kind, i.count, i.correlationId])).toEqual([
        ['refusal', 1, `${corr}-0`],
        ['aggregate', 2, `${corr}-1`],
      ]);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the audit trail of a real process (dist/)', () => {
  it('SIGTERM stores what is buffered before the process exits; what a read has shown survives SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-audit-'));
    const env = { AUDIT_REFUSALS_PER_MINUTE: '1', AUDIT_FLUSH_MS: '60000' };
    try {
      const port = await freePort();
      const api = client(`http://127.0.0.1:${port}`);
      const refuse = async (token: string, n: number) => {
        for (let i = 0; i < n; i++) expect((await api.call('GET', `/v1/cases/${randomUUID()}`, token)).status).toBe(404);
      };
      const read = async () => {
        const res = await api.call('GET', '/v1/audit?limit=1000', await api.token(COMMAND_CENTRE));
        expect(res.status).toBe(200);
        return res.body.items as Item[];
      };

      let server = await startServer(dataDir, port, env);
      await refuse(await api.token(OTHER_TOWNSHIP), 3);
      const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);

      server = await startServer(dataDir, port, env);
      const afterTerm = (await read()).filter((i) => i.orgId === OTHER_TOWNSHIP);
      expect(afterTerm[0].kind).toBe('refusal');
      expect(afterTerm.reduce((n, i) => n + i.count, 0)).toBe(3);

      await refuse(await api.token(TOWNSHIP), 1);
      const shown = (await read()).filter((i) => i.orgId === TOWNSHIP);
      expect(shown).toHaveLength(1);
      await kill(server);
      server = await startServer(dataDir, port, env);
      expect((await read()).filter((i) => i.orgId === TOWNSHIP)).toEqual(shown);
      await kill(server);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
