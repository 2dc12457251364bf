import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ECOLOGY, TOWNSHIP, whistleBody } from './harness';
import { freePort, kill, startServer } from './server-process';

const SECRET = 'a-production-secret-of-at-least-32-chars!';
const PROD = { CHUISHAO_ENV: 'production', JWT_SECRET: SECRET, JWT_ISSUER: 'county-iam', JWT_AUDIENCE: 'chuishao', ALLOW_DEMO_DIRECTORY: 'true' };
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const sign = (org: string, role: string, sub: string) =>
  new SignJWT({ org, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('county-iam')
    .setAudience('chuishao')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

describe('JSON logs in production (the built server, its stdout)', () => {
  it('writes every line as JSON, one per request with method, route, status, duration, org, user and correlation id; never a token or a body', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-logs-'));
    let stdout = '';
    const port = await freePort();
    const server = await startServer(dataDir, port, PROD, { stdout: (chunk) => (stdout += chunk) });
    try {
      const base = `http://127.0.0.1:${port}`;
      const token = await sign(TOWNSHIP, 'township', 'wang.fang');
      const body = whistleBody([ECOLOGY], { description: '居民张三（电话13800000000）反映河滨路夜间排污' });
      const created = await fetch(`${base}/v1/whistles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', traceparent: TRACEPARENT, cookie: 'session=secret-cookie' },
        body: JSON.stringify(body),
      });
      expect(created.status).toBe(201);
      const caseId = ((await created.json()) as { caseId: string }).caseId;
      const read = await fetch(`${base}/v1/cases/${caseId}?q=张三`, { headers: { authorization: `Bearer ${token}`, 'x-correlation-id': 'wf-log-1' } });
      expect(read.status).toBe(200);
      const forged = await fetch(`${base}/v1/cases`, { headers: { authorization: 'Bearer forged.token.value' } });
      expect(forged.status).toBe(401);

      // The lines are written off the request's path: wait until the last request's line is out.
      const lines = () => stdout.split('\n').filter((l) => l !== '');
      for (let i = 0; i < 400 && !lines().some((l) => l.includes('"status":401')); i++) await new Promise((r) => setTimeout(r, 25));

      const records = lines().map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}`);
        }
      });
      // The start-up lines are JSON too.
      expect(records.some((r) => typeof r.msg === 'string' && (r.msg as string).startsWith('listening on'))).toBe(true);
      const requests = records.filter((r) => r.msg === 'request');
      const post = requests.find((r) => r.method === 'POST');
      expect(post).toEqual({
        level: 'info',
        time: expect.any(String),
        service: 'chuishao-api',
        msg: 'request',
        correlationId: '0af7651916cd43dd8448eb211c80319c',
        method: 'POST',
        route: '/v1/whistles',
        status: 201,
        durationMs: expect.any(Number),
        orgId: TOWNSHIP,
        userId: 'wang.fang',
      });
      expect(requests.find((r) => r.route === '/v1/cases/:caseId')).toMatchObject({
        correlationId: 'wf-log-1',
        method: 'GET',
        status: 200,
        orgId: TOWNSHIP,
        userId: 'wang.fang',
      });
      expect(requests.find((r) => r.route === '/v1/cases')).toMatchObject({
        method: 'GET',
        status: 401,
        orgId: null,
        userId: null,
        correlationId: expect.any(String),
        // A refusal's line names the problem's code, as its answer does.
        code: 'AUTH.UNAUTHENTICATED',
      });

      for (const secret of [token, 'forged.token.value', 'secret-cookie', '13800000000', '张三', SECRET])
        expect([secret, stdout.includes(secret)]).toEqual([secret, false]);
    } finally {
      await kill(server);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
