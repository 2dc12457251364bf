import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Response } from 'superagent';
import { ASSESSMENT, ECOLOGY, ENFORCEMENT, MARKET, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

const AGRICULTURE = 'dept-agriculture';

/**
 * A November 2026 scorecard with fractions that need rounding (4/6, 5/6), null rates, overdue parts and the three
 * reasons a department goes unranked (too few due parts, no parts, no rate defined). Emergency whistles run on
 * natural time: report in within 30 minutes, complete within 3 days, so every deadline is start + minutes.
 */
const START = '2026-11-02T01:00:00.000Z'; // Monday 09:00 in Asia/Shanghai
const minute = (m: number) => new Date(Date.parse(START) + m * 60_000).toISOString();
const NOVEMBER = 'from=2026-11-01&to=2026-12-01';

/**
 * The machine CSV of this scenario as the service wrote it before the clerk formats existed (captured from that
 * build): BOM, field names, CRLF, raw fractions.
 */
const MACHINE_CSV_LINES = [
  'departmentId,name,received,responded,respondedOnTime,responseDue,responseRate,medianResponseMinutes,p90ResponseMinutes,completionDue,completedOnTime,completionRate,reviewed,resolved,resolutionRate,satisfied,basicallySatisfied,dissatisfied,satisfactionRate,transfersOut,transfersIn,reopened,overdue,returnsUpheld,returnsRejected,extensionsApproved,appealsUpheld,appealsRejected,leadParts,compositeScore,rank',
  'dept-ecology,市生态环境局青川分局,6,6,6,6,1,7,10,6,6,1,6,5,0.8333333333333334,4,1,1,0.8333333333333334,0,0,1,0,0,0,0,0,0,6,88.33,1',
  'dept-water,青川县水利局,6,6,4,6,0.6666666666666666,9,56,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,66.67,2',
  'dept-market,青川县市场监督管理局,6,3,3,6,0.5,9,10,0,0,,0,0,,0,0,0,,0,0,0,3,0,0,0,0,0,0,50,3',
  'dept-enforcement,青川县综合行政执法局,2,2,2,2,1,0,0,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,2,100,',
  'dept-agriculture,青川县农业农村局,1,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,1,,',
  'dept-civil-affairs,青川县民政局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-culture-tourism,青川县文化和旅游局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-education,青川县教育局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-emergency,青川县应急管理局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-fire,青川县消防救援大队,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-forestry,青川县林业局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-health,青川县卫生健康局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-housing,青川县住房和城乡建设局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-hrss,青川县人力资源和社会保障局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-market-dongba,青川县市场监督管理局东坝市场监督管理所,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-police,青川县公安局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-police-chengguan,青川县公安局城关派出所,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-power,国网青川县供电公司,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-resources,青川县自然资源和规划局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
  'dept-transport,青川县交通运输局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,0,0,0,0,0,0,,',
];
// With the six move fields (returnsUpheld … leadParts) before compositeScore; otherwise byte for byte what it was.
const MACHINE_CSV_SHA256 = '8b7f8708f1e759d662d9c4c1554ab08bec287dd4cb0a719edbad8c9b423c48ec';

/** A supertest parser keeping the body's bytes. */
interface Row {
  departmentId: string;
  name: string;
  rank: number | null;
  compositeScore: number | null;
  [field: string]: unknown;
}
interface Card {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  countyId: string;
  departments: Row[];
}

/** The clerk table's columns: header, the scorecard field, and how it shows. */
const COLUMNS: [string, string | null, 'rank' | 'text' | 'count' | 'rate' | 'score' | 'minutes'][] = [
  ['排名', 'rank', 'rank'],
  ['部门', 'name', 'text'],
  ['得分', 'compositeScore', 'score'],
  ['响应率', 'responseRate', 'rate'],
  ['办结率', 'completionRate', 'rate'],
  ['解决率', 'resolutionRate', 'rate'],
  ['满意率', 'satisfactionRate', 'rate'],
  ['未排名原因', null, 'text'],
  ['接收件数', 'received', 'count'],
  ['应响应', 'responseDue', 'count'],
  ['已响应', 'responded', 'count'],
  ['按时响应', 'respondedOnTime', 'count'],
  ['响应用时中位数（分钟）', 'medianResponseMinutes', 'minutes'],
  ['响应用时P90（分钟）', 'p90ResponseMinutes', 'minutes'],
  ['应办结', 'completionDue', 'count'],
  ['按时办结', 'completedOnTime', 'count'],
  ['已评价', 'reviewed', 'count'],
  ['已解决', 'resolved', 'count'],
  ['满意', 'satisfied', 'count'],
  ['基本满意', 'basicallySatisfied', 'count'],
  ['不满意', 'dissatisfied', 'count'],
  ['转办转出', 'transfersOut', 'count'],
  ['转办转入', 'transfersIn', 'count'],
  ['退回重办', 'reopened', 'count'],
  ['逾期', 'overdue', 'count'],
  ['退单成立', 'returnsUpheld', 'count'],
  ['退单驳回', 'returnsRejected', 'count'],
  ['延期获批', 'extensionsApproved', 'count'],
  ['申诉成立', 'appealsUpheld', 'count'],
  ['申诉驳回', 'appealsRejected', 'count'],
  ['牵头件数', 'leadParts', 'count'],
  ['部门代码', 'departmentId', 'text'],
];
const HEADERS = COLUMNS.map(([header]) => header);
const REASON = HEADERS.indexOf('未排名原因');

/** Why each department of the scenario is unranked, as the policy (minRankedParts 5) and scoring.md give it. */
const reasonOf = (row: Row) => {
  if (row.rank !== null) return '';
  if (row.departmentId === ENFORCEMENT) return '应响应2件，不足5件'; // two parts due, five needed
  if (row.departmentId === AGRICULTURE) return '应响应、已评价均为0件，无得分'; // withdrawn before due: no rate
  return '本期无派件';
};

/** The table a clerk should read, from the JSON scorecard: rates as percentages with one decimal, null as —. */
function expectedTable(card: Card): string[][] {
  return card.departments.map((row) =>
    COLUMNS.map(([, field, kind]) => {
      if (field === null) return reasonOf(row);
      const value = row[field];
      if (kind === 'rank' && value === null) return '未排名';
      if (value === null) return '—';
      if (kind === 'rate') return `${((value as number) * 100).toFixed(1)}%`;
      if (kind === 'score') return (value as number).toFixed(2);
      return String(value);
    }),
  );
}

/** RFC 4180 records of a CSV text (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') record.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') record.push(cell), records.push(record), (record = []), (cell = ''), i++;
    else cell += ch;
  }
  if (cell !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

/** Decodes an RFC 5987 `filename*` value. */
const extValue = (header: string) => decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(header)![1]);

