import { MemoryEventStore } from '@chuishao/event-store';
import { auditCsv } from './csv';
import { decodeCursor, encodeCursor, InvalidAuditCursor, readAudit } from './reader';
import { RefusalRecorder } from './recorder';
import { refusalAt } from './testing';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

describe('audit cursors', () => {
  it('round-trip, and anything else is refused', () => {
    expect(decodeCursor(encodeCursor({ day: '2026-12-01', revision: 42 }))).toEqual({ day: '2026-12-01', revision: 42 });
    for (const bad of [
      '',
      'x',
      '!!!',
      Buffer.from('2026-02-30.1').toString('base64url'),
      Buffer.from('2026-13-01.1').toString('base64url'),
      Buffer.from('2026-12-01.-1').toString('base64url'),
      'a'.repeat(65),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidAuditCursor);
    }
  });
});

describe('readAudit', () => {
  it('reads the period day by day and stops at the scan budget with a cursor to go on from', async () => {
    const store = new MemoryEventStore();
    const recorder = new RefusalRecorder({ store, now: () => new Date(T0), perCaller: 1000, total: 1000, flushIntervalMs: 0 });
    for (let d = 0; d < 3; d++)
      for (let i = 0; i < 4; i++) recorder.record(refusalAt(T0 + d * 86_400_000 + i, { outcome: i === 3 ? 'RATE_LIMITED' : 'CASE.NOT_FOUND' }));
    await recorder.flush();
    const q = { from: T0, to: T0 + 3 * 86_400_000, countyId: 'county-qingchuan', limit: 100 };
    expect((await readAudit(store, q)).items.length).toBe(12);
    // Only the day in the middle.
    expect((await readAudit(store, { ...q, from: T0 + 86_400_000, to: T0 + 2 * 86_400_000 })).items.map((i) => i.at.slice(0, 10))).toEqual(
      Array(4).fill('2026-12-02'),
    );
    // A selective filter with a small budget: fewer items than asked, and a cursor, until the end.
    const first = await readAudit(store, { ...q, outcome: 'RATE_LIMITED', scanBudget: 5 });
    expect([first.items.length, decodeCursor(first.nextCursor!)]).toEqual([1, { day: '2026-12-02', revision: 1 }]);
    const second = await readAudit(store, { ...q, outcome: 'RATE_LIMITED', scanBudget: 5, cursor: decodeCursor(first.nextCursor!) });
    const third = await readAudit(store, { ...q, outcome: 'RATE_LIMITED', scanBudget: 5, cursor: decodeCursor(second.nextCursor!) });
    expect([second.items.length, third.items.length, third.nextCursor]).toEqual([1, 1, null]);
  });
});

describe('auditCsv', () => {
  it('writes a header row and one row per item, quoting what needs it and defusing formulas', () => {
    const csv = auditCsv([
      {
        id: 'e1',
        kind: 'refusal',
        at: '2026-12-01T10:00:00.000Z',
        count: 1,
        windowStart: null,
        windowEnd: null,
        countyId: 'county-qingchuan',
        orgId: 'twp-longquan',
        userId: '=HYPERLINK("x")',
        role: 'township',
        ip: '10.0.0.7',
        method: 'GET',
        route: '/v1/cases/:caseId',
        caseId: null,
        status: 404,
        outcome: 'CASE.NOT_FOUND',
        detail: 'no case, "here"\n',
        correlationId: 'c1',
      },
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, row, end] = csv.slice(1).split('\r\n');
    expect(header).toBe('at,kind,count,windowStart,windowEnd,countyId,orgId,userId,role,ip,method,route,caseId,status,outcome,detail,correlationId,id');
    expect(row).toBe(
      `2026-12-01T10:00:00.000Z,refusal,1,,,county-qingchuan,twp-longquan,"'=HYPERLINK(""x"")",township,10.0.0.7,GET,/v1/cases/:caseId,,404,CASE.NOT_FOUND,"no case, ""here""\n",c1,e1`,
    );
    expect(end).toBe('');
  });
});
