import { DatabaseSync } from 'node:sqlite';
import { noWorkflow, type CaseState, type DeadlineBasis, type PartState } from '@chuishao/domain';
import { StoredStates, type StoredRow } from './stored-state';

const basis = (matterCode: string | null): DeadlineBasis => ({
  policyVersion: 'county/demo-2026.1/cn-national-2026.1',
  calendarVersion: 'cn-national-2026.1',
  catalogVersion: 'demo-2026.1',
  matterCode,
  response: { amount: 2, unit: 'hours', clock: 'working' },
  completion: { amount: 3, unit: 'days', clock: 'working' },
  provisional: false,
  provisionalYears: [],
});

const part = (partId: string, departmentId: string, b: DeadlineBasis): PartState => ({
  partId,
  departmentId,
  status: 'in_progress',
  round: 1,
  assignedAt: '2026-03-02T01:00:00.000Z',
  roundStartedAt: '2026-03-02T01:00:00.000Z',
  responseRemindAt: '2026-03-02T02:06:00.000Z',
  responseDueAt: '2026-03-02T02:30:00.000Z',
  respondedAt: '2026-03-02T01:30:00.000Z',
  completionRemindAt: '2026-03-05T02:00:00.000Z',
  completionDueAt: '2026-03-05T09:30:00.000Z',
  basis: b,
  completedAt: null,
  result: '已到场处置',
  review: null,
  reviewedRound: 0,
  outcome: null,
  transfers: [],
  responseAlert: 'none',
  completionAlert: 'reminded',
  urges: 1,
  workflow: noWorkflow(),
});

const state = (caseId: string, parts: PartState[]): CaseState => ({
  caseId,
  townshipId: 'twp-maan',
  countyId: 'county-qingchuan',
  title: '夜间违规施工',
  description: '夜间违规施工：群众多次反映',
  category: 'resident_request',
  location: { address: 'twp-maan 第22网格' },
  matterCode: 'HC-005',
  status: 'open',
  raisedAt: '2026-03-02T01:00:00.000Z',
  closedAt: null,
  policyVersion: 'county/demo-2026.1/cn-national-2026.1',
  limits: { response: { amount: 2, unit: 'hours', clock: 'working' }, completion: { amount: 3, unit: 'days', clock: 'working' }, maxReworkRounds: 2 },
  parts,
  leadPartId: parts[0]?.partId ?? 'p1',
  involvedDepartmentIds: parts.map((p) => p.departmentId),
});

/** The row as the inbox writes it: the state's text beside the columns it leaves out. */
const rowOf = (s: CaseState, text: string): StoredRow => ({
  case_id: s.caseId,
  township_id: s.townshipId,
  county_id: s.countyId,
  status: s.status,
  category: s.category,
  raised_at: s.raisedAt,
  title: s.title,
  description: s.description,
  state: text,
});

