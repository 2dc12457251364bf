import { DatabaseSync } from 'node:sqlite';
import { KeyedRows, KeylessRows, type TableSpec } from './table-rows';

const spec: TableSpec = {
  table: 'holdings',
  columns: ['case_id', 'department_id', 'assigned_at', 'holding'],
  key: ['department_id', 'case_id'],
  mutable: ['holding'],
  read: ['assigned_at', 'holding'],
};
const KEY_INDEX = 'CREATE UNIQUE INDEX holdings_key ON holdings (department_id, case_id)';

describe('table rows: keyed (through the unique index) and keyless (by rowid, while the index is dropped)', () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE holdings (case_id TEXT NOT NULL, department_id TEXT NOT NULL, assigned_at TEXT NOT NULL, holding INTEGER NOT NULL)');
  });
  afterEach(() => db.close());

  const all = () =>
    db
      .prepare('SELECT case_id, department_id, assigned_at, holding FROM holdings ORDER BY case_id, department_id')
      .all()
      .map((r) => ({ ...r }));

  it('keyless: the first put inserts, later puts change only the mutable columns, get finds rows by their key', () => {
    const rows = new KeylessRows(db, spec);
    expect(rows.get('dept-water', 'c1')).toBeUndefined();
    rows.put(['c1', 'dept-water', '2026-03-02', 1]);
    rows.put(['c1', 'dept-police', '2026-03-02', 1]);
    rows.put(['c1', 'dept-water', '2099-01-01', 0]);
    expect(all()).toEqual([
      { case_id: 'c1', department_id: 'dept-police', assigned_at: '2026-03-02', holding: 1 },
      { case_id: 'c1', department_id: 'dept-water', assigned_at: '2026-03-02', holding: 0 },
    ]);
    expect({ ...rows.get('dept-water', 'c1') }).toEqual({ assigned_at: '2026-03-02', holding: 0 });
    expect(rows.get('c1', 'dept-water')).toBeUndefined();
  });

  it('keyless: a new session (a partition resuming after a crash) finds the rows written before it and updates them', () => {
    new KeylessRows(db, spec).put(['c1', 'dept-water', '2026-03-02', 1]);
    const resumed = new KeylessRows(db, spec);
    expect({ ...resumed.get('dept-water', 'c1') }).toEqual({ assigned_at: '2026-03-02', holding: 1 });
    resumed.put(['c1', 'dept-water', '2026-03-02', 0]);
    resumed.put(['c2', 'dept-water', '2026-03-03', 1]);
    expect(all()).toHaveLength(2);
    expect(all()[0].holding).toBe(0);
  });

  it('the merge builds the unique index over keyless rows; keyed rows then upsert them (a duplicate would fail the index)', () => {
    const keyless = new KeylessRows(db, spec);
    keyless.put(['c1', 'dept-water', '2026-03-02', 1]);
    db.exec(KEY_INDEX);
    const keyed = KeyedRows.of(db, spec);
    expect({ ...keyed.get('dept-water', 'c1') }).toEqual({ assigned_at: '2026-03-02', holding: 1 });
    keyed.put(['c1', 'dept-water', '2099-01-01', 0]);
    keyed.put(['c3', 'dept-water', '2026-03-04', 1]);
    expect(all()).toEqual([
      { case_id: 'c1', department_id: 'dept-water', assigned_at: '2026-03-02', holding: 0 },
      { case_id: 'c3', department_id: 'dept-water', assigned_at: '2026-03-04', holding: 1 },
    ]);
    db.exec('DROP INDEX holdings_key');
    db.exec("INSERT INTO holdings VALUES ('c1', 'dept-water', 'x', 1)");
    expect(() => db.exec(KEY_INDEX)).toThrow(/UNIQUE constraint failed/);
  });

  it('keyed on an empty table: a key the session has not put has no row (not looked up); put keys are', () => {
    db.exec(KEY_INDEX);
    const rows = KeyedRows.of(db, spec, { empty: true });
    // Written behind the session's back, which SessionOptions.empty rules out: the session does not look.
    db.exec("INSERT INTO holdings VALUES ('c9', 'dept-water', '2026-03-02', 1)");
    expect(rows.get('dept-water', 'c9')).toBeUndefined();
    rows.put(['c1', 'dept-water', '2026-03-02', 1]);
    expect({ ...rows.get('dept-water', 'c1') }).toEqual({ assigned_at: '2026-03-02', holding: 1 });
    // Without `empty`, every key is looked up.
    expect({ ...KeyedRows.of(db, spec).get('dept-water', 'c9') }).toEqual({ assigned_at: '2026-03-02', holding: 1 });
  });
});
