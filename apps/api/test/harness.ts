import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AddressInfo } from 'node:net';
import { loadConfig, TestClock } from '@chuishao/runtime';
import { createRuntime, type Runtime } from '../src/runtime';
import { UNLIMITED } from './server-process';

export interface Harness {
  http: () => ReturnType<typeof request>;
  runtime: Runtime;
  clock: TestClock;
  dataDir: string;
  token(orgId: string, userId?: string): Promise<string>;
  close(): Promise<void>;
}

/** A real service on a real SQLite file in a temp dir, driven over real HTTP by supertest. */
export async function startHarness(env: Record<string, string> = {}, shared?: { dataDir: string }, startAt?: string): Promise<Harness> {
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'chuishao-e2e-'));
  const clock = new TestClock(startAt ? Date.parse(startAt) : undefined);
  const config = loadConfig({ DATA_DIR: dataDir, STORE_SYNCHRONOUS: 'NORMAL', READ_MODEL_WAIT_MS: '3000', ...UNLIMITED, ...env });
  // CLOCK=simulated tests exercise the server's own simulated clock instead of the test's.
  const runtime = await createRuntime(config, { clock: env.CLOCK === 'simulated' ? undefined : clock, logger: false });
  // Listen on a real loopback port: supertest's per-request listen breaks under concurrent requests.
  await runtime.app.listen(0, '127.0.0.1');
  const server = `http://127.0.0.1:${(runtime.app.getHttpServer().address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();
  return {
    http: () => request(server),
    runtime,
    clock,
    dataDir,
    async token(orgId, userId = `${orgId}-tester`) {
      const key = `${orgId}/${userId}`;
      if (!tokens.has(key)) {
        const res = await request(server).post('/v1/dev/tokens').send({ orgId, userId }).expect(201);
        tokens.set(key, res.body.token);
      }
      return tokens.get(key)!;
    },
    async close() {
      await runtime.close();
      if (!shared) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TOWNSHIP = 'twp-dongba';
export const OTHER_TOWNSHIP = 'twp-longquan';
export const ECOLOGY = 'dept-ecology';
export const WATER = 'dept-water';
export const ENFORCEMENT = 'dept-enforcement';
export const MARKET = 'dept-market';
export const COMMAND_CENTRE = 'cc-qingchuan';
export const ASSESSMENT = 'assess-qingchuan';

export const whistleBody = (departmentIds = [ECOLOGY, WATER], extra: Record<string, unknown> = {}) => ({
  title: '东坝河段不明排污口',
  description: '群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。',
  category: 'joint_enforcement',
  departmentIds,
  location: { address: '东坝镇河滨路12号', grid: '东坝-03网格', lat: 32.58, lng: 105.22 },
  ...extra,
});

/**
 * Calls over HTTP as the orgs of the demo county, on a harness's test clock counted in minutes from `start`: for specs
 * that drive a case through many moves. `h` is read on each call (a spec may start its harness later).
 */
export function httpDriver(h: () => Harness, start: string) {
  const minute = (m: number) => new Date(Date.parse(start) + m * 60_000).toISOString();
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h().token(org)}` });
  const at = (m: number) => h().clock.advance((Date.parse(minute(m)) - h().clock.now().getTime()) / 60_000);
  const send = async (org: string, path: string, body: object) =>
    h()
      .http()
      .post(path)
      .set(await auth(org))
      .send(body);
  /** A POST that must succeed: its body. */
  const post = async (org: string, path: string, body: object) => {
    const res = await send(org, path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const get = async (org: string, path: string) =>
    h()
      .http()
      .get(path)
      .set(await auth(org));
  return { minute, auth, at, send, post, get };
}
