import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionalYear } from '@chuishao/calendar';
import { COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';
import { client, freePort, kill, killAllServers, startServer } from './server-process';

interface Ev {
  type: string;
  data: Record<string, any>;
}

/** 10:00 on Tue 2026-12-29 in Asia/Shanghai: three working days from here reach into 2027. */
const DEC_29 = '2026-12-29T02:00:00.000Z';
const cst = (local: string) => new Date(`${local}+08:00`).toISOString();

/** An official 2027 arrangement that differs from the provisional one: Mon 4 Jan off too (a test fixture, not the notice). */
function writeOfficial2027(dir: string, change: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, '2027.json'),
    JSON.stringify({
      year: '2027',
      version: 'test-2027.1',
      source: 'test fixture',
      holidays: [...provisionalYear(2027).holidays, '2027-01-04'].sort(),
      makeupWorkdays: [],
      ...change,
    }),
  );
}

describe('the working calendar past its last official year (provisional years, re-basing)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-calendar-'));
  const calendarDir = join(dataDir, 'calendar-years');
  let h: Harness;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const events = async (caseId: string) =>
    (
      await h
        .http()
        .get(`/v1/cases/${caseId}/events`)
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body as Ev[];
  const start = (env: Record<string, string> = {}) => startHarness({ WATCHER_INTERVAL_MS: '50', CALENDAR_DIR: calendarDir, ...env }, { dataDir }, DEC_29);
  /** Until the watcher has done its rounds and the inbox has caught up. */
  const settle = async (until: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await until()); i++) {
      h.runtime.watcher!.poke();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await until()).toBe(true);
  };
  let caseId = '';

  beforeAll(async () => {
    mkdirSync(calendarDir);
    h = await start();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on 2026-12-29 a whistle without matterCode is accepted with a provisional 2027 deadline', async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .send(whistleBody([ECOLOGY, WATER]))
      .expect(201);
    caseId = res.body.caseId;
    const [ecology] = res.body.parts;
    // 30 Dec, 31 Dec, then Mon 4 Jan (1 Jan is 元旦, 2–3 Jan a weekend).
    expect(ecology.completionDueAt).toBe(cst('2027-01-04T17:30:00'));
    expect(ecology.deadlineBasis).toMatchObject({ provisional: true, provisionalYears: ['2027'] });
    expect(ecology.deadlineBasis.calendarVersion).toMatch(/\+provisional-2027$/);
    // The report-in clock (2 working hours, same morning) rests on official days only.
    expect(ecology.responseDueAt).toBe(cst('2026-12-29T12:00:00'));
  });

  it('a transfer and an unresolved review that day answer 200', async () => {
    await h
      .http()
      .post(`/v1/cases/${caseId}/transfers`)
      .set(await auth(WATER))
      .send({ toDepartmentId: ENFORCEMENT, reason: '属综合执法局职责' })
      .expect(200);
    await h
      .http()
      .post(`/v1/cases/${caseId}/responses`)
      .set(await auth(ECOLOGY))
      .send({})
      .expect(200);
    await h
      .http()
      .post(`/v1/cases/${caseId}/completions`)
      .set(await auth(ECOLOGY))
      .send({ result: '已取样送检' })
      .expect(200);
    const reviewed = await h
      .http()
      .post(`/v1/cases/${caseId}/reviews`)
      .set(await auth(TOWNSHIP))
      .send({ departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied' })
      .expect(200);
    expect(reviewed.body.parts[0]).toMatchObject({ round: 2, completionDueAt: cst('2027-01-04T17:30:00'), deadlineBasis: { provisional: true } });
    expect(reviewed.body.parts[1]).toMatchObject({
      departmentId: ENFORCEMENT,
      completionDueAt: cst('2027-01-04T17:30:00'),
      deadlineBasis: { provisional: true },
    });
  });

  it('/v1/health lists each year and reports degraded while deadlines may rest on a provisional year', async () => {
    const health = (
      await h
        .http()
        .get('/v1/health')
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body;
    expect(health.status).toBe('degraded');
    expect(health.calendar).toMatchObject({
      status: 'degraded',
      years: { '2025': 'official', '2026': 'official', '2027': 'provisional' },
      provisionalSoon: ['2027'],
    });
    expect(health.calendar.advice).toContain('国务院办公厅关于2027年部分节假日安排的通知');
  });

  it('a restart with the official 2027 arrangement re-bases the open parts once, and the case view shows the new deadlines', async () => {
    await h.close();
    writeOfficial2027(calendarDir);
    h = await start();
    await settle(async () => (await events(caseId)).some((e) => e.type === 'DeadlinesRebased'));
    const rebased = (await events(caseId)).filter((e) => e.type === 'DeadlinesRebased');
    expect(rebased).toHaveLength(1);
    expect(rebased[0].data.parts).toEqual([
      expect.objectContaining({
        partId: 'p1',
        round: 2,
        completion: { previousDueAt: cst('2027-01-04T17:30:00'), remindAt: expect.any(String), dueAt: cst('2027-01-05T17:30:00') },
      }),
      expect.objectContaining({
        partId: 'p2',
        departmentId: ENFORCEMENT,
        response: expect.objectContaining({ dueAt: cst('2026-12-29T12:00:00') }),
        completion: expect.objectContaining({ dueAt: cst('2027-01-05T17:30:00') }),
      }),
    ]);
    expect(rebased[0].data.parts[0].response).toBeUndefined(); // ecology reported in: that clock had stopped
    const view = (
      await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set(await auth(TOWNSHIP))
        .expect(200)
    ).body;
    expect(view.parts.map((p: any) => [p.completionDueAt, p.deadlineBasis.provisional, p.deadlineBasis.calendarVersion])).toEqual([
      [cst('2027-01-05T17:30:00'), false, expect.stringMatching(/\+test-2027\.1$/)],
      [cst('2027-01-05T17:30:00'), false, expect.stringMatching(/\+test-2027\.1$/)],
    ]);
    expect(
      (
        await h
          .http()
          .get('/v1/health')
          .set(await auth(COMMAND_CENTRE))
          .expect(200)
      ).body.calendar.years['2027'],
    ).toBe('official');

    // Again after another restart: nothing more to re-base.
    await h.close();
    h = await start();
    await new Promise((r) => setTimeout(r, 300));
    expect((await events(caseId)).filter((e) => e.type === 'DeadlinesRebased')).toHaveLength(1);
  });

  it('the watcher follows the new deadlines: nothing overdue at the old one, overdue once after the new one', async () => {
    const overdue = async () => (await events(caseId)).filter((e) => e.type === 'CompletionOverdue' || e.type === 'ResponseOverdue');
    // Enforcement never reported in: its report-in deadline (12:00) passes and is recorded once.
    h.clock.advance((Date.parse(cst('2027-01-04T18:00:00')) - h.clock.now().getTime()) / 60_000);
    await settle(async () => (await overdue()).some((e) => e.type === 'ResponseOverdue'));
    expect((await overdue()).map((e) => `${e.type}:${e.data.departmentId}`)).toEqual([`ResponseOverdue:${ENFORCEMENT}`]);
    h.clock.advance(24 * 60);
    await settle(async () => (await overdue()).some((e) => e.type === 'CompletionOverdue'));
    for (let i = 0; i < 5; i++) {
      h.runtime.watcher!.poke();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await overdue()).map((e) => `${e.type}:${e.data.departmentId}`)).toEqual([`ResponseOverdue:${ENFORCEMENT}`, `CompletionOverdue:${ECOLOGY}`]);
  });

  it('a bad calendar file is refused naming the year and field; the server keeps the calendar it had', async () => {
    writeOfficial2027(calendarDir, { makeupWorkdays: ['2027-02-06'] });
    const result = h.runtime.reloadCalendar();
    expect(result).toMatchObject({ ok: false, refusal: { problems: ['2027.json: years.2027: 2027-02-06 is both a holiday and a makeup workday'] } });
    const health = (
      await h
        .http()
        .get('/v1/health')
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body;
    expect(health.calendar).toMatchObject({
      status: 'degraded',
      years: { '2027': 'official' },
      refused: { problems: [expect.stringContaining('years.2027')] },
    });
    // And across a restart: it starts on the last calendar in force.
    await h.close();
    h = await start();
    const after = (
      await h
        .http()
        .get('/v1/health')
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body.calendar;
    expect(after).toMatchObject({ years: { '2027': 'official' }, refused: { problems: [expect.stringContaining('2027-02-06')] } });
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .send(whistleBody([ECOLOGY]))
      .expect(201);
    expect(res.body.parts[0].deadlineBasis.calendarVersion).toMatch(/\+test-2027\.1$/);
  });
});

/**
 * kill -9 of the service while it re-bases, then two services on one store finishing the work: exactly one
 * DeadlinesRebased per case. The test watches the store file to kill it when some cases are re-based and others not.
 */
describe('re-basing under SIGKILL with two processes on one store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chuishao-rebase-kill-'));
  const calendarDir = join(dataDir, 'calendar-years');
  const CASES = 150;
  afterAll(async () => {
    await killAllServers();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** DeadlinesRebased events per case, read from the store file as it is (WAL readers never block the writer). */
  const rebasedInStore = (): Map<string, number> => {
    const db = new DatabaseSync(join(dataDir, 'events.sqlite'), { readOnly: true });
    try {
      const rows = db.prepare("SELECT stream_name AS stream, COUNT(*) AS n FROM events WHERE type = 'DeadlinesRebased' GROUP BY stream_name").all() as {
        stream: string;
        n: number;
      }[];
      return new Map(rows.map((r) => [r.stream.replace(/^case-/, ''), Number(r.n)]));
    } finally {
      db.close();
    }
  };

  it('a kill mid-way, a restart and a second process re-base every open case exactly once', async () => {
    mkdirSync(calendarDir);
    const [portA, portB] = [await freePort(), await freePort()];
    const env = { CLOCK: 'simulated', WATCHER_INTERVAL_MS: '20', CALENDAR_DIR: calendarDir };
    const a = client(`http://127.0.0.1:${portA}`);
    let server = await startServer(dataDir, portA, env);
    const target = Date.parse(DEC_29);
    expect((await a.call('POST', '/v1/dev/clock/advance', undefined, { minutes: Math.ceil((target - Date.now()) / 60_000) })).status).toBe(200);
    const township = await a.token(TOWNSHIP);
    const cases: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const res = await a.call('POST', '/v1/whistles', township, whistleBody([ECOLOGY, WATER], { title: `排污口排查${i}` }));
      expect([res.status, res.body.parts?.[0]?.deadlineBasis?.provisional]).toEqual([201, true]);
      cases.push(res.body.caseId);
    }
    await kill(server);

    // The official year arrives; the service restarts and starts re-basing. Killed once some cases are done.
    writeOfficial2027(calendarDir);
    server = await startServer(dataDir, portA, env);
    const killAt = 1 + Math.floor(Math.random() * (CASES / 2));
    let atKill = 0;
    for (let i = 0; i < 5000 && atKill < killAt; i++) {
      atKill = rebasedInStore().size;
      if (atKill < killAt) await new Promise((r) => setTimeout(r, 2));
    }
    await kill(server);
    const afterKill = rebasedInStore().size;
    expect(atKill).toBeGreaterThanOrEqual(killAt);
    expect(afterKill).toBeLessThan(CASES); // the kill did land mid-way

    // Two processes on the store finish the work, racing each other.
    await Promise.all([startServer(dataDir, portA, env), startServer(dataDir, portB, env)]);
    for (let attempt = 0; attempt < 300 && rebasedInStore().size < CASES; attempt++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // more watcher rounds on both processes: nothing more may be appended
    const rebased = rebasedInStore();
    expect(cases.map((id) => rebased.get(id) ?? 0)).toEqual(cases.map(() => 1));

    const cc = await a.token(COMMAND_CENTRE);
    const view = (await a.call('GET', `/v1/cases/${cases[0]}`, cc)).body;
    expect(view.parts.map((p: any) => p.completionDueAt)).toEqual([cst('2027-01-05T17:30:00'), cst('2027-01-05T17:30:00')]);
    const history = (await a.call('GET', `/v1/cases/${cases[CASES - 1]}/events`, cc)).body as Ev[];
    expect(history.filter((e) => e.type === 'DeadlinesRebased')).toHaveLength(1);
    console.log(`[rebase-kill] ${CASES} cases; killed at ${killAt}+ with ${afterKill} re-based; then exactly one DeadlinesRebased per case`);
  }, 120_000);
});
