import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startHarness, TOWNSHIP, type Harness } from './harness';

const SECRET = 'a-production-secret-of-at-least-32-chars!';
const ISSUER = 'county-iam';
const AUDIENCE = 'chuishao-qingchuan';
const PROD = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ALLOW_DEMO_DIRECTORY: 'true' };
const hs = new TextEncoder().encode(SECRET);

/** A token as the county's identity provider would issue it, with whatever the test changes. */
function token(claims: Record<string, unknown> = {}, opts: { sub?: unknown; exp?: number | null; iat?: number | null; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body: Record<string, unknown> = { org: TOWNSHIP, role: 'township', iss: ISSUER, aud: AUDIENCE, sub: 'zhang.wei', iat: now, exp: now + 3600, ...claims };
  if ('sub' in opts) body.sub = opts.sub;
  if (opts.exp === null) delete body.exp;
  else if (opts.exp !== undefined) body.exp = opts.exp;
  if (opts.iat === null) delete body.iat;
  else if (opts.iat !== undefined) body.iat = opts.iat;
  return new SignJWT(body).setProtectedHeader({ alg: opts.alg ?? 'HS256' });
}

async function status(h: Harness, bearer: string): Promise<{ status: number; detail: string }> {
  const res = await h.http().get('/v1/cases').set('Authorization', `Bearer ${bearer}`);
  return { status: res.status, detail: res.body.detail ?? '' };
}

describe('bearer tokens in production (shared secret)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, ...PROD });
  });
  afterAll(() => h.close());
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a well-formed token', async () => {
    expect(await status(h, await token().sign(hs))).toEqual({ status: 200, detail: '' });
  });

  it('requires exp, and refuses an expired token beyond 60 s of clock skew', async () => {
    expect(await status(h, await token({}, { exp: null }).sign(hs))).toMatchObject({ status: 401, detail: expect.stringContaining('no expiry (exp)') });
    expect((await status(h, await token({}, { exp: now() - 30 }).sign(hs))).status).toBe(200); // within the skew
    expect((await status(h, await token({}, { exp: now() - 120, iat: now() - 3600 }).sign(hs))).status).toBe(401);
  });

  it('refuses a token that lives longer than 12 h, with or without iat', async () => {
    expect(await status(h, await token({}, { exp: now() + 13 * 3600 }).sign(hs))).toMatchObject({
      status: 401,
      detail: expect.stringContaining('longer than the 12 h'),
    });
    expect((await status(h, await token({}, { exp: now() + 30 * 86400, iat: null }).sign(hs))).status).toBe(401);
    expect((await status(h, await token({}, { exp: now() + 11 * 3600, iat: null }).sign(hs))).status).toBe(200);
    // iat in the past does not stretch the allowance: exp − iat counts.
    expect((await status(h, await token({}, { iat: now() - 12 * 3600, exp: now() + 3600 }).sign(hs))).status).toBe(401);
  });

  it('checks sub: text, at most 128 characters, no control or invisible characters', async () => {
    for (const sub of [{ id: 1 }, 42, '', 'x'.repeat(129), 'zhang\r\nwei', 'zhang\u200bwei', ' zhang.wei', 'zhang\u202ewei']) {
      expect([JSON.stringify(sub), (await status(h, await token({}, { sub }).sign(hs))).status]).toEqual([JSON.stringify(sub), 401]);
    }
    expect((await status(h, await token({}, { sub: '张伟.东坝镇' }).sign(hs))).status).toBe(200);
    expect((await status(h, await token({}, { sub: 'x'.repeat(128) }).sign(hs))).status).toBe(200);
  });

  it('refuses a token of another issuer or for another audience', async () => {
    expect((await status(h, await token({ iss: 'other-iam' }).sign(hs))).status).toBe(401);
    expect((await status(h, await token({ aud: 'another-app' }).sign(hs))).status).toBe(401);
    expect((await status(h, await token({ aud: undefined }).sign(hs))).status).toBe(401);
  });

  it('refuses an org outside the directory and a role that does not match the org', async () => {
    expect((await status(h, await token({ org: 'twp-nowhere' }).sign(hs))).status).toBe(401);
    expect((await status(h, await token({ role: 'department' }).sign(hs))).status).toBe(401);
  });

  it('pins the algorithm: a secret verifies HS256 only', async () => {
    expect((await status(h, await token({}, { alg: 'HS512' }).sign(new TextEncoder().encode(SECRET + SECRET)))).status).toBe(401);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ org: TOWNSHIP, sub: 'x', iss: ISSUER, exp: now() + 60 })).toString('base64url')}.`;
    expect((await status(h, unsigned)).status).toBe(401);
  });
});

describe('bearer tokens in production (JWKS_URL alone)', () => {
  let h: Harness;
  let jwks: Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let publicJwk: JWK;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    h = await startHarness({ CHUISHAO_ENV: 'production', JWKS_URL: url, ...PROD });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => jwks.close(r));
  });

  it('accepts the provider’s signed tokens without any JWT_SECRET', async () => {
    const signed = await token({}, { alg: 'ES256' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    expect((await status(h, signed)).status).toBe(200);
  });

  it('refuses an HS256 token made with the published key as its secret (algorithm confusion)', async () => {
    const forged = await token({}, { alg: 'HS256' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect((await status(h, forged)).status).toBe(401);
  });

  it('still requires exp and a bounded lifetime', async () => {
    const noExp = await token({}, { exp: null }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    expect((await status(h, noExp)).status).toBe(401);
    const long = await token({}, { exp: Math.floor(Date.now() / 1000) + 48 * 3600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(privateKey);
    expect((await status(h, long)).status).toBe(401);
  });
});
