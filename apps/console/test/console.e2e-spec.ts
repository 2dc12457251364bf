import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { startHarness, type Harness } from '../../api/test/harness';
import { accessible, act, attach, openCase, pageErrors, partStatus, photoShown, pick, startConsole, WAIT, waitForText, type ConsoleRig } from './browser';

/**
 * The web console in Chromium against a real service (./browser.ts); the service runs on the test's clock, moved
 * forward to make a part overdue.
 */
const ROOT = resolve(__dirname, '../../..');
/** Screenshots go to a temp dir; `UPDATE_SCREENSHOTS=1` writes the README's docs/screenshots instead. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : mkdtempSync(join(tmpdir(), 'chuishao-console-shots-'));
const EMERGENCY = '青川县应急管理局';

jest.setTimeout(240_000);

let rig: ConsoleRig;
let h: Harness;

beforeAll(async () => {
  rig = await startConsole({ WATCHER_INTERVAL_MS: '200' });
  h = rig.h;
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await rig?.close();
});

const signIn = (orgName: string, userId: string, viewport?: { width: number; height: number }) => rig.signIn(orgName, userId, viewport);

describe('web console', () => {
  it('is served at / with its own CSP and cache headers; /v1 is untouched; other paths fall back to the page', async () => {
    const page = await h.http().get('/').set('accept', 'text/html').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1];
    const js = await h.http().get(asset).expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await h.http().get('/cases/some-case').set('accept', 'text/html,application/xhtml+xml').expect(200)).text).toBe(page.text);
    // Not a page navigation: the API's own 404.
    expect((await h.http().get('/cases/some-case').expect(404)).headers['content-type']).toMatch(/application\/problem\+json/);
    await h.http().get('/assets/gone-0000.js').expect(404);
    const api = await h.http().get('/v1/nowhere').expect(404);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(api.headers['cache-control']).toBe('no-store');
    const config = await h.http().get('/v1/console/config').expect(200);
    expect(config.body).toMatchObject({ devSignIn: true, oidc: null, now: h.clock.now().toISOString() });
  });

  it('with OIDC_ISSUER and OIDC_CLIENT_ID, offers the identity provider’s sign-in and lets the page reach it', async () => {
    const issuer = 'https://id.qingchuan.example/realms/county';
    const oidc = await startHarness({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'chuishao-console' });
    try {
      expect((await oidc.http().get('/v1/console/config').expect(200)).body.oidc).toEqual({ issuer, clientId: 'chuishao-console' });
      const csp = (await oidc.http().get('/').set('accept', 'text/html').expect(200)).headers['content-security-policy'];
      expect(csp).toContain("connect-src 'self' https://id.qingchuan.example");
      const port = (oidc.runtime.app.getHttpServer().address() as { port: number }).port;
      const ctx = await rig.browser.newContext({ locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.getByTestId('oidc-sign-in').waitFor({ timeout: WAIT });
      await ctx.close();
    } finally {
      await oidc.close();
    }
  });

  it('with CLOCK=simulated, moves the server’s time from the header for demos', async () => {
    const sim = await startHarness({ CLOCK: 'simulated' });
    try {
      const before = Date.parse((await sim.http().get('/v1/console/config').expect(200)).body.now);
      const port = (sim.runtime.app.getHttpServer().address() as { port: number }).port;
      const ctx = await rig.browser.newContext({ locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await pick(page, '机构', '东坝镇');
      await page.getByLabel('用户').fill('wang.fang');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByTestId('advance-clock').click({ timeout: WAIT });
      await page.locator('.ant-message').filter({ hasText: '模拟时钟' }).waitFor({ timeout: WAIT });
      const after = Date.parse((await sim.http().get('/v1/console/config').expect(200)).body.now);
      expect(after - before).toBeGreaterThanOrEqual(60 * 60_000);
      await ctx.close();
    } finally {
      await sim.close();
    }
  });

  it('uses the types the served OpenAPI document generates', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'apps/console/scripts/generate-api.mjs'), '--check'], { cwd: ROOT });
    expect(stdout).toContain('matches /v1/openapi.json');
  });

  it('plays a whole lifecycle: township, three departments, the command centre and the assessment office', async () => {
    const title = '东坝河段不明排污口';
    // The department a share is transferred to is already looking at its inbox: the case must appear there unreloaded.
    const enf = await signIn('青川县综合行政执法局', 'chen.jie');
    await enf.page.getByTestId('case-table').waitFor();

    const twp = await signIn('东坝镇', 'wang.fang');
    await twp.page.getByRole('link', { name: '吹哨', exact: true }).click();
    await accessible(twp.page, 'whistle form');
    await twp.page.getByText('自由选择部门').click();
    await pick(twp.page, '责任部门', '市生态环境局青川分局');
    await pick(twp.page, '责任部门', '青川县水利局');
    await twp.page.keyboard.press('Escape');
    await pick(twp.page, '事项类别', '联合执法');
    // Text of only an invisible character passes the form's own check; the API's problem+json names the field.
    await twp.page.getByLabel('标题').fill('\u200b');
    await twp.page.getByLabel('问题描述').fill('群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。');
    await twp.page.getByLabel('地址').fill('东坝镇河滨路12号');
    await twp.page.getByLabel('网格').fill('东坝-03网格');
    await twp.page.getByRole('button', { name: '提交' }).click();
    const titleError = twp.page
      .locator('.ant-form-item')
      .filter({ has: twp.page.getByLabel('标题') })
      .locator('.ant-form-item-explain-error');
    await titleError.waitFor({ timeout: WAIT });
    expect(await titleError.textContent()).toBe('must say something (not only spaces or invisible characters)');
    await twp.page.getByLabel('标题').fill(title);
    await twp.page.getByRole('button', { name: '提交' }).click();
    await twp.page.getByTestId('case-title').waitFor({ timeout: WAIT });
    const caseId = twp.page.url().split('/cases/')[1];
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
    await waitForText(twp.page.getByTestId('timeline-item'), '吹哨「东坝河段不明排污口」，派至 市生态环境局青川分局、青川县水利局');

    // Department A reports in and completes.
    const eco = await signIn('市生态环境局青川分局', 'li.qiang');
    await waitForText(eco.page.getByTestId('alert-badge').or(eco.page.getByTestId('case-link')), title);
    await accessible(eco.page, 'department inbox');
    await eco.page.screenshot({ path: join(SHOTS, 'department-inbox.png') });
    await openCase(eco.page, title);
    await act(eco.page, 'dept-ecology', 'respond', (p) => p.getByLabel('备注').fill('已报到，今日到现场'));
    await waitForText(partStatus(eco.page, 'dept-ecology'), '办理中');
    // It completes with a photo (uploaded from the 办结 form, named in attachmentIds).
    await act(eco.page, 'dept-ecology', 'complete', async (p) => {
      await p.getByLabel('办理结果').fill('已取样送检，责令停止排放');
      await attach(p.locator('.ant-modal'), '排污口取样.png');
    });
    await waitForText(partStatus(eco.page, 'dept-ecology'), '已办结待评价');

    // Department B transfers its share to the enforcement bureau.
    const water = await signIn('青川县水利局', 'zhao.min');
    await openCase(water.page, title);
    await act(water.page, 'dept-water', 'transfer', async (p) => {
      await pick(p, '转至部门', '青川县综合行政执法局');
      await p.getByLabel('转办理由').fill('城区管网错接，属执法局职责');
    });
    await water.page.getByTestId('part-dept-enforcement').waitFor({ timeout: WAIT });

    // The new department: the case arrived in the inbox it had open; it reports in and completes.
    await openCase(enf.page, title);
    await act(enf.page, 'dept-enforcement', 'respond');
    await act(enf.page, 'dept-enforcement', 'complete', (p) => p.getByLabel('办理结果').fill('管网错接已整改'));
    await waitForText(partStatus(enf.page, 'dept-enforcement'), '已办结待评价');

    // The township sees the department's photo on the case page, fetched with its token.
    await twp.page.reload();
    await photoShown(twp.page, twp.page.getByTestId('timeline-item').filter({ hasText: '已取样送检' }), '排污口取样.png');
    // 协调记录: the township adds a note with a photo; it is listed with its file.
    const noteForm = twp.page.getByTestId('note-form');
    await noteForm.getByLabel('记录内容').fill('已与河长办沟通，明日联合巡查');
    await attach(noteForm, '现场照片.png');
    await noteForm.getByTestId('add-note').click();
    const note = twp.page.getByTestId('note-item').filter({ hasText: '已与河长办沟通，明日联合巡查' });
    await note.waitFor({ timeout: WAIT });
    expect(await note.textContent()).toContain('东坝镇 wang.fang');
    await photoShown(twp.page, note, '现场照片.png');
    await accessible(twp.page, 'case page with notes');
    // The department sees the township's note and its photo too.
    await eco.page.reload();
    await photoShown(eco.page, eco.page.getByTestId('note-item').filter({ hasText: '已与河长办沟通' }), '现场照片.png');

    // 一事一评: ecology's part is not resolved → rework; the rework is completed; both reviews close the case.
    await act(twp.page, 'dept-ecology', 'review', async (p) => {
      await p.getByTestId('resolved').click();
      await p.getByText('不满意').click();
      await p.getByLabel('评价意见').fill('排污口仍在排放');
    });
    await waitForText(twp.page.getByTestId('timeline-item'), '退回重办，第2轮');
    await eco.page.reload();
    await act(eco.page, 'dept-ecology', 'complete', (p) => p.getByLabel('办理结果').fill('排污口已封堵'));
    await twp.page.reload();
    await act(twp.page, 'dept-ecology', 'review');
    await act(twp.page, 'dept-enforcement', 'review', (p) => p.getByText('基本满意').click());
    await waitForText(twp.page.getByTestId('case-status'), '已结案');
    await waitForText(twp.page.getByTestId('timeline-item'), '结案（已解决 2，未解决 0）');
    await accessible(twp.page, 'case page');
    const timeline = await twp.page.getByTestId('timeline-item').allTextContents();
    for (const said of [
      '报到：已报到，今日到现场',
      '转办至 青川县综合行政执法局：城区管网错接',
      '一事一评 市生态环境局青川分局：未解决，不满意',
      '办结（第2轮）：排污口已封堵',
    ]) {
      expect(timeline.some((line) => line.includes(said))).toBe(true);
    }

    // An emergency: 30 natural minutes to report in. The clock moves on, the watcher marks it, the command centre urges.
    await twp.page.getByRole('link', { name: '吹哨', exact: true }).click();
    await twp.page.getByText('自由选择部门').click();
    await pick(twp.page, '责任部门', '青川县水利局');
    await twp.page.keyboard.press('Escape');
    await pick(twp.page, '事项类别', '应急处置');
    await twp.page.getByLabel('标题').fill('河堤管涌');
    await twp.page.getByLabel('问题描述').fill('东坝河左岸堤脚冒水翻沙');
    await twp.page.getByLabel('地址').fill('东坝镇河堤K2+300');
    await twp.page.getByRole('button', { name: '提交' }).click();
    await twp.page.getByTestId('case-title').filter({ hasText: '河堤管涌' }).waitFor({ timeout: WAIT });
    h.clock.advance(45);
    h.runtime.watcher!.poke();

    const cc = await signIn('青川县综合指挥中心', 'duty');
    await cc.page.getByTestId('board-case-link').filter({ hasText: '河堤管涌' }).waitFor({ timeout: WAIT });
    await cc.page.getByTestId('chart-township').waitFor({ timeout: WAIT });
    await accessible(cc.page, 'command centre board');
    await cc.page.screenshot({ path: join(SHOTS, 'command-centre-board.png') });
    await cc.page.getByTestId('board-case-link').filter({ hasText: '河堤管涌' }).click();
    await waitForText(cc.page.getByTestId('part-dept-water').getByTestId('alert-badge'), '督办');
    await act(cc.page, 'dept-water', 'urge', (p) => p.getByLabel('督办意见').fill('请立即报到'));
    await waitForText(cc.page.getByTestId('timeline-item'), '指挥中心督办 青川县水利局：请立即报到');
    await act(cc.page, 'dept-water', 'reassign', async (p) => {
      await pick(p, '转至部门', EMERGENCY);
      await p.getByLabel('改派理由').fill('险情升级，改派应急管理局');
    });
    await cc.page.getByTestId('part-dept-emergency').waitFor({ timeout: WAIT });
    await waitForText(cc.page.getByTestId('timeline-item'), `指挥中心改派：青川县水利局 → ${EMERGENCY}：险情升级`);

    // The township withdraws the emergency case with a reason (the water bureau has dealt with it on site).
    await twp.page.reload();
    await twp.page.getByTestId('withdraw').click();
    await twp.page.getByLabel('撤回理由').fill('险情已排除，群众已撤离');
    await twp.page.locator('.ant-modal-footer .ant-btn-primary').click();
    await waitForText(twp.page.getByTestId('case-status'), '已撤回');
    await waitForText(twp.page.getByTestId('timeline-item'), '撤回：险情已排除，群众已撤离');
    // Its clocks stopped: no countdown, no alert.
    expect(
      await twp.page
        .getByTestId(`part-dept-emergency`)
        .locator('.ant-tag')
        .filter({ hasText: /剩余|已逾期/ })
        .count(),
    ).toBe(0);

    // The township's list shows both; its screenshot is the township's main page.
    await twp.page.getByRole('link', { name: '我的吹哨' }).click();
    await pick(twp.page, '状态', '全部');
    await waitForText(twp.page.getByTestId('case-link'), '河堤管涌');
    await accessible(twp.page, 'township list');
    await twp.page.screenshot({ path: join(SHOTS, 'township-my-whistles.png') });

    // The assessment office: this month's scorecard, explain with links to the cases, the CSV download.
    const ao = await signIn('青川县委县政府督查考核办公室', 'kao.he');
    await ao.page.getByTestId('scorecard-table').locator('tbody tr').filter({ hasText: '市生态环境局青川分局' }).waitFor({ timeout: WAIT });
    await ao.page.getByTestId('chart-ranking').waitFor({ timeout: WAIT });
    await accessible(ao.page, 'scorecards');
    await ao.page.screenshot({ path: join(SHOTS, 'assessment-scorecards.png') });
    const [download] = await Promise.all([ao.page.waitForEvent('download'), ao.page.getByTestId('download-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('dept-ecology');
    expect(download.suggestedFilename()).toMatch(/^scorecards-2026-03-01-2026-04-01\.csv$/);
    // The clerk's workbook: Chinese headers; a rate is a number under 0.0% that reads as the page shows it.
    const [xlsxDownload] = await Promise.all([ao.page.waitForEvent('download'), ao.page.getByTestId('download-xlsx').click()]);
    expect(xlsxDownload.suggestedFilename()).toBe('青川县职能部门考核成绩_2026-03-01至2026-03-31.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxDownload.path())!);
    const sheet = workbook.worksheets[0]!;
    let headerRow = 0;
    sheet.eachRow((row, n) => {
      if (!headerRow && row.getCell(1).value === '排名') headerRow = n;
    });
    expect(headerRow).toBeGreaterThan(0);
    const headers = (sheet.getRow(headerRow).values as unknown[]).slice(1);
    expect(headers.slice(0, 7)).toEqual(['排名', '部门', '得分', '响应率', '办结率', '解决率', '满意率']);
    // The water bureau's response rate is neither 0 nor 100% (its emergency part was never reported in).
    let rateRow = 0;
    sheet.eachRow((row, n) => {
      if (n > headerRow && row.getCell(2).value === '青川县水利局') rateRow = n;
    });
    expect(rateRow).toBeGreaterThan(headerRow);
    const rateCell = sheet.getRow(rateRow).getCell(headers.indexOf('响应率') + 1);
    expect(rateCell.numFmt).toBe('0.0%');
    expect(typeof rateCell.value).toBe('number');
    const pageHeaders = (await ao.page.getByTestId('scorecard-table').locator('thead th').allTextContents()).map((x) => x.trim());
    const pageRow = await ao.page
      .getByTestId('scorecard-table')
      .locator('tbody tr')
      .filter({ hasText: '青川县水利局' })
      .first()
      .locator('td')
      .allTextContents();
    const shown = pageRow[pageHeaders.indexOf('响应率')]!.trim();
    expect(shown).toMatch(/^\d+\.\d%$/);
    expect(shown).not.toMatch(/^(0|100)\.0%$/);
    expect(`${((rateCell.value as number) * 100).toFixed(1)}%`).toBe(shown);
    // The clerk's CSV: BOM, then the same Chinese header block and column headers.
    const [zhDownload] = await Promise.all([ao.page.waitForEvent('download'), ao.page.getByTestId('download-csv-zh').click()]);
    expect(zhDownload.suggestedFilename()).toBe('青川县职能部门考核成绩_2026-03-01至2026-03-31.csv');
    const zh = readFileSync((await zhDownload.path())!, 'utf8');
    expect(zh.charCodeAt(0)).toBe(0xfeff);
    expect(zh.split('\r\n')).toContain(headers.map(String).join(','));
    expect(zh).toContain('市生态环境局青川分局');
    // 评分政策: by default the version in force; a what-if re-scores the same counts, and the page says which policy it shows.
    const head = ao.page.getByTestId('scorecard-head');
    await waitForText(ao.page.getByTestId('scorecard-policy'), 'scoring-2026.1');
    expect(await head.textContent()).toContain('评分政策 scoring-2026.1（响应率30、解决率35、满意率35）');
    const ecologyCells = async () =>
      (
        await ao.page.getByTestId('scorecard-table').locator('tbody tr').filter({ hasText: '市生态环境局青川分局' }).first().locator('td').allTextContents()
      ).map((x) => x.trim());
    const before = await ecologyCells();
    await pick(ao.page, '评分政策', 'what-if-40-30-30（假设）');
    await waitForText(ao.page.getByTestId('scorecard-policy'), 'what-if-40-30-30');
    await ao.page.getByTestId('scorecard-table').locator('tbody tr').filter({ hasText: '市生态环境局青川分局' }).waitFor({ timeout: WAIT });
    expect(await head.textContent()).toContain('评分政策 what-if-40-30-30（响应率40、解决率30、满意率30）');
    const after = await ecologyCells();
    const score = pageHeaders.indexOf('综合得分');
    const rates = ['收件数', '响应率', '解决率', '满意率'].map((h) => pageHeaders.indexOf(h));
    expect(rates.map((i) => after[i])).toEqual(rates.map((i) => before[i]));
    const [r, s2, f] = ['响应率', '解决率', '满意率'].map((h) =>
      before[pageHeaders.indexOf(h)] === '—' ? null : Number.parseFloat(before[pageHeaders.indexOf(h)]!) / 100,
    );
    // The department's three rates are all defined here, so its composite is the plain weighted sum (to the rates' rounding).
    expect([r, s2, f].includes(null)).toBe(false);
    expect(Number(after[score])).toBeCloseTo(40 * r! + 30 * s2! + 30 * f!, 0);
    await ao.page.getByTestId('explain-dept-ecology').click();
    const link = ao.page.getByTestId('explain-case-link').first();
    await link.waitFor({ timeout: WAIT });
    expect(await link.getAttribute('href')).toBe(`/cases/${caseId}`);
    await ao.page.getByTestId('chart-trend').waitFor({ timeout: WAIT });
    await link.click();
    await ao.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });

    // Sign-out returns to the org picker.
    await ao.page.getByTestId('sign-out').click();
    await ao.page.getByLabel('机构').waitFor();
    // A token the API no longer accepts ends the session too (here: a stored session whose token was tampered with).
    await cc.page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('chuishao.session')!);
      sessionStorage.setItem('chuishao.session', JSON.stringify({ ...s, token: `${s.token}x` }));
    });
    await cc.page.reload();
    await cc.page.getByLabel('机构').waitFor({ timeout: WAIT });

    for (const { page } of [twp, eco, water, enf, cc, ao]) expect(pageErrors(page)).toEqual([]);
    await Promise.all([twp, eco, water, enf, cc, ao].map(({ ctx }) => ctx.close()));
  });

  it('works at phone width, in English on request, and from the keyboard', async () => {
    const { ctx, page } = await signIn('东坝镇', 'wang.fang', { width: 390, height: 844 });
    await page.getByRole('link', { name: '吹哨', exact: true }).click();
    await page.getByLabel('标题').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await accessible(page, 'whistle form (phone)');
    await pick(page, '语言', 'English');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByLabel('Title').waitFor();
    // The skip link is the first stop of the keyboard and takes focus to the page.
    await page.reload();
    await page.getByLabel('Title').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await ctx.close();
  });
});
