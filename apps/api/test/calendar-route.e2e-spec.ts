import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusinessCalendar } from '@chuishao/calendar';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

interface Day {
  date: string;
  working: boolean;
  holiday: string | null;
  makeupWorkday: boolean;
  provisional: boolean;
}

const cst = (local: string) => new Date(`${local}+08:00`).toISOString();

describe('GET /v1/calendar: the working calendar of the caller’s county', () => {
  let h: Harness;
  // 10:00 on Wed 30 September 2026, the morning before the National Day break.
  beforeAll(async () => {
    h = await startHarness({}, undefined, cst('2026-09-30T10:00:00'));
  });
  afterAll(() => h.close());

  const calendar = async (query: Record<string, string>, org = TOWNSHIP) =>
    h
      .http()
      .get('/v1/calendar')
      .query(query)
      .set('Authorization', `Bearer ${await h.token(org)}`);
  const days = (body: { days: Day[] }) => new Map(body.days.map((d) => [d.date, d]));

  it('gives the version, zone, working hours and every date, with 国庆节 off and the 调休 Saturday working', async () => {
    const res = await calendar({ from: '2026-09-28', to: '2026-10-12' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      version: BusinessCalendar.national().version,
      countyId: 'county-qingchuan',
      timeZone: 'Asia/Shanghai',
      workingHours: [
        { start: '08:30', end: '12:00' },
        { start: '13:30', end: '17:30' },
      ],
      from: '2026-09-28',
      to: '2026-10-12',
      provisionalYears: [],
    });
    expect(res.body.days).toHaveLength(15);
    const d = days(res.body);
    expect(d.get('2026-10-01')).toEqual({ date: '2026-10-01', working: false, holiday: '国庆节', makeupWorkday: false, provisional: false });
    expect(d.get('2026-10-04')).toMatchObject({ working: false, holiday: '国庆节' });
    expect(d.get('2026-10-10')).toEqual({ date: '2026-10-10', working: true, holiday: null, makeupWorkday: true, provisional: false });
    expect(d.get('2026-10-11')).toMatchObject({ working: false, holiday: null, makeupWorkday: false });
    expect(d.get('2026-09-30')).toMatchObject({ working: true, holiday: null, makeupWorkday: false });
  });

  it('is the calendar the deadlines are computed on: the third working day after 30 Sep is the 调休 Saturday', async () => {
    const whistle = await h
      .http()
      .post('/v1/whistles')
      .set('Authorization', `Bearer ${await h.token(TOWNSHIP)}`)
      .send(whistleBody([ECOLOGY]))
      .expect(201);
    const cal = (await calendar({ from: '2026-10-01', to: '2026-10-31' })).body as { days: Day[]; workingHours: { end: string }[]; version: string };
    const third = cal.days.filter((day) => day.working)[2].date;
    expect(third).toBe('2026-10-10');
    const [part] = whistle.body.parts;
    expect(part.completionDueAt).toBe(cst(`${third}T${cal.workingHours.at(-1)!.end}:00`));
    expect(part.deadlineBasis.calendarVersion).toBe(cal.version);
  });

  it('flags a provisional year and names it in the version', async () => {
    const res = await calendar({ from: '2026-12-30', to: '2027-01-05' });
    expect(res.status).toBe(200);
    expect(res.body.provisionalYears).toEqual(['2027']);
    expect(res.body.version).toBe(`${BusinessCalendar.national().version}+provisional-2027`);
    const d = days(res.body);
    expect(d.get('2026-12-31')).toMatchObject({ working: true, provisional: false });
    expect(d.get('2027-01-01')).toEqual({ date: '2027-01-01', working: false, holiday: '元旦', makeupWorkday: false, provisional: true });
    expect(d.get('2027-01-04')).toMatchObject({ working: true, provisional: true });
  });

  it('answers every role', async () => {
    for (const org of [ECOLOGY, COMMAND_CENTRE, ASSESSMENT]) {
      const res = await calendar({ from: '2026-10-01', to: '2026-10-01' }, org);
      expect([org, res.status, res.body.days?.[0]?.holiday]).toEqual([org, 200, '国庆节']);
    }
  });

  it.each([
    ['a date that does not exist', { from: '2026-02-30', to: '2026-03-01' }, 'from'],
    ['a date in another form', { from: '2026-03-01', to: '20260302' }, 'to'],
    ['a week date', { from: '2026-W10', to: '2026-03-02' }, 'from'],
    ['from left out', { to: '2026-03-02' }, 'from'],
    ['to left out', { from: '2026-03-02' }, 'to'],
    ['to before from', { from: '2026-03-02', to: '2026-03-01' }, 'to'],
    ['401 days', { from: '2026-01-01', to: '2027-02-05' }, 'to'],
    ['a year before the covered ones', { from: '1900-12-31', to: '1901-01-02' }, 'from'],
    ['a year after the covered ones', { from: '2099-12-30', to: '2100-01-02' }, 'to'],
    ['an unknown parameter', { from: '2026-03-01', to: '2026-03-02', county: 'county-x' }, 'county'],
  ])('refuses %s with 400 naming the field', async (_name, query, field) => {
    const res = await calendar(query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('REQUEST.INVALID');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('takes exactly 400 days, both ends included', async () => {
    const res = await calendar({ from: '2026-01-01', to: '2027-02-04' });
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(400);
  });

  it('is 401 without a token', async () => {
    const res = await h.http().get('/v1/calendar').query({ from: '2026-10-01', to: '2026-10-07' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
  });
});

describe('GET /v1/calendar with a county overlay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-calendar-route-'));
  let h: Harness;
  beforeAll(async () => {
    const data = BusinessCalendar.national().toData();
    data.counties = {
      'county-qingchuan': {
        version: 'qc-test-1',
        workingHours: [
          { start: '09:00', end: '12:00' },
          { start: '14:00', end: '18:00' },
        ],
        localHolidays: [{ name: '县庆', solar: '03-12', days: 1 }],
      },
    };
    const file = join(dir, 'calendar.json');
    writeFileSync(file, JSON.stringify(data));
    h = await startHarness({ CALENDAR_FILE: file }, undefined, cst('2026-03-10T10:00:00'));
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the county’s working hours, local holidays and version', async () => {
    const res = await h
      .http()
      .get('/v1/calendar')
      .query({ from: '2026-03-11', to: '2026-03-13' })
      .set('Authorization', `Bearer ${await h.token(TOWNSHIP)}`)
      .expect(200);
    expect(res.body.version).toBe(`${BusinessCalendar.national().version}+qc-test-1`);
    expect(res.body.workingHours).toEqual([
      { start: '09:00', end: '12:00' },
      { start: '14:00', end: '18:00' },
    ]);
    expect(res.body.days.map((d: Day) => [d.date, d.working, d.holiday])).toEqual([
      ['2026-03-11', true, null],
      ['2026-03-12', false, '县庆'],
      ['2026-03-13', true, null],
    ]);
  });
});
