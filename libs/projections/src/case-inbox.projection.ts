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

  apply(db: DatabaseSync, event: RecordedEvent) {
    if (!event.streamName.startsWith('case-')) return;
    const caseId = event.streamName.slice('case-'.length);
    const row = db.prepare('SELECT state FROM case_inbox WHERE case_id = ?').get(caseId) as { state: string } | undefined;
    const before = row ? (JSON.parse(row.state) as CaseState) : null;
    const state = evolve(before, { type: event.type, data: event.data } as CaseEvent);
    if (!state) return;
    db.prepare(
      `INSERT INTO case_inbox (case_id, county_id, township_id, status, category, raised_at, version, position, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(case_id) DO UPDATE SET status = excluded.status, version = excluded.version,
         position = excluded.position, state = excluded.state`,
    ).run(caseId, state.countyId, state.townshipId, state.status, state.category, state.raisedAt, event.revision, event.position, JSON.stringify(state));
    const holders = new Set(state.parts.filter((p) => p.status !== 'closed').map((p) => p.departmentId));
    const upsert = db.prepare(
      `INSERT INTO case_inbox_departments (case_id, department_id, holding) VALUES (?, ?, ?)
       ON CONFLICT(department_id, case_id) DO UPDATE SET holding = excluded.holding`,
    );
    for (const departmentId of state.involvedDepartmentIds) upsert.run(caseId, departmentId, holders.has(departmentId) ? 1 : 0);
  },
};
