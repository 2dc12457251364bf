import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { track } from './server-process';

const ROOT = resolve(__dirname, '../../..');

/** Runs a built entry point to its end and returns how it ended. */
function run(main: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const file = join(ROOT, main);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  const child = track(
    spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  return new Promise((res) => child.once('close', (code) => res({ code, stderr, stdout })));
}

describe('a process refuses to start on a bad variable', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'chuishao-refusal-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the API: every problem in one message, exit 1, no stack trace, nothing opened', async () => {
    const { code, stderr } = await run('dist/apps/api/src/main.js', { DATA_DIR: dataDir, NODE_ENV: 'prod', PORT: 'http', STORE_SYNCHRONOUS: 'sometimes' });
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        'chuishao failed to start: invalid configuration (3 problems):',
        '  NODE_ENV="prod": must be one of development, production or test',
        '  STORE_SYNCHRONOUS="sometimes": must be one of FULL, NORMAL or OFF',
        '  PORT="http": must be an integer from 0 to 65535',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(false);
  });

  it('the API on a bad POLICY_FILE: the file and the field at fault, nothing opened', async () => {
    const file = join(dataDir, 'policies.json');
    const data = JSON.parse(readFileSync(join(ROOT, 'libs/policy/data/policies.json'), 'utf8'));
    data.versions[0].weights.wS = 45;
    writeFileSync(file, JSON.stringify(data));
    const { code, stderr } = await run('dist/apps/api/src/main.js', { DATA_DIR: dataDir, POLICY_FILE: file });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `chuishao failed to start: invalid configuration: POLICY_FILE=${JSON.stringify(file)}: versions[0].weights: must sum to 100 (wR + wS + wF is 110)\n`,
    );
    expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(false);
  });

  it('the API in production without a way to verify tokens', async () => {
    const { code, stderr } = await run('dist/apps/api/src/main.js', {
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      JWT_ISSUER: 'iam',
      JWT_AUDIENCE: 'chuishao',
      ALLOW_DEMO_DIRECTORY: 'true',
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'chuishao failed to start: invalid configuration: JWT_SECRET (not set): production mode needs JWT_SECRET or JWKS_URL; refusing to start without real authentication\n',
    );
  });

  it.each([
    ['the watcher', 'dist/apps/watcher/src/main.js', 'deadline watcher failed to start: invalid configuration'],
    ['the projector', 'dist/apps/projector/src/main.js', 'projector failed to start: invalid configuration'],
    ['the relay', 'dist/apps/relay/src/main.js', 'relay failed to start: RelayConfigError: invalid relay configuration'],
  ])('%s', async (_, main, refusal) => {
    const { code, stderr } = await run(main, { DATA_DIR: dataDir, CHUISHAO_ENV: 'staging', KAFKA_BROKERS: 'kafka:9092' });
    expect(code).toBe(1);
    expect(stderr).toBe(`${refusal}: CHUISHAO_ENV="staging": must be one of development, production or test\n`);
  });

  it('the rebuild command: exit 2 before it opens the store', async () => {
    const { code, stderr } = await run('dist/apps/projector/src/rebuild.command.js', { DATA_DIR: dataDir, REBUILD_THREADS: 'all' }, ['all']);
    expect(code).toBe(2);
    expect(stderr).toBe('invalid configuration: REBUILD_THREADS="all": must be an integer ≥ 1\n');
    expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(false);
  });
});
