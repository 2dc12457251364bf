import { dirname, resolve } from 'node:path';
import { backupSqliteStore, BackupRefused } from '@chuishao/event-store';
import { loadConfig } from '../../api/src/config';

/**
 * A consistent backup of the embedded event store, safe next to a running service:
 *
 *   npm run backup -- /backups/chuishao-$(date +%F).sqlite
 *
 * Restore: stop the service, put the file at $DATA_DIR/events.sqlite, start it; the read models are rebuilt from
 * it (`npm run rebuild -- all`). EventStoreDB is backed up by its own procedure (a copy of its database files, as its
 * documentation describes); this command refuses it.
 */
async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: npm run backup -- <target file>   (a new file; the embedded store is copied while it keeps serving)');
    return 2;
  }
  const config = loadConfig();
  if (config.store.kind !== 'sqlite') {
    console.error(`backup: EVENT_STORE=${config.store.kind} keeps its events in EventStoreDB; back it up with EventStoreDB's own tools`);
    return 2;
  }
  const target = resolve(args[0]);
  const started = Date.now();
  try {
    const result = await backupSqliteStore(config.store.file, target);
    console.log(
      `backup of ${config.store.file} written to ${result.target}: ${result.events} events up to position ${result.head ?? 'none'}, ` +
        `${(result.bytes / 1_048_576).toFixed(1)} MiB, integrity ok, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`backup failed, nothing written at ${target}: ${message}${/ENOENT|unable to open/.test(message) ? ` (does ${dirname(target)} exist?)` : ''}`);
    return error instanceof BackupRefused ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
