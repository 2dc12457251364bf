import { DEFAULT_SCORING_POLICY, type ScorecardRow } from '@chuishao/scoring';
import { displayWidth, localTime, percentText, unrankedReason } from './clerk-scorecard';
import { attachment } from './scorecard-downloads';

const row = (over: Partial<ScorecardRow>): ScorecardRow => ({
  departmentId: 'dept-x',
  name: '某局',
  received: 0,
  responded: 0,
  respondedOnTime: 0,
  responseDue: 0,
  responseRate: null,
  medianResponseMinutes: null,
  p90ResponseMinutes: null,
  completionDue: 0,
  completedOnTime: 0,
  completionRate: null,
  reviewed: 0,
  resolved: 0,
  resolutionRate: null,
  satisfied: 0,
  basicallySatisfied: 0,
  dissatisfied: 0,
  satisfactionRate: null,
  transfersOut: 0,
  transfersIn: 0,
  reopened: 0,
  overdue: 0,
  returnsUpheld: 0,
  returnsRejected: 0,
  extensionsApproved: 0,
  appealsUpheld: 0,
  appealsRejected: 0,
  leadParts: 0,
  compositeScore: null,
  rank: null,
  ...over,
});

describe('the clerk scorecard', () => {
  it('shows a rate as a percentage with one decimal, rounded half up exactly from its counts', () => {
    expect(percentText(4, 6)).toBe('66.7%');
    expect(percentText(5, 6)).toBe('83.3%');
    expect(percentText(1, 16)).toBe('6.3%'); // 6.25 → 6.3
    expect(percentText(29, 2000)).toBe('1.5%'); // 1.45: the float 0.0145 is just below, the counts are not
    expect(percentText(1, 3)).toBe('33.3%');
    expect(percentText(0, 7)).toBe('0.0%');
    expect(percentText(7, 7)).toBe('100.0%');
    // Against long division for every fraction n/d with d ≤ 120: tenths of a percent, up when the remainder is half or more.
    const wrong: string[] = [];
    for (let d = 1; d <= 120; d++) {
      for (let n = 0; n <= d; n++) {
        const q = Math.floor((1000 * n) / d);
        const tenths = 2 * ((1000 * n) % d) >= d ? q + 1 : q;
        const expected = `${Math.floor(tenths / 10)}.${tenths % 10}%`;
        if (percentText(n, d) !== expected) wrong.push(`${n}/${d}: ${percentText(n, d)} ≠ ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('says why a department is not ranked', () => {
    const policy = DEFAULT_SCORING_POLICY;
    expect(unrankedReason(row({ rank: 3, received: 9, responseDue: 9, compositeScore: 50 }), policy)).toBe('');
    expect(unrankedReason(row({}), policy)).toBe('本期无派件');
    expect(unrankedReason(row({ received: 1 }), policy)).toBe('应响应、已评价均为0件，无得分');
    expect(unrankedReason(row({ received: 4, responseDue: 4, compositeScore: 100 }), policy)).toBe('应响应4件，不足5件');
    expect(unrankedReason(row({ received: 4, responseDue: 2, compositeScore: 80 }), { ...policy, minRankedParts: 3 })).toBe('应响应2件，不足3件');
  });

  it('measures text as spreadsheets size columns: CJK and full-width characters twice a digit', () => {
    expect(displayWidth('100.0%')).toBe(6);
    expect(displayWidth('响应率')).toBe(6);
    expect(displayWidth('响应用时P90（分钟）')).toBe(19);
    expect(displayWidth('dept-ecology')).toBe(12);
  });

  it('states asOf in the county’s time', () => {
    expect(localTime('2026-11-02T12:40:00.000Z', 'Asia/Shanghai')).toBe('2026-11-02 20:40:00');
    expect(localTime('2026-12-31T16:00:00.000Z', 'Asia/Shanghai')).toBe('2027-01-01 00:00:00');
  });

  it('names the download in ASCII and as RFC 5987 UTF-8', () => {
    const header = attachment('scorecards-county-qingchuan-2026-11-01-2026-12-01.xlsx', "青川县(试点)'考核'*.xlsx");
    expect(header).toBe(
      `attachment; filename="scorecards-county-qingchuan-2026-11-01-2026-12-01.xlsx"; filename*=UTF-8''${encodeURIComponent(
        '青川县',
      )}%28${encodeURIComponent('试点')}%29%27${encodeURIComponent('考核')}%27%2A.xlsx`,
    );
    expect(/filename\*=UTF-8''([!#$&+\-.^_`|~A-Za-z0-9%]+)$/.test(header)).toBe(true); // attr-chars only
    expect(attachment('a"b\\c 名.csv', '名.csv')).toMatch(/^attachment; filename="a_b_c _\.csv"; /);
  });
});
