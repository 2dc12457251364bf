import type { DatabaseSync } from 'node:sqlite';
import { caseIdOf, decode, evolve, isCaseStream, nextDeadlineCheck, pendingMovesOf, type AlertLevel, type CaseState } from '@chuishao/domain';
import { liveProjection, PerGeneration, type GenerationalProjection } from './generations';
import { documentProjection, type DocumentModel, type GenerationTables } from './session';
import type { Projection, SessionOptions } from './projection';
import { STORED_ROW_COLUMNS, StoredStates, type StoredRow } from './stored-state';
import { KeyedRows, KeylessRows, type TableRows, type TableSpec } from './table-rows';

export const CASE_INBOX = 'case-inbox';

/** Generation 1 keeps the names the inbox had before it had generations. */
export function inboxTables(generation: number): { cases: string; departments: string; shared: string } {
  const cases = generation === 1 ? 'case_inbox' : `case_inbox_g${generation}`;
  return { cases, departments: `${cases}_departments`, shared: `${cases}_shared` };
}

const TABLE = /^case_inbox(?:_g(\d+))?$/;

/**
 * The inbox read model: one row per case holding the folded case state, plus one row per department
 * that holds or held a part, so "my cases" is an indexed lookup for every kind of caller. Tables per
 * generation, so `rebuildProjection(store, db, caseInboxGenerations)` can rebuild it while it serves.
 * A case's document is its state folded with the domain's own evolve (session.ts does the folding).
 */
