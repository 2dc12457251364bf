import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { prepared } from './transactions';

/** A read-model table as a session reads and writes it: one row per key. */
export interface TableSpec {
  table: string;
  /** Every column, in the order `put` takes values. */
  columns: readonly string[];
  /** The columns of its unique key (a unique index, so that a rebuild can drop it: see KeylessRows). */
  key: readonly string[];
  /** Columns a later put may change; the others keep what the first put wrote. */
  mutable: readonly string[];
  /** Columns `get` returns. */
  read: readonly string[];
}

/** How a session finds and writes rows; one per session (it may remember which rows exist). */
export interface TableRows {
  /** The row's `read` columns, or undefined when there is none. */
  get(...key: string[]): Record<string, unknown> | undefined;
  /** Inserts the row, or updates its mutable columns. */
  put(values: readonly SQLInputValue[]): void;
}

/** Rows found through the table's unique key index: the live projection's way. */
export class KeyedRows implements TableRows {
  private readonly select: StatementSync;
  private readonly upsert: StatementSync;
  private readonly keyAt: number[];

  /**
   * `empty`: the session starts on a table holding none of the rows it will write, and is their only
   * writer (SessionOptions.empty), so a key it has not put has no row: not looked up.
   */
  constructor(
    db: DatabaseSync,
    spec: TableSpec,
    private readonly seen: Set<string> | null = null,
  ) {
    this.keyAt = spec.key.map((k) => spec.columns.indexOf(k));
    this.select = prepared(db, `SELECT ${spec.read.join(', ')} FROM ${spec.table} WHERE ${spec.key.map((k) => `${k} = ?`).join(' AND ')}`);
    this.upsert = prepared(
      db,
      `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES (${spec.columns.map(() => '?').join(', ')})
       ON CONFLICT(${spec.key.join(', ')}) DO UPDATE SET ${spec.mutable.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
  }

  static of(db: DatabaseSync, spec: TableSpec, options: { empty?: boolean } = {}): KeyedRows {
    return new KeyedRows(db, spec, options.empty ? new Set() : null);
  }

  get(...key: string[]): Record<string, unknown> | undefined {
    if (this.seen && !this.seen.has(keyText(key))) return undefined;
    return this.select.get(...key) as Record<string, unknown> | undefined;
  }

  put(values: readonly SQLInputValue[]): void {
    this.upsert.run(...values);
    this.seen?.add(keyText(this.keyAt.map((i) => values[i] as string)));
  }
}

/**
 * Rows found by rowid, for a table whose unique key index is absent: a partitioned rebuild fills a new
 * generation without it and builds it once at the merge (GenerationalProjection.dropIndexes). Updated
 * row by row, a random key's index (case ids are UUIDs) had most of its pages rewritten in every commit:
 * about half of all a rebuild wrote. The keys' rowids come from one scan at the start (the rows written
 * before a crash, when a partition resumes), then from the session's own inserts.
 */
export class KeylessRows implements TableRows {
  private readonly rowids = new Map<string, number>();
  private readonly select: StatementSync;
  private readonly insert: StatementSync;
  private readonly update: StatementSync;
  private readonly keyAt: number[];
  private readonly mutableAt: number[];

  constructor(db: DatabaseSync, spec: TableSpec) {
    this.keyAt = spec.key.map((k) => spec.columns.indexOf(k));
    this.mutableAt = spec.mutable.map((c) => spec.columns.indexOf(c));
    const scan = prepared(db, `SELECT rowid, ${spec.key.join(', ')} FROM ${spec.table}`);
    scan.setReturnArrays(true);
    for (const [rowid, ...key] of scan.iterate() as Iterable<[number, ...string[]]>) this.rowids.set(keyText(key), rowid);
    this.select = prepared(db, `SELECT ${spec.read.join(', ')} FROM ${spec.table} WHERE rowid = ?`);
    this.insert = prepared(db, `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES (${spec.columns.map(() => '?').join(', ')})`);
    this.update = prepared(db, `UPDATE ${spec.table} SET ${spec.mutable.map((c) => `${c} = ?`).join(', ')} WHERE rowid = ?`);
  }

  get(...key: string[]): Record<string, unknown> | undefined {
    const rowid = this.rowids.get(keyText(key));
    return rowid === undefined ? undefined : (this.select.get(rowid) as Record<string, unknown> | undefined);
  }

  put(values: readonly SQLInputValue[]): void {
    const key = keyText(this.keyAt.map((i) => values[i] as string));
    const rowid = this.rowids.get(key);
    if (rowid === undefined) this.rowids.set(key, Number(this.insert.run(...values).lastInsertRowid));
    else this.update.run(...this.mutableAt.map((i) => values[i]), rowid);
  }
}

/** One string per key; the unit separator appears in no id. */
const keyText = (key: readonly string[]): string => (key.length === 1 ? key[0] : key.join('\x1f'));
