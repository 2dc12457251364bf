import type { DatabaseSync } from 'node:sqlite';
import { evolve, type CaseEvent, type CaseState } from '@chuishao/domain';
import type { RecordedEvent } from '@chuishao/event-store';
import type { Projection } from './projection';

/**
 * The inbox read model: one row per case holding the folded case state, plus one row per department
 * that holds or held a part, so "my cases" is an indexed lookup for every kind of caller.
 */
export const caseInboxProjection: Projection = {
  name: 'case-inbox',

  setup(db: DatabaseSync) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS case_inbox (
        case_id TEXT PRIMARY KEY,
        county_id TEXT NOT NULL,
        township_id TEXT NOT NULL,
        status TEXT NOT NULL,
        category TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS case_inbox_township ON case_inbox (township_id, raised_at DESC, case_id DESC);
      CREATE INDEX IF NOT EXISTS case_inbox_county ON case_inbox (county_id, raised_at DESC, case_id DESC);
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
      `INSERT INTO case_inbox (case_id, county_id, township_id, status, category, raised_at, version, position, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(case_id) DO UPDATE SET status = excluded.status, version = excluded.version,
         position = excluded.position, state = excluded.state`,
    );
    const upsertDepartment = db.prepare(
      `INSERT INTO case_inbox_departments (case_id, department_id, holding) VALUES (?, ?, ?)
       ON CONFLICT(department_id, case_id) DO UPDATE SET holding = excluded.holding`,
    );
    for (const [caseId, { state, version, position }] of touched) {
      if (!state) continue;
      upsertCase.run(caseId, state.countyId, state.townshipId, state.status, state.category, state.raisedAt, version, position, JSON.stringify(state));
      const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
      for (const departmentId of state.involvedDepartmentIds) upsertDepartment.run(caseId, departmentId, holders.has(departmentId) ? 1 : 0);
    }
  },
};
