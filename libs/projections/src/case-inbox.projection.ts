import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { evolve, nextDeadlineCheck, type AlertLevel, type CaseEvent, type CaseState } from '@chuishao/domain';
import type { FoldableEvent } from '@chuishao/event-store';
import { liveProjection, PerGeneration, type GenerationalProjection } from './generations';
import type { Projection } from './projection';
import { StoredStates, type StoredRow } from './stored-state';

export const CASE_INBOX = 'case-inbox';

/** Generation 1 keeps the names the inbox had before it had generations. */
export function inboxTables(generation: number): { cases: string; departments: string; bases: string } {
  const cases = generation === 1 ? 'case_inbox' : `case_inbox_g${generation}`;
  return { cases, departments: `${cases}_departments`, bases: `${cases}_bases` };
}

const TABLE = /^case_inbox(?:_g(\d+))?$/;

/**
 * The inbox read model: one row per case holding the folded case state, plus one row per department
 * that holds or held a part, so "my cases" is an indexed lookup for every kind of caller. Tables per
 * generation, so `rebuildProjection(store, db, caseInboxGenerations)` can rebuild it while it serves.
 */
export const caseInboxGenerations: GenerationalProjection = {
  name: CASE_INBOX,
  // 3: the state column holds the compact StoredState (stored-state.ts).
  version: 3,

  setupGeneration(db, generation) {
    const t = inboxTables(generation);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t.cases} (
        case_id TEXT PRIMARY KEY,
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
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        -- The folded case state as StoredState (stored-state.ts), title and description in their columns.
        state TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${t.cases}_township ON ${t.cases} (township_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS ${t.cases}_county ON ${t.cases} (county_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS ${t.cases}_next_check ON ${t.cases} (next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS ${t.departments} (
        case_id TEXT NOT NULL,
        department_id TEXT NOT NULL,
        holding INTEGER NOT NULL,
        PRIMARY KEY (department_id, case_id)
      );
      CREATE TABLE IF NOT EXISTS ${t.bases} (key TEXT PRIMARY KEY, basis TEXT NOT NULL) WITHOUT ROWID;
    `);
  },

  dropReaderIndexes(db, generation) {
    const { cases } = inboxTables(generation);
    db.exec(`DROP INDEX IF EXISTS ${cases}_township; DROP INDEX IF EXISTS ${cases}_county; DROP INDEX IF EXISTS ${cases}_next_check;`);
  },

  dropGeneration(db, generation) {
    statements.forget(db, generation);
    readers.forget(db, generation);
    const t = inboxTables(generation);
    db.exec(`DROP TABLE IF EXISTS ${t.cases}; DROP TABLE IF EXISTS ${t.departments}; DROP TABLE IF EXISTS ${t.bases};`);
  },

  existingGenerations(db) {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'case_inbox%'").all() as { name: string }[];
    return rows.map((r) => TABLE.exec(r.name)).filter((m) => m !== null).map((m) => (m![1] ? Number(m![1]) : 1)).sort((a, b) => a - b);
  },

  applyBatch(db, generation, events) {
    const docs = new Map<string, InboxDoc>();
    const sql = statements.get(db, generation);
    foldInbox(sql, events, docs);
    flushInbox(sql, docs);
  },

  session(db, generation, options) {
    const docs = new Map<string, InboxDoc>();
    const sql = statements.get(db, generation);
    // On empty tables, the cases this session has seen are the only ones with rows.
    const seen = options?.empty ? new Set<string>() : null;
    const keep = Math.ceil(SESSION_CASES / (options?.partitions ?? 1));
    return {
      fold: (events) => foldInbox(sql, events, docs, seen),
      flush() {
        flushInbox(sql, docs);
        trim(docs, keep);
      },
    };
  },
};

/** What the live runner runs (the projector thread, apps/projector): the active generation's tables. */
export const caseInboxProjection: Projection = liveProjection(caseInboxGenerations);

/** Cases a runner's session keeps folded in memory between transactions (a few KiB each). */
const SESSION_CASES = 10_000;

interface InboxDoc {
  state: CaseState | null;
  version: number;
  position: number;
  dirty: boolean;
  /** The department rows as last written (null: unknown, write them). */
  departments: string | null;
}

/** Folds each case's events in memory; flushInbox then writes each touched case once. */
function foldInbox(sql: InboxStatements, events: readonly FoldableEvent[], docs: Map<string, InboxDoc>, seen: Set<string> | null = null): void {
  for (const event of events) {
    if (!event.streamName.startsWith('case-')) continue;
    const caseId = event.streamName.slice('case-'.length);
    let doc = docs.get(caseId);
    if (doc) {
      // Re-insert: the Map's order then tells which cases were touched least recently (trimmed first).
      docs.delete(caseId);
    } else {
      const row = seen && !seen.has(caseId) ? undefined : (sql.load.get(caseId) as StoredRow | undefined);
      seen?.add(caseId);
      doc = { state: row ? sql.bases.restore(row) : null, version: -1, position: -1, dirty: false, departments: null };
    }
    docs.set(caseId, doc);
    doc.state = evolve(doc.state, { type: event.type, data: event.data } as CaseEvent);
    doc.version = event.revision;
    doc.position = event.position;
    doc.dirty = true;
  }
}

function flushInbox(sql: InboxStatements, docs: Map<string, InboxDoc>): void {
  // Bases are stored again in each transaction that refers to them: one rolled back takes its rows and its bases.
  sql.bases.startTransaction();
  for (const [caseId, doc] of docs) {
    const state = doc.state;
    if (!doc.dirty || !state) continue;
    doc.dirty = false;
    sql.upsertCase.run(
      caseId, state.countyId, state.townshipId, state.status, state.category, state.raisedAt, state.title, state.description,
      nextDeadlineCheck(state), earliestDue(state), alertLevel(state), doc.version, doc.position, sql.bases.store(state),
    );
    const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
    const departments = state.involvedDepartmentIds.map((d) => (holders.has(d) ? `+${d}` : `-${d}`)).join(' ');
    if (departments === doc.departments) continue;
    for (const departmentId of state.involvedDepartmentIds) sql.upsertDepartment.run(caseId, departmentId, holders.has(departmentId) ? 1 : 0);
    doc.departments = departments;
  }
}

interface InboxStatements {
  bases: StoredStates;
  load: StatementSync;
  upsertCase: StatementSync;
  upsertDepartment: StatementSync;
}

const statements = new PerGeneration<InboxStatements>((db, generation) => {
  const t = inboxTables(generation);
  return {
    bases: new StoredStates(db, t.bases),
    load: db.prepare(`SELECT state, title, description FROM ${t.cases} WHERE case_id = ?`),
    upsertCase: db.prepare(
      `INSERT INTO ${t.cases} (case_id, county_id, township_id, status, category, raised_at, title, description,
         next_check_at, earliest_due_at, alert_level, version, position, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(case_id) DO UPDATE SET status = excluded.status, next_check_at = excluded.next_check_at,
         earliest_due_at = excluded.earliest_due_at, alert_level = excluded.alert_level, version = excluded.version,
         position = excluded.position, state = excluded.state`,
    ),
    upsertDepartment: db.prepare(
      `INSERT INTO ${t.departments} (case_id, department_id, holding) VALUES (?, ?, ?)
       ON CONFLICT(department_id, case_id) DO UPDATE SET holding = excluded.holding`,
    ),
  };
});

/** Reads stored states back for queries (case-inbox.query.ts): bases cached per connection and generation. */
const readers = new PerGeneration<StoredStates>((db, generation) => new StoredStates(db, inboxTables(generation).bases));
export const storedStatesOf = (db: DatabaseSync, generation: number): StoredStates => readers.get(db, generation);

function trim(docs: Map<string, InboxDoc>, max: number): void {
  for (const key of docs.keys()) {
    if (docs.size <= max) return;
    docs.delete(key);
  }
}

export const ALERT_LEVELS: readonly AlertLevel[] = ['none', 'reminded', 'overdue', 'escalated'];

function alertLevel(state: CaseState): number {
  return Math.max(0, ...state.parts.flatMap((p) => [ALERT_LEVELS.indexOf(p.responseAlert), ALERT_LEVELS.indexOf(p.completionAlert)]));
}

function earliestDue(state: CaseState): string | null {
  if (state.status !== 'open') return null;
  const due = state.parts.flatMap((p) =>
    p.status === 'awaiting_response' ? [p.responseDueAt] : p.status === 'in_progress' ? [p.completionDueAt] : []);
  return due.length ? due.sort()[0] : null;
}
