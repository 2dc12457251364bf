import ExcelJS from 'exceljs';
import {
  ASSESSMENT,
  COMMAND_CENTRE,
  ECOLOGY,
  ENFORCEMENT,
  MARKET,
  OTHER_TOWNSHIP,
  httpDriver,
  startHarness,
  TOWNSHIP,
  WATER,
  whistleBody,
  type Harness,
} from './harness';

const TRANSPORT = 'dept-transport';

/**
 * The practice's moves over HTTP, each counted as shared/scoring.md says: 延期 moves the completion deadline, an upheld
 * 退单 reassigns without charging the returning department, a rejected one goes back with its clock, an upheld 申诉
 * changes the rates from its decision on. The clock runs ahead of the wall clock (scorecards count an event once its
 * recordedAt is known); emergency whistles run on natural time (report in within 30 minutes, complete within 3 days).
 */
const START = '2099-03-02T01:00:00.000Z';
const minute = (m: number) => new Date(Date.parse(START) + m * 60_000).toISOString();
const MARCH = 'from=2099-03-01&to=2099-04-01';

interface Row {
  departmentId: string;
  [field: string]: unknown;
}
interface Part {
  departmentId: string;
  completionDueAt: string;
  responseDueAt: string;
  assignedAt: string;
  [field: string]: unknown;
}

