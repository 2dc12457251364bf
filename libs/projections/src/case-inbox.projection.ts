import type { DatabaseSync } from 'node:sqlite';
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
    // Fold each case's events of the batch in memory, then write each touched case once.
    const touched = new Map<string, { state: CaseState | null; version: number; position: number }>();
    const load = db.prepare('SELECT state FROM case_inbox WHERE case_id = ?');
    for (const event of events) {
      if (!event.streamName.startsWith('case-')) continue;
      const caseId = event.streamName.slice('case-'.length);
      let doc = touched.get(caseId);
      if (!doc) {
        const row = load.get(caseId) as { state: string } | undefined;
        doc = { state: row ? (JSON.parse(row.state) as CaseState) : null, version: -1, position: -1 };
        touched.set(caseId, doc);
      }
      doc.state = evolve(doc.state, { type: event.type, data: event.data } as CaseEvent);
      doc.version = event.revision;
      doc.position = event.position;
    }
    const upsertCase = db.prepare(
      `INSERT INTO case_inbox (case_id, county_id, township_id, status, category, raised_at, title, description,
         next_check_at, earliest_due_at, alert_level, version, position, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(case_id) DO UPDATE SET status = excluded.status, next_check_at = excluded.next_check_at,
         earliest_due_at = excluded.earliest_due_at, alert_level = excluded.alert_level, version = excluded.version,
         position = excluded.position, state = excluded.state`,
    );
    const upsertDepartment = db.prepare(
      `INSERT INTO case_inbox_departments (case_id, department_id, holding) VALUES (?, ?, ?)
       ON CONFLICT(department_id, case_id) DO UPDATE SET holding = excluded.holding`,
    );
    for (const [caseId, { state, version, position }] of touched) {
      if (!state) continue;
      upsertCase.run(
        caseId, state.countyId, state.townshipId, state.status, state.category, state.raisedAt, state.title, state.description,
        nextDeadlineCheck(state), earliestDue(state), alertLevel(state), version, position, JSON.stringify(state),
      );
      const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
      for (const departmentId of state.involvedDepartmentIds) upsertDepartment.run(caseId, departmentId, holders.has(departmentId) ? 1 : 0);
    }
  },
};

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
