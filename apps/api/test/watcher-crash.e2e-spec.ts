import { mkdtempSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECOLOGY, TOWNSHIP, WATER, whistleBody } from './harness';
import { client, freePort, kill, startServer } from './server-process';

interface Ev {
  type: string;
  data: { departmentId?: string };
}

/** kill -9 of the service (and so of its watcher) while it records breaches: each one exactly once. */
describe('deadline watcher under SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-watcher-'));
  let server: ChildProcess | null = null;
  afterAll(async () => {
    if (server) await kill(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records one overdue and one escalation per breached clock, across kills and restarts', async () => {
    const port = await freePort();
    const env = { CLOCK: 'simulated', WATCHER_INTERVAL_MS: '100' };
    const api = client(`http://127.0.0.1:${port}`);
    server = await startServer(dataDir, port, env);
    const township = await api.token(TOWNSHIP);
    const ecology = await api.token(ECOLOGY);
    const cases: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await api.call('POST', '/v1/whistles', township, whistleBody([ECOLOGY, WATER], { category: 'emergency', title: `险情${i}` }));
      expect(res.status).toBe(201);
      cases.push(res.body.caseId);
    }
    // Ecology reports in on half the cases: their completion clocks run, the rest breach report-in.
    for (const id of cases.slice(0, 15)) expect((await api.call('POST', `/v1/cases/${id}/responses`, ecology, {})).status).toBe(200);

    // Let the report-in deadlines pass, and kill the service while its watcher is recording them.
    const cc = async () => api.token('cc-qingchuan');
    for (const [minutes, pause] of [
      [31, 40],
      [3 * 24 * 60, 25],
    ] as const) {
      expect((await api.call('POST', '/v1/dev/clock/advance', undefined, { minutes })).status).toBe(200);
      await new Promise((r) => setTimeout(r, pause));
      await kill(server);
      server = await startServer(dataDir, port, env);
    }
    // And once more with nothing pending.
    await kill(server);
    server = await startServer(dataDir, port, env);

    // Wait until every breach is on record, then check that none is on record twice.
    const token = await cc();
    const count = (events: Ev[], type: string, dept: string) => events.filter((e) => e.type === type && e.data.departmentId === dept).length;
    let histories: Ev[][] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      histories = await Promise.all(cases.map(async (id) => (await api.call('GET', `/v1/cases/${id}/events`, token)).body as Ev[]));
      if (histories.every((h) => h.filter((e) => e.type === 'CaseEscalated').length === 2)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    histories.forEach((h, i) => {
      const responded = i < 15;
      expect(count(h, 'ResponseOverdue', WATER)).toBe(1);
      expect(count(h, 'ResponseOverdue', ECOLOGY)).toBe(responded ? 0 : 1);
      expect(count(h, 'CompletionOverdue', ECOLOGY)).toBe(responded ? 1 : 0);
      expect(count(h, 'CaseEscalated', WATER) + count(h, 'CaseEscalated', ECOLOGY)).toBe(2);
    });
  }, 120_000);
});
