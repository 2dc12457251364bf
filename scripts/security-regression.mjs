#!/usr/bin/env node
// Security regression over HTTP: reproduces each finding of the production-safety review against a running server and
// prints one line per check, PASS or FAIL, exiting 1 on any FAIL.
//
//   node scripts/security-regression.mjs http://127.0.0.1:3000 [--only <text>] [--max-flood <n>]
//
// Tokens: with JWT_SECRET (and JWT_ISSUER / JWT_AUDIENCE if the server has them) set as for the server, the script
// signs its own (and also checks tokens without exp, too long-lived, with a bad sub); without it, it asks the
// development endpoint POST /v1/dev/tokens and the token checks are reported as SKIP.
// The flooding checks come last: they spend the server's budgets for this client (per user, and per IP).
//
// To add a finding: append a check({ name, run }) below. run(ctx) throws (or uses expect*) to fail; what it returns is
// printed after PASS.
import { SignJWT } from 'jose';

const args = process.argv.slice(2);
const base = (args.find((a) => /^https?:\/\//.test(a)) ?? process.env.API ?? 'http://localhost:3000').replace(/\/$/, '');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const only = option('--only', null);
const maxFlood = Number(option('--max-flood', '1000'));
const secret = process.env.JWT_SECRET ? new TextEncoder().encode(process.env.JWT_SECRET) : null;
const issuer = process.env.JWT_ISSUER || 'chuishao-dev';
const audience = process.env.JWT_AUDIENCE || undefined;

// The demo county's orgs (libs/directory/data/demo-directory.json); DIRECTORY_ORGS="twp=…,dept=…,…" for another one.
const ORGS = {
  township: 'twp-dongba',
  otherTownship: 'twp-longquan',
  department: 'dept-ecology',
  secondDepartment: 'dept-water',
  thirdDepartment: 'dept-enforcement',
  commandCentre: 'cc-qingchuan',
  assessment: 'assess-qingchuan',
  ...Object.fromEntries(
    (process.env.DIRECTORY_ORGS ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  ),
};
const ROLE = {
  township: 'township',
  otherTownship: 'township',
  department: 'department',
  secondDepartment: 'department',
  thirdDepartment: 'department',
  commandCentre: 'command_centre',
  assessment: 'assessment_office',
};

class Skip extends Error {}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP and expectations

async function call(method, path, { token, body, raw, type = 'application/json', headers = {} } = {}) {
  const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(text !== undefined && type ? { 'content-type': type } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: text,
  });
  const bodyText = await res.text();
  let json;
  try {
    json = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: bodyText, body: json };
}

function expectStatus(res, status, what = '') {
  if (res.status !== status) throw new Error(`${what ? `${what}: ` : ''}answered ${res.status}, expected ${status}: ${res.text.slice(0, 200)}`);
}
function expectProblem(res, status, code) {
  expectStatus(res, status);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`answered ${type}, not application/problem+json`);
  if (code && res.body?.code !== code) throw new Error(`code ${res.body?.code}, expected ${code}`);
}
/** 400 problem+json naming exactly these fields, once each. */
function expectFields(res, fields) {
  expectProblem(res, 400);
  const named = (res.body.errors ?? []).map((e) => e.field);
  if (new Set(named).size !== named.length) throw new Error(`a field reported more than once: ${named.join(', ')}`);
  for (const f of fields) if (!named.includes(f)) throw new Error(`400 names ${named.join(', ') || 'no field'}, not ${f}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Tokens

async function sign(claims, { exp = '1h', iat = true } = {}) {
  if (!secret) throw new Skip('needs JWT_SECRET to sign tokens');
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  if (iat) jwt = jwt.setIssuedAt();
  if (exp !== null) jwt = jwt.setExpirationTime(exp);
  return jwt.sign(secret);
}

const tokens = new Map();
/** A token for one of ORGS' orgs and a user: signed here with JWT_SECRET, else from the development endpoint. */
async function token(orgKey, user = `security-${orgKey}`) {
  const key = `${orgKey}/${user}`;
  if (!tokens.has(key)) {
    const org = ORGS[orgKey];
    if (secret) tokens.set(key, await sign({ sub: user, org, role: ROLE[orgKey] }));
    else {
      const res = await call('POST', '/v1/dev/tokens', { body: { orgId: org, userId: user } });
      expectStatus(res, 201, 'POST /v1/dev/tokens');
      tokens.set(key, res.body.token);
    }
  }
  return tokens.get(key);
}

const whistle = (extra = {}) => ({
  title: '安全回归：排污口',
  description: '安全回归测试的吹哨',
  category: 'joint_enforcement',
  departmentIds: [ORGS.department, ORGS.secondDepartment],
  location: { address: '东坝镇河滨路12号', lat: 32.58, lng: 105.22 },
  ...extra,
});
async function blow() {
  const res = await call('POST', '/v1/whistles', { token: await token('township'), body: whistle() });
  expectStatus(res, 201, 'blowing a valid whistle');
  return res.body.caseId;
}

/** Sends `send()` in batches until one answers 429 (or maxFlood requests); the 429 answer and how many it took. */
async function floodUntil429(send, batch = 20) {
  for (let sent = 0; sent < maxFlood; sent += batch) {
    const answers = await Promise.all(Array.from({ length: Math.min(batch, maxFlood - sent) }, send));
    const limited = answers.find((a) => a.status === 429);
    if (limited) return { limited, sent: sent + answers.length };
    const bad = answers.find((a) => a.status >= 500);
    if (bad) throw new Error(`answered ${bad.status} while flooding`);
  }
  throw new Error(`${maxFlood} requests and never a 429`);
}
function expect429(limited) {
  expectProblem(limited, 429);
  const retry = limited.headers.get('retry-after');
  if (!/^\d+$/.test(retry ?? '')) throw new Error(`429 without a Retry-After in seconds (got ${retry})`);
  return `Retry-After: ${retry}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// The checks

const checks = [];
const check = (name, run) => checks.push({ name, run });

check('scoping: another township’s case answers 404 exactly like a missing one', async () => {
  const id = await blow();
  const other = await call('GET', `/v1/cases/${id}`, { token: await token('otherTownship') });
  const missing = await call('GET', '/v1/cases/00000000-0000-4000-8000-000000000000', { token: await token('otherTownship') });
  expectProblem(other, 404);
  if (other.body.code !== missing.body.code || other.body.title !== missing.body.title) throw new Error(`${other.body.code} vs ${missing.body.code}`);
});

check('tokens: a token without exp is refused (401)', async () => {
  expectProblem(await call('GET', '/v1/cases', { token: await sign({ sub: 'no-exp', org: ORGS.township }, { exp: null }) }), 401);
  // The same token with an exp is accepted: the refusal is the missing exp, not the signing.
  expectStatus(await call('GET', '/v1/cases', { token: await sign({ sub: 'no-exp', org: ORGS.township }) }), 200, 'the control token');
});

check('tokens: a token living longer than the maximum (default 12 h) is refused', async () => {
  expectProblem(await call('GET', '/v1/cases', { token: await sign({ sub: 'long-lived', org: ORGS.township }, { exp: '400d' }) }), 401);
});

check('tokens: sub must be text of at most 128 characters without control characters', async () => {
  for (const sub of [{ id: 'x' }, 'x'.repeat(10_000), 'evil\r\nactor: admin', '\u202eadmin', '']) {
    const res = await call('GET', '/v1/cases', { token: await sign({ sub, org: ORGS.township }) });
    if (res.status !== 401) throw new Error(`sub ${JSON.stringify(sub).slice(0, 40)} answered ${res.status}`);
  }
});

check('tokens: a token naming no org of the directory, or the wrong role for its org, is refused', async () => {
  expectProblem(await call('GET', '/v1/cases', { token: await sign({ sub: 'u', org: 'org-nowhere' }) }), 401);
  expectProblem(await call('GET', '/v1/cases', { token: await sign({ sub: 'u', org: ORGS.township, role: 'command_centre' }) }), 401);
});

check('tokens: a forged signature is refused (401)', async () => {
  const real = await token('township');
  const forged = `${real.slice(0, real.lastIndexOf('.'))}.${Buffer.from('forged-signature').toString('base64url')}`;
  expectProblem(await call('GET', '/v1/cases', { token: forged }), 401);
  expectProblem(await call('GET', '/v1/cases', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwib3JnIjoidHdwLWRvbmdiYSJ9.' }), 401);
});

check('input: JSON nested thousands of levels answers 400, not 500 (also on the unauthenticated /v1/dev/tokens)', async () => {
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  expectFields(await call('POST', '/v1/whistles', { token: await token('township'), raw: deep }), ['body']);
  const dev = await call('POST', '/v1/dev/tokens', { raw: `{"orgId":${deep}}` });
  // 400 where development tokens are on; 404 where they are off (production): never a 500.
  if (dev.status !== 400 && dev.status !== 404) throw new Error(`/v1/dev/tokens answered ${dev.status}`);
});

check('input: raisedFrom=2026-W01 answers 400 naming raisedFrom', async () => {
  expectFields(await call('GET', '/v1/cases?raisedFrom=2026-W01', { token: await token('township') }), ['raisedFrom']);
});

check('input: a scorecard period ending in 9999 answers 400 naming to', async () => {
  expectFields(await call('GET', '/v1/scorecards?from=2026-01-01&to=9999-12-31', { token: await token('assessment') }), ['to']);
});

check('input: a whistle without location, or with location [], is refused naming location', async () => {
  const t = await token('township');
  const { location, ...without } = whistle();
  expectFields(await call('POST', '/v1/whistles', { token: t, body: without }), ['location']);
  expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ location: [] }) }), ['location']);
});

