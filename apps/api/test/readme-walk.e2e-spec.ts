import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, kill, startServer } from './server-process';

const README = resolve(__dirname, '../../../README.md');
const SECTION = '## A whole lifecycle with curl';

/** The fenced shell blocks of the README's curl walk, its subsections included, exactly as written. */
function walk(): string {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(SECTION);
  if (start < 0) throw new Error(`README.md has no section "${SECTION}"`);
  const end = text.indexOf('\n## ', start + SECTION.length);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length < 3) throw new Error(`expected the walk, the command centre's and the scorecards' blocks; found ${blocks.length}`);
  return blocks.join('\n');
}

const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
// bash always; zsh where the machine has it (apt-get install zsh), and the test's name says which ran.
const SHELLS = ['bash', ...(installed('zsh') ? ['zsh'] : [])];

function run(shell: string, script: string, env: Record<string, string>, cwd: string): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(shell, ['-c', script], { cwd, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (status) => done({ status, out, err }));
  });
}

describe(`the README's curl walk runs unchanged against a real server, every step succeeding, in ${SHELLS.join(' and ')}${SHELLS.includes('zsh') ? '' : ' (zsh is not installed here)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-readme-'));
  let api: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const port = await freePort();
    // The documented default budgets, not the tests' unlimited ones: the walk must fit in what a reader gets.
    server = await startServer(join(dir, 'data'), port, {
      RATE_LIMIT_USER_READS: '600',
      RATE_LIMIT_USER_COMMANDS: '120',
      RATE_LIMIT_ORG: '3000',
      RATE_LIMIT_HEAVY: '20',
      RATE_LIMIT_IP: '120',
    });
    api = `http://localhost:${port}`;
  }, 60_000);
  afterAll(async () => {
    await kill(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(SHELLS)(
    '%s: set -euo pipefail, curl --fail-with-body on every step',
    async (shell) => {
      const cwd = mkdtempSync(join(dir, `${shell}-`));
      const script = `set -euo pipefail\n${walk()}`;
      expect(script).not.toMatch(/\| jq \.[^\s']*\[/); // unquoted jq filters with brackets: zsh globs them
      const { status, out, err } = await run(shell, script, { API: api }, cwd);
      expect({ status, err }).toEqual({ status: 0, err: '' });
      // The lifecycle: statuses along the way (rework in round 2), the closed case, the audit trail, the 404 for another township.
      expect(out).toMatch(
        /^"in_progress"\n"dept-enforcement"\n"in_progress"\n"completed"\n\{\n {2}"status": "in_progress",\n {2}"round": 2,\n {2}"completionDueAt": "[^"]+"\n\}\n"completed"\n"resolved"\n"completed"\n"closed"\n/,
      );
      expect(out).toMatch(/^0 \S+ WhistleBlown by twp-dongba\/wang\.fang$/m);
      expect(out).toMatch(/^13 \S+ CaseClosed by twp-dongba\/wang\.fang$/m);
      expect(out).toContain('"CASE.NOT_FOUND"');
      // The command centre's urge and reassignment, and the inbox found by the Chinese query text.
      expect(out).toContain('"title": "河堤管涌"');
      expect(out).toMatch(/"departmentId": "dept-emergency"/);
      // The scorecards count the walk's parts: the period holds them.
      expect(out).toMatch(/"name": "[^"]+",\n\s+"received": [1-9]/);
      const csv = readFileSync(join(cwd, 'scorecards.csv'), 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.split('\n').length).toBeGreaterThan(2);
      expect(out).toMatch(/"caseId": "[0-9a-f-]{36}"/); // the explain's first part
    },
    120_000,
  );
});

describe("the CI runs the README's test command", () => {
  it('.ci/run ends with the command README.md gives under "Run the tests"', () => {
    const text = readFileSync(README, 'utf8');
    const after = text.slice(text.indexOf('Run the tests'));
    const command = /```sh\n([^\n]+)\n```/.exec(after)![1];
    expect(command).toBe('npm ci && npm test');
    const ci = readFileSync(resolve(__dirname, '../../../.ci/run'), 'utf8').trim().split('\n');
    expect(ci[ci.length - 1]).toBe(command);
  });
});