describe('延期, 退单/审定, 申诉 over HTTP, and how the scorecard counts them', () => {
  let h: Harness;
  const cases: Record<string, string> = {};
  const calls = httpDriver(() => h, START);
  const { auth, at, send } = calls;
  const post = async (org: string, path: string, body: object) => (await calls.post(org, path, body)) as { parts: Part[]; [field: string]: unknown };
  const blow = async (name: string, departments: string[], extra: Record<string, unknown> = {}) => {
    cases[name] = (await post(TOWNSHIP, '/v1/whistles', whistleBody(departments, { title: name, category: 'emergency', ...extra }))).caseId as string;
  };
  const path = (name: string, what: string) => `/v1/cases/${cases[name]}/${what}`;
  const partOf = (c: { parts: Part[] }, dept: string) => c.parts.find((p) => p.departmentId === dept)!;
  const getCase = async (name: string, org = TOWNSHIP) =>
    (
      await h
        .http()
        .get(`/v1/cases/${cases[name]}`)
        .set(await auth(org))
        .expect(200)
    ).body;
  const card = async (asOf?: string): Promise<Row[]> =>
    (
      await h
        .http()
        .get(`/v1/scorecards?${MARCH}${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`)
        .set(await auth(ASSESSMENT))
        .expect(200)
    ).body.departments;
  const row = (rows: Row[], id: string) => rows.find((r) => r.departmentId === id)!;

  let oldDue = '';
  let newDue = '';
  let servedBeforeAppeal: Row[] = [];

  beforeAll(async () => {
    h = await startHarness({}, undefined, START);
    at(0);
    await blow('E', [ECOLOGY]);
    await blow('R1', [WATER]);
    await blow('R2', [ENFORCEMENT]);
    await blow('A1', [MARKET]);
    await blow('A2', [MARKET]);
  });
  afterAll(() => h.close());

  it('延期: the holding department asks, the command centre alone decides (fewer days than asked), the deadline moves on the working calendar', async () => {
    at(5);
    await post(ECOLOGY, path('E', 'responses'), {});
    at(10);
    const requested = await post(ECOLOGY, path('E', 'extension-requests'), { reason: '水样送检，等待报告', workingDays: 2 });
    oldDue = partOf(requested, ECOLOGY).completionDueAt;
    expect(partOf(requested, ECOLOGY).pendingExtension).toMatchObject({ workingDays: 2, reason: '水样送检，等待报告' });
    // One pending request at a time; other roles may not decide; bad input names its field.
    expect((await send(ECOLOGY, path('E', 'extension-requests'), { reason: '再延', workingDays: 1 })).body.code).toBe('CASE.LIMIT_REACHED');
    const byTownship = await send(TOWNSHIP, path('E', 'extension-decisions'), { departmentId: ECOLOGY, approved: true });
    expect([byTownship.status, byTownship.body.code]).toEqual([403, 'CASE.FORBIDDEN']);
    const zero = await send(COMMAND_CENTRE, path('E', 'extension-decisions'), { departmentId: ECOLOGY, approved: true, workingDays: 0 });
    expect([zero.status, zero.headers['content-type'], zero.body.errors.map((e: { field: string }) => e.field)]).toEqual([
      400,
      expect.stringContaining('application/problem+json'),
      ['workingDays'],
    ]);

    at(15);
    const decided = await post(COMMAND_CENTRE, path('E', 'extension-decisions'), {
      departmentId: ECOLOGY,
      approved: true,
      workingDays: 1,
      note: '同意延期1个工作日',
    });
    const part = partOf(decided, ECOLOGY);
    newDue = part.completionDueAt;
    expect(Date.parse(newDue)).toBeGreaterThan(Date.parse(oldDue));
    expect(part.deadlineBasis).toMatchObject({ extensions: [{ workingDays: 1, previousDueAt: oldDue, approvedAt: minute(15) }] });
    expect(part).toMatchObject({ extensionsApproved: 1, pendingExtension: null });
    // One working day on the county calendar (08:30–12:00, 13:30–17:30): at least 7.5 hours later, not a natural day's arithmetic of a weekend.
    expect(Date.parse(newDue) - Date.parse(oldDue)).toBeGreaterThanOrEqual(7.5 * 3_600_000);
    const events = (
      await h
        .http()
        .get(path('E', 'events'))
        .set(await auth(TOWNSHIP))
        .expect(200)
    ).body.map((e: { type: string }) => e.type);
    expect(events).toEqual(['WhistleBlown', 'DepartmentResponded', 'ExtensionRequested', 'ExtensionDecided']);
  });

  it('退单 upheld: reassigned at the decision without charging the returning department; before the decision it counted as usual', async () => {
    at(5);
    const returned = await post(WATER, path('R1', 'returns'), { reason: '职能不符：属交通部门', suggestedDepartmentId: TRANSPORT });
    expect(partOf(returned, WATER).pendingReturn).toMatchObject({ reason: '职能不符：属交通部门', suggestedDepartmentId: TRANSPORT });
    // Outside the case's scope: 404, as for a case that does not exist.
    expect((await send(OTHER_TOWNSHIP, path('R1', 'return-decisions'), { departmentId: WATER, upheld: false })).status).toBe(404);
    const noTarget = await send(COMMAND_CENTRE, path('R1', 'return-decisions'), { departmentId: WATER, upheld: true });
    expect([noTarget.status, noTarget.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, ['toDepartmentId']]);

    at(20);
    const decided = await post(COMMAND_CENTRE, path('R1', 'return-decisions'), {
      departmentId: WATER,
      upheld: true,
      toDepartmentId: TRANSPORT,
      note: '退单属实',
    });
    const part = partOf(decided, TRANSPORT);
    expect(part).toMatchObject({
      status: 'awaiting_response',
      assignedAt: minute(20),
      transfers: [expect.objectContaining({ kind: 'return', fromDepartmentId: WATER })],
    });
    // The returning department still sees the case it held.
    expect((await getCase('R1', WATER)).caseId).toBe(cases.R1);

    at(25);
    const before = await card(minute(19));
    expect(row(before, WATER)).toMatchObject({ received: 1, returnsUpheld: 0 });
    const after = await card(minute(25));
    expect(row(after, WATER)).toMatchObject({ received: 0, responseDue: 0, completionDue: 0, overdue: 0, transfersOut: 0, returnsUpheld: 1 });
    expect(row(after, TRANSPORT)).toMatchObject({ received: 1, transfersIn: 0, responseDue: 0 });
    const explained = (
      await h
        .http()
        .get(`/v1/scorecards/${WATER}/explain?${MARCH}&asOf=${encodeURIComponent(minute(25))}`)
        .set(await auth(ASSESSMENT))
        .expect(200)
    ).body;
    expect(
      explained.parts.map((p: { ended: { kind: string } | null; counts: Record<string, number> }) => [
        p.ended?.kind,
        p.counts.received,
        p.counts.returnsUpheld,
      ]),
    ).toEqual([['returned', 0, 1]]);
  });

  it('退单 rejected: back to the department with its clock still running; the wait counts and returnsRejected counts', async () => {
    at(26);
    const r = await post(ENFORCEMENT, path('R2', 'returns'), { reason: '属地不符' });
    const dueAt = partOf(r, ENFORCEMENT).responseDueAt;
    at(40); // past the 30-minute report-in deadline
    const decided = await post(COMMAND_CENTRE, path('R2', 'return-decisions'), { departmentId: ENFORCEMENT, upheld: false, note: '退单理由不成立' });
    expect(partOf(decided, ENFORCEMENT)).toMatchObject({ responseDueAt: dueAt, assignedAt: minute(0), pendingReturn: null, status: 'awaiting_response' });
    await post(ENFORCEMENT, path('R2', 'responses'), {});
    at(45);
    expect(row(await card(minute(45)), ENFORCEMENT)).toMatchObject({
      received: 1,
      responded: 1,
      respondedOnTime: 0,
      responseDue: 1,
      returnsRejected: 1,
      returnsUpheld: 0,
    });
  });

  it('申诉 upheld: the assessment office’s decision changes the resolution and satisfaction rates from its instant; asOf before it is unchanged', async () => {
    at(46);
    for (const name of ['A1', 'A2']) {
      await post(MARKET, path(name, 'responses'), {});
      await post(MARKET, path(name, 'completions'), { result: '已处置' });
    }
    at(60);
    await post(TOWNSHIP, path('A1', 'reviews'), { departmentId: MARKET, resolved: true, satisfaction: 'satisfied' });
    await post(TOWNSHIP, path('A2', 'reviews'), { departmentId: MARKET, resolved: false, satisfaction: 'dissatisfied' });
    at(70);
    await post(MARKET, path('A2', 'appeals'), { reason: '评价时整改期限未到' });
    // The assessment office decides appeals — its only write; the command centre may not.
    const byCentre = await send(COMMAND_CENTRE, path('A2', 'appeal-decisions'), { departmentId: MARKET, upheld: true, note: '成立' });
    expect([byCentre.status, byCentre.body.code]).toEqual([403, 'CASE.FORBIDDEN']);
    expect((await send(ASSESSMENT, path('A2', 'responses'), {})).status).toBe(403);
    expect((await send(OTHER_TOWNSHIP, path('A2', 'appeals'), { reason: 'x' })).status).toBe(404);

    at(75);
    servedBeforeAppeal = await card();
    expect(row(servedBeforeAppeal, MARKET)).toMatchObject({
      reviewed: 2,
      resolved: 1,
      resolutionRate: 0.5,
      satisfactionRate: 0.5,
      reopened: 1,
      appealsUpheld: 0,
    });
    at(80);
    const decided = await post(ASSESSMENT, path('A2', 'appeal-decisions'), { departmentId: MARKET, upheld: true, note: '申诉成立，该评价不计入考核' });
    expect(partOf(decided, MARKET)).toMatchObject({ openAppeal: null, appeals: [{ round: 1, upheld: true, decidedAt: minute(80) }] });

    at(85);
    const after = row(await card(minute(85)), MARKET);
    expect(after).toMatchObject({ reviewed: 1, resolved: 1, resolutionRate: 1, satisfactionRate: 1, reopened: 0, appealsUpheld: 1 });
    // The scorecard served before the decision is what asOf = that instant still answers.
    expect(await card(minute(75))).toEqual(servedBeforeAppeal);
    expect(row(await card(minute(79)), MARKET)).toMatchObject({ resolutionRate: 0.5, satisfactionRate: 0.5, appealsUpheld: 0 });
    // One appeal per review.
    expect((await send(MARKET, path('A2', 'appeals'), { reason: '再次申诉' })).body.code).toBe('CASE.LIMIT_REACHED');
  });

  it('延期 counted: a completion between the old and the new deadline is on time, and the part was never overdue between them', async () => {
    const between = new Date((Date.parse(oldDue) + Date.parse(newDue)) / 2).toISOString();
    h.clock.advance((Date.parse(between) - h.clock.now().getTime()) / 60_000);
    expect(row(await card(), ECOLOGY)).toMatchObject({ overdue: 0, completionDue: 0, extensionsApproved: 1 });
    await post(ECOLOGY, path('E', 'completions'), { result: '检测报告已出，已整改' });
    h.clock.advance(1);
    expect(row(await card(), ECOLOGY)).toMatchObject({ completionDue: 1, completedOnTime: 1, completionRate: 1, overdue: 0, extensionsApproved: 1 });
    // Before the approval the old deadline counted.
    expect(row(await card(minute(14)), ECOLOGY)).toMatchObject({ extensionsApproved: 0 });
  });

  it('the clerk downloads (csv-zh, xlsx) show the six counts of the moves under Chinese headers, as the JSON rows have them', async () => {
    // An appeal rejected too, so that each of the six is non-zero for some department.
    await blow('A3', [MARKET]);
    await post(MARKET, path('A3', 'responses'), {});
    await post(MARKET, path('A3', 'completions'), { result: '已处置' });
    await post(TOWNSHIP, path('A3', 'reviews'), { departmentId: MARKET, resolved: false, satisfaction: 'dissatisfied' });
    await post(MARKET, path('A3', 'appeals'), { reason: '已按要求处置' });
    await post(ASSESSMENT, path('A3', 'appeal-decisions'), { departmentId: MARKET, upheld: false, note: '申诉理由不成立' });
    h.clock.advance(1);
    const asOf = encodeURIComponent(h.clock.now().toISOString());
    const rows = await card(h.clock.now().toISOString());
    const FIELDS: Record<string, string> = {
      退单成立: 'returnsUpheld',
      退单驳回: 'returnsRejected',
      延期获批: 'extensionsApproved',
      申诉成立: 'appealsUpheld',
      申诉驳回: 'appealsRejected',
      牵头件数: 'leadParts',
    };
    const fields = Object.values(FIELDS);
    expect(fields.filter((f) => !rows.some((r) => (r[f] as number) > 0))).toEqual([]);
    const expected = Object.fromEntries(rows.map((r) => [r.departmentId, Object.fromEntries(fields.map((f) => [f, r[f]]))]));
    const download = async (format: string) =>
      h
        .http()
        .get(`/v1/scorecards?${MARCH}&asOf=${asOf}&format=${format}`)
        .set(await auth(ASSESSMENT))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
    /** The six counts of each department's row in a table of text cells (header row first). */
    const countsOf = (table: unknown[][]) => {
      const at = table.findIndex((cells) => cells[0] === '排名');
      const header = table[at];
      const id = header.indexOf('部门代码');
      return Object.fromEntries(
        table
          .slice(at + 1, at + 1 + rows.length)
          .map((cells) => [cells[id], Object.fromEntries(Object.entries(FIELDS).map(([name, f]) => [f, Number(cells[header.indexOf(name)])]))]),
      );
    };

    const csv = (await download('csv-zh')).body as Buffer;
    const records = csv
      .subarray(3)
      .toString('utf8')
      .split('\r\n')
      .map((line) => line.split(','));
    expect(countsOf(records)).toEqual(expected);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download('xlsx')).body as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const cells: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (r) => {
      const values = r.values as unknown[];
      cells.push(values.slice(1));
    });
    const counts = countsOf(cells);
    expect(counts).toEqual(expected);
    // Real numbers in the workbook, under the count format.
    const header = cells.findIndex((c) => c[0] === '排名') + 1;
    const column = (cells[header - 1] as string[]).indexOf('延期获批') + 1;
    const ecology = cells.findIndex((c) => c.includes(ECOLOGY)) + 1;
    expect([sheet.getCell(ecology, column).type, sheet.getCell(ecology, column).value, sheet.getCell(ecology, column).numFmt]).toEqual([
      ExcelJS.ValueType.Number,
      1,
      '0',
    ]);
  });
});

