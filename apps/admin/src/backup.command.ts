import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupSqliteDatabase, backupSqliteStore, BackupRefused } from '@chuishao/event-store';
import { loadConfig } from '@chuishao/runtime';
import { copyBlobs, referencedBlobs, syncDir } from './evidence-backup';

/**
 * A consistent backup of the embedded event store and its evidence files, safe next to a running service:
 *
 *   npm run backup -- /backups/chuishao
 *
 * writes one folder per run, /backups/chuishao/backup-<UTC timestamp>/ with
 *   events.sqlite        the event store (SQLite online backup, integrity-checked)
 *   attachments.sqlite   the upload catalog (likewise; absent when the service never kept a catalog)
 *   blobs/ab/cd/<sha256> every blob the copied events or catalog refer to
 * The blobs are kept once, in /backups/chuishao/blobs/ (content-addressed: a blob already there with the right
 * SHA-256 is not copied again), and hard-linked into each run's folder, so every folder is a whole backup on its own.
 * A folder is written under a temporary name and renamed into place when complete; nothing is ever overwritten.
 *
 * Restore: stop the service, copy the folder's contents into an empty DATA_DIR, `npm run rebuild -- all`, start it.
 * EventStoreDB is backed up by its own procedure (a copy of its database files, as its documentation describes); this
 * command refuses it.
 */
async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: npm run backup -- <folder>   (writes <folder>/backup-<UTC timestamp>/ while the service keeps serving)');
    return 2;
  }
  const config = loadConfig();
  if (config.store.kind !== 'sqlite') {
    console.error(`backup: EVENT_STORE=${config.store.kind} keeps its events in EventStoreDB; back it up with EventStoreDB's own tools`);
    return 2;
  }
  if (!existsSync(config.store.file)) {
    console.error(`backup: no event store at ${config.store.file} (is DATA_DIR right?); nothing written`);
    return 2;
  }
  const folder = resolve(args[0]);
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    console.error(`backup: ${folder} is a file; name a folder to write the backup into`);
    return 2;
  }
  const started = Date.now();
  const target = join(
    folder,
    `backup-${new Date(started)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`,
  );
  if (existsSync(target)) {
    console.error(`backup: ${target} exists; a backup never overwrites one (run it again in a second)`);
    return 2;
  }
  const partial = `${target}.partial-${process.pid}`;
  try {
    mkdirSync(partial, { recursive: true });
    // The order makes the copies agree while the service writes. The service stores a blob, then records its upload
    // in the catalog (and claims it for a case), and only then appends the event naming it. So: the event store
    // first; then the catalog, which holds every upload those events name (and maybe later ones); then the blobs,
    // each of which was on disk before the catalog row or event naming it, so every blob they refer to exists now.
    const events = await backupSqliteStore(config.store.file, join(partial, 'events.sqlite'));
    const catalogSource = join(config.dataDir, 'attachments.sqlite');
    const catalog = existsSync(catalogSource)
      ? await backupSqliteDatabase(catalogSource, join(partial, 'attachments.sqlite'), (copy) =>
          Number((copy.prepare('SELECT COUNT(*) AS n FROM attachments').get() as { n: number }).n),
        )
      : null;
    const { blobs, invalid } = referencedBlobs(join(partial, 'events.sqlite'), catalog ? join(partial, 'attachments.sqlite') : null);
    const copy = await copyBlobs(join(config.dataDir, 'blobs'), join(folder, 'blobs'), join(partial, 'blobs'), blobs);
    const lost = [
      ...copy.missing.map((s) => `${s} (missing from ${join(config.dataDir, 'blobs')})`),
      ...copy.corrupt.map((s) => `${s} (its bytes do not hash to its name)`),
      ...invalid.map((s) => `${JSON.stringify(s)} (not a SHA-256)`),
    ];
    if (lost.length) writeFileSync(join(partial, 'BLOBS-NOT-COPIED.txt'), `${lost.join('\n')}\n`);
    await syncDir(partial);
    renameSync(partial, target);
    await syncDir(folder);
    console.log(
      `backup of ${config.dataDir} written to ${target}: ` +
        `events.sqlite ${events.events} events up to position ${events.head ?? 'none'} (${mib(events.bytes)}, integrity ok); ` +
        (catalog ? `attachments.sqlite ${catalog.checked} uploads (${mib(catalog.bytes)}, integrity ok); ` : 'no upload catalog (nothing uploaded yet); ') +
        `blobs ${blobs.length} referenced: ${copy.copied} copied (${copy.bytesCopied} bytes, sha256 verified), ${copy.skipped} already in ${join(folder, 'blobs')}; ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (lost.length) {
      console.error(
        `backup: ${lost.length} referenced blob(s) could not be copied; this backup lacks their evidence (listed in ${join(target, 'BLOBS-NOT-COPIED.txt')}):\n${lost.join('\n')}`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    console.error(`backup failed, nothing written at ${target}: ${message}`);
    return error instanceof BackupRefused ? 2 : 1;
  }
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

main(process.argv.slice(2)).then((code) => process.exit(code));