describe('the inbox’s stored case state', () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE shared (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  });
  afterEach(() => db.close());

  it('restores exactly the state it stored, every field, without field names, columns, bases or limits in the text', () => {
    const shared = basis('HC-005');
    const reviewed: PartState = {
      ...part('p2', 'dept-enforcement', shared),
      status: 'closed',
      completedAt: '2026-03-04T08:00:00.000Z',
      reviewedRound: 1,
      outcome: 'resolved',
      review: { round: 1, resolved: true, satisfaction: 'basically_satisfied', comment: '基本满意', reviewedAt: '2026-03-04T09:00:00.000Z' },
      transfers: [
        { kind: 'transfer', fromDepartmentId: 'dept-water', toDepartmentId: 'dept-enforcement', reason: '非本部门职责', at: '2026-03-02T01:10:00.000Z' },
      ],
    };
    const original: CaseState = {
      ...state('c1', [part('p1', 'dept-housing', shared), reviewed, part('p3', 'dept-water', basis(null))]),
      sourceRef: '12345-2026-0001',
      location: { address: 'twp-maan 第22网格', grid: 'G-22', lat: 32.58, lng: 105.23 },
      involvedDepartmentIds: ['dept-housing', 'dept-water', 'dept-enforcement'],
    };
    const states = new StoredStates(db, 'shared');
    states.startTransaction();
    const text = states.store(original);
    for (const absent of ['夜间违规施工', 'calendarVersion', 'maxReworkRounds', 'completionRemindAt', 'twp-maan"', 'resident_request', 'c1'])
      expect(text).not.toContain(absent);
    expect(text.length).toBeLessThan(JSON.stringify(original).length * 0.5);
    // Two distinct bases and one limits, stored once each.
    expect(db.prepare('SELECT COUNT(*) AS n FROM shared').get()).toEqual({ n: 3 });

    // A reader on its own (cold cache) gets the same state back.
    const restored = new StoredStates(db, 'shared').restore(rowOf(original, text));
    expect(restored).toStrictEqual(original);
  });

  it('keeps the lead part and the parts’ 延期/退单/申诉 state; a row written before them restores led by its first part, with nothing pending', () => {
    const p2: PartState = {
      ...part('p2', 'dept-water', basis(null)),
      workflow: {
        extensionsApproved: 1,
        pendingExtension: { round: 1, reason: '等待检测报告', workingDays: 2, requestedAt: '2026-03-03T01:00:00.000Z' },
        pendingReturn: {
          reason: '职能不符',
          suggestedDepartmentId: null,
          returnedAt: '2026-03-03T02:00:00.000Z',
          decisionRemindAt: '2026-03-03T03:36:00.000Z',
          decisionDueAt: '2026-03-03T04:00:00.000Z',
          alert: 'none',
        },
        openAppeal: null,
        appeals: [{ round: 1, upheld: false, decidedAt: '2026-03-03T03:00:00.000Z' }],
      },
    };
    const original: CaseState = { ...state('c1', [part('p1', 'dept-housing', basis(null)), p2]), leadPartId: 'p2' };
    const states = new StoredStates(db, 'shared');
    states.startTransaction();
    const text = states.store(original);
    expect(states.restore(rowOf(original, text))).toStrictEqual(original);

    const older = JSON.parse(text) as unknown[][];
    older.pop();
    for (const stored of older[6] as unknown[][]) stored.pop();
    const restored = states.restore(rowOf(original, JSON.stringify(older)));
    expect(restored.leadPartId).toBe('p1');
    expect(restored.parts[1].workflow).toEqual(noWorkflow());
  });

  it('leaves out on restore the optional fields the state did not have', () => {
    const original = state('c1', [
      {
        ...part('p1', 'dept-housing', basis(null)),
        review: { round: 1, resolved: false, satisfaction: 'dissatisfied', reviewedAt: '2026-03-04T09:00:00.000Z' },
      },
    ]);
    delete original.matterCode;
    const states = new StoredStates(db, 'shared');
    states.startTransaction();
    const restored = states.restore(rowOf(original, states.store(original)));
    expect(restored).toStrictEqual(original);
    expect('matterCode' in restored).toBe(false);
    expect('sourceRef' in restored).toBe(false);
    expect('comment' in restored.parts[0].review!).toBe(false);
  });

  it('gives a basis the same key everywhere, and writes it again in each transaction (a rolled-back one takes its bases along)', () => {
    const states = new StoredStates(db, 'shared');
    db.exec('BEGIN');
    states.startTransaction();
    const first = states.store(state('c1', [part('p1', 'dept-housing', basis('HC-005'))]));
    db.exec('ROLLBACK');
    expect(db.prepare('SELECT COUNT(*) AS n FROM shared').get()).toEqual({ n: 0 });

    db.exec('BEGIN');
    states.startTransaction();
    // An equal basis in another object: the same key, written again in this transaction.
    const second = states.store(state('c1', [part('p1', 'dept-housing', basis('HC-005'))]));
    db.exec('COMMIT');
    expect(second).toBe(first);
    expect(new StoredStates(db, 'shared').restore(rowOf(state('c1', []), second)).parts[0].basis).toEqual(basis('HC-005'));
  });

  it('refuses a state stored by an older version (an object), rather than answer from half of it', () => {
    const original = state('c1', []);
    const text = JSON.stringify({ ...original, title: undefined, description: undefined });
    expect(() => new StoredStates(db, 'shared').restore(rowOf(original, text))).toThrow(/case c1 is stored by an older version/);
  });

  it('refuses a state whose basis is missing, rather than answer without its deadline basis', () => {
    const original = state('c1', [part('p1', 'dept-housing', basis(null))]);
    const states = new StoredStates(db, 'shared');
    states.startTransaction();
    const text = states.store(original);
    const key = (JSON.parse(text) as unknown[][][])[6][0][10] as string;
    db.prepare('DELETE FROM shared WHERE key = ?').run(key);
    expect(() => new StoredStates(db, 'shared').restore(rowOf(original, text))).toThrow(new RegExp(`no shared value ${key}`));
  });
});
