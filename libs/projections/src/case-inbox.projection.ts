import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { evolve, nextDeadlineCheck, type AlertLevel, type CaseEvent, type CaseState } from '@chuishao/domain';
import type { RecordedEvent } from '@chuishao/event-store';
import type { Projection } from './projection';

/**
 * The inbox read model: one row per case holding the folded case state, plus one row per department
 * that holds or held a part, so "my cases" is an indexed lookup for every kind of caller.
 */
export const caseInboxProjection: Projection = {
  name: 'case-inbox',
  version: 2,

  drop(db: DatabaseSync) {
    db.exec('DROP TABLE IF EXISTS case_inbox; DROP TABLE IF EXISTS case_inbox_departments;');
  },

  setup(db: DatabaseSync) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS case_inbox (
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
        state TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS case_inbox_township ON case_inbox (township_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS case_inbox_county ON case_inbox (county_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS case_inbox_next_check ON case_inbox (next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS case_inbox_departments (
        case_id TEXT NOT NULL,
        department_id TEXT NOT NULL,
        holding INTEGER NOT NULL,
        PRIMARY KEY (department_id, case_id)
      );
    `);
  },

  applyBatch(db: DatabaseSync, events: readonly RecordedEvent[]) {
    const docs = new Map<string, InboxDoc>();
    foldInbox(db, events, docs);
    flushInbox(db, docs);
  },

  session(db: DatabaseSync) {
    const docs = new Map<string, InboxDoc>();
    return {
      fold: (events) => foldInbox(db, events, docs),
      flush() {
        flushInbox(db, docs);
        trim(docs, SESSION_CASES);
      },
    };
  },
};

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
function foldInbox(db: DatabaseSync, events: readonly RecordedEvent[], docs: Map<string, InboxDoc>): void {
  const sql = statements(db);
  for (const event of events) {
    if (!event.streamName.startsWith('case-')) continue;
    const caseId = event.streamName.slice('case-'.length);
    let doc = docs.get(caseId);
    if (doc) {
      // Re-insert: the Map's order then tells which cases were touched least recently (trimmed first).
      docs.delete(caseId);
    } else {
      const row = sql.load.get(caseId) as { state: string } | undefined;
      doc = { state: row ? (JSON.parse(row.state) as CaseState) : null, version: -1, position: -1, dirty: false, departments: null };
    }
    docs.set(caseId, doc);
    doc.state = evolve(doc.state, { type: event.type, data: event.data } as CaseEvent);
    doc.version = event.revision;
    doc.position = event.position;
    doc.dirty = true;
  }
}

function flushInbox(db: DatabaseSync, docs: Map<string, InboxDoc>): void {
  const sql = statements(db);
  for (const [caseId, doc] of docs) {
    const state = doc.state;
    if (!doc.dirty || !state) continue;
    doc.dirty = false;
    sql.upsertCase.run(
      caseId, state.countyId, state.townshipId, state.status, state.category, state.raisedAt, state.title, state.description,
      nextDeadlineCheck(state), earliestDue(state), alertLevel(state), doc.version, doc.position, JSON.stringify(state),
    );
    const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
    const departments = state.involvedDepartmentIds.map((d) => (holders.has(d) ? `+${d}` : `-${d}`)).join(' ');
    if (departments === doc.departments) continue;
    for (const departmentId of state.involvedDepartmentIds) sql.upsertDepartment.run(caseId, departmentId, holders.has(departmentId) ? 1 : 0);
    doc.departments = departments;
  }
}

interface InboxStatements {
  load: StatementSync;
  upsertCase: StatementSync;
  upsertDepartment: StatementSync;
}

const prepared = new WeakMap<DatabaseSync, InboxStatements>();
function statements(db: DatabaseSync): InboxStatements {
  let s = prepared.get(db);
  if (!s) {
    s = {
      load: db.prepare('SELECT state FROM case_inbox WHERE case_id = ?'),
      upsertCase: db.prepare(
        `INSERT INTO case_inbox (case_id, county_id, township_id, status, category, raised_at, title, description,
           next_check_at, earliest_due_at, alert_level, version, position, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(case_id) DO UPDATE SET status = excluded.status, next_check_at = excluded.next_check_at,
           earliest_due_at = excluded.earliest_due_at, alert_level = excluded.alert_level, version = excluded.version,
           position = excluded.position, state = excluded.state`,
      ),
      upsertDepartment: db.prepare(
        `INSERT INTO case_inbox_departments (case_id, department_id, holding) VALUES (?, ?, ?)
         ON CONFLICT(department_id, case_id) DO UPDATE SET holding = excluded.holding`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

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
