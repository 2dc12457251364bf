import { SignJWT } from 'jose';
import { ConfigError, loadConfig } from '@chuishao/runtime';
import { startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

const SECRET = 'a-production-secret-of-at-least-32-chars!';
const PROD = { JWT_ISSUER: 'county-iam', JWT_AUDIENCE: 'chuishao', ALLOW_DEMO_DIRECTORY: 'true' };

describe('production mode', () => {
  it('refuses to start without a JWT secret or JWKS URL', () => {
    expect(() => loadConfig({ CHUISHAO_ENV: 'production', DATA_DIR: '/tmp/x' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: '/tmp/x' })).toThrow(/JWT_SECRET or JWKS_URL/);
    expect(() => loadConfig({ CHUISHAO_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/32 characters/);
    expect(loadConfig({ CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, ...PROD }).production).toBe(true);
  });

  describe('with a secret', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, ...PROD });
    });
    afterAll(() => h.close());

    const sign = (claims: Record<string, unknown>, issuer = 'county-iam') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('zhang.wei')
        .setIssuer(issuer)
        .setAudience('chuishao')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(SECRET));

    it('has no dev token endpoint', async () => {
      const res = await h.http().post('/v1/dev/tokens').send({ orgId: TOWNSHIP });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    });

    it('accepts tokens from the configured issuer and refuses dev-minted ones', async () => {
      const good = await sign({ org: TOWNSHIP, role: 'township' });
      const created = await h.http().post('/v1/whistles').set('Authorization', `Bearer ${good}`).send(whistleBody()).expect(201);
      const events = await h.http().get(`/v1/cases/${created.body.caseId}/events`).set('Authorization', `Bearer ${good}`).expect(200);
      expect(events.body[0].actor).toEqual({ orgId: TOWNSHIP, role: 'township', userId: 'zhang.wei' });

      const dev = await sign({ org: TOWNSHIP, role: 'township', dev: true });
      expect((await h.http().get('/v1/cases').set('Authorization', `Bearer ${dev}`)).status).toBe(401);
      const wrongIssuer = await sign({ org: TOWNSHIP, role: 'township' }, 'chuishao-dev');
      expect((await h.http().get('/v1/cases').set('Authorization', `Bearer ${wrongIssuer}`)).status).toBe(401);
      const wrongRole = await sign({ org: TOWNSHIP, role: 'command_centre' });
      expect((await h.http().get('/v1/cases').set('Authorization', `Bearer ${wrongRole}`)).status).toBe(401);
    });
  });
});