describe('the deadline watcher and an undecided return', () => {
  let h: Harness;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  beforeAll(async () => {
    h = await startHarness({ WATCHER_INTERVAL_MS: '60000' });
  });
  afterAll(() => h.close());

  it('reminds the command centre at 80% of the decision deadline (2 working hours), then escalates once it passes, each once', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody([WATER], { title: '退单待审定' }))
        .expect(201)
    ).body.caseId;
    const returned = await h
      .http()
      .post(`/v1/cases/${caseId}/returns`)
      .set(await auth(WATER))
      .send({ reason: '职能不符' })
      .expect(200);
    const dueAt: string = returned.body.parts[0].pendingReturn.decisionDueAt;
    expect(Date.parse(dueAt) - h.clock.now().getTime()).toBeGreaterThanOrEqual(2 * 3_600_000);
    const remindAt: string = returned.body.parts[0].pendingReturn.decisionRemindAt;
    expect(Date.parse(remindAt)).toBeLessThan(Date.parse(dueAt));
    const decisionEvents = async (type: string) =>
      (
        (
          await h
            .http()
            .get(`/v1/cases/${caseId}/events`)
            .set(await auth(COMMAND_CENTRE))
            .expect(200)
        ).body as { type: string; data: { deadline?: string } }[]
      ).filter((e) => e.type === type && e.data.deadline === 'return_decision');
    const escalations = () => decisionEvents('CaseEscalated');
    const reminders = () => decisionEvents('DeadlineReminderSent');
    // Until the watcher has acted on the passed deadline: it runs when poked, the test waits for its append.
    const watchUntil = async (done: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await done()); i++) {
        h.runtime.watcher!.poke();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    /** A few watcher rounds at the current (test) time, as deadlines.e2e-spec.ts lets it run. */
    const watch = async (rounds = 3) => {
      for (let i = 0; i < rounds; i++) {
        h.runtime.watcher!.poke();
        await new Promise((r) => setTimeout(r, 60));
      }
    };
    h.clock.advance((Date.parse(remindAt) - h.clock.now().getTime()) / 60_000 - 1);
    await watch();
    expect(await reminders()).toEqual([]);
    h.clock.advance((Date.parse(dueAt) - h.clock.now().getTime()) / 60_000 - 1);
    await watchUntil(async () => (await reminders()).length > 0);
    expect((await reminders()).length).toBe(1);
    expect(await escalations()).toEqual([]);
    expect(
      (
        await h
          .http()
          .get(`/v1/cases/${caseId}`)
          .set(await auth(COMMAND_CENTRE))
          .expect(200)
      ).body.parts[0].pendingReturn,
    ).toMatchObject({ alert: 'reminded' });
    h.clock.advance(2);
    await watchUntil(async () => (await escalations()).length > 0);
    expect((await escalations()).length).toBe(1);
    const view = (
      await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body;
    expect(view.parts[0].pendingReturn).toMatchObject({ alert: 'escalated' });
    h.clock.advance(60);
    await watch();
    expect((await escalations()).length).toBe(1);
    expect((await reminders()).length).toBe(1);
  }, 20_000);
});