check('input: lat/lng as strings (or out of range) are refused naming them', async () => {
  const t = await token('township');
  expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ location: { address: '东坝镇', lat: '32.5', lng: '105.2' } }) }), [
    'location.lat',
    'location.lng',
  ]);
  expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ location: { address: '东坝镇', lat: 91, lng: 105 } }) }), ['location.lat']);
});

check('input: null for an optional field is refused naming it', async () => {
  const t = await token('township');
  expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ sourceRef: null }) }), ['sourceRef']);
  expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ location: { address: '东坝镇', grid: null } }) }), ['location.grid']);
});

check('input: titles and reasons of spaces or zero-width characters are refused', async () => {
  const t = await token('township');
  for (const title of ['   ', '\u200b', '\u3000\u200b\ufeff'])
    expectFields(await call('POST', '/v1/whistles', { token: t, body: whistle({ title }) }), ['title']);
  const id = await blow();
  const res = await call('POST', `/v1/cases/${id}/transfers`, {
    token: await token('department'),
    body: { toDepartmentId: ORGS.thirdDepartment, reason: '\u200b \u200b' },
  });
  expectFields(res, ['reason']);
});

check('input: __proto__, constructor and prototype keys are refused by name', async () => {
  const t = await token('township');
  expectFields(await call('POST', '/v1/whistles', { token: t, raw: '{"__proto__":{"admin":true},"title":"x"}' }), ['__proto__']);
  expectFields(await call('POST', '/v1/whistles', { token: t, raw: '{"location":{"address":"a","constructor":{"prototype":1}}}' }), ['location.constructor']);
});

