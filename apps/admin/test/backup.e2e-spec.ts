import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ECOLOGY, TOWNSHIP, whistleBody } from '../../api/test/harness';
import { client, freePort, killAllServers, startServer } from '../../api/test/server-process';

const ROOT = resolve(__dirname, '../../..');
const COMMAND = join(ROOT, 'dist/apps/admin/src/backup.command.js');

/** `npm run backup -- <target>` as an operator runs it, on the same environment as the service. */
function backup(dataDir: string, target: string, env: Record<string, string> = {}) {
  if (!existsSync(COMMAND)) throw new Error(`${COMMAND} is missing: run \`npm run build\` first (npm test does)`);
  const run = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), COMMAND, target], {
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

/** The same, without blocking this process: the test's writers keep the store busy meanwhile. */
function backupInBackground(dataDir: string, target: string): Promise<{ status: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), COMMAND, target], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (status) => done({ status, out }));
  });
}

const rows = (file: string, upTo: number) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare('SELECT position, stream_name, revision, id, type, data, metadata, recorded_at FROM events WHERE position <= ? ORDER BY position').all(upTo);
  } finally {
    db.close();
  }
};

describe('npm run backup: the embedded event store, copied while the service writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-backup-'));
  const dataDir = join(dir, 'data');
  afterAll(async () => {
    await killAllServers();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('copies a consistent prefix of the store under load, verified, and a service starts on the copy', async () => {
    const port = await freePort();
    await startServer(dataDir, port);
    const api = client(`http://127.0.0.1:${port}`);
    const token = await api.token(TOWNSHIP);
    let writing = true;
    let written = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const res = await api.call('POST', '/v1/whistles', token, whistleBody([ECOLOGY]));
        expect(res.status).toBe(201);
        written++;
      }
    });
    while (written < 50) await new Promise((r) => setTimeout(r, 10));
    const target = join(dir, 'backup-1.sqlite');
    const writtenBefore = written;
    const run = await backupInBackground(dataDir, target);
    const writtenDuring = written - writtenBefore;
    writing = false;
    await Promise.all(writers);
    expect(run).toMatchObject({ status: 0, out: expect.stringMatching(/events up to position \d+, .* integrity ok/) });
    const head = Number(/up to position (\d+)/.exec(run.out)![1]);
    expect(head).toBeGreaterThanOrEqual(50);
    // Every event the copy holds is the source's, byte for byte, and nothing after its head is missing from it.
    const copied = rows(target, Number.MAX_SAFE_INTEGER);
    expect(copied).toHaveLength(head);
    expect(copied).toEqual(rows(join(dataDir, 'events.sqlite'), head));
    expect(writtenDuring).toBeGreaterThan(0); // the service kept accepting whistles while the backup ran
    expect(rows(join(dataDir, 'events.sqlite'), Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(head);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);

    // Restore: a new data dir with the copy as its store serves the cases it holds.
    const restored = join(dir, 'restored');
    mkdirSync(restored);
    copyFileSync(target, join(restored, 'events.sqlite'));
    const port2 = await freePort();
    await startServer(restored, port2);
    const api2 = client(`http://127.0.0.1:${port2}`);
    const lastCase = String((copied[copied.length - 1] as { stream_name: string }).stream_name).replace(/^case-/, '');
    const view = await api2.call('GET', `/v1/cases/${lastCase}`, await api2.token(TOWNSHIP));
    expect([view.status, view.body.caseId]).toEqual([200, lastCase]);
  }, 120_000);

  it('refuses, writing nothing, when the store is missing or the target exists; works on a stopped store', async () => {
    const missing = backup(join(dir, 'nowhere'), join(dir, 'b.sqlite'));
    expect(missing).toMatchObject({ status: 2, err: expect.stringContaining('no event store at') });
    expect(existsSync(join(dir, 'b.sqlite'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false); // the store was not created by looking for it

    await killAllServers();
    const again = backup(dataDir, join(dir, 'backup-1.sqlite'));
    expect(again).toMatchObject({ status: 2, err: expect.stringContaining('exists; a backup never overwrites') });
    const stopped = backup(dataDir, join(dir, 'backup-2.sqlite'));
    expect(stopped).toMatchObject({ status: 0, out: expect.stringContaining('integrity ok') });

    const usage = backup(dataDir, '--help');
    expect(usage).toMatchObject({ status: 2, err: expect.stringContaining('usage: npm run backup') });
    const esdb = backup(dataDir, join(dir, 'x.sqlite'), { EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' });
    expect(esdb).toMatchObject({ status: 2, err: expect.stringContaining("EventStoreDB's own tools") });
  }, 60_000);
});
