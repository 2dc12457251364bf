import { mkdtempSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECOLOGY, TOWNSHIP, WATER, whistleBody } from './harness';
import { freePort, startServer } from './server-process';

interface Acked {
  caseId: string;
  correlationId: string;
  type: string;
}

describe('SIGKILL during concurrent load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-crash-'));
  let server: ChildProcess | null = null;
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no command that was answered 2xx, and the restarted server serves the same cases', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(dataDir, port);
    const token = async (orgId: string) =>
      (
        (await (
          await fetch(`${base}/v1/dev/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orgId }) })
        ).json()) as { token: string }
      ).token;
    const tokens: Record<string, string> = { [TOWNSHIP]: await token(TOWNSHIP), [ECOLOGY]: await token(ECOLOGY), [WATER]: await token(WATER) };
    const acked: Acked[] = [];
    let seq = 0;
    const post = async (org: string, path: string, body: object, type: string, caseIdOf: (b: { caseId: string }) => string) => {
      const correlationId = `load-${seq++}`;
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[org]}`, 'x-correlation-id': correlationId },
        body: JSON.stringify(body),
      });
      if (res.status >= 200 && res.status < 300) acked.push({ caseId: caseIdOf((await res.json()) as { caseId: string }), correlationId, type });
    };

    // 16 clients each run whistle lifecycles until the process dies under them.
    let killed = false;
    const client = async () => {
      while (!killed) {
        try {
          let caseId = '';
          await post(TOWNSHIP, '/v1/whistles', whistleBody(), 'WhistleBlown', (b) => (caseId = b.caseId));
          if (!caseId) continue;
          await post(ECOLOGY, `/v1/cases/${caseId}/responses`, {}, 'DepartmentResponded', () => caseId);
          await post(WATER, `/v1/cases/${caseId}/responses`, {}, 'DepartmentResponded', () => caseId);
          await post(ECOLOGY, `/v1/cases/${caseId}/completions`, { result: '已处理' }, 'HandlingCompleted', () => caseId);
        } catch {
          // connection refused or reset: the server is gone
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    killed = true;
    await Promise.all(clients);
    expect(acked.length).toBeGreaterThan(50);

    server = await startServer(dataDir, port);
    const cc = await token('cc-qingchuan');
    const byCase = new Map<string, Acked[]>();
    for (const a of acked) byCase.set(a.caseId, [...(byCase.get(a.caseId) ?? []), a]);
    for (const [caseId, commands] of byCase) {
      const res = await fetch(`${base}/v1/cases/${caseId}/events`, { headers: { authorization: `Bearer ${cc}` } });
      expect(res.status).toBe(200);
      const events = (await res.json()) as { type: string; correlationId: string; revision: number }[];
      for (const c of commands) expect(events.filter((e) => e.correlationId === c.correlationId).map((e) => e.type)).toEqual([c.type]);
      expect(events.map((e) => e.revision)).toEqual([...events.keys()]);
    }
    // The inbox catches up from its checkpoint to the same cases.
    const head = Math.max(
      ...(await Promise.all(
        [...byCase.keys()]
          .slice(-5)
          .map(
            async (id) =>
              ((await (await fetch(`${base}/v1/cases/${id}`, { headers: { authorization: `Bearer ${cc}` } })).json()) as { position: number }).position,
          ),
      )),
    );
    const listed = new Set<string>();
    let cursor = '';
    do {
      const res = await fetch(`${base}/v1/cases?limit=100&minPosition=${head}${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${cc}` },
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { caseId: string }[]; nextCursor: string | null };
      page.items.forEach((i) => {
        listed.add(i.caseId);
      });
      cursor = page.nextCursor ?? '';
    } while (cursor);
    for (const caseId of byCase.keys()) expect(listed.has(caseId)).toBe(true);
    server.kill('SIGTERM');
  }, 60_000);
});