const inboxTablesPerGeneration: GenerationTables = {
  name: CASE_INBOX,
  // 3: the state column holds the compact StoredState (stored-state.ts). 4: unique keys as indexes (dropIndexes).
  // 5: the state as a positional array, limits shared like bases (a `_shared` table instead of `_bases`).
  // 6: parts keep when their round's clock started; `provisional_years` for re-basing.
  // 7: `pending`, the moves awaiting a decision (the inbox's `pending` filter).
  version: 7,

  setupGeneration(db, generation) {
    const t = inboxTables(generation);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t.cases} (
        case_id TEXT NOT NULL,
        county_id TEXT NOT NULL,
        township_id TEXT NOT NULL,
        status TEXT NOT NULL,
        category TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        -- The watcher's schedule: when checkDeadlines next has something to record (null: nothing).
        next_check_at TEXT,
        -- The earliest deadline of a running clock: overdue once it is in the past.
        earliest_due_at TEXT,
        -- Highest watcher rung on any part: 0 none, 1 reminded, 2 overdue, 3 escalated.
        alert_level INTEGER NOT NULL,
        -- Provisional calendar years the running clocks rest on ('2027' or '2027,2028'); null: none. Re-basing looks here.
        provisional_years TEXT,
        -- Moves some part awaits a decision on, space-separated in PENDING_MOVES order ('extension return'); null: none.
        pending TEXT,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        -- The rest of the folded case state (stored-state.ts): what these columns do not hold.
        state TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS ${t.cases}_key ON ${t.cases} (case_id);
      CREATE INDEX IF NOT EXISTS ${t.cases}_township ON ${t.cases} (township_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS ${t.cases}_county ON ${t.cases} (county_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS ${t.cases}_next_check ON ${t.cases} (next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${t.cases}_provisional ON ${t.cases} (provisional_years) WHERE provisional_years IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${t.cases}_pending ON ${t.cases} (county_id, raised_at DESC, case_id DESC) WHERE pending IS NOT NULL;
      CREATE TABLE IF NOT EXISTS ${t.departments} (
        case_id TEXT NOT NULL,
        department_id TEXT NOT NULL,
        holding INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS ${t.departments}_key ON ${t.departments} (department_id, case_id);
      CREATE TABLE IF NOT EXISTS ${t.shared} (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `);
  },

  dropIndexes(db, generation) {
    const { cases, departments } = inboxTables(generation);
    for (const index of [
      `${cases}_key`,
      `${cases}_township`,
      `${cases}_county`,
      `${cases}_next_check`,
      `${cases}_provisional`,
      `${cases}_pending`,
      `${departments}_key`,
    ])
      db.exec(`DROP INDEX IF EXISTS ${index}`);
  },

  dropGeneration(db, generation) {
    storedStates.forget(db, generation);
    const t = inboxTables(generation);
    // `_bases`: the shared values' table before version 5.
    db.exec(`DROP TABLE IF EXISTS ${t.cases}; DROP TABLE IF EXISTS ${t.departments}; DROP TABLE IF EXISTS ${t.shared}; DROP TABLE IF EXISTS ${t.cases}_bases;`);
  },

  existingGenerations(db) {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'case_inbox%'").all() as { name: string }[];
    return rows
      .map((r) => TABLE.exec(r.name))
      .filter((m) => m !== null)
      .map((m) => (m![1] ? Number(m![1]) : 1))
      .sort((a, b) => a - b);
  },
};

interface InboxDoc {
  caseId: string;
  state: CaseState | null;
  version: number;
  position: number;
  /** The department rows as last written (null: unknown, write them). */
  departments: string | null;
}

/** Cases a runner's session keeps folded in memory between transactions (a few KiB each). */
const SESSION_CASES = 10_000;

const inboxDocuments: DocumentModel<InboxDoc, InboxRows> = {
  keep: SESSION_CASES,
  canHandle: (event) => isCaseStream(event.streamName),
  keyOf: (event) => event.streamName,
  rows: (db, generation, options) => inboxRows(db, generation, options),
  load(rows, stream) {
    const caseId = caseIdOf(stream)!;
    const row = rows.cases.get(caseId) as StoredRow | undefined;
    return { caseId, state: row ? rows.states.restore(row) : null, version: -1, position: -1, departments: null };
  },
  evolve(doc, event) {
    // A FoldableEvent has no metadata: decode reads it as the current schema version (see decode).
    doc.state = evolve(doc.state, decode(event));
    doc.version = event.revision;
    doc.position = event.position;
    return doc;
  },
  // Shared values are stored again in each transaction that refers to them: one rolled back takes its rows and its values.
  beginFlush: (rows) => rows.states.startTransaction(),
  write(rows, doc) {
    const { caseId, state } = doc;
    if (!state) return;
    rows.cases.put([
      caseId,
      state.countyId,
      state.townshipId,
      state.status,
      state.category,
      state.raisedAt,
      state.title,
      state.description,
      nextDeadlineCheck(state),
      earliestDue(state),
      alertLevel(state),
      provisionalYearsOf(state),
      pendingMovesOf(state).join(' ') || null,
      doc.version,
      doc.position,
      rows.states.store(state),
    ]);
    const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
    const departments = state.involvedDepartmentIds.map((d) => (holders.has(d) ? `+${d}` : `-${d}`)).join(' ');
    if (departments === doc.departments) return;
    for (const departmentId of state.involvedDepartmentIds) rows.departments.put([caseId, departmentId, holders.has(departmentId) ? 1 : 0]);
    doc.departments = departments;
  },
};

export const caseInboxGenerations: GenerationalProjection = documentProjection(inboxTablesPerGeneration, inboxDocuments);

/** What the live runner runs (the projector thread, apps/projector): the active generation's tables. */
export const caseInboxProjection: Projection = liveProjection(caseInboxGenerations);

interface InboxRows {
  states: StoredStates;
  cases: TableRows;
  departments: TableRows;
}

function tableSpecs(generation: number): { cases: TableSpec; departments: TableSpec } {
  const t = inboxTables(generation);
  return {
    cases: {
      table: t.cases,
      columns: [
        'case_id',
        'county_id',
        'township_id',
        'status',
        'category',
        'raised_at',
        'title',
        'description',
        'next_check_at',
        'earliest_due_at',
        'alert_level',
        'provisional_years',
        'pending',
        'version',
        'position',
        'state',
      ],
      key: ['case_id'],
      mutable: ['status', 'next_check_at', 'earliest_due_at', 'alert_level', 'provisional_years', 'pending', 'version', 'position', 'state'],
      read: STORED_ROW_COLUMNS,
    },
    departments: {
      table: t.departments,
      columns: ['case_id', 'department_id', 'holding'],
      key: ['department_id', 'case_id'],
      mutable: ['holding'],
      read: ['holding'],
    },
  };
}

function inboxRows(db: DatabaseSync, generation: number, options: SessionOptions = {}): InboxRows {
  const specs = tableSpecs(generation);
  const rowsOf = (spec: TableSpec) => (options.keyless ? new KeylessRows(db, spec) : KeyedRows.of(db, spec, options));
  return { states: storedStates.get(db, generation), cases: rowsOf(specs.cases), departments: rowsOf(specs.departments) };
}

/** Stores states, and reads them back for queries (case-inbox.query.ts): shared values cached per connection and generation. */
const storedStates = new PerGeneration<StoredStates>((db, generation) => new StoredStates(db, inboxTables(generation).shared));
export const storedStatesOf = (db: DatabaseSync, generation: number): StoredStates => storedStates.get(db, generation);

export const ALERT_LEVELS: readonly AlertLevel[] = ['none', 'reminded', 'overdue', 'escalated'];

function alertLevel(state: CaseState): number {
  return Math.max(0, ...state.parts.flatMap((p) => [ALERT_LEVELS.indexOf(p.responseAlert), ALERT_LEVELS.indexOf(p.completionAlert)]));
}

function earliestDue(state: CaseState): string | null {
  if (state.status !== 'open') return null;
  const due = state.parts.flatMap((p) => (p.status === 'awaiting_response' ? [p.responseDueAt] : p.status === 'in_progress' ? [p.completionDueAt] : []));
  return due.length ? due.sort()[0] : null;
}

/** The provisional years that re-basing would act on: those of parts whose clocks still run (decide's rebase rule). */
export function provisionalYearsOf(state: CaseState): string | null {
  if (state.status !== 'open') return null;
  const years = new Set<string>();
  for (const p of state.parts) {
    if (p.status !== 'awaiting_response' && p.status !== 'in_progress') continue;
    for (const y of p.basis.provisionalYears ?? []) years.add(y);
  }
  return years.size ? [...years].sort().join(',') : null;
}
