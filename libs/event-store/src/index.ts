import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import type { EventStore } from './port';
import { SqliteEventStore, type SqliteSynchronous } from './sqlite/sqlite-event-store';

export * from './port';
export * from './errors';
export { InvalidAppend } from './invalid-append';
export { SqliteEventStore, type SqliteEventStoreOptions, type SqliteSynchronous } from './sqlite/sqlite-event-store';
export { backupSqliteDatabase, backupSqliteStore, BackupRefused, type BackupResult } from './sqlite/sqlite-backup';
export { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory/memory-event-store';

export type EventStoreConfig =
  | { kind: 'sqlite'; file: string; synchronous?: SqliteSynchronous; pollIntervalMs?: number }
  | { kind: 'eventstoredb'; url: string };

/** The one place configuration picks an adapter; callers depend on the port only. */
/** `clock` stamps recordedAt in the embedded store; EventStoreDB records by its own server clock. */
export function createEventStore(config: EventStoreConfig, clock?: () => Date): EventStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore({ file: config.file, synchronous: config.synchronous, pollIntervalMs: config.pollIntervalMs, clock });
    case 'eventstoredb':
      return new EventStoreDbEventStore(config.url);
  }
}
