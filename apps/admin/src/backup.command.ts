import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupSqliteStore, BackupRefused } from '@chuishao/event-store';
import { loadConfig } from '@chuishao/runtime';

/**
 * A consistent backup of the embedded event store, safe next to a running service:
 *
 *   npm run backup -- /backups/chuishao
 *
 * writes /backups/chuishao/events-<UTC timestamp>.sqlite (the folder is created if needed; a file is never overwritten).
 * Restore: stop the service, put the file at $DATA_DIR/events.sqlite, start it; the read models are rebuilt from
 * it (`npm run rebuild -- all`). EventStoreDB is backed up by its own procedure (a copy of its database files, as its
 * documentation describes); this command refuses it.
 */
async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: npm run backup -- <folder>   (writes <folder>/events-<UTC timestamp>.sqlite while the service keeps serving)');
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
  const target = join(folder, `events-${new Date(started).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.sqlite`);
  try {
    mkdirSync(folder, { recursive: true });
    const result = await backupSqliteStore(config.store.file, target);
    console.log(
      `backup of ${config.store.file} written to ${result.target}: ${result.events} events up to position ${result.head ?? 'none'}, ` +
        `${(result.bytes / 1_048_576).toFixed(1)} MiB, integrity ok, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`backup failed, nothing written at ${target}: ${message}`);
    return error instanceof BackupRefused ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
