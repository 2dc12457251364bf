import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';
import { CASE_EVENT_TYPES } from '@chuishao/domain';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = (doc: Json) =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );

/** The routes Express serves, as `METHOD /path/{param}`, but for the interactive reference's own pages and assets. */
function servedRoutes(h: Harness): string[] {
  const router = (h.runtime.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } })
    .router;
  return router.stack
    .filter((layer) => layer.route && !/^\/docs(\/|$)/.test(layer.route.path))
    .flatMap(({ route }) => Object.keys(route!.methods).map((m) => `${m.toUpperCase()} ${route!.path.replace(/:(\w+)/g, '{$1}')}`))
    .sort();
}
const documentedRoutes = (doc: Json) =>
  operations(doc)
    .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
    .sort();

const ROOT = join(__dirname, '../../..');

/**
 * @apidevtools/swagger-parser's validate() on a document, in a plain Node process: its dependencies are ES modules,
 * which jest's CommonJS runtime cannot load. The error messages, or [] when valid.
 */
function swaggerParserErrors(document: object): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const script = `import SwaggerParser from '@apidevtools/swagger-parser';
      SwaggerParser.validate(process.argv[1]).then(() => console.log('[]'), (e) => console.log(JSON.stringify(e.details?.map((d) => d.message) ?? [e.message])));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return JSON.parse(run.stdout) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ajv (JSON Schema 2020-12, as OpenAPI 3.1) over the document's components, to check bodies against what it states. */
function schemaChecker(doc: Json, { closed = false } = {}) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: closed ? closeObjects(structuredClone(doc.components)) : doc.components });
  const rebase = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
  return (schema: object, value: unknown): string[] => {
    const validate = ajv.compile(rebase(schema));
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/**
 * Objects of the schemas with no other properties than those stated: checking the server's bodies with this, a field
 * a view gains without the document stating it fails (the document itself leaves clients free to ignore new fields).
 */
function closeObjects(node: any): any {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!node || typeof node !== 'object') return node;
  for (const value of Object.values(node)) closeObjects(value);
  if (node.properties && node.additionalProperties === undefined) node.additionalProperties = false;
  return node;
}

describe('the OpenAPI document', () => {
  let h: Harness;
  let doc: Json;
  beforeAll(async () => {
    // Simulated clock: the dev-only routes are served too, so every route there is is checked.
    h = await startHarness({ CLOCK: 'simulated' });
    doc = (await h.http().get('/v1/openapi.json').expect(200)).body;
  });
  afterAll(() => h.close());

  it('is valid OpenAPI 3.1 for @apidevtools/swagger-parser', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(swaggerParserErrors(doc)).toEqual([]);
    // And it does find errors: a response without a description.
    const broken = structuredClone(doc);
    delete broken.paths['/v1/orgs'].get.responses['200'].description;
    expect(swaggerParserErrors(broken).join('\n')).toMatch(/description/);
  });

  it('passes @redocly/cli lint with its recommended rules: no error, and only the warnings named here', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chuishao-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const lint = (path: string) => {
        const run = spawnSync(
          process.execPath,
          [require.resolve('@redocly/cli/bin/cli.js'), 'lint', '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', path],
          {
            encoding: 'utf8',
            env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
            timeout: 60_000,
          },
        );
        return JSON.parse(run.stdout) as {
          totals: { errors: number; warnings: number };
          problems: { ruleId: string; severity: string; location: { pointer: string }[] }[];
        };
      };
      const result = lint(file);
      expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(result.totals.errors).toBe(0);
      // The API is UNLICENSED (no license to name). Every operation has a 4xx (the public GETs their 429), so no operation-4xx-response.
      const unexpected = result.problems.filter((p) => p.ruleId !== 'info-license');
      expect(unexpected).toEqual([]);

      // And the linter does find errors: an operation without a summary.
      const broken = structuredClone(doc);
      delete broken.paths['/v1/orgs'].get.summary;
      writeFileSync(file, JSON.stringify(broken));
      expect(lint(file).problems.some((p) => p.ruleId === 'operation-summary' && p.severity === 'error')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents exactly the routes the app serves', () => {
    const served = servedRoutes(h);
    expect(served).toContain('POST /v1/dev/clock/advance');
    expect(served.length).toBeGreaterThan(15);
    expect(documentedRoutes(doc)).toEqual(served);
  });

  it('documents exactly the routes served in production too (no development routes)', async () => {
    const prod = await startHarness({
      CHUISHAO_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-at-least-32-chars!',
      JWT_ISSUER: 'iam',
      JWT_AUDIENCE: 'chuishao',
      ALLOW_DEMO_DIRECTORY: 'true',
    });
    try {
      const prodDoc = (await prod.http().get('/v1/openapi.json').expect(200)).body;
      const served = servedRoutes(prod);
      expect(served).not.toContain('POST /v1/dev/tokens');
      expect(documentedRoutes(prodDoc)).toEqual(served);
    } finally {
      await prod.close();
    }
  });

  it('gives every operation a unique operationId, a declared tag, a summary, and problem+json for every error', () => {
    const ops = operations(doc);
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && !id.includes('_'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, op.tags?.length === 1 && tags.has(op.tags[0])]).toEqual([where, true]);
      expect([where, typeof op.summary]).toEqual([where, 'string']);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        expect([where, status, Object.keys(response.content ?? {}).length > 0]).toEqual([where, status, true]);
        if (Number(status) >= 400 && !path.startsWith('/v1/health')) {
          expect([where, status, response.content]).toEqual([
            where,
            status,
            { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          ]);
        }
      }
    }
  });

  it('has real schemas for health, the catalogue, the deadline basis and every event type', () => {
    const s = doc.components.schemas;
    expect(s.Health.required).toEqual(expect.arrayContaining(['status', 'store', 'readModels', 'calendar']));
    expect(s.CatalogView.properties.matters.items).toEqual({ $ref: '#/components/schemas/MatterView' });
    expect(s.DeadlineBasisView.properties.provisional).toMatchObject({ type: 'boolean' });
    expect(s.DeadlineBasisView.required).toContain('provisional');
    const events = doc.paths['/v1/cases/{caseId}/events'].get.responses['200'].content['application/json'].schema.items;
    expect(events.oneOf).toHaveLength(CASE_EVENT_TYPES.length);
    expect(s.WhistleBlownEvent.properties.data).toEqual({ $ref: '#/components/schemas/WhistleBlownData' });
    expect(s.WhistleBlownData.required).toEqual(expect.arrayContaining(['title', 'parts', 'limits']));
  });

  it('marks exactly the routes that answer without a token public (security: [])', async () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    const fill = (path: string) => path.replace('{caseId}', '0b9c2f9e-6d1a-4f3e-9a57-3d2e1c0b8a41').replace('{departmentId}', ECOLOGY);
    const publicOps: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const res = await (h.http() as any)[method](fill(path)).send(method === 'get' ? undefined : {});
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (isPublic) publicOps.push(op.operationId);
      expect([op.operationId, res.status === 401]).toEqual([op.operationId, !isPublic]);
      if (!isPublic) expect(Object.keys(op.responses)).toContain('401');
    }
    expect(publicOps.sort()).toEqual([
      'advanceDevClock',
      'getCatalog',
      'getConsoleConfig',
      'getHealth',
      'getLiveness',
      'getMetrics',
      'getOpenApiDocument',
      'getReadiness',
      'issueDevToken',
      'listOrgs',
    ]);
  });

  describe('the interactive reference at /docs', () => {
    it('is served with every asset from this server (no CDN)', async () => {
      const page = await h.http().get('/docs').expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const assets = [...page.text.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets).toEqual(expect.arrayContaining(['./docs/swagger-ui-bundle.js', './docs/swagger-ui.css', './docs/swagger-ui-init.js']));
      for (const asset of assets) {
        expect([asset, /^(https?:)?\/\//.test(asset)]).toEqual([asset, false]);
        const res = await h.http().get(new URL(asset, 'http://x/docs').pathname).expect(200);
        expect([asset, Number(res.headers['content-length'] ?? res.text?.length ?? 0) > 0]).toEqual([asset, true]);
      }
      // The page shows this document (embedded in its init script), and asks no online validator.
      const init = await h.http().get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toMatch(/"operationId":\s*"blowWhistle"/);
      expect(init.text).toMatch(/"validatorUrl":\s*null/);
    });
  });
});

describe('the OpenAPI document against the server', () => {
  let h: Harness;
  let doc: Json;
  let check: ReturnType<typeof schemaChecker>;
  let checkResponse: ReturnType<typeof schemaChecker>;
  const opAt = (method: string, path: string) => doc.paths[path][method];

  /** The body of a real response, checked against the schema the document states for its status and media type. */
  function expectDocumented(res: Response, method: string, path: string) {
    const response = opAt(method, path).responses[String(res.status)];
    expect([`${method} ${path}`, res.status, response !== undefined]).toEqual([`${method} ${path}`, res.status, true]);
    const mediaType = String(res.headers['content-type']).split(';')[0];
    const schema = response.content?.[mediaType]?.schema;
    expect([`${method} ${path}`, res.status, mediaType, schema !== undefined]).toEqual([`${method} ${path}`, res.status, mediaType, true]);
    const body = mediaType.startsWith('text/') ? res.text : res.body;
    expect([`${method} ${path}`, res.status, checkResponse(schema, body)]).toEqual([`${method} ${path}`, res.status, []]);
    for (const name of Object.keys(response.headers ?? {})) {
      if (['ETag', 'Location', 'WWW-Authenticate', 'Retry-After'].includes(name))
        expect([name, res.headers[name.toLowerCase()] !== undefined]).toEqual([name, true]);
    }
  }

  beforeAll(async () => {
    h = await startHarness();
    doc = (await h.http().get('/v1/openapi.json').expect(200)).body;
    check = schemaChecker(doc);
    checkResponse = schemaChecker(doc, { closed: true });
  });
  afterAll(() => h.close());

  it('describes every response of a whole lifecycle, its errors and the public routes', async () => {
    const twp = `Bearer ${await h.token(TOWNSHIP)}`;
    const eco = `Bearer ${await h.token(ECOLOGY)}`;
    const water = `Bearer ${await h.token(WATER)}`;
    const cc = `Bearer ${await h.token(COMMAND_CENTRE)}`;
    const ao = `Bearer ${await h.token(ASSESSMENT)}`;
    const post = async (auth: string, path: string, template: string, body: object, headers: Record<string, string> = {}) => {
      const res = await h.http().post(path).set('Authorization', auth).set(headers).send(body);
      expectDocumented(res, 'post', template);
      return res;
    };
    const get = async (auth: string | null, path: string, template: string, query: Record<string, string> = {}) => {
      const req = h.http().get(path).query(query);
      const res = await (auth ? req.set('Authorization', auth) : req);
      expectDocumented(res, 'get', template);
      return res;
    };

    const created = await post(twp, '/v1/whistles', '/v1/whistles', whistleBody());
    expect(created.status).toBe(201);
    const id = created.body.caseId;
    const at = (suffix: string) => [`/v1/cases/${id}/${suffix}`, `/v1/cases/{caseId}/${suffix}`] as const;
    expect((await post(eco, ...at('responses'), { note: '已报到' })).status).toBe(200);
    expect((await post(water, ...at('transfers'), { toDepartmentId: ENFORCEMENT, reason: '城区管网错接，属执法局职责' })).status).toBe(200);
    expect((await post(eco, ...at('completions'), { result: '已取样送检，责令停止排放' })).status).toBe(200);
    const reviewed = await post(twp, ...at('reviews'), { departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied', comment: '仍在排放' });
    expect(reviewed.body.parts[0].round).toBe(2);
    expect((await post(cc, ...at('urges'), { departmentId: ENFORCEMENT, note: '请立即报到' })).status).toBe(200);
    expect((await post(cc, ...at('reassignments'), { fromDepartmentId: ENFORCEMENT, toDepartmentId: WATER, reason: '改派水利局' })).status).toBe(200);
    // Errors: 400 naming the field, 401, 403, 404, 409, 412, 422.
    expect((await post(twp, '/v1/whistles', '/v1/whistles', { ...whistleBody(), title: '' })).status).toBe(400);
    expect((await post('Bearer nonsense', ...at('responses'), {})).status).toBe(401);
    expect((await post(eco, ...at('withdrawal'), { reason: '不是本单位' })).status).toBe(403);
    expect((await post(eco, '/v1/cases/0b9c2f9e-6d1a-4f3e-9a57-3d2e1c0b8a41/responses', '/v1/cases/{caseId}/responses', {})).status).toBe(404);
    expect((await post(eco, ...at('responses'), {})).status).toBe(409);
    expect((await post(twp, ...at('withdrawal'), { reason: '撤回' }, { 'If-Match': '"1"' })).status).toBe(412);
    await post(twp, ...at('withdrawal'), { reason: '群众已自行协商解决' }, { 'Idempotency-Key': 'withdraw-1' });
    expect((await post(twp, ...at('withdrawal'), { reason: '另一理由' }, { 'Idempotency-Key': 'withdraw-1' })).status).toBe(422);

    await get(twp, `/v1/cases/${id}`, '/v1/cases/{caseId}');
    const events = await get(twp, `/v1/cases/${id}/events`, '/v1/cases/{caseId}/events');
    expect(new Set(events.body.map((e: { type: string }) => e.type)).size).toBeGreaterThan(7);
    await get(twp, '/v1/cases', '/v1/cases', { minPosition: String(reviewed.body.position), q: '排污口' });
    expect((await get(twp, '/v1/cases', '/v1/cases', { limit: '0' })).status).toBe(400);
    expect((await get(cc, '/v1/cases', '/v1/cases', { pending: 'extension' })).status).toBe(200);
    expect((await get(cc, '/v1/cases', '/v1/cases', { pending: 'later' })).status).toBe(400);
    expect((await get(twp, '/v1/calendar', '/v1/calendar', { from: '2026-12-28', to: '2027-01-05' })).body.provisionalYears).toEqual(['2027']);
    expect((await get(twp, '/v1/calendar', '/v1/calendar', { from: '2026-03-02', to: '2026-02-30' })).status).toBe(400);
    for (const path of ['/v1/orgs', '/v1/catalog', '/v1/health', '/v1/health/ready', '/v1/health/live', '/v1/openapi.json'])
      expect((await get(null, path, path)).status).toBe(200);
    expect((await get(cc, '/v1/health/ready', '/v1/health/ready')).body.store).toBeDefined();
    const metrics = h.http().get('/metrics').buffer(true);
    expectDocumented(await metrics, 'get', '/metrics');
    const period = { from: '2026-03-01', to: '2026-04-01' };
    await get(ao, '/v1/scorecards', '/v1/scorecards', period);
    expect((await get(ao, '/v1/scorecards', '/v1/scorecards', { ...period, policy: 'what-if-40-30-30' })).body.policyVersion).toBe('what-if-40-30-30');
    expect((await get(twp, '/v1/policies', '/v1/policies')).body.versions.length).toBeGreaterThan(1);
    expect((await get(ao, '/v1/scorecards', '/v1/scorecards', { ...period, format: 'csv' })).headers['content-type']).toMatch(/text\/csv/);
    await get(ao, `/v1/scorecards/${ECOLOGY}`, '/v1/scorecards/{departmentId}', period);
    const explained = await get(ao, `/v1/scorecards/${ECOLOGY}/explain`, '/v1/scorecards/{departmentId}/explain', period);
    expect(explained.body.parts.length).toBeGreaterThan(0);
    expect((await get(ao, '/v1/scorecards/dept-nowhere', '/v1/scorecards/{departmentId}', period)).status).toBe(404);
    expect((await get(eco, `/v1/scorecards/${WATER}/explain`, '/v1/scorecards/{departmentId}/explain', period)).status).toBe(403);
    // The refusals above, in the audit trail.
    expect((await get(cc, '/v1/audit', '/v1/audit')).body.items.length).toBeGreaterThanOrEqual(7);
    expect((await get(cc, '/v1/audit', '/v1/audit', { format: 'csv', limit: '2' })).headers['x-next-cursor']).toEqual(expect.any(String));
    expect((await get(twp, '/v1/audit', '/v1/audit')).status).toBe(403);
    expect((await get(cc, '/v1/audit', '/v1/audit', { cursor: 'nonsense' })).status).toBe(400);
  });

  it('refuses a response that does not match (the schemas are checked, not just present)', () => {
    const schema = opAt('get', '/v1/cases/{caseId}').responses['200'].content['application/json'].schema;
    const body = { caseId: 'x' };
    expect(checkResponse(schema, body).length).toBeGreaterThan(0);
  });

  describe('edge-case requests: what the document allows the server accepts, what it refuses the server refuses', () => {
    // Answers that depend on data, not on the request's shape: the org or matter does not exist (described on each 400).
    const REFERENTIAL =
      /is not a department of this county|not in the whistle catalogue|not an org of the directory|no scoring policy|must be \S+ for matter|holds no (open )?part of this case|already holds a part|must be a different department|cursor is not one this API issued|is not an upload of/;
    const refusedByShape = (res: Response) => res.status === 400 && !(res.body.errors ?? []).every((e: { message: string }) => REFERENTIAL.test(e.message));

    /** inDecide: a rule decide() applies, after the case's state and the caller's role (which may refuse first, 403/409). */
    interface Edge {
      name: string;
      body: Json;
      allowed: boolean;
      field?: string;
      inDecide?: boolean;
    }

    /** Variations of a valid body at each limit the schema states: at it (allowed), past it (refused, naming the field). */
    let departments: string[] = [];
    function edges(schema: Json, base: Json, prefix = ''): Edge[] {
      const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
      const out: Edge[] = [];
      const at = (name: string, value: unknown, allowed: boolean) => ({
        name: `${prefix}${name}`,
        body: { ...base, [name]: value },
        allowed,
        field: `${prefix}${name}`,
      });
      for (const [name, prop] of Object.entries((resolved.properties ?? {}) as Json)) {
        if (prop.maxLength !== undefined && (prop.pattern === undefined || new RegExp(prop.pattern, 'u').test('东'))) {
          out.push(at(name, '东'.repeat(prop.maxLength), true), at(name, '东'.repeat(prop.maxLength + 1), false));
        }
        if (prop.minLength === 1) {
          out.push(at(name, '', false));
          // Blank text: whatever the document says about it, the server must agree.
          const blank = { ...base, [name]: '  ' };
          out.push({ name: `${prefix}${name} blank`, body: blank, allowed: check(resolved, blank).length === 0, field: `${prefix}${name}`, inDecide: true });
        }
        for (const value of prop.enum ?? []) out.push(at(name, value, true));
        if (prop.enum) out.push(at(name, 'not-a-value', false));
        if (prop.minimum !== undefined) out.push(at(name, prop.minimum, true), at(name, prop.minimum - 1, false));
        if (prop.maximum !== undefined) out.push(at(name, prop.maximum, true), at(name, prop.maximum + 1, false));
        if (prop.type === 'array' && prop.maxItems !== undefined) {
          // As many distinct departments of the county (or, for ids, distinct UUIDs) as the array may hold.
          const items =
            prop.items?.format === 'uuid'
              ? Array.from({ length: prop.maxItems }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
              : departments.slice(0, prop.maxItems);
          out.push(at(name, items, true), at(name, [], prop.minItems === undefined));
          if (prop.uniqueItems) out.push(at(name, [departments[0], departments[0]], false));
        }
        if ((resolved.required ?? []).includes(name)) {
          const { [name]: _left, ...without } = base;
          out.push({ name: `${prefix}${name} left out`, body: without, allowed: false, field: `${prefix}${name}` });
        } else if (name in base) {
          const { [name]: _left, ...without } = base;
          const allowedWithout = check(resolved, without).length === 0;
          out.push({ name: `${prefix}${name} left out`, body: without, allowed: allowedWithout });
        }
        if (prop.$ref && base[name]) {
          for (const e of edges(prop, base[name], `${prefix}${name}.`)) out.push({ ...e, body: { ...base, [name]: e.body } });
        }
      }
      out.push({
        name: `${prefix}an unknown field`,
        body: { ...base, unknownField: 1 },
        allowed: resolved.additionalProperties !== false,
        field: `${prefix}unknownField`,
      });
      return out;
    }

    it('for every request body', async () => {
      departments = (await h.http().get('/v1/orgs').expect(200)).body.filter((o: { type: string }) => o.type === 'department').map((o: { id: string }) => o.id);
      const tokens: Record<string, string> = {
        '/v1/whistles': await h.token(TOWNSHIP),
        '/v1/cases/{caseId}/reviews': await h.token(TOWNSHIP),
        '/v1/cases/{caseId}/withdrawal': await h.token(TOWNSHIP),
        '/v1/cases/{caseId}/urges': await h.token(COMMAND_CENTRE),
        '/v1/cases/{caseId}/reassignments': await h.token(COMMAND_CENTRE),
        '/v1/cases/{caseId}/extension-decisions': await h.token(COMMAND_CENTRE),
        '/v1/cases/{caseId}/return-decisions': await h.token(COMMAND_CENTRE),
        '/v1/cases/{caseId}/appeal-decisions': await h.token(ASSESSMENT),
      };
      const fallback = await h.token(ECOLOGY);
      const caseId = (await h.http().post('/v1/whistles').set('Authorization', `Bearer ${tokens['/v1/whistles']}`).send(whistleBody()).expect(201)).body.caseId;
      let tried = 0;
      // The withdrawal last: after it every command on the case is refused for its state, before its body's own rules.
      const withdrawalLast = operations(doc).sort((a, b) => Number(a.path.endsWith('/withdrawal')) - Number(b.path.endsWith('/withdrawal')));
      for (const { path, method, op } of withdrawalLast) {
        const content = op.requestBody?.content?.['application/json'];
        if (!content) continue;
        for (const example of Object.values(content.examples as Record<string, { value: Json }>)) {
          for (const edge of [{ name: 'the example', body: example.value, allowed: true } as Edge, ...edges(content.schema, example.value)]) {
            const where = `${op.operationId} with ${edge.name}`;
            // The document's verdict first: the edge must be what it claims to be.
            expect([where, check(content.schema, edge.body).length === 0]).toEqual([where, edge.allowed]);
            const res = await (h.http() as any)
              [method](path.replace('{caseId}', caseId))
              .set('Authorization', `Bearer ${tokens[path] ?? fallback}`)
              .send(edge.body);
            expect([where, res.status >= 500]).toEqual([where, false]);
            if (edge.inDecide && !edge.allowed) expect([where, res.status >= 400 && res.status < 500]).toEqual([where, true]);
            else expect([where, refusedByShape(res)]).toEqual([where, !edge.allowed]);
            if (!edge.allowed && edge.field && refusedByShape(res)) {
              expect([where, res.body.errors.map((e: { field: string }) => e.field)]).toEqual([where, expect.arrayContaining([edge.field])]);
            }
            tried++;
          }
        }
      }
      expect(tried).toBeGreaterThan(150);
    }, 60_000); // some 200 real requests, several of them appending: a budget for a busy machine, not a timed assertion

    it('for every query parameter', async () => {
      const auth = `Bearer ${await h.token(ASSESSMENT)}`;
      let tried = 0;
      for (const { path, op } of operations(doc).filter(({ method }) => method === 'get')) {
        const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query');
        if (params.length === 0) continue;
        const base = Object.fromEntries(params.filter((p) => p.required).map((p) => [p.name, String(p.schema.example)]));
        const url = path.replace('{departmentId}', ECOLOGY);
        const cases: { name: string; query: Json; allowed: boolean }[] = [{ name: 'the required ones', query: base, allowed: true }];
        for (const p of params) {
          const s = p.schema;
          const set = (value: unknown, allowed: boolean) => cases.push({ name: `${p.name}=${value}`, query: { ...base, [p.name]: String(value) }, allowed });
          if (s.maxLength !== undefined && s.pattern === undefined) set('东'.repeat(s.maxLength), true), set('东'.repeat(s.maxLength + 1), false);
          for (const value of s.enum ?? []) set(value, true);
          if (s.enum) set('not-a-value', false);
          if (s.minimum !== undefined) set(s.minimum, true), set(s.minimum - 1, false);
          if (s.maximum !== undefined) set(s.maximum, true), set(s.maximum + 1, false);
          if (s.format === 'date') set('2026-02-30', false);
          if (p.required) {
            const { [p.name]: _left, ...without } = base;
            cases.push({ name: `${p.name} left out`, query: without, allowed: false });
          }
        }
        cases.push({ name: 'an unknown parameter', query: { ...base, unknownParam: '1' }, allowed: false });
        for (const c of cases) {
          const where = `${op.operationId} with ${c.name}`;
          const res = await h.http().get(url).query(c.query).set('Authorization', auth);
          expect([where, res.status >= 500]).toEqual([where, false]);
          expect([where, refusedByShape(res)]).toEqual([where, !c.allowed]);
          tried++;
        }
      }
      expect(tried).toBeGreaterThan(30);
    });
  });
});

describe('429 where the document states it: the rate limits answer every operation they cover as documented', () => {
  let h: Harness;
  let doc: Json;
  let checkResponse: ReturnType<typeof schemaChecker>;
  const fill = (path: string) =>
    path
      .replace('{caseId}', '0b9c2f9e-6d1a-4f3e-9a57-3d2e1c0b8a41')
      .replace('{attachmentId}', '5f0c2d1e-8a4b-4c3d-9e2f-1a0b9c8d7e6f')
      .replace('{departmentId}', ECOLOGY);
  const send = (method: string, path: string, auth: string | null) => {
    const req = (h.http() as any)[method](path);
    const authed = auth ? req.set('Authorization', auth) : req;
    return (method === 'get' ? authed : authed.send({})) as Promise<Response>;
  };

  /** A real answer checked against the 429 its operation documents: problem+json of the Problem schema, and Retry-After. */
  const opOf = (method: string, path: string): Json => doc.paths[path][method];
  function expectDocumented429(res: Response, op: Json) {
    const where = op.operationId;
    expect([where, res.status, res.body.code]).toEqual([where, 429, 'RATE_LIMITED']);
    const response = op.responses['429'];
    expect([where, response !== undefined]).toEqual([where, true]);
    const mediaType = String(res.headers['content-type']).split(';')[0];
    const schema = response.content?.[mediaType]?.schema;
    expect([where, mediaType, schema !== undefined]).toEqual([where, mediaType, true]);
    expect([where, checkResponse(schema, res.body)]).toEqual([where, []]);
    const retryAfter = response.headers?.['Retry-After'];
    expect([where, retryAfter?.schema]).toEqual([where, expect.objectContaining({ type: 'integer' })]);
    expect([where, /^\d+$/.test(res.headers['retry-after'] ?? ''), checkResponse(retryAfter.schema, Number(res.headers['retry-after']))]).toEqual([
      where,
      true,
      [],
    ]);
  }

  beforeAll(async () => {
    // Small budgets: per IP 3 (two tokens and this document), per user 8 reads and 1 command, 1 heavy read.
    h = await startHarness({ CLOCK: 'simulated', RATE_LIMIT_IP: '3', RATE_LIMIT_USER_READS: '8', RATE_LIMIT_USER_COMMANDS: '1', RATE_LIMIT_HEAVY: '1' });
    await h.token(TOWNSHIP, 'spent');
    await h.token(COMMAND_CENTRE, 'heavy');
    doc = (await h.http().get('/v1/openapi.json').expect(200)).body;
    checkResponse = schemaChecker(doc, { closed: true });
  });
  afterAll(() => h.close());

  it('every operation: a caller over its budget gets the documented 429, and an operation without a documented 429 is not limited', async () => {
    const spent = `Bearer ${await h.token(TOWNSHIP, 'spent')}`;
    for (let i = 0; i < 8; i++) expect((await h.http().get('/v1/cases').set('Authorization', spent)).status).toBe(200);
    expect(
      (
        await h
          .http()
          .post('/v1/whistles')
          .set('Authorization', spent)
          .send(whistleBody([ECOLOGY]))
      ).status,
    ).toBe(201);
    // This IP's public budget is spent too (two tokens, the document).
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(20);
    for (const { path, method, op } of ops) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const res = await send(method, fill(path), isPublic ? null : spent);
      if (op.responses['429']) expectDocumented429(res, op);
      // Not documented: then the rate limits must not cover it (an operation they cover answers 429 here).
      else expect([op.operationId, res.status === 429]).toEqual([op.operationId, false]);
    }
  });

  it('refused tokens: past the IP’s budget every operation that needs a token answers the documented 429 without one', async () => {
    const needToken = operations(doc).filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0));
    expect(needToken.length).toBeGreaterThan(15);
    for (let i = 0; i < 3; i++) expect((await h.http().get('/v1/cases').set('Authorization', `Bearer forged.${i}.x`)).status).toBe(401);
    for (const { path, method, op } of needToken) {
      expectDocumented429(await send(method, fill(path), null), op);
      expect([op.operationId, op.responses['429'].description]).toEqual([
        op.operationId,
        expect.stringContaining('refused tokens from the client’s IP (RATE_LIMIT_IP)'),
      ]);
    }
  });

  it('heavy reads: their own lower budget answers the documented 429, exactly on the operations that document it', async () => {
    const cc = `Bearer ${await h.token(COMMAND_CENTRE, 'heavy')}`;
    const period = 'from=2026-11-01&to=2026-12-01';
    const heavyOps = operations(doc)
      .filter(({ op }) => /RATE_LIMIT_HEAVY/.test(op.responses['429']?.description ?? ''))
      .map(({ op }) => op.operationId)
      .sort();
    expect(heavyOps).toEqual(['explainScorecard', 'getDepartmentScorecard', 'listAudit', 'listScorecards']);
    const get = (url: string) => h.http().get(url).set('Authorization', cc);
    expect((await get(`/v1/scorecards/${ECOLOGY}/explain?${period}`)).status).toBe(200);
    expectDocumented429(await get(`/v1/scorecards/${ECOLOGY}/explain?${period}`), opOf('get', '/v1/scorecards/{departmentId}/explain'));
    // Heavy only with an explicit asOf, policy or an export: the plain reads stay within the read budget.
    for (const [plain, heavy, template] of [
      [`/v1/scorecards?${period}`, `/v1/scorecards?${period}&format=csv`, '/v1/scorecards'],
      [`/v1/scorecards/${ECOLOGY}?${period}`, `/v1/scorecards/${ECOLOGY}?${period}&asOf=2026-11-20T00:00:00Z`, '/v1/scorecards/{departmentId}'],
      ['/v1/audit', '/v1/audit?format=csv', '/v1/audit'],
    ]) {
      expect([plain, (await get(plain)).status]).toEqual([plain, 200]);
      expectDocumented429(await get(heavy), opOf('get', template));
    }
  });
});
