import { parseLocalDate, type ScorecardRow, type ScoringPolicy } from '@chuishao/scoring';
import type { CountyScorecard } from './list-scorecards.route';

/**
 * The scorecard as the assessment office's clerks read it, once, for both downloads (XLSX and the Chinese CSV), so
 * the two always carry the same content: a header block (county, period, asOf, policy), one row per department with
 * Chinese headers, the reason a department is not ranked, and a legend of how each rate is computed.
 */

/** How a column's values are shown: a rate as a percentage with one decimal, the composite score with two. */
export type ColumnKind = 'rank' | 'text' | 'count' | 'rate' | 'score' | 'minutes';

export interface ClerkColumn {
  header: string;
  kind: ColumnKind;
  /** The scorecard field shown; none for the explanation column. */
  field?: keyof ScorecardRow;
}

/**
 * A cell: its value (a number, a rate as its unrounded fraction; a text; null where a rate, score or percentile is
 * not defined) and the text it shows ("66.7%", "88.33", NOT_APPLICABLE for null).
 */
export interface ClerkCell {
  value: number | string | null;
  text: string;
}

export interface ClerkScorecard {
  title: string;
  /**
   * Label and value pairs above the table, the title first. Two short cells each, in the first two columns (rank and
   * department): a spreadsheet sizing its columns to their content (LibreOffice's CSV import) keeps the table narrow.
   */
  meta: [string, string][];
  columns: ClerkColumn[];
  rows: ClerkCell[][];
  /** Term and definition pairs below the table, under LEGEND_TITLE; short, for the same reason. */
  legend: [string, string][];
  /** File names: an ASCII fallback and the Chinese one (extension not included). */
  fileName: { ascii: string; utf8: string };
}

/** Shown for a rate whose denominator is 0 (scoring.md: null, neither 0 nor 100), a missing score or percentile. */
export const NOT_APPLICABLE = '—';
/** What the download is, after the county's name. */
export const SUBJECT = '职能部门考核成绩（以下评上）';
/** The legend's heading. */
export const LEGEND_TITLE = '指标说明';
/** Shown in the rank column of a department listed without a rank. */
export const UNRANKED = '未排名';

export const CLERK_COLUMNS: readonly ClerkColumn[] = [
  { header: '排名', kind: 'rank', field: 'rank' },
  { header: '部门', kind: 'text', field: 'name' },
  // Two characters: an importer sizing the column to its longest value ("88.33") still shows the whole header.
  { header: '得分', kind: 'score', field: 'compositeScore' },
  { header: '响应率', kind: 'rate', field: 'responseRate' },
  { header: '办结率', kind: 'rate', field: 'completionRate' },
  { header: '解决率', kind: 'rate', field: 'resolutionRate' },
  { header: '满意率', kind: 'rate', field: 'satisfactionRate' },
  { header: '未排名原因', kind: 'text' },
  { header: '接收件数', kind: 'count', field: 'received' },
  { header: '应响应', kind: 'count', field: 'responseDue' },
  { header: '已响应', kind: 'count', field: 'responded' },
  { header: '按时响应', kind: 'count', field: 'respondedOnTime' },
  { header: '响应用时中位数（分钟）', kind: 'minutes', field: 'medianResponseMinutes' },
  { header: '响应用时P90（分钟）', kind: 'minutes', field: 'p90ResponseMinutes' },
  { header: '应办结', kind: 'count', field: 'completionDue' },
  { header: '按时办结', kind: 'count', field: 'completedOnTime' },
  { header: '已评价', kind: 'count', field: 'reviewed' },
  { header: '已解决', kind: 'count', field: 'resolved' },
  { header: '满意', kind: 'count', field: 'satisfied' },
  { header: '基本满意', kind: 'count', field: 'basicallySatisfied' },
  { header: '不满意', kind: 'count', field: 'dissatisfied' },
  { header: '转办转出', kind: 'count', field: 'transfersOut' },
  { header: '转办转入', kind: 'count', field: 'transfersIn' },
  { header: '退回重办', kind: 'count', field: 'reopened' },
  { header: '逾期', kind: 'count', field: 'overdue' },
  // The practice's moves (scoring.md): counted beside the rates, which they already shaped.
  { header: '退单成立', kind: 'count', field: 'returnsUpheld' },
  { header: '退单驳回', kind: 'count', field: 'returnsRejected' },
  { header: '延期获批', kind: 'count', field: 'extensionsApproved' },
  { header: '申诉成立', kind: 'count', field: 'appealsUpheld' },
  { header: '申诉驳回', kind: 'count', field: 'appealsRejected' },
  { header: '牵头件数', kind: 'count', field: 'leadParts' },
  { header: '部门代码', kind: 'text', field: 'departmentId' },
];

