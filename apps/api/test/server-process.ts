import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/**
 * Rate limits on but out of reach, unless a test sets them: tests drive thousands of requests as one user
 * (rate-limit.e2e-spec.ts sets real budgets). The harness uses it too.
 */
export const UNLIMITED: Record<string, string> = Object.fromEntries(
  ['RATE_LIMIT_USER_READS', 'RATE_LIMIT_USER_COMMANDS', 'RATE_LIMIT_ORG', 'RATE_LIMIT_HEAVY', 'RATE_LIMIT_IP'].map((v) => [v, '100000000']),
);
const MAIN = join(ROOT, 'dist/apps/api/src/main.js');

/** The built service as its own process, so a test can really SIGKILL it. */
export async function startServer(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
  options: { stdout?: (chunk: string) => void } = {},
): Promise<ChildProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), MAIN], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, STORE_SYNCHRONOUS: 'FULL', ...UNLIMITED, ...env },
    stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  if (options.stdout) child.stdout!.setEncoding('utf8').on('data', options.stdout);
  track(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v1/orgs`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await kill(child);
  throw new Error(`server did not come up: ${stderr}`);
}

/** Every process this test file started and that is still running. */
const spawned = new Set<ChildProcess>();

/** Puts a process a test spawned itself under killAllServers. */
export function track(child: ChildProcess): ChildProcess {
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  return child;
}

/**
 * SIGKILLs every server still running: a test that failed or timed out half-way must not leave servers
 * behind, which would hold their ports and keep jest from exiting (test/e2e-setup.ts calls it after each file).
 */
export async function killAllServers(): Promise<void> {
  await Promise.all([...spawned].map(kill));
}

export async function kill(child: ChildProcess): Promise<void> {
  // A child killed by a signal has exitCode null and signalCode set: it has exited all the same.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** A small JSON client for a spawned server. */
export function client(base: string) {
  const call = async (method: string, path: string, token?: string, body?: object) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return {
    call,
    token: async (orgId: string) => (await call('POST', '/v1/dev/tokens', undefined, { orgId })).body.token as string,
  };
}
