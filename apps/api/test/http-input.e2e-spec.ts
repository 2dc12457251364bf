import { isCaseStream } from '@chuishao/domain';
import { COMMAND_CENTRE, ECOLOGY, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

describe('HTTP hardening: headers, content types, JSON depth, dangerous keys', () => {
  let h: Harness;
  const auth = async (org = TOWNSHIP) => ({ Authorization: `Bearer ${await h.token(org)}` });
  // Case events stored: the refusals' audit trail shares the store, in streams of its own.
  const head = async () => (await h.runtime.store.readAll({ limit: 1_000_000 })).filter((e) => isCaseStream(e.streamName)).length;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('sends security headers and Cache-Control: no-store, also on errors, and no X-Powered-By', async () => {
    for (const res of [
      await h
        .http()
        .get('/v1/cases')
        .set(await auth()),
      await h.http().get('/v1/cases'), // 401
      await h
        .http()
        .get('/v1/nowhere')
        .set(await auth()), // 404
    ]) {
      // The JSON API's set (OWASP REST Security Cheat Sheet), nothing of a page's.
      expect([res.status, res.headers['cache-control']]).toEqual([res.status, 'no-store']);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-xss-protection']).toBeUndefined();
    }
    // Pages (the interactive API reference here; the console's are tested in its suite) carry helmet's.
    const docs = await h.http().get('/docs/').redirects(1);
    expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(docs.headers['cache-control']).not.toBe('no-store');
  });

  it('refuses JSON nested thousands of levels with 400 naming the body, on every POST, also unauthenticated ones', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const before = await head();
    for (const [path, headers] of [
      ['/v1/whistles', await auth()],
      ['/v1/dev/tokens', {}],
      [`/v1/cases/00000000-0000-4000-8000-000000000000/responses`, await auth(ECOLOGY)],
    ] as const) {
      for (const body of [deep(5000), `{"title":${deep(3000)}}`, `{"a":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`]) {
        const res = await h.http().post(path).set(headers).set('content-type', 'application/json').send(body);
        expect([path, res.status, res.headers['content-type'], res.body.code, res.body.errors]).toEqual([
          path,
          400,
          expect.stringContaining('application/problem+json'),
          'REQUEST.TOO_DEEP',
          [{ field: 'body', message: 'nested deeper than 32 levels' }],
        ]);
      }
    }
    // Brackets inside strings are text, not nesting.
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send(whistleBody([ECOLOGY], { title: `[[[${'['.repeat(100)}` }));
    expect(res.status).toBe(201);
    expect(await head()).toBe(before + 1);
  });

  it('answers 415 once for a body that is not JSON, or has no content type; nothing is dropped silently', async () => {
    const before = await head();
    const text = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .set('content-type', 'text/plain')
      .send(JSON.stringify(whistleBody()));
    expect([text.status, text.body.code, text.body.errors]).toEqual([415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', undefined]);
    expect(text.body.detail).toBe('the body is text/plain; send application/json');
    const form = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .type('form')
      .send('title=x');
    expect(form.status).toBe(415);
    const none = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .set('content-type', '')
      .send(Buffer.from(JSON.stringify(whistleBody())));
    expect([none.status, none.body.detail]).toEqual([415, 'the body has no Content-Type; send application/json']);
    const blown = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send(whistleBody([ECOLOGY]))
      .expect(201);
    const note = await h
      .http()
      .post(`/v1/cases/${blown.body.caseId}/responses`)
      .set(await auth(ECOLOGY))
      .set('content-type', 'text/plain')
      .send('已到场');
    expect(note.status).toBe(415);
    expect(await head()).toBe(before + 1);
    // A JSON subtype with a charset is JSON.
    const charset = await h
      .http()
      .post('/v1/dev/tokens')
      .set('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ orgId: COMMAND_CENTRE }));
    expect(charset.status).toBe(201);
  });

  it('refuses __proto__, constructor and prototype keys by name, at any depth', async () => {
    const before = await head();
    for (const [raw, field] of [
      [`{"__proto__":{"admin":true},"title":"x"}`, '__proto__'],
      [`{"location":{"address":"a","constructor":{"prototype":1}}}`, 'location.constructor'],
      [`{"departmentIds":["dept-ecology",{"prototype":1}]}`, 'departmentIds[1].prototype'],
    ]) {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth())
        .set('content-type', 'application/json')
        .send(raw);
      expect([res.status, res.body.code, res.body.errors]).toEqual([400, 'REQUEST.INVALID', [{ field, message: 'this key is not allowed' }]]);
    }
    expect(await head()).toBe(before);
  });

  it('refuses every Object.prototype name as a key, in a body and in a query string', async () => {
    const before = await head();
    for (const [raw, field] of [
      [`{"toString":"x"}`, 'toString'],
      [`{"location":{"address":"a","hasOwnProperty":1}}`, 'location.hasOwnProperty'],
      [`{"":1}`, null],
    ] as const) {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth())
        .set('content-type', 'application/json')
        .send(raw);
      expect(res.status).toBe(400);
      if (field) expect(res.body.errors).toEqual([{ field, message: 'this key is not allowed' }]);
      else expect(res.body.errors).toContainEqual({ field: '[""]', message: 'should not exist' });
    }
    for (const query of ['__proto__=x', 'toString=x', 'valueOf=1&limit=2']) {
      const res = await h
        .http()
        .get(`/v1/cases?${query}`)
        .set(await auth());
      expect([query, res.status, res.body.errors]).toEqual([query, 400, [{ field: query.split('=')[0], message: 'this key is not allowed' }]]);
    }
    expect(await head()).toBe(before);
  });

  it('refuses text with a lone surrogate or a control character (tab and line breaks are text), naming the field', async () => {
    const before = await head();
    for (const [raw, field, message] of [
      ['{"title":"\\ud800"}', 'title', 'must be well-formed Unicode text (it has a lone surrogate)'],
      ['{"location":{"address":"a\\u0000b"}}', 'location.address', 'must not contain control characters (tab and line breaks are allowed)'],
      ['{"departmentIds":["\\u001b[31m"]}', 'departmentIds[0]', 'must not contain control characters (tab and line breaks are allowed)'],
    ]) {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth())
        .set('content-type', 'application/json')
        .send(raw);
      expect([raw, res.status, res.body.errors]).toEqual([raw, 400, [{ field, message }]]);
    }
    expect(
      (
        await h
          .http()
          .get('/v1/cases?q=%00')
          .set(await auth())
      ).body.errors,
    ).toEqual([{ field: 'q', message: 'must not contain control characters (tab and line breaks are allowed)' }]);
    const multiline = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send(whistleBody([ECOLOGY], { description: '第一行\n第二行\t附注' }));
    expect(multiline.status).toBe(201);
    expect(await head()).toBe(before + 1);
  });

  it('reads a whole-number query parameter only from digits', async () => {
    for (const [query, field] of [
      ['limit=', 'limit'],
      ['limit=0x10', 'limit'],
      ['limit=%205', 'limit'],
      ['limit=1e1', 'limit'],
      ['minPosition=', 'minPosition'],
      ['minPosition=-0', 'minPosition'],
    ]) {
      const res = await h
        .http()
        .get(`/v1/cases?${query}`)
        .set(await auth());
      expect([query, res.status, res.body.errors?.[0]?.field]).toEqual([query, 400, field]);
    }
    expect(
      (
        await h
          .http()
          .get('/v1/cases?limit=10')
          .set(await auth())
      ).status,
    ).toBe(200);
  });

  it('a whistle needs a location object, numeric coordinates in range, and text that says something', async () => {
    const before = await head();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ location: undefined }, 'location', 'location should not be null or undefined'],
      [{ location: [] }, 'location', 'location must be an object'],
      [{ location: '东坝镇' }, 'location', 'location must be an object'],
      [{ location: { address: '东坝镇', lat: '32.5' } }, 'location.lat', 'lat must be a number conforming to the specified constraints'],
      [{ location: { address: '东坝镇', lng: 181 } }, 'location.lng', 'lng must be a longitude string or number'],
      [{ title: '\u200b \u3000' }, 'title', 'must say something (not only spaces or invisible characters)'],
      [{ description: '\ufeff\u202e' }, 'description', 'must say something (not only spaces or invisible characters)'],
      [{ location: { address: '\u200b' } }, 'location.address', 'must say something (not only spaces or invisible characters)'],
    ];
    for (const [change, field, message] of cases) {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth())
        .send({ ...whistleBody([ECOLOGY]), ...change });
      expect([JSON.stringify(change), res.status, res.body.errors]).toEqual([JSON.stringify(change), 400, [{ field, message }]]);
    }
    expect(await head()).toBe(before);
  });

  it('null is refused for every field, optional ones included, naming the field', async () => {
    for (const [change, field] of [
      [{ matterCode: null }, 'matterCode'],
      [{ sourceRef: null }, 'sourceRef'],
      [{ location: { address: 'a', grid: null } }, 'location.grid'],
    ] as const) {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth())
        .send({ ...whistleBody([ECOLOGY]), ...change });
      expect([res.status, res.body.errors]).toEqual([400, [{ field, message: 'must not be null; leave an optional field out' }]]);
    }
  });

  it('reports each invalid field once', async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth())
      .send({});
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(res.status).toBe(400);
    expect(fields).toEqual([...new Set(fields)]);
    expect(fields).toEqual(expect.arrayContaining(['title', 'description', 'category', 'departmentIds', 'location']));
  });

  it('refuses a date parameter that is not a date or an instant, naming it', async () => {
    for (const value of ['2026-W01', '2026-02-30', '2026-13-01', 'yesterday', '2026-01-01T25:00:00Z']) {
      const res = await h
        .http()
        .get(`/v1/cases?raisedFrom=${encodeURIComponent(value)}`)
        .set(await auth());
      expect([value, res.status, res.body.errors?.[0]?.field]).toEqual([value, 400, 'raisedFrom']);
    }
    expect(
      (
        await h
          .http()
          .get('/v1/cases?raisedFrom=2026-01-01&raisedTo=2026-12-31T16:00:00%2B08:00')
          .set(await auth())
      ).status,
    ).toBe(200);
  });

  it('a method the path does not serve answers 405 with Allow', async () => {
    const res = await h
      .http()
      .delete('/v1/cases')
      .set(await auth());
    expect([res.status, res.body.code, res.headers.allow]).toEqual([405, 'ROUTE.METHOD_NOT_ALLOWED', 'GET, HEAD']);
    const put = await h
      .http()
      .put('/v1/cases/00000000-0000-4000-8000-000000000000/transfers')
      .set(await auth())
      .send({});
    expect([put.status, put.headers.allow]).toEqual([405, 'POST']);
    expect(
      (
        await h
          .http()
          .get('/v1/nowhere')
          .set(await auth())
      ).status,
    ).toBe(404);
  });
});
