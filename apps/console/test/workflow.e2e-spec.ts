import type { Page } from 'playwright-core';
import { TOWNSHIP, ECOLOGY, whistleBody, type Harness } from '../../api/test/harness';
import {
  accessible,
  act,
  attach,
  expectChanged,
  openCase,
  pageErrors,
  partStatus,
  photoShown,
  pick,
  startConsole,
  WAIT,
  waitForText,
  dropdownsGone,
  type ConsoleRig,
} from './browser';

/**
 * The practice's moves in the console (Chromium against a real service, ./browser.ts): a department asks for more
 * time and the command centre grants it; a department sends back a misrouted part and the command centre upholds it to
 * another department; a department appeals a review with a photo and the assessment office upholds the appeal.
 */
jest.setTimeout(240_000);

let rig: ConsoleRig;
let h: Harness;

beforeAll(async () => {
  rig = await startConsole({ WATCHER_INTERVAL_MS: '200' });
  h = rig.h;
});

afterAll(async () => {
  await rig?.close();
});

const signIn = (orgName: string, userId: string) => rig.signIn(orgName, userId);

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
  await dropdownsGone(twp.page);
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

  // 申请延期: the ecology bureau reports in, then asks for 3 working days, with the lab's receipt.
  const eco = await signIn('市生态环境局青川分局', 'li.qiang');
  await openCase(eco.page, title);
  await act(eco.page, 'dept-ecology', 'respond');
  await waitForText(partStatus(eco.page, 'dept-ecology'), '办理中');
  const before = await completionDue(eco.page, 'dept-ecology').textContent();
  await act(eco.page, 'dept-ecology', 'extend', async (p) => {
    await p.getByLabel('延期工作日').fill('3');
    await p.getByLabel('延期理由').fill('水样送省级实验室检测');
    await attach(p.locator('.ant-modal'), '送检回执.png');
  });
  await eco.page.getByTestId('part-dept-ecology').getByTestId('pending-extension').waitFor({ timeout: WAIT });
  await accessible(eco.page, 'case page with a pending extension');

  // 退单: the water bureau says the part is not its duty, with a photo of the pipe; the timeline shows it.
  const water = await signIn('青川县水利局', 'zhao.min');
  await openCase(water.page, title);
  await act(water.page, 'dept-water', 'return', async (p) => {
    await p.getByLabel('退单理由').fill('职能不符，属城管管网');
    await attach(p.locator('.ant-modal'), '管网现场.png');
  });
  await photoShown(water.page, water.page.getByTestId('timeline-item').filter({ hasText: '退单：职能不符' }), '管网现场.png');
  await photoShown(water.page, water.page.getByTestId('timeline-item').filter({ hasText: '申请延期 3 个工作日' }), '送检回执.png');
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
  // Each decision's dialog shows the request's evidence.
  await act(cc.page, 'dept-ecology', 'decideExtension', async (p) => {
    await photoShown(p, p.locator('.ant-modal'), '送检回执.png');
    await p.getByLabel('延期工作日').fill('2');
  });
  await cc.page.getByTestId('part-dept-ecology').getByTestId('pending-extension').waitFor({ state: 'detached', timeout: WAIT });
  await act(cc.page, 'dept-water', 'decideReturn', async (p) => {
    await photoShown(p, p.locator('.ant-modal'), '管网现场.png');
    await pick(p, '改派至', '青川县综合行政执法局');
  });
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
    expect(pageErrors(u.page)).toEqual([]);
    await u.ctx.close();
  }
});

