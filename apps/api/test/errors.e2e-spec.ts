import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, MARKET, OTHER_TOWNSHIP, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

/** Every error class of the API, each as problem+json naming what went wrong, none leaking internals. */
describe('errors', () => {
  let h: Harness;
  let caseId: string;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });

  beforeAll(async () => {
    h = await startHarness();
    caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody())
        .expect(201)
    ).body.caseId;
  });
  afterAll(() => h.close());

  const expectProblem = (
    res: { status: number; headers: Record<string, string>; body: Record<string, unknown>; text: string },
    status: number,
    code: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:chuishao:problem:${code}` });
    expect(typeof res.body.title).toBe('string');
    expect(typeof res.body.detail).toBe('string');
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  };

  describe('400: malformed or unknown fields, each named', () => {
    it('names every bad field, nested ones with their path', async () => {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send({ ...whistleBody(), title: '', category: 'party', location: { lat: 200 }, color: 'red' });
      expectProblem(res, 400, 'REQUEST.INVALID');
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'category', 'location.address', 'location.lat', 'color']));
    });

    it('refuses malformed JSON', async () => {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .set('Content-Type', 'application/json')
        .send('{"title": ');
      expectProblem(res, 400, 'REQUEST.INVALID');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'not valid JSON' }]);
    });

    it('reads JSON bodies only: a form-encoded body is refused once with 415, not reported as missing fields', async () => {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .type('form')
        .send({ title: '道路塌陷', description: 'x' });
      expectProblem(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.errors).toBeUndefined();
    });

    it('refuses a body over 256 kB with 413', async () => {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send({ ...whistleBody(), description: 'x'.repeat(257 * 1024) });
      expectProblem(res, 413, 'REQUEST.TOO_LARGE');
    });

    it('refuses departments that are not departments of the county', async () => {
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody([ECOLOGY, OTHER_TOWNSHIP, 'dept-nowhere']));
      expectProblem(res, 400, 'REQUEST.INVALID');
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['departmentIds[1]', 'departmentIds[2]']);
    });

    it('refuses a transfer without a reason, or to a non-department', async () => {
      const noReason = await h
        .http()
        .post(`/v1/cases/${caseId}/transfers`)
        .set(await auth(ECOLOGY))
        .send({ toDepartmentId: MARKET });
      expectProblem(noReason, 400, 'REQUEST.INVALID');
      expect(noReason.body.errors[0].field).toBe('reason');
      const toTownship = await h
        .http()
        .post(`/v1/cases/${caseId}/transfers`)
        .set(await auth(ECOLOGY))
        .send({ toDepartmentId: TOWNSHIP, reason: '误派' });
      expectProblem(toTownship, 400, 'REQUEST.INVALID');
      expect(toTownship.body.errors[0].field).toBe('toDepartmentId');
    });

    it('refuses bad query parameters and cursors', async () => {
      const res = await h
        .http()
        .get('/v1/cases?limit=0&status=lost')
        .set(await auth(TOWNSHIP));
      expectProblem(res, 400, 'REQUEST.INVALID');
      expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['limit', 'status']);
      expectProblem(
        await h
          .http()
          .get('/v1/cases?cursor=bm9wZQ')
          .set(await auth(TOWNSHIP)),
        400,
        'REQUEST.INVALID',
      );
    });
  });

  describe('401: no or bad token', () => {
    it.each([
      ['no header', {}],
      ['not bearer', { Authorization: 'Basic abc' }],
      ['garbage token', { Authorization: 'Bearer not.a.jwt' }],
    ])('%s', async (_, headers) => {
      const res = await h.http().get(`/v1/cases/${caseId}`).set(headers);
      expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('refuses a token signed with another secret', async () => {
      const token = await h.token(TOWNSHIP);
      const [head, body] = token.split('.');
      const res = await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set({ Authorization: `Bearer ${head}.${body}.${'A'.repeat(43)}` });
      expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
    });

    it('dev tokens only for known orgs', async () => {
      expectProblem(await h.http().post('/v1/dev/tokens').send({ orgId: 'twp-atlantis' }), 400, 'REQUEST.INVALID');
    });
  });

  describe('403: a role that may not do this', () => {
    it('departments and the command centre cannot blow whistles', async () => {
      expectProblem(
        await h
          .http()
          .post('/v1/whistles')
          .set(await auth(ECOLOGY))
          .send(whistleBody()),
        403,
        'CASE.FORBIDDEN',
      );
      expectProblem(
        await h
          .http()
          .post('/v1/whistles')
          .set(await auth(COMMAND_CENTRE))
          .send(whistleBody()),
        403,
        'CASE.FORBIDDEN',
      );
    });

    it('the command centre and assessment office read but do not write here', async () => {
      await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set(await auth(COMMAND_CENTRE))
        .expect(200);
      await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set(await auth(ASSESSMENT))
        .expect(200);
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${caseId}/responses`)
          .set(await auth(COMMAND_CENTRE))
          .send({}),
        403,
        'CASE.FORBIDDEN',
      );
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${caseId}/withdrawal`)
          .set(await auth(ASSESSMENT))
          .send({ reason: 'x' }),
        403,
        'CASE.FORBIDDEN',
      );
    });

    it('a township cannot report in', async () => {
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${caseId}/responses`)
          .set(await auth(TOWNSHIP))
          .send({}),
        403,
        'CASE.FORBIDDEN',
      );
    });
  });

  describe('404: unknown, or not the caller’s to see', () => {
    it('unknown and malformed case ids', async () => {
      expectProblem(
        await h
          .http()
          .get('/v1/cases/7d3f3c1e-0000-4000-8000-000000000000')
          .set(await auth(TOWNSHIP)),
        404,
        'CASE.NOT_FOUND',
      );
      expectProblem(
        await h
          .http()
          .get('/v1/cases/../../etc')
          .set(await auth(TOWNSHIP)),
        404,
        'ROUTE.NOT_FOUND',
      );
      expectProblem(
        await h
          .http()
          .get('/v1/cases/nope')
          .set(await auth(TOWNSHIP)),
        404,
        'CASE.NOT_FOUND',
      );
    });

    it('another township and an uninvolved department get the same 404 as for a case that does not exist', async () => {
      for (const org of [OTHER_TOWNSHIP, MARKET]) {
        const read = await h
          .http()
          .get(`/v1/cases/${caseId}`)
          .set(await auth(org));
        expectProblem(read, 404, 'CASE.NOT_FOUND');
        expectProblem(
          await h
            .http()
            .get(`/v1/cases/${caseId}/events`)
            .set(await auth(org)),
          404,
          'CASE.NOT_FOUND',
        );
        const write = await h
          .http()
          .post(`/v1/cases/${caseId}/responses`)
          .set(await auth(org))
          .send({});
        expectProblem(write, 404, 'CASE.NOT_FOUND');
        expect(read.body.detail).toBe(`case ${caseId} not found`);
      }
    });

    it('unknown routes', async () => {
      expectProblem(
        await h
          .http()
          .get('/v2/whistles')
          .set(await auth(TOWNSHIP)),
        404,
        'ROUTE.NOT_FOUND',
      );
    });
  });

  describe('409: not allowed now', () => {
    it('completing before reporting in, and reporting in twice', async () => {
      const id = (
        await h
          .http()
          .post('/v1/whistles')
          .set(await auth(TOWNSHIP))
          .send(whistleBody([WATER]))
          .expect(201)
      ).body.caseId;
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${id}/completions`)
          .set(await auth(WATER))
          .send({ result: '已处理' }),
        409,
        'CASE.INVALID_STATE',
      );
      await h
        .http()
        .post(`/v1/cases/${id}/responses`)
        .set(await auth(WATER))
        .send({})
        .expect(200);
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${id}/responses`)
          .set(await auth(WATER))
          .send({}),
        409,
        'CASE.INVALID_STATE',
      );
    });

    it('anything on a withdrawn case', async () => {
      const id = (
        await h
          .http()
          .post('/v1/whistles')
          .set(await auth(TOWNSHIP))
          .send(whistleBody([MARKET]))
          .expect(201)
      ).body.caseId;
      const withdrawn = await h
        .http()
        .post(`/v1/cases/${id}/withdrawal`)
        .set(await auth(TOWNSHIP))
        .send({ reason: '群众已自行协商解决' })
        .expect(200);
      expect(withdrawn.body.status).toBe('withdrawn');
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${id}/responses`)
          .set(await auth(MARKET))
          .send({}),
        409,
        'CASE.INVALID_STATE',
      );
    });
  });

  describe('412: If-Match carries the expected version', () => {
    it('refuses a command decided on an old version, and accepts the current one', async () => {
      const id = (
        await h
          .http()
          .post('/v1/whistles')
          .set(await auth(TOWNSHIP))
          .send(whistleBody([ECOLOGY, WATER]))
          .expect(201)
      ).body.caseId;
      await h
        .http()
        .post(`/v1/cases/${id}/responses`)
        .set(await auth(ECOLOGY))
        .set('If-Match', '"0"')
        .send({})
        .expect(200);
      expectProblem(
        await h
          .http()
          .post(`/v1/cases/${id}/responses`)
          .set(await auth(WATER))
          .set('If-Match', '"0"')
          .send({}),
        412,
        'CASE.PRECONDITION_FAILED',
      );
      await h
        .http()
        .post(`/v1/cases/${id}/responses`)
        .set(await auth(WATER))
        .set('If-Match', '"1"')
        .send({})
        .expect(200);
    });
  });
});
