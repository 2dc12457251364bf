import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    return db
      .prepare('SELECT position, stream_name, revision, id, type, data, metadata, recorded_at FROM events WHERE position <= ? ORDER BY position')
      .all(upTo);
  } finally {
    db.close();
  }
};

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A file the service takes as a JPEG (its magic bytes), with random content so every one is its own blob. */
const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);
const blobPath = (root: string, sha: string) => join(root, sha.slice(0, 2), sha.slice(2, 4), sha);
/** The blobs under <folder>/blobs (the temp folder aside). */
function blobsIn(folder: string): Set<string> {
  const root = join(folder, 'blobs');
  if (!existsSync(root)) return new Set();
  return new Set(
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.startsWith('tmp') && statSync(join(root, f)).isFile())
      .map((f) => f.split('/').pop()!)
      .sort(),
  );
}
function blobSummary(out: string) {
  const m = /blobs (\d+) referenced: (\d+) copied \(\d+ bytes, sha256 verified\), (\d+) already in/.exec(out);
  if (!m) throw new Error(`no blob summary in: ${out}`);
  return { referenced: Number(m[1]), copied: Number(m[2]), skipped: Number(m[3]) };
}
const stampNow = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** An upload as a client makes it: multipart, one field `file`. Answers the attachment's id. */
async function uploadPhoto(base: string, token: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), '现场.jpg');
  const res = await fetch(`${base}/v1/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const body = (await res.json()) as { id: string; sha256: string };
  expect([res.status, body.sha256]).toEqual([201, sha256(bytes)]);
  return body.id;
}

describe('npm run backup: the embedded event store, copied while the service writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-backup-'));
  const dataDir = join(dir, 'data');
  afterAll(async () => {
    await killAllServers();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('copies a consistent prefix of the store, the upload catalog and every photo under load; a restore serves every acknowledged event, the same read models and every photo byte for byte; a second backup copies no blob twice', async () => {
    const port = await freePort();
    await startServer(dataDir, port);
    const base = `http://127.0.0.1:${port}`;
    const api = client(base);
    const token = await api.token(TOWNSHIP);
    const eco = await api.token(ECOLOGY);
    // The same photo sent with many completions: uploaded each time, kept as one blob.
    const shared = jpeg(4096);
    const photos = new Map<string, Buffer>(); // attachment id → the bytes uploaded
    let writing = true;
    let written = 0;
    let acknowledged = 0;
    const acknowledgedPhotos: string[] = [];
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const res = await api.call('POST', '/v1/whistles', token, whistleBody([ECOLOGY]));
        expect(res.status).toBe(201);
        const caseId = res.body.caseId as string;
        expect((await api.call('POST', `/v1/cases/${caseId}/responses`, eco, {})).status).toBe(200);
        const files = written % 3 === 0 ? [jpeg(1000 + (written % 7) * 500), shared] : [jpeg(1000 + (written % 7) * 500)];
        const ids: string[] = [];
        for (const bytes of files) {
          const up = await uploadPhoto(base, eco, bytes);
          photos.set(up, bytes);
          ids.push(up);
        }
        const done = await api.call('POST', `/v1/cases/${caseId}/completions`, eco, { result: '已整改，附现场照片', attachmentIds: ids });
        expect(done.status).toBe(200);
        written++;
        acknowledgedPhotos.push(...ids);
        acknowledged = Math.max(acknowledged, res.body.position, done.body.position);
      }
    });
    while (written < 30) await new Promise((r) => setTimeout(r, 10));
    const backups = join(dir, 'backups');
    const writtenBefore = written;
    const acknowledgedBefore = acknowledged;
    const photosBefore = [...acknowledgedPhotos];
    const run = await backupInBackground(dataDir, backups);
    const writtenDuring = written - writtenBefore;
    writing = false;
    await Promise.all(writers);
    expect(run).toMatchObject({
      status: 0,
      out: expect.stringMatching(/events up to position \d+ .*integrity ok.* \d+ uploads .*integrity ok.*blobs \d+ referenced: \d+ copied/),
    });
    const head = Number(/up to position (\d+)/.exec(run.out)![1]);
    const [folder, ...rest] = readdirSync(backups).sort();
    expect(folder).toMatch(/^backup-\d{8}T\d{6}Z$/);
    expect(rest).toEqual(['blobs']);
    const target = join(backups, folder);
    expect(readdirSync(target).sort()).toEqual(['attachments.sqlite', 'blobs', 'events.sqlite']); // no partial file left
    // Every event acknowledged before the backup started is in it.
    expect(head).toBeGreaterThanOrEqual(acknowledgedBefore);
    // Every event the copy holds is the source's, byte for byte, and nothing after its head is missing from it.
    const copied = rows(join(target, 'events.sqlite'), Number.MAX_SAFE_INTEGER);
    expect(copied).toHaveLength(head);
    expect(copied).toEqual(rows(join(dataDir, 'events.sqlite'), head));
    expect(writtenDuring).toBeGreaterThan(0); // the service kept accepting commands while the backup ran
    expect(rows(join(dataDir, 'events.sqlite'), Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(head);
    // The photos the copied events name; every one acknowledged before the backup started is among them.
    const named = new Map<string, string>(); // attachment id → case id
    for (const r of copied as { type: string; data: string; stream_name: string }[]) {
      for (const a of (JSON.parse(r.data).attachments ?? []) as { id: string }[]) named.set(a.id, r.stream_name.replace(/^case-/, ''));
    }
    for (const id of photosBefore) expect(named.has(id)).toBe(true);
    expect(named.size).toBeGreaterThanOrEqual(30);
    const summary = blobSummary(run.out);
    expect(summary.referenced).toBe(blobsIn(target).size);
    expect(summary.copied + summary.skipped).toBe(summary.referenced);
    const namedBlobs = new Set([...named.keys()].map((id) => sha256(photos.get(id)!)));
    expect(namedBlobs.size).toBeLessThan(named.size); // the shared photo is one blob, however often it was uploaded
    for (const sha of namedBlobs) expect(blobsIn(target).has(sha)).toBe(true);

    // Restore: a fresh data dir with the folder's files; rebuild; start. Every event, the same read models, every photo.
    const restored = join(dir, 'restored');
    cpSync(target, restored, { recursive: true });
    const rebuild = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'],
      {
        env: { ...process.env, DATA_DIR: restored },
        encoding: 'utf8',
      },
    );
    expect([rebuild.status, rebuild.stderr]).toEqual([0, '']);
    const port2 = await freePort();
    await startServer(restored, port2);
    const base2 = `http://127.0.0.1:${port2}`;
    const api2 = client(base2);
    const cc = await api.token(COMMAND_CENTRE);
    const cc2 = await api2.token(COMMAND_CENTRE);
    const township2 = await api2.token(TOWNSHIP);
    const caseIds = [...new Set(copied.map((r) => String((r as { stream_name: string }).stream_name).replace(/^case-/, '')))];
    expect(caseIds.length).toBeGreaterThanOrEqual(30);
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
    // A case whose whole history is in the copy reads the same as in the original; one the backup cut in the middle
    // (events appended after its head) reads as of the last event the copy holds.
    const lastCopied = new Map<string, number>();
    for (const r of copied as { stream_name: string; position: number }[]) lastCopied.set(r.stream_name.replace(/^case-/, ''), Number(r.position));
    const lastInSource = new Map<string, number>();
    for (const r of rows(join(dataDir, 'events.sqlite'), Number.MAX_SAFE_INTEGER) as { stream_name: string; position: number }[])
      lastInSource.set(r.stream_name.replace(/^case-/, ''), Number(r.position));
    const whole = caseIds.filter((id) => lastInSource.get(id) === lastCopied.get(id));
    const cut = caseIds.filter((id) => lastInSource.get(id) !== lastCopied.get(id));
    expect(whole.length).toBeGreaterThanOrEqual(30);
    for (const id of whole) expect(rebuilt.get(id)).toEqual(original.get(id));
    for (const id of whole.slice(0, 20)) {
      expect((await api2.call('GET', `/v1/cases/${id}`, cc2)).body).toEqual((await api.call('GET', `/v1/cases/${id}`, cc)).body);
    }
    for (const id of cut) expect([id, (await api2.call('GET', `/v1/cases/${id}`, cc2)).body.position]).toEqual([id, lastCopied.get(id)]);
    // Every photo of every case in the backup, downloaded by the raising township from the restored service.
    for (const [id] of named) {
      const res = await fetch(`${base2}/v1/attachments/${id}`, { headers: { authorization: `Bearer ${township2}` } });
      expect([id, res.status]).toEqual([id, 200]);
      expect(Buffer.from(await res.arrayBuffer()).equals(photos.get(id)!)).toBe(true);
    }

    // A second backup into the same folder: the blobs of the first are not copied again (same files, untouched);
    // only those uploaded since are; with the writers stopped it holds every blob DATA_DIR has.
    const first = blobsIn(target);
    const before = new Map([...first].map((sha) => [sha, statSync(blobPath(join(backups, 'blobs'), sha))]));
    const late = await api.call('POST', '/v1/whistles', token, whistleBody([ECOLOGY]));
    expect((await api.call('POST', `/v1/cases/${late.body.caseId}/responses`, eco, {})).status).toBe(200);
    const latePhoto = jpeg(3000);
    const lateId = await uploadPhoto(base, eco, latePhoto);
    expect((await api.call('POST', `/v1/cases/${late.body.caseId}/completions`, eco, { result: '补充照片', attachmentIds: [lateId] })).status).toBe(200);
    while (readdirSync(backups).includes(`backup-${stampNow()}`)) await new Promise((r) => setTimeout(r, 100));
    const again = backup(dataDir, backups);
    expect(again).toMatchObject({ status: 0, err: '' });
    const second = readdirSync(backups).filter((f) => f.startsWith('backup-') && f !== folder);
    expect(second).toHaveLength(1);
    const secondBlobs = blobsIn(join(backups, second[0]));
    expect(secondBlobs).toEqual(blobsIn(dataDir));
    const summary2 = blobSummary(again.out);
    expect(summary2).toEqual({ referenced: secondBlobs.size, copied: [...secondBlobs].filter((s) => !first.has(s)).length, skipped: first.size });
    expect(secondBlobs.has(sha256(latePhoto))).toBe(true);
    expect(first.has(sha256(latePhoto))).toBe(false);
    expect(summary2.copied).toBeGreaterThan(0); // at least the photo uploaded since
    for (const [sha, stat] of before) {
      const now = statSync(blobPath(join(backups, 'blobs'), sha));
      expect([sha, now.ino, now.mtimeMs]).toEqual([sha, stat.ino, stat.mtimeMs]);
      expect(statSync(blobPath(join(backups, second[0], 'blobs'), sha)).ino).toBe(stat.ino); // linked, not copied
    }
  }, 180_000);

  it('a blob missing from DATA_DIR or not matching its hash is not copied: the backup is written, lists them, and fails', async () => {
    await killAllServers();
    const broken = join(dir, 'broken');
    cpSync(dataDir, broken, { recursive: true });
    const [gone, bad, ...fine] = [...blobsIn(broken)];
    rmSync(blobPath(join(broken, 'blobs'), gone));
    writeFileSync(blobPath(join(broken, 'blobs'), bad), jpeg(100));
    const out = join(dir, 'backups-broken');
    const run = backup(broken, out);
    expect(run.status).toBe(1);
    expect(run.err).toContain(`${gone} (missing from ${join(broken, 'blobs')})`);
    expect(run.err).toContain(`${bad} (its bytes do not hash to its name)`);
    const [folder] = readdirSync(out).filter((f) => f.startsWith('backup-'));
    expect(
      readFileSync(join(out, folder, 'BLOBS-NOT-COPIED.txt'), 'utf8')
        .split('\n')
        .filter(Boolean),
    ).toHaveLength(2);
    expect(blobsIn(join(out, folder))).toEqual(new Set(fine));
    for (const sha of fine) expect(sha256(readFileSync(blobPath(join(out, folder, 'blobs'), sha)))).toBe(sha);
  }, 60_000);

  it('backup and rebuild refuse an existing but empty DATA_DIR, naming the store path, and leave the folder empty', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const store = join(empty, 'events.sqlite');
    expect(backup(empty, join(dir, 'b-empty'))).toMatchObject({ status: 2, err: `backup: no event store at ${store} (is DATA_DIR right?); nothing written\n` });
    const rebuild = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'],
      {
        env: { ...process.env, DATA_DIR: empty },
        encoding: 'utf8',
      },
    );
    expect([rebuild.status, rebuild.stderr]).toEqual([2, `rebuild: no event store at ${store} (is DATA_DIR right?); nothing rebuilt\n`]);
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(join(dir, 'b-empty'))).toBe(false);
  });

  it('backup and rebuild refuse a DATA_DIR without a store, naming the path and creating nothing; a file as target is refused; a stopped store backs up', async () => {
    const missing = backup(join(dir, 'nowhere'), join(dir, 'b'));
    expect(missing).toMatchObject({ status: 2, err: expect.stringContaining(`no event store at ${join(dir, 'nowhere', 'events.sqlite')}`) });
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false); // the store was not created by looking for it
    const rebuildMissing = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/projector/src/rebuild.command.js'), 'all'],
      {
        env: { ...process.env, DATA_DIR: join(dir, 'nowhere') },
        encoding: 'utf8',
      },
    );
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