check('input: a wrong or missing content type answers 415 with one message (also /responses with text/plain)', async () => {
  const t = await token('township');
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', null]) {
    const res = await call('POST', '/v1/whistles', { token: t, raw: JSON.stringify(whistle()), type });
    expectProblem(res, 415);
    if (res.body.errors) throw new Error(`415 with a field list: ${JSON.stringify(res.body.errors).slice(0, 100)}`);
  }
  const id = await blow();
  expectProblem(await call('POST', `/v1/cases/${id}/responses`, { token: await token('department'), raw: '已到场', type: 'text/plain' }), 415);
});

check('input: each missing field is reported once', async () => {
  const res = await call('POST', '/v1/whistles', { token: await token('township'), body: {} });
  expectFields(res, ['title', 'description', 'category', 'departmentIds', 'location']);
});

check('http: a wrong method answers 405 with Allow', async () => {
  const res = await call('DELETE', '/v1/cases', { token: await token('township') });
  expectProblem(res, 405);
  if (!/\bGET\b/.test(res.headers.get('allow') ?? '')) throw new Error(`Allow: ${res.headers.get('allow')}`);
});

check('http: security headers (OWASP REST set on the API, helmet on pages), no X-Powered-By', async () => {
  const res = await call('GET', '/v1/cases', { token: await token('township') });
  const h = (n) => res.headers.get(n) ?? '';
  const missing = [
    h('x-content-type-options') === 'nosniff' ? null : 'X-Content-Type-Options',
    h('content-security-policy').includes("default-src 'none'") ? null : 'Content-Security-Policy',
    /max-age=\d+/.test(h('strict-transport-security')) ? null : 'Strict-Transport-Security',
    h('x-frame-options') ? null : 'X-Frame-Options',
    res.headers.has('x-powered-by') ? 'no X-Powered-By' : null,
  ].filter(Boolean);
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
});

