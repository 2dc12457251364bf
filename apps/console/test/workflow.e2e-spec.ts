import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, whistleBody, type Harness } from '../../api/test/harness';
import { consoleDir } from '../../api/src/console/serve-console';

/**
 * The practice's moves in the console (Debian's Chromium against a real service on a temp SQLite file): a department
 * asks for more time and the command centre grants it; a department sends back a misrouted part and the command centre
 * upholds it to another department. The helpers are those of console.e2e-spec.ts.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = 20_000;

jest.setTimeout(240_000);

let h: Harness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!consoleDir()) throw new Error('dist/console is missing: run `npm run build:console` (npm test does)');
  h = await startHarness({ WATCHER_INTERVAL_MS: '200' });
  const address = h.runtime.app.getHttpServer().address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A user in their own browser context, signed in through the development org picker. */
async function signIn(orgName: string, userId: string, viewport = { width: 1366, height: 768 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(m.text());
  });
  (page as unknown as { errors: string[] }).errors = errors;
  await page.goto(`${base}/`);
  await pick(page, '机构', orgName);
  await page.getByLabel('用户').fill(userId);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('signed-in').filter({ hasText: orgName }).waitFor({ timeout: WAIT });
  return { ctx, page };
}

/** Picks an option of the open Ant Design select. */
async function option(page: Page, text: string) {
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click();
}

async function pick(page: Page, label: string, text: string) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  if (await input.isEditable()) await input.fill(text);
  await option(page, text);
}

/** No serious or critical axe-core violation on the page as it is now. */
async function accessible(page: Page, name: string) {
  // A select's list still fading out after a pick is not the page: wait until every dropdown is gone.
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.ant-select-dropdown')].every(
      (d) => d.classList.contains('ant-select-dropdown-hidden') || d.offsetParent === null,
    ),
  );
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect({ page: name, violations: bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) }).toEqual({ page: name, violations: [] });
}

async function openCase(page: Page, title: string) {
  await page.getByTestId('case-link').filter({ hasText: title }).first().click({ timeout: WAIT });
  await page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
}

/** Runs one action of a part's card through its dialog. */
async function act(page: Page, departmentId: string, kind: string, fill: (dialog: Page) => Promise<void> = async () => {}) {
  const part = page.getByTestId(`part-${departmentId}`);
  await part.getByTestId(`action-${kind}`).click({ timeout: WAIT });
  await page.locator('.ant-modal').waitFor();
  await fill(page);
  // Under load a picked select's list may still be fading out over the footer: the click would land on it.
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.ant-select-dropdown')].every(
      (d) => d.classList.contains('ant-select-dropdown-hidden') || d.offsetParent === null,
    ),
  );
  await page.locator('.ant-modal-footer .ant-btn-primary').click();
  await page.locator('.ant-modal').waitFor({ state: 'detached', timeout: WAIT });
}

const partStatus = (page: Page, departmentId: string) => page.getByTestId(`part-${departmentId}`).getByTestId('part-status');

async function waitForText(locator: ReturnType<Page['getByTestId']>, text: string) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: WAIT });
}

const completionDue = (page: Page, departmentId: string) =>
  page.getByTestId(`part-${departmentId}`).locator('.ant-descriptions-item').filter({ hasText: '办结期限' }).locator('.ant-descriptions-item-content');

