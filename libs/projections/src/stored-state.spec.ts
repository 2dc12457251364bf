import { DatabaseSync } from 'node:sqlite';
import type { CaseState, DeadlineBasis, PartState } from '@chuishao/domain';
import { StoredStates } from './stored-state';

const basis = (matterCode: string | null): DeadlineBasis => ({
  policyVersion: 'county/demo-2026.1/cn-national-2026.1',
  calendarVersion: 'cn-national-2026.1',
  catalogVersion: 'demo-2026.1',
  matterCode,
  response: { amount: 2, unit: 'hours', clock: 'working' },
  completion: { amount: 3, unit: 'days', clock: 'working' },
});

const part = (partId: string, departmentId: string, b: DeadlineBasis): PartState => ({
  partId, departmentId, status: 'in_progress', round: 1, assignedAt: '2026-03-02T01:00:00.000Z',
  responseRemindAt: '2026-03-02T02:06:00.000Z', responseDueAt: '2026-03-02T02:30:00.000Z', respondedAt: '2026-03-02T01:30:00.000Z',
  completionRemindAt: '2026-03-05T02:00:00.000Z', completionDueAt: '2026-03-05T09:30:00.000Z', basis: b, completedAt: null,
  result: '已到场处置', review: null, reviewedRound: 0, outcome: null, transfers: [], responseAlert: 'none', completionAlert: 'reminded', urges: 1,
});

const state = (caseId: string, parts: PartState[]): CaseState => ({
  caseId, townshipId: 'twp-maan', countyId: 'county-qingchuan', title: '夜间违规施工', description: '夜间违规施工：群众多次反映',
  category: 'resident_request', location: { address: 'twp-maan 第22网格' }, matterCode: 'HC-005', status: 'open',
  raisedAt: '2026-03-02T01:00:00.000Z', closedAt: null, policyVersion: 'county/demo-2026.1/cn-national-2026.1',
  limits: { response: { amount: 2, unit: 'hours', clock: 'working' }, completion: { amount: 3, unit: 'days', clock: 'working' }, maxReworkRounds: 2 },
  parts, involvedDepartmentIds: parts.map((p) => p.departmentId),
});

describe('the inbox’s stored case state', () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE bases (key TEXT PRIMARY KEY, basis TEXT NOT NULL) WITHOUT ROWID');
  });
  afterEach(() => db.close());

  it('restores exactly the state it stored, without keeping title, description or bases in the text', () => {
    const shared = basis('HC-005');
    const original = state('c1', [part('p1', 'dept-housing', shared), part('p2', 'dept-enforcement', shared), part('p3', 'dept-water', basis(null))]);
    const states = new StoredStates(db, 'bases');
    states.startTransaction();
    const text = states.store(original);
    expect(text).not.toContain('夜间违规施工');
    expect(text).not.toContain('calendarVersion');
    expect(text.length).toBeLessThan(JSON.stringify(original).length * 0.75);
    // Two distinct bases, stored once each.
    expect(db.prepare('SELECT COUNT(*) AS n FROM bases').get()).toEqual({ n: 2 });

    // A reader on its own (cold cache) gets the same state back.
    const restored = new StoredStates(db, 'bases').restore({ state: text, title: original.title, description: original.description });
    expect(restored).toEqual(original);
  });

  it('gives a basis the same key everywhere, and writes it again in each transaction (a rolled-back one takes its bases along)', () => {
    const states = new StoredStates(db, 'bases');
    db.exec('BEGIN');
    states.startTransaction();
    const first = states.store(state('c1', [part('p1', 'dept-housing', basis('HC-005'))]));
    db.exec('ROLLBACK');
    expect(db.prepare('SELECT COUNT(*) AS n FROM bases').get()).toEqual({ n: 0 });

    db.exec('BEGIN');
    states.startTransaction();
    // An equal basis in another object: the same key, written again in this transaction.
    const second = states.store(state('c1', [part('p1', 'dept-housing', basis('HC-005'))]));
    db.exec('COMMIT');
    expect(second).toBe(first);
    expect(new StoredStates(db, 'bases').restore({ state: second, title: 't', description: 'd' }).parts[0].basis).toEqual(basis('HC-005'));
  });

  it('refuses a state whose basis is missing, rather than answer without its deadline basis', () => {
    const text = JSON.stringify({ ...state('c1', []), parts: [{ ...part('p1', 'dept-housing', basis(null)), basis: 'no-such-key' }] });
    expect(() => new StoredStates(db, 'bases').restore({ state: text, title: 't', description: 'd' })).toThrow(/no deadline basis no-such-key/);
  });
});