test('a department appeals a review with a photo; the assessment office upholds it in 申诉裁定; the case page and timeline show the decision', async () => {
  // The case up to the review, over HTTP: reported in, completed, reviewed as not resolved (round 2 begins).
  const title = '东坝河排污口复查';
  const as = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const caseId = (
    await h
      .http()
      .post('/v1/whistles')
      .set(await as(TOWNSHIP))
      .send(whistleBody([ECOLOGY], { title }))
      .expect(201)
  ).body.caseId as string;
  const post = async (org: string, route: string, body: object) =>
    h
      .http()
      .post(`/v1/cases/${caseId}/${route}`)
      .set(await as(org))
      .send(body)
      .expect(200);
  await post(ECOLOGY, 'responses', {});
  await post(ECOLOGY, 'completions', { result: '排污口已封堵' });
  await post(TOWNSHIP, 'reviews', { departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied', comment: '仍有黑水排出' });

  // 申诉: the ecology bureau contests the review, with the photo the review overlooked.
  const eco = await signIn('市生态环境局青川分局', 'li.qiang');
  await openCase(eco.page, title);
  await act(eco.page, ECOLOGY, 'appeal', async (p) => {
    await p.getByLabel('申诉理由').fill('复查当日排污口已封堵，见照片');
    await attach(p.locator('.ant-modal'), '封堵后.png');
  });
  await waitForText(eco.page.getByTestId(`part-${ECOLOGY}`).getByTestId('open-appeal'), '申诉中');
  await photoShown(eco.page, eco.page.getByTestId('timeline-item').filter({ hasText: '申诉第1轮评价：复查当日排污口已封堵' }), '封堵后.png');
  // One appeal per review: the button is gone while it is open.
  expect(await eco.page.getByTestId(`part-${ECOLOGY}`).getByTestId('action-appeal').count()).toBe(0);

  // 申诉裁定: the assessment office (from a link to the case) sees the appeal and its photo, and upholds it.
  const ao = await signIn('青川县委县政府督查考核办公室', 'kao.he');
  await ao.page.goto(`${rig.base}/cases/${caseId}`);
  await ao.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
  await waitForText(ao.page.getByTestId(`part-${ECOLOGY}`).locator('.ant-descriptions-item'), '复查当日排污口已封堵，见照片');
  await accessible(ao.page, 'assessment office case page with an open appeal');
  await act(ao.page, ECOLOGY, 'decideAppeal', async (p) => {
    await photoShown(p, p.locator('.ant-modal'), '封堵后.png');
    await p.getByLabel('裁定意见').fill('照片显示复查时已封堵，申诉成立');
  });
  await ao.page.getByTestId(`part-${ECOLOGY}`).getByTestId('open-appeal').waitFor({ state: 'detached', timeout: WAIT });
  await waitForText(ao.page.getByTestId(`part-${ECOLOGY}`).getByTestId('appeal-decisions'), '第1轮评价申诉成立');
  await waitForText(ao.page.getByTestId('timeline-item'), '考核办裁定 市生态环境局青川分局 申诉成立：照片显示复查时已封堵，申诉成立');

  // The department sees the decision on its case page, and may not appeal that review again.
  await eco.page.reload();
  await eco.page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
  await waitForText(eco.page.getByTestId(`part-${ECOLOGY}`).getByTestId('appeal-decisions'), '第1轮评价申诉成立');
  await waitForText(eco.page.getByTestId('timeline-item'), '考核办裁定 市生态环境局青川分局 申诉成立');
  expect(await eco.page.getByTestId(`part-${ECOLOGY}`).getByTestId('open-appeal').count()).toBe(0);
  expect(await eco.page.getByTestId(`part-${ECOLOGY}`).getByTestId('action-appeal').count()).toBe(0);
  // The API agrees: the decided appeal is on the record, with the photo.
  const events = (
    await h
      .http()
      .get(`/v1/cases/${caseId}/events`)
      .set(await as(ECOLOGY))
      .expect(200)
  ).body as { type: string; data: { attachments?: { fileName: string }[]; upheld?: boolean } }[];
  expect(events.find((e) => e.type === 'ReviewAppealed')?.data.attachments?.map((a) => a.fileName)).toEqual(['封堵后.png']);
  expect(events.find((e) => e.type === 'AppealDecided')?.data.upheld).toBe(true);

  for (const u of [eco, ao]) {
    expect(pageErrors(u.page)).toEqual([]);
    await u.ctx.close();
  }
});
