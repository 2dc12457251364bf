import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { COMMAND_CENTRE, ECOLOGY, TOWNSHIP, whistleBody } from '../../api/test/harness';
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

  it('copies a consistent prefix of the store under load: every acknowledged event, and read models rebuilt from the copy equal the originals', async () => {
    const port = await freePort();
    await startServer(dataDir, port);
    const api = client(`http://127.0.0.1:${port}`);
    const token = await api.token(TOWNSHIP);
    let writing = true;
    let written = 0;
    let acknowledged = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const res = await api.call('POST', '/v1/whistles', token, whistleBody([ECOLOGY]));
        expect(res.status).toBe(201);
        written++;
        acknowledged = Math.max(acknowledged, res.body.position);
      }
    });
    while (written < 50) await new Promise((r) => setTimeout(r, 10));
    const backups = join(dir, 'backups');
    const writtenBefore = written;
    const acknowledgedBefore = acknowledged;
    const run = await backupInBackground(dataDir, backups);
    const writtenDuring = written - writtenBefore;
    writing = false;
    await Promise.all(writers);
    expect(run).toMatchObject({ status: 0, out: expect.stringMatching(/events up to position \d+, .* integrity ok/) });
    const head = Number(/up to position (\d+)/.exec(run.out)![1]);
    const [file] = readdirSync(backups);
    expect(file).toMatch(/^events-\d{8}T\d{6}Z\.sqlite$/);
    const target = join(backups, file);
    // Every event acknowledged before the backup started is in it.
    expect(head).toBeGreaterThanOrEqual(acknowledgedBefore);
    expect(head).toBeGreaterThanOrEqual(50);
    // Every event the copy holds is the source's, byte for byte, and nothing after its head is missing from it.
    const copied = rows(target, Number.MAX_SAFE_INTEGER);
    expect(copied).toHaveLength(head);
    expect(copied).toEqual(rows(join(dataDir, 'events.sqlite'), head));
    expect(writtenDuring).toBeGreaterThan(0); // the service kept accepting whistles while the backup ran
    expect(rows(join(dataDir, 'events.sqlite'), Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(head);
    expect(readdirSync(backups)).toEqual([file]); // no partial file left

    // Restore: a fresh data dir with the copy as its store; the read models rebuilt from it equal the originals
    // for every case the copy holds.
    const restored = join(dir, 'restored');
    mkdirSync(restored);
    copyFileSync(target, join(restored, 'events.sqlite'));
    const rebuild = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'], {
      env: { ...process.env, DATA_DIR: restored },
      encoding: 'utf8',
    });
    expect([rebuild.status, rebuild.stderr]).toEqual([0, '']);
    const port2 = await freePort();
    await startServer(restored, port2);
    const api2 = client(`http://127.0.0.1:${port2}`);
    const cc = await api.token(COMMAND_CENTRE);
    const cc2 = await api2.token(COMMAND_CENTRE);
    const caseIds = [...new Set(copied.map((r) => String((r as { stream_name: string }).stream_name).replace(/^case-/, '')))];
    expect(caseIds.length).toBeGreaterThanOrEqual(50);
    const inbox = async (a: typeof api, t: string, caughtUpTo: number) => {
      const items: any[] = [];
      for (let cursor: string | null = null; ; ) {
        const page = await a.call('GET', `/v1/cases?limit=100&minPosition=${caughtUpTo}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t);
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor ?? null;
        if (!cursor) return new Map(items.map((i) => [i.caseId, i]));
      }
    };
    const [original, rebuilt] = [await inbox(api, cc, acknowledged), await inbox(api2, cc2, head)];
    expect(rebuilt.size).toBe(caseIds.length);
    for (const id of caseIds) expect(rebuilt.get(id)).toEqual(original.get(id));
    for (const id of caseIds.slice(0, 20)) {
      expect((await api2.call('GET', `/v1/cases/${id}`, cc2)).body).toEqual((await api.call('GET', `/v1/cases/${id}`, cc)).body);
    }
  }, 120_000);

  it('backup and rebuild refuse an existing but empty DATA_DIR, naming the store path, and leave the folder empty', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const store = join(empty, 'events.sqlite');
    expect(backup(empty, join(dir, 'b-empty'))).toMatchObject({ status: 2, err: `backup: no event store at ${store} (is DATA_DIR right?); nothing written\n` });
    const rebuild = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'], {
      env: { ...process.env, DATA_DIR: empty },
      encoding: 'utf8',
    });
    expect([rebuild.status, rebuild.stderr]).toEqual([2, `rebuild: no event store at ${store} (is DATA_DIR right?); nothing rebuilt\n`]);
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(join(dir, 'b-empty'))).toBe(false);
  });

  it('backup and rebuild refuse a DATA_DIR without a store, naming the path and creating nothing; a file as target is refused; a stopped store backs up', async () => {
    const missing = backup(join(dir, 'nowhere'), join(dir, 'b'));
    expect(missing).toMatchObject({ status: 2, err: expect.stringContaining(`no event store at ${join(dir, 'nowhere', 'events.sqlite')}`) });
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false); // the store was not created by looking for it
    const rebuildMissing = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'], {
      env: { ...process.env, DATA_DIR: join(dir, 'nowhere') },
      encoding: 'utf8',
    });
    expect([rebuildMissing.status, rebuildMissing.stderr]).toEqual([2, expect.stringContaining('rebuild: no event store at')]);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);

    await killAllServers();
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, 'x');
    expect(backup(dataDir, aFile)).toMatchObject({ status: 2, err: expect.stringContaining('is a file') });
    const stopped = backup(dataDir, join(dir, 'backups-2'));
    expect(stopped).toMatchObject({ status: 0, out: expect.stringContaining('integrity ok') });

    const usage = backup(dataDir, '--help');
    expect(usage).toMatchObject({ status: 2, err: expect.stringContaining('usage: npm run backup') });
    const esdb = backup(dataDir, join(dir, 'x.sqlite'), { EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' });
    expect(esdb).toMatchObject({ status: 2, err: expect.stringContaining("EventStoreDB's own tools") });
  }, 60_000);
});
