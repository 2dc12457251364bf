import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Harness } from '../../api/test/harness';
import { startConsole, WAIT, type ConsoleRig } from './browser';
import { startTestIdp, type TestIdp } from './oidc-idp';

/**
 * Signing in to the console at an OpenID Connect provider, in Chromium: the redirect to the provider, its redirect back
 * to /auth/callback, the code exchanged with PKCE, and the API accepting the provider's RS256 access token (JWKS_URL,
 * JWT_ISSUER, JWT_AUDIENCE) for the township user it names.
 */
jest.setTimeout(120_000);

let idp: TestIdp;
let rig: ConsoleRig;
let h: Harness;
let base: string;

beforeAll(async () => {
  idp = await startTestIdp({ sub: 'wang.fang', org: 'twp-dongba', role: 'township' });
  rig = await startConsole({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    JWKS_URL: `${idp.issuer}/jwks`,
    JWT_ISSUER: idp.issuer,
    JWT_AUDIENCE: idp.audience,
  });
  h = rig.h;
  base = rig.base;
});

afterAll(async () => {
  await rig?.close();
  await idp?.close();
});

it('signs in through the provider’s redirect and callback, as the township user, and calls the API with its token', async () => {
  const ctx = await rig.browser.newContext({ locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const visited: string[] = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest()) visited.push(new URL(r.url()).origin + new URL(r.url()).pathname);
  });

  await page.goto(`${base}/`);
  const inbox = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/cases' && r.request().method() === 'GET', { timeout: WAIT });
  await page.getByTestId('oidc-sign-in').click({ timeout: WAIT });
  await page.getByTestId('signed-in').filter({ hasText: '东坝镇' }).waitFor({ timeout: WAIT });

  // There and back: the provider's authorization endpoint, then the console's callback, then the township's inbox.
  const there = visited.indexOf(`${idp.issuer}/authorize`);
  expect(there).toBeGreaterThan(-1);
  expect(visited.indexOf(`${base}/auth/callback`)).toBeGreaterThan(there);
  expect(new URL(page.url()).pathname).toBe('/cases');
  expect(idp.tokenRequests).toEqual([{ accepted: true }]);

  // The console's first read as the signed-in user: the provider's access token, accepted by the API.
  const answer = await inbox;
  expect(answer.status()).toBe(200);
  const bearer = (await answer.request().allHeaders()).authorization?.replace(/^Bearer /, '') ?? '';
  expect(decodeProtectedHeader(bearer).alg).toBe('RS256');
  expect(decodeJwt(bearer)).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'wang.fang', org: 'twp-dongba' });
  expect(Array.isArray((await answer.json()).items)).toBe(true);
  // The same token is the township user to the API: a whistle it blows is raised by 东坝镇, wang.fang.
  const raised = await h
    .http()
    .post('/v1/whistles')
    .set('Authorization', `Bearer ${bearer}`)
    .send({
      title: '河滨路积水',
      description: '暴雨后河滨路段积水',
      category: 'joint_enforcement',
      departmentIds: ['dept-water'],
      location: { address: '东坝镇河滨路' },
    })
    .expect(201);
  expect(raised.body).toMatchObject({ townshipId: 'twp-dongba' });
  const [blown] = (await h.http().get(`/v1/cases/${raised.body.caseId}/events`).set('Authorization', `Bearer ${bearer}`).expect(200)).body;
  expect(blown).toMatchObject({ type: 'WhistleBlown', actor: { orgId: 'twp-dongba', role: 'township', userId: 'wang.fang' } });
  expect(errors).toEqual([]);
  await ctx.close();
});

it('the provider refuses a code exchanged without the matching PKCE verifier (so the test above proved one)', async () => {
  const verifier = 'a'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(`${idp.issuer}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: idp.clientId,
    redirect_uri: `${base}/auth/callback`,
    scope: 'openid',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    authorize.searchParams.set(k, v);
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
  const exchange = (codeVerifier: string) =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: idp.clientId,
        redirect_uri: `${base}/auth/callback`,
        code_verifier: codeVerifier,
      }),
    });
  expect((await exchange('b'.repeat(43))).status).toBe(400);
  expect((await exchange(verifier)).status).toBe(200);
  // A code is good once.
  expect((await exchange(verifier)).status).toBe(400);
});