test('extension approved moves the completion deadline; an upheld return reassigns the part', async () => {
  const title = '河滨路污水管网错接';
  const twp = await signIn('东坝镇', 'wang.fang');
  await twp.page.getByRole('link', { name: '吹哨', exact: true }).click();
  await twp.page.getByText('自由选择部门').click();
  await pick(twp.page, '责任部门', '市生态环境局青川分局');
  await pick(twp.page, '责任部门', '青川县水利局');
  await twp.page.keyboard.press('Escape');
  // The departments' list is still fading out: wait until it is gone before opening the next select.
  await twp.page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.ant-select-dropdown')].every(
      (d) => d.classList.contains('ant-select-dropdown-hidden') || d.offsetParent === null,
    ),
  );
  await pick(twp.page, '牵头部门', '青川县水利局');
  await pick(twp.page, '事项类别', '联合执法');
  await twp.page.getByLabel('标题').fill(title);
  await twp.page.getByLabel('问题描述').fill('雨水管接入污水，河滨路段溢流');
  await twp.page.getByLabel('地址').fill('东坝镇河滨路20号');
  await twp.page.getByRole('button', { name: '提交' }).click();
  await twp.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
  // 牵头 is the picked department, not the first one.
  await twp.page.getByTestId('part-dept-water').getByTestId('lead-badge').waitFor({ timeout: WAIT });
  expect(await twp.page.getByTestId('part-dept-ecology').getByTestId('lead-badge').count()).toBe(0);

  // 申请延期: the ecology bureau reports in, then asks for 3 working days.
  const eco = await signIn('市生态环境局青川分局', 'li.qiang');
  await openCase(eco.page, title);
  await act(eco.page, 'dept-ecology', 'respond');
  await waitForText(partStatus(eco.page, 'dept-ecology'), '办理中');
  const before = await completionDue(eco.page, 'dept-ecology').textContent();
  await act(eco.page, 'dept-ecology', 'extend', async (p) => {
    await p.getByLabel('延期工作日').fill('3');
    await p.getByLabel('延期理由').fill('水样送省级实验室检测');
  });
  await eco.page.getByTestId('part-dept-ecology').getByTestId('pending-extension').waitFor({ timeout: WAIT });
  await accessible(eco.page, 'case page with a pending extension');

  // 退单: the water bureau says the part is not its duty.
  const water = await signIn('青川县水利局', 'zhao.min');
  await openCase(water.page, title);
  await act(water.page, 'dept-water', 'return', (p) => p.getByLabel('退单理由').fill('职能不符，属城管管网'));
  await water.page.getByTestId('part-dept-water').getByTestId('pending-return').waitFor({ timeout: WAIT });

  // A second whistle of the township awaiting only a return decision: the pending filter tells the two apart.
  const other = '农贸市场占道经营';
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const otherId = (
    await h
      .http()
      .post('/v1/whistles')
      .set(await auth('twp-dongba'))
      .send(whistleBody(['dept-market'], { title: other }))
      .expect(201)
  ).body.caseId;
  await h
    .http()
    .post(`/v1/cases/${otherId}/returns`)
    .set(await auth('dept-market'))
    .send({ reason: '属地不符' })
    .expect(200);

  // 我的吹哨 filtered to 待审批延期: the case with the pending extension, badged; the other one is hidden.
  await twp.page.getByRole('link', { name: '我的吹哨', exact: true }).click();
  const listed = (name: string) => twp.page.getByTestId('case-table').locator('tr').filter({ hasText: name });
  await listed(other).getByTestId('pending-badge-return').waitFor({ timeout: WAIT });
  await pick(twp.page, '待审批事项', '待审批延期');
  await listed(other).waitFor({ state: 'detached', timeout: WAIT });
  await listed(title).getByTestId('pending-badge-extension').waitFor({ timeout: WAIT });
  await waitForText(listed(title).getByTestId('pending-badge-return'), '待审定退单');
  await pick(twp.page, '待审批事项', '申诉中');
  await listed(title).waitFor({ state: 'detached', timeout: WAIT });
  expect(await listed(other).count()).toBe(0);
  await accessible(twp.page, 'case list filtered by a pending move');

  // The command centre sees both on its board, approves 2 of the 3 days and upholds the return.
  const cc = await signIn('青川县综合指挥中心', 'duty');
  const awaiting = (name: string) => cc.page.getByTestId('pending-table').locator('tr').filter({ hasText: name });
  await awaiting(other).getByTestId('board-pending-return').waitFor({ timeout: WAIT });
  await pick(cc.page, '待审批事项', '待审批延期');
  await awaiting(other).waitFor({ state: 'detached', timeout: WAIT });
  await awaiting(title).getByTestId('board-pending-extension').waitFor({ timeout: WAIT });
  await pick(cc.page, '待审批事项', '待审定退单');
  await awaiting(other).waitFor({ timeout: WAIT });
  await accessible(cc.page, 'board filtered by a pending move');
  await cc.page.getByTestId('board-pending-return').first().waitFor({ timeout: WAIT });
  await cc.page.getByTestId('board-pending-extension').first().click({ timeout: WAIT });
  await cc.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
  await waitForText(cc.page.getByTestId('part-dept-ecology').getByTestId('pending-extension'), '待审批延期');
  await accessible(cc.page, 'command centre case page with pending moves');
  await act(cc.page, 'dept-ecology', 'decideExtension', (p) => p.getByLabel('延期工作日').fill('2'));
  await cc.page.getByTestId('part-dept-ecology').getByTestId('pending-extension').waitFor({ state: 'detached', timeout: WAIT });
  await act(cc.page, 'dept-water', 'decideReturn', (p) => pick(p, '改派至', '青川县综合行政执法局'));
  await cc.page.getByTestId('part-dept-enforcement').waitFor({ timeout: WAIT });
  expect(await cc.page.getByTestId('part-dept-water').count()).toBe(0);
  await waitForText(cc.page.getByTestId('timeline-item'), '指挥中心审定退单成立，青川县水利局 → 青川县综合行政执法局');
  await waitForText(cc.page.getByTestId('timeline-item'), '指挥中心同意 市生态环境局青川分局 延期 2 个工作日');

  // The department sees its completion deadline moved.
  await eco.page.reload();
  await eco.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
  await expectChanged(() => completionDue(eco.page, 'dept-ecology').textContent(), before);
  expect(await eco.page.getByTestId('part-dept-ecology').getByTestId('pending-extension').count()).toBe(0);

  for (const u of [twp, eco, water, cc]) {
    expect((u.page as unknown as { errors: string[] }).errors).toEqual([]);
    await u.ctx.close();
  }
});

async function expectChanged(read: () => Promise<string | null>, before: string | null) {
  const deadline = Date.now() + WAIT;
  let now = await read();
  while (now === before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    now = await read();
  }
  expect(before).toBeTruthy();
  expect(now).not.toBe(before);
}
