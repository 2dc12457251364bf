import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, kill, startServer } from './server-process';

const SCRIPT = resolve(__dirname, '../../../scripts/security-regression.mjs');
const SECRET = 'security-regression-secret-0123456789abcdef';

function regression(base: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ status: number | null; lines: string[] }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SCRIPT, base, ...extra], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (status) => done({ status, lines: out.trim().split('\n') }));
  });
}

describe('scripts/security-regression.mjs against the built server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-security-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reproduces every finding and passes: one PASS line per check, exit 0', async () => {
    const port = await freePort();
    // Small budgets so the flooding checks are quick; the script finds the limits by flooding, whatever they are.
    const server = await startServer(join(dir, 'limited'), port, {
      JWT_SECRET: SECRET,
      RATE_LIMIT_USER_READS: '60',
      RATE_LIMIT_USER_COMMANDS: '30',
      RATE_LIMIT_HEAVY: '5',
      RATE_LIMIT_IP: '40',
    });
    try {
      const { status, lines } = await regression(`http://127.0.0.1:${port}`, [], { JWT_SECRET: SECRET });
      expect({ status, failing: lines.filter((l) => !l.startsWith('PASS')) }).toEqual({
        status: 0,
        failing: [`all checks passed against http://127.0.0.1:${port}`],
      });
      for (const finding of [
        'token without exp',
        'longer than the maximum',
        'sub must be text',
        'forged signature',
        'nested thousands',
        '2026-W01',
        'ending in 9999',
        'without location',
        'lat/lng as strings',
        'null for an optional',
        'zero-width',
        '__proto__',
        '415',
        'reported once',
        '405',
        'helmet',
        'no-store',
        'audit: refused requests',
        'health: anonymous callers',
        'tracing: a W3C traceparent',
        'reads as one user answer 429',
        'heavy reads',
        'commands as one user',
        'forged tokens answers 429',
      ]) {
        expect(lines.filter((l) => l.startsWith('PASS') && l.includes(finding))).toHaveLength(1);
      }
    } finally {
      await kill(server);
    }
  }, 120_000);

  it('fails, naming the check, against a server that lacks the fix (no rate limits)', async () => {
    const port = await freePort();
    const server = await startServer(join(dir, 'unlimited'), port, { JWT_SECRET: SECRET });
    try {
      const { status, lines } = await regression(`http://127.0.0.1:${port}`, ['--only', 'reads as one user', '--max-flood', '100'], { JWT_SECRET: SECRET });
      expect(status).toBe(1);
      expect(lines[0]).toBe('FAIL  rate limits: reads as one user answer 429 problem+json with Retry-After: 100 requests and never a 429');
    } finally {
      await kill(server);
    }
  }, 60_000);
});