/** Why a department is listed without a rank (scoring.md: too few responseDue parts, or no composite score); '' if ranked. */
export function unrankedReason(row: ScorecardRow, policy: ScoringPolicy): string {
  if (row.rank !== null) return '';
  if (row.received === 0) return '本期无派件';
  if (row.compositeScore === null) {
    return row.responseDue === 0 && row.reviewed === 0 ? '应响应、已评价均为0件，无得分' : '有值比率的权重合计为0，无得分';
  }
  if (row.responseDue < policy.minRankedParts) return `应响应${row.responseDue}件，不足${policy.minRankedParts}件`;
  return UNRANKED;
}

/**
 * A rate as a percentage with one decimal, rounded half up exactly from its numerator and denominator (the float
 * fraction can sit just below a half: 0.0625 is exact, but 0.145 is not). "66.7%".
 */
export function percentText(numerator: number, denominator: number): string {
  const tenths = Math.floor((2000 * numerator + denominator) / (2 * denominator));
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

/** The numerator and denominator of each rate of a row (scoring.md). */
export function rateTerms(row: ScorecardRow, field: keyof ScorecardRow): [number, number] {
  switch (field) {
    case 'responseRate':
      return [row.respondedOnTime, row.responseDue];
    case 'completionRate':
      return [row.completedOnTime, row.completionDue];
    case 'resolutionRate':
      return [row.resolved, row.reviewed];
    case 'satisfactionRate':
      return [row.satisfied + row.basicallySatisfied, row.reviewed];
    default:
      throw new RangeError(`${field} is not a rate`);
  }
}

/** Date arithmetic on local dates: the last day of [from, to). */
function dayBefore(date: string): string {
  const d = parseLocalDate(date)!;
  return new Date(Date.UTC(d.year, d.month - 1, d.day - 1)).toISOString().slice(0, 10);
}

/** An instant in the county's time zone, "2026-11-02 20:40:00". */
export function localTime(instant: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The county's time zone as clerks name it: 北京时间 for China's. */
const zoneName = (timeZone: string) => (timeZone === 'Asia/Shanghai' ? '北京时间' : timeZone);

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function clerkScorecard(card: CountyScorecard, county: { name: string; timeZone: string }, policy: ScoringPolicy): ClerkScorecard {
  const { wR, wS, wF } = policy.weights;
  const last = dayBefore(card.to);
  return {
    title: `${county.name}${SUBJECT}`,
    meta: [
      [county.name, SUBJECT],
      ['考核期间', `${card.from} 至 ${last}`],
      ['数据截至', `${localTime(card.asOf, county.timeZone)}（${zoneName(county.timeZone)}）`],
      ['asOf（UTC）', card.asOf],
      ['计分政策', card.policyVersion],
    ],
    columns: [...CLERK_COLUMNS],
    rows: card.departments.map((row) => CLERK_COLUMNS.map((c) => cellOf(c, row, policy))),
    legend: [
      ['响应率', '按时响应 ÷ 应响应（报到、转办均为响应）'],
      ['办结率', '按时办结 ÷ 应办结（首次办结在期限内）'],
      ['解决率', '已解决 ÷ 已评价（以最近一次评价为准）'],
      ['满意率', '（满意 + 基本满意）÷ 已评价'],
      ['得分', `响应率${wR}、解决率${wS}、满意率${wF}加权×100`],
      ['排名', `应响应满${policy.minRankedParts}件方排名，同分同名次`],
      [NOT_APPLICABLE, '分母为0，比率不适用（不是0%）'],
      ['计入期间', '各件按派件时间计入考核期间'],
      ['退单成立', '审定成立后该件不计入本部门其他指标'],
      ['申诉成立', '裁定成立后该次评价不计入'],
    ],
    fileName: {
      ascii: `scorecards-${fileSafe(card.countyId)}-${card.from}-${card.to}`,
      utf8: `${county.name}职能部门考核成绩_${card.from}至${last}`,
    },
  };
}

/**
 * How wide a text shows in a spreadsheet, in the width of a '0': CJK and full-width characters take two, others
 * one (Excel and LibreOffice measure column widths in that unit).
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function cellOf(column: ClerkColumn, row: ScorecardRow, policy: ScoringPolicy): ClerkCell {
  if (!column.field) return text(unrankedReason(row, policy));
  const value = row[column.field];
  if (column.kind === 'rank' && value === null) return text(UNRANKED);
  if (value === null) return { value: null, text: NOT_APPLICABLE };
  if (typeof value === 'string') return text(value);
  if (column.kind === 'rate') return { value, text: percentText(...rateTerms(row, column.field)) };
  if (column.kind === 'score') return { value, text: value.toFixed(2) };
  return { value, text: String(value) };
}

const text = (value: string): ClerkCell => ({ value, text: value });
