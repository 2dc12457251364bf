import { createHash } from 'node:crypto';
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
  'departmentId,name,received,responded,respondedOnTime,responseDue,responseRate,medianResponseMinutes,p90ResponseMinutes,completionDue,completedOnTime,completionRate,reviewed,resolved,resolutionRate,satisfied,basicallySatisfied,dissatisfied,satisfactionRate,transfersOut,transfersIn,reopened,overdue,compositeScore,rank',
  'dept-ecology,市生态环境局青川分局,6,6,6,6,1,7,10,6,6,1,6,5,0.8333333333333334,4,1,1,0.8333333333333334,0,0,1,0,88.33,1',
  'dept-water,青川县水利局,6,6,4,6,0.6666666666666666,9,56,0,0,,0,0,,0,0,0,,0,0,0,0,66.67,2',
  'dept-market,青川县市场监督管理局,6,3,3,6,0.5,9,10,0,0,,0,0,,0,0,0,,0,0,0,3,50,3',
  'dept-enforcement,青川县综合行政执法局,2,2,2,2,1,0,0,0,0,,0,0,,0,0,0,,0,0,0,0,100,',
  'dept-agriculture,青川县农业农村局,1,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-civil-affairs,青川县民政局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-culture-tourism,青川县文化和旅游局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-education,青川县教育局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-emergency,青川县应急管理局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-fire,青川县消防救援大队,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-forestry,青川县林业局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-health,青川县卫生健康局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-housing,青川县住房和城乡建设局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-hrss,青川县人力资源和社会保障局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-market-dongba,青川县市场监督管理局东坝市场监督管理所,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-police,青川县公安局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-police-chengguan,青川县公安局城关派出所,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-power,国网青川县供电公司,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-resources,青川县自然资源和规划局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
  'dept-transport,青川县交通运输局,0,0,0,0,,,,0,0,,0,0,,0,0,0,,0,0,0,0,,',
];
const MACHINE_CSV_SHA256 = 'f1c1f31cece282f3d22094125af79bb76b3393110f2a67bbef98ea70632cbe2f';

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('scorecard downloads for clerks: XLSX and the Chinese CSV', () => {
  let h: Harness;
  const cases: Record<string, string> = {};
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const at = (m: number) => h.clock.advance((Date.parse(minute(m)) - h.clock.now().getTime()) / 60_000);
  const post = async (org: string, path: string, body: object) => h.http().post(path).set(await auth(org)).send(body).expect((r) => {
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
  const download = async (query: string) =>
    h.http().get(`/v1/scorecards?${query}`).set(await auth(ASSESSMENT)).buffer(true).parse(binary).expect(200);
  let asOf: string;

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
    const accepted = await h.http().get(`/v1/scorecards?${NOVEMBER}&asOf=${asOf}`).set(await auth(ASSESSMENT)).set('Accept', 'text/csv').buffer(true).parse(binary).expect(200);
    expect(createHash('sha256').update(accepted.body as Buffer).digest('hex')).toBe(MACHINE_CSV_SHA256);
  });
});
