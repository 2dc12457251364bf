import { readFileSync } from 'node:fs';
import { COMMAND_CENTRE, OTHER_TOWNSHIP, TOWNSHIP, whistleBody } from '../../api/test/harness';
import { accessible, pageErrors, startConsole, WAIT, type ConsoleRig } from './browser';

/** 审计日志: the command centre reads the audit trail of refusals in the console, filters it and downloads it. */
describe('console: the audit trail for the command centre (Chromium)', () => {
  let rig: ConsoleRig;
  // The service's clock starts now, so the refusals fall in the page's default period (the last seven days).
  beforeAll(async () => {
    rig = await startConsole({}, new Date().toISOString());
  }, 60_000);
  afterAll(() => rig?.close());

  it('lists refused requests with org, route, outcome and correlation id; filters by outcome; downloads the CSV', async () => {
    const { h } = rig;
    const bearer = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
    const blown = await h
      .http()
      .post('/v1/whistles')
      .set(await bearer(TOWNSHIP))
      .send(whistleBody())
      .expect(201);
    const caseId = blown.body.caseId as string;
    await h
      .http()
      .get(`/v1/cases/${caseId}`)
      .set({ ...(await bearer(OTHER_TOWNSHIP)), 'X-Correlation-Id': 'audit-ui-404' })
      .expect(404);
    await h.http().get('/v1/cases').set({ Authorization: 'Bearer forged.token.value', 'X-Correlation-Id': 'audit-ui-401' }).expect(401);

    const { page } = await rig.signIn('青川县综合指挥中心', 'duty.officer');
    expect(COMMAND_CENTRE).toBe('cc-qingchuan');
    await page.getByRole('link', { name: '审计日志' }).click();
    const table = page.getByTestId('audit-table');
    const scoped = table.locator('tr', { hasText: 'audit-ui-404' });
    await scoped.waitFor({ timeout: WAIT });
    for (const text of [OTHER_TOWNSHIP, '/v1/cases/:caseId', 'CASE.NOT_FOUND', '404', caseId])
      expect([text, await scoped.textContent()]).toEqual([text, expect.stringContaining(text)]);
    const anonymous = table.locator('tr', { hasText: 'audit-ui-401' });
    expect(await anonymous.textContent()).toContain('AUTH.UNAUTHENTICATED');
    await accessible(page, 'audit');

    await page.getByTestId('audit-outcome').fill('AUTH.UNAUTHENTICATED');
    await page.getByTestId('audit-search').click();
    await scoped.waitFor({ state: 'detached', timeout: WAIT });
    expect(await anonymous.count()).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('audit-ui-401');
    expect(csv).not.toContain('audit-ui-404');
    expect(pageErrors(page)).toEqual([]);

    // Only the command centre has the page.
    const twp = await rig.signIn('东坝镇', 'wang.fang');
    expect(await twp.page.getByRole('link', { name: '审计日志' }).count()).toBe(0);
  }, 120_000);
});
