import { ECOLOGY, TOWNSHIP, whistleBody, type Harness } from '../../api/test/harness';
import { startConsole, WAIT, type ConsoleRig } from './browser';

/**
 * The working-time countdowns in Chromium count on the county's calendar (GET /v1/calendar): across 国庆 the holiday
 * is skipped and the 调休 Saturday counted, and one request serves every countdown of the session.
 */
jest.setTimeout(120_000);

let rig: ConsoleRig;
let h: Harness;

beforeAll(async () => {
  // 10:00 on Wed 30 September 2026; the test clock stands still.
  rig = await startConsole({}, '2026-09-30T02:00:00.000Z');
  h = rig.h;
});

afterAll(async () => {
  await rig?.close();
});

it('counts down across 国庆 on the county calendar, fetched once', async () => {
  const created = await h
    .http()
    .post('/v1/whistles')
    .set('Authorization', `Bearer ${await h.token(TOWNSHIP)}`)
    .send({ ...whistleBody([ECOLOGY]), title: '国庆前的排污口' })
    .expect(201);
  // Three working days from 30 Sep: Thu 8, Fri 9 and Sat 10 Oct (补班), to 17:30.
  expect(created.body.parts[0].completionDueAt).toBe('2026-10-10T09:30:00.000Z');

  const ctx = await rig.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const calendarRequests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/v1/calendar') calendarRequests.push(new URL(r.url()).search);
  });
  await page.goto(`${rig.base}/`);
  await page.getByLabel('机构', { exact: true }).click();
  await page.getByLabel('机构', { exact: true }).fill('市生态环境局');
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '市生态环境局' }).first().click();
  await page.getByLabel('用户').fill('li.qiang');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('case-link').filter({ hasText: '国庆前的排污口' }).first().click({ timeout: WAIT });

  const part = page.getByTestId(`part-${ECOLOGY}`);
  // 30 Sep 10:00–12:00 and 13:30–17:30 (360), 8, 9 and 10 Oct (450 each): 1710 minutes. The standard week would say
  // 2天10小时30分钟 (the five holiday weekdays counted, the Saturday not).
  await part.getByText('剩余 1天4小时30分钟').waitFor({ timeout: WAIT });
  await part.getByText('剩余 2小时0分钟').waitFor({ timeout: WAIT });
  expect(calendarRequests).toEqual(['?from=2026-01-01&to=2026-12-31']);
  await ctx.close();
});
