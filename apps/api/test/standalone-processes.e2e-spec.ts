import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, kill, track } from './server-process';

const ROOT = resolve(__dirname, '../../..');

/**
 * Starts a built entry point, waits for its first stdout line containing `ready`, runs `meanwhile` while it runs,
 * stops it (SIGTERM) and returns its stdout lines.
 */
async function linesOf(main: string, env: Record<string, string>, ready: string, meanwhile: () => Promise<void> = async () => {}): Promise<string[]> {
  const file = join(ROOT, main);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  const child = track(
    spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), file], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 400 && !stdout.includes(ready); i++) {
    if (child.exitCode !== null) throw new Error(`${main} exited ${child.exitCode}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    if (!stdout.includes(ready)) throw new Error(`${main} never logged "${ready}"; stdout: ${stdout}; stderr: ${stderr}`);
    await meanwhile();
  } finally {
    await kill(child);
  }
  return stdout.split('\n').filter((l) => l !== '');
}

const parse = (line: string) => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`not a JSON line: ${line}`);
  }
};

describe('the processes without HTTP log JSON lines when LOG_FORMAT=json (the production default)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'chuishao-process-logs-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['the projector', 'dist/apps/projector/src/main.js', 'chuishao-projector', 'projector', 'running from checkpoint'],
    ['the watcher', 'dist/apps/watcher/src/main.js', 'chuishao-watcher', 'watcher', 'deadline watcher running'],
  ])(
    '%s',
    async (_, main, service, context, ready) => {
      const lines = await linesOf(main, { DATA_DIR: dataDir, LOG_FORMAT: 'json' }, ready);
      const records = lines.map(parse);
      expect(records.find((r) => String(r.msg).includes(ready))).toEqual({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service,
        context,
        msg: expect.stringContaining(ready),
      });
      expect(records.every((r) => r.service === service)).toBe(true);
    },
    30_000,
  );

  it('text lines otherwise (development default)', async () => {
    const lines = await linesOf('dist/apps/watcher/src/main.js', { DATA_DIR: dataDir }, 'deadline watcher running');
    expect(lines.find((l) => l.includes('deadline watcher running'))).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \[watcher\] deadline watcher running/);
  }, 30_000);

  it('the watcher serves its Prometheus metrics on METRICS_PORT (the API sees only its own process)', async () => {
    const port = await freePort();
    let text = '';
    await linesOf('dist/apps/watcher/src/main.js', { DATA_DIR: dataDir, METRICS_PORT: String(port) }, `metrics on :${port}/metrics`, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
      text = await res.text();
      expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).toBe(404);
    });
    for (const series of [
      'chuishao_watcher_breaches_total{rung="escalated"} 0',
      'chuishao_watcher_breaches_total{rung="reminder"} 0',
      'process_cpu_seconds_total',
    ])
      expect([series, text.includes(series)]).toEqual([series, true]);
    expect(text).not.toContain('chuishao_http_requests_total');
  }, 30_000);

  it("the projector serves each read model's lag on METRICS_PORT", async () => {
    const port = await freePort();
    let text = '';
    await linesOf('dist/apps/projector/src/main.js', { DATA_DIR: dataDir, METRICS_PORT: String(port) }, `metrics on :${port}/metrics`, async () => {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    });
    // An empty store: nothing to apply.
    for (const series of ['chuishao_read_model_lag_positions{projection="case-inbox"} 0', 'chuishao_read_model_lag_positions{projection="scoring-parts"} 0'])
      expect([series, text.includes(series)]).toEqual([series, true]);
  }, 30_000);
});