const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('scorecard downloads for clerks: XLSX and the Chinese CSV', () => {
  let h: Harness;
  const cases: Record<string, string> = {};
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const at = (m: number) => h.clock.advance((Date.parse(minute(m)) - h.clock.now().getTime()) / 60_000);
  const post = async (org: string, path: string, body: object) =>
    h
      .http()
      .post(path)
      .set(await auth(org))
      .send(body)
      .expect((r) => {
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      });
  const blow = async (name: string, departments: string[]) => {
    const res = await post(TOWNSHIP, '/v1/whistles', whistleBody(departments, { title: name, category: 'emergency' }));
    cases[name] = res.body.caseId;
  };
  const respond = (name: string, dept: string) => post(dept, `/v1/cases/${cases[name]}/responses`, {});
  const complete = (name: string, dept: string) => post(dept, `/v1/cases/${cases[name]}/completions`, { result: '已现场处置' });
  const review = (name: string, dept: string, resolved: boolean, satisfaction: string) =>
    post(TOWNSHIP, `/v1/cases/${cases[name]}/reviews`, { departmentId: dept, resolved, satisfaction });
  const download = async (query: string) => {
    const res = await h
      .http()
      .get(`/v1/scorecards?${query}`)
      .set(await auth(ASSESSMENT))
      .buffer(true)
      .parse(binary)
      .expect(200);
    // SCORECARD_EXPORTS_OUT=<dir> keeps the downloads this test checked (docs/screenshots are rendered from them).
    const out = process.env.SCORECARD_EXPORTS_OUT;
    const format = new URLSearchParams(query).get('format');
    if (out && format) writeFileSync(join(out, `scorecard-${format}.${format === 'xlsx' ? 'xlsx' : 'csv'}`), res.body as Buffer);
    return res;
  };
  let asOf: string;
  let card: Card;
  const headerBlock = () => [
    ['青川县', '职能部门考核成绩（以下评上）'],
    ['考核期间', '2026-11-01 至 2026-11-30'], // [from, to): the last day is the 30th
    ['数据截至', '2026-11-02 20:40:00（北京时间）'],
    ['asOf（UTC）', asOf],
    ['计分政策', 'scoring-2026.1'],
  ];

  beforeAll(async () => {
    h = await startHarness({}, undefined, START);
    for (let k = 1; k <= 6; k++) {
      at(k - 1);
      await blow(`J${k}`, [ECOLOGY, WATER, MARKET]);
    }
    at(10);
    for (let k = 1; k <= 6; k++) await respond(`J${k}`, ECOLOGY);
    for (let k = 1; k <= 4; k++) await respond(`J${k}`, WATER);
    for (let k = 1; k <= 3; k++) await respond(`J${k}`, MARKET); // J4..J6 never: overdue
    at(60);
    for (const k of [5, 6]) await respond(`J${k}`, WATER); // due at 34, 35: late
    at(100);
    for (let k = 1; k <= 6; k++) await complete(`J${k}`, ECOLOGY);
    at(200);
    for (let k = 1; k <= 4; k++) await review(`J${k}`, ECOLOGY, true, 'satisfied');
    await review('J5', ECOLOGY, true, 'basically_satisfied');
    await review('J6', ECOLOGY, false, 'dissatisfied'); // 退回重办
    at(300);
    for (const k of [1, 2]) {
      await blow(`K${k}`, [ENFORCEMENT]);
      await respond(`K${k}`, ENFORCEMENT);
    }
    at(400);
    await blow('W', [AGRICULTURE]);
    at(410);
    await post(TOWNSHIP, `/v1/cases/${cases.W}/withdrawal`, { reason: '群众自行解决' });
    at(700);
    asOf = minute(700);
    card = (
      await h
        .http()
        .get(`/v1/scorecards?${NOVEMBER}&asOf=${asOf}`)
        .set(await auth(ASSESSMENT))
        .expect(200)
    ).body;
  });
  afterAll(() => h.close());

  it('format=csv, the machine CSV, is byte for byte what it was before the clerk formats', async () => {
    const res = await download(`${NOVEMBER}&asOf=${asOf}&format=csv`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="scorecards-county-qingchuan-2026-11-01-2026-12-01.csv"');
    const bytes = res.body as Buffer;
    expect(bytes.toString('utf8')).toBe(`\uFEFF${MACHINE_CSV_LINES.join('\r\n')}\r\n`);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(MACHINE_CSV_SHA256);
    // The same bytes when CSV is asked for by Accept rather than by format.
    const accepted = await h
      .http()
      .get(`/v1/scorecards?${NOVEMBER}&asOf=${asOf}`)
      .set(await auth(ASSESSMENT))
      .set('Accept', 'text/csv')
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(
      createHash('sha256')
        .update(accepted.body as Buffer)
        .digest('hex'),
    ).toBe(MACHINE_CSV_SHA256);
  });

  it('the scenario has what the downloads must show: rounding, null rates, ranked and unranked departments', () => {
    const row = (id: string) => card.departments.find((r) => r.departmentId === id)!;
    expect(card).toMatchObject({ from: '2026-11-01', to: '2026-12-01', asOf, policyVersion: 'scoring-2026.1', countyId: 'county-qingchuan' });
    expect(row(ECOLOGY)).toMatchObject({ rank: 1, compositeScore: 88.33, responseRate: 1, resolutionRate: 5 / 6, satisfactionRate: 5 / 6 });
    expect(row(WATER)).toMatchObject({ rank: 2, compositeScore: 66.67, responseRate: 4 / 6, completionRate: null, resolutionRate: null });
    expect(row(MARKET)).toMatchObject({ rank: 3, responseRate: 0.5, overdue: 3 });
    expect(row(ENFORCEMENT)).toMatchObject({ rank: null, responseDue: 2, compositeScore: 100 });
    expect(row(AGRICULTURE)).toMatchObject({ rank: null, received: 1, responseDue: 0, compositeScore: null });
  });

  it('format=xlsx: Chinese headers, a header block, percentages as numbers, the unranked reason, frozen header, widths that fit', async () => {
    const res = await download(`${NOVEMBER}&asOf=${asOf}&format=xlsx`);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="scorecards-county-qingchuan-2026-11-01-2026-12-01\.xlsx"; filename\*=UTF-8''[A-Za-z0-9%._-]+$/);
    expect(extValue(disposition)).toBe('青川县职能部门考核成绩_2026-11-01至2026-11-30.xlsx');
    expect(res.headers['x-scorecard-as-of']).toBe(asOf);
    expect(res.headers['x-scorecard-policy-version']).toBe('scoring-2026.1');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = workbook.worksheets[0];
    const text = (r: number, c: number) => String(sheet.getCell(r, c).value ?? '');
    // The header block: county, period (the last day inclusive), asOf in the county's time and in UTC, policy.
    const block = [1, 2, 3, 4, 5].map((r) => [text(r, 1), text(r, 2)]);
    expect(block).toEqual(headerBlock());
    expect(text(6, 1)).toBe('');
    const headerRow = 7;
    expect(sheet.getRow(headerRow).values).toEqual([undefined, ...HEADERS]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: headerRow });

    const expected = expectedTable(card);
    card.departments.forEach((row, r) => {
      const cells = sheet.getRow(headerRow + 1 + r);
      COLUMNS.forEach(([header, field, kind], c) => {
        const cell = cells.getCell(c + 1);
        const where = `${row.departmentId} ${header}`;
        const value = field === null ? null : row[field];
        if (typeof value === 'number') {
          // A real number: the rate's unrounded fraction, shown by the format as a percentage with one decimal.
          expect([where, cell.type, cell.value]).toEqual([where, ExcelJS.ValueType.Number, value]);
          const format = { rate: '0.0%', score: '0.00', count: '0', rank: '0' }[kind as string];
          if (format) expect([where, cell.numFmt]).toEqual([where, format]);
        } else {
          expect([where, cell.value]).toEqual([where, expected[r][c]]);
        }
      });
    });
    const reasons = Object.fromEntries(card.departments.map((row, r) => [row.departmentId, sheet.getRow(headerRow + 1 + r).getCell(REASON + 1).value]));
    expect(reasons).toMatchObject({
      [ECOLOGY]: '',
      [ENFORCEMENT]: '应响应2件，不足5件',
      [AGRICULTURE]: '应响应、已评价均为0件，无得分',
      'dept-fire': '本期无派件',
    });
    expect(sheet.rowCount).toBeGreaterThan(headerRow + card.departments.length); // the legend follows
    const legend = headerRow + card.departments.length + 2;
    expect(text(legend, 1)).toBe('指标说明');
    // The legend states the policy's weights and ranking threshold.
    const terms = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [text(legend + i, 1), text(legend + i, 2)]));
    expect(terms).toMatchObject({ 得分: '响应率30、解决率35、满意率35加权×100', 排名: '应响应满5件方排名，同分同名次', '—': '分母为0，比率不适用（不是0%）' });

    // Widths: every header and cell text fits its column (a CJK character counts two widths of '0').
    const width = (t: string) => [...t].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
    COLUMNS.forEach(([header], c) => {
      const longest = Math.max(width(header), ...expected.map((cells) => width(cells[c])));
      expect([header, longest, sheet.getColumn(c + 1).width! >= longest + 1]).toEqual([header, longest, true]);
    });
  });

  it('format=csv-zh: UTF-8 with BOM, the same header block and table as the XLSX, percentages with one decimal', async () => {
    const res = await download(`${NOVEMBER}&asOf=${asOf}&format=csv-zh`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="scorecards-county-qingchuan-2026-11-01-2026-12-01-zh\.csv"; filename\*=UTF-8''/);
    expect(extValue(disposition)).toBe('青川县职能部门考核成绩_2026-11-01至2026-11-30.csv');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(records.slice(0, 7)).toEqual([...headerBlock(), [''], HEADERS]);
    const table = records.slice(7, 7 + card.departments.length);
    expect(table).toEqual(expectedTable(card));
    expect(table.find((r) => r[HEADERS.length - 1] === ECOLOGY)!.slice(0, 7)).toEqual([
      '1',
      '市生态环境局青川分局',
      '88.33',
      '100.0%',
      '100.0%',
      '83.3%',
      '83.3%',
    ]);
    expect(table.find((r) => r[HEADERS.length - 1] === WATER)!.slice(0, 7)).toEqual(['2', '青川县水利局', '66.67', '66.7%', '—', '—', '—']);
    expect(records[7 + card.departments.length]).toEqual(['']);
    expect(records[8 + card.departments.length]).toEqual(['指标说明']);
    expect(records.slice(9 + card.departments.length).every((r) => r.length === 2)).toBe(true);

    // The XLSX says the same, cell for cell, once its numbers are shown with their formats.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download(`${NOVEMBER}&asOf=${asOf}&format=xlsx`)).body as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const shown = (cell: ExcelJS.Cell) => {
      if (typeof cell.value !== 'number') return String(cell.value ?? '');
      if (cell.numFmt === '0.0%') return `${(cell.value * 100).toFixed(1)}%`;
      if (cell.numFmt === '0.00') return cell.value.toFixed(2);
      return String(cell.value);
    };
    const sheetRecords: string[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell) => cells.push(shown(cell)));
      sheetRecords.push(cells.length === 0 ? [''] : cells);
    });
    expect(sheetRecords).toEqual(records);
  });

  it('same access as the JSON scorecard; format validated; a heavy read', async () => {
    await h.http().get(`/v1/scorecards?${NOVEMBER}&format=xlsx`).expect(401);
    const other = await h
      .http()
      .get(`/v1/scorecards?${NOVEMBER}&format=xlsx&countyId=county-elsewhere`)
      .set(await auth(ASSESSMENT))
      .expect(403);
    expect(other.body.code).toBe('AUTH.FORBIDDEN');
    const bad = await h
      .http()
      .get(`/v1/scorecards?${NOVEMBER}&format=pdf`)
      .set(await auth(ASSESSMENT))
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['format']);
    // Every org of the county reads the scorecard, so each may download it.
    const township = await h
      .http()
      .get(`/v1/scorecards?${NOVEMBER}&asOf=${asOf}&format=csv-zh`)
      .set(await auth(TOWNSHIP))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(township.body).toEqual((await download(`${NOVEMBER}&asOf=${asOf}&format=csv-zh`)).body);

    const limited = await startHarness({ RATE_LIMIT_HEAVY: '2' }, undefined, START);
    try {
      const token = `Bearer ${await limited.token(ASSESSMENT)}`;
      for (const format of ['xlsx', 'csv-zh']) await limited.http().get(`/v1/scorecards?${NOVEMBER}&format=${format}`).set('Authorization', token).expect(200);
      const over = await limited.http().get(`/v1/scorecards?${NOVEMBER}&format=xlsx`).set('Authorization', token).expect(429);
      expect(over.body.code).toBe('RATE_LIMITED');
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The plain scorecard of now is not a heavy read: still served.
      await limited.http().get(`/v1/scorecards?${NOVEMBER}`).set('Authorization', token).expect(200);
    } finally {
      await limited.close();
    }
  });

  it('the OpenAPI document states the formats and the download media types', async () => {
    const doc = (await h.http().get('/v1/openapi.json').expect(200)).body;
    const op = doc.paths['/v1/scorecards'].get;
    const format = op.parameters.find((p: { name: string }) => p.name === 'format');
    expect(format.schema.enum).toEqual(['json', 'csv', 'csv-zh', 'xlsx']);
    const ok = op.responses['200'];
    expect(Object.keys(ok.content).sort()).toEqual(['application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
    expect(ok.headers['Content-Disposition']).toBeDefined();
  });
});