check('http: Cache-Control: no-store on authenticated answers (and on refusals)', async () => {
  for (const res of [await call('GET', '/v1/cases', { token: await token('township') }), await call('GET', '/v1/cases')]) {
    if (res.headers.get('cache-control') !== 'no-store') throw new Error(`${res.status} with Cache-Control: ${res.headers.get('cache-control')}`);
  }
});

check('audit: refused requests (a 404 outside scope, a 401) leave a record the command centre reads by correlation id', async () => {
  const id = await blow();
  const tag = `sec-audit-${Date.now().toString(36)}`;
  expectProblem(await call('GET', `/v1/cases/${id}`, { token: await token('otherTownship'), headers: { 'x-correlation-id': `${tag}-404` } }), 404);
  expectProblem(await call('GET', '/v1/cases', { token: 'not.a.token', headers: { 'x-correlation-id': `${tag}-401` } }), 401);
  const cc = await token('commandCentre');
  const from = new Date(Date.now() - 60_000).toISOString();
  // The recorder writes in batches: give it a few seconds.
  for (let attempt = 0; attempt < 40; attempt++) {
    const res = await call('GET', `/v1/audit?from=${encodeURIComponent(from)}&limit=1000`, { token: cc });
    expectStatus(res, 200, 'GET /v1/audit as the command centre');
    const mine = (res.body.items ?? []).filter((r) => typeof r.correlationId === 'string' && r.correlationId.startsWith(tag));
    const scoped = mine.find((r) => r.correlationId === `${tag}-404`);
    const anonymous = mine.find((r) => r.correlationId === `${tag}-401`);
    if (scoped && anonymous) {
      if (scoped.orgId !== ORGS.otherTownship || scoped.status !== 404 || scoped.outcome !== 'CASE.NOT_FOUND' || scoped.caseId !== id)
        throw new Error(`the 404 recorded as ${JSON.stringify(scoped)}`);
      if (anonymous.status !== 401 || anonymous.orgId !== null) throw new Error(`the 401 recorded as ${JSON.stringify(anonymous)}`);
      expectProblem(await call('GET', '/v1/audit', { token: await token('township') }), 403);
      return `${scoped.route} ${scoped.outcome}, ${anonymous.outcome}`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the refusals never appeared in GET /v1/audit');
});

check('health: anonymous callers learn no store head, event count or read-model positions', async () => {
  for (const path of ['/v1/health', '/v1/health/live', '/v1/health/ready']) {
    const res = await call('GET', path);
    if (res.status >= 500 && res.status !== 503) throw new Error(`${path} answered ${res.status}`);
    const leaked = /"(head|events|eventCount|position|checkpoint|behind|storeHead)"\s*:/.exec(res.text);
    if (leaked) throw new Error(`${path} tells anonymous callers ${leaked[1]}: ${res.text.slice(0, 200)}`);
  }
  const details = await call('GET', '/v1/health', { token: await token('commandCentre') });
  expectStatus(details, 200, 'GET /v1/health as the command centre');
  if (!/"(head|checkpoint|behind)"\s*:/.test(details.text)) throw new Error('the command centre gets no details either');
});

check('tracing: a W3C traceparent is honoured; its trace id becomes the correlation id recorded on the events', async () => {
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const res = await call('POST', '/v1/whistles', {
    token: await token('township'),
    body: whistle(),
    headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
  });
  expectStatus(res, 201, 'a whistle with a traceparent');
  const events = await call('GET', `/v1/cases/${res.body.caseId}/events`, { token: await token('township') });
  expectStatus(events, 200, 'its events');
  const first = (events.body.items ?? events.body)[0];
  if (first?.correlationId !== traceId) throw new Error(`the event's correlation id is ${first?.correlationId}, not the trace id ${traceId}`);
  return `correlationId ${traceId}`;
});

// Flooding: last, since each spends a budget (a fresh user each, and at the very end this client's IP).

check('rate limits: reads as one user answer 429 problem+json with Retry-After', async () => {
  const t = await token('township', 'flood-reads');
  const { limited, sent } = await floodUntil429(() => call('GET', '/v1/cases?limit=1', { token: t }));
  return `${expect429(limited)} after ${sent} reads`;
});

check('rate limits: heavy reads (explain) have a lower budget than reads', async () => {
  const t = await token('assessment', 'flood-heavy');
  const { limited, sent } = await floodUntil429(() => call('GET', `/v1/scorecards/${ORGS.department}/explain?from=2026-01-01&to=2026-02-01`, { token: t }), 5);
  const reads = await floodUntil429(() => call('GET', '/v1/cases?limit=1', { token: t }));
  if (reads.sent <= sent) throw new Error(`heavy reads limited after ${sent}, plain reads after ${reads.sent}`);
  return `${expect429(limited)} after ${sent} explains`;
});

check('rate limits: commands as one user answer 429', async () => {
  const t = await token('township', 'flood-commands');
  // Bodies the validation refuses: the budget counts attempts, and nothing is stored meanwhile.
  const { limited, sent } = await floodUntil429(() => call('POST', '/v1/whistles', { token: t, body: {} }));
  return `${expect429(limited)} after ${sent} commands`;
});

check('rate limits: a flood of forged tokens answers 429 (per IP)', async () => {
  const real = await token('township');
  const forged = (i) => `${real.slice(0, real.lastIndexOf('.'))}.${Buffer.from(`forged-${i}`).toString('base64url')}`;
  let i = 0;
  const { limited, sent } = await floodUntil429(() => call('GET', '/v1/cases', { token: forged(i++) }));
  return `${expect429(limited)} after ${sent} forged tokens`;
});

// ---------------------------------------------------------------------------------------------------------------------

let failed = 0;
for (const { name, run } of checks) {
  if (only && !name.includes(only)) continue;
  try {
    const detail = await run();
    console.log(`PASS  ${name}${detail ? ` (${detail})` : ''}`);
  } catch (error) {
    if (error instanceof Skip) {
      console.log(`SKIP  ${name}: ${error.message}`);
      continue;
    }
    failed++;
    console.log(`FAIL  ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(failed ? `${failed} check(s) failed against ${base}` : `all checks passed against ${base}`);
process.exit(failed ? 1 : 0);
