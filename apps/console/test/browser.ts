import { crc32, deflateSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../../api/test/harness';
import { consoleDir } from '../../api/src/console/serve-console';

/**
 * What the console's browser specs share: Debian's Chromium (playwright-core; `npm test` installs chromium when it is
 * missing, or set CHROMIUM_PATH) against a real service on a temp SQLite file serving the built console (dist/console),
 * and the steps a user takes in it (sign in, pick, act through a part's dialog, attach a photo).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const WAIT = 20_000;

export interface ConsoleUser {
  ctx: BrowserContext;
  page: Page;
}

export interface ConsoleRig {
  h: Harness;
  browser: Browser;
  /** The service's origin, e.g. http://127.0.0.1:40123. */
  base: string;
  /** A user in their own browser context, signed in through the development org picker. */
  signIn(orgName: string, userId: string, viewport?: { width: number; height: number }): Promise<ConsoleUser>;
  close(): Promise<void>;
}

/** Starts the service (with `env`, its test clock at `startAt` if given) and Chromium. */
export async function startConsole(env: Record<string, string> = {}, startAt?: string): Promise<ConsoleRig> {
  if (!consoleDir()) throw new Error('dist/console is missing: run `npm run build:console` (npm test does)');
  const h = await startHarness(env, undefined, startAt);
  const address = h.runtime.app.getHttpServer().address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    h,
    browser,
    base,
    async signIn(orgName, userId, viewport = { width: 1366, height: 768 }) {
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
    },
    async close() {
      await browser.close();
      await h.close();
    },
  };
}

/** The uncaught errors and CSP refusals a signed-in page has logged. */
export const pageErrors = (page: Page): string[] => (page as unknown as { errors: string[] }).errors;

/** A select's list still fading out after a pick covers what is under it: wait until every dropdown is gone. */
export async function dropdownsGone(page: Page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.ant-select-dropdown')].every(
      (d) => d.classList.contains('ant-select-dropdown-hidden') || d.offsetParent === null,
    ),
  );
}

/** Picks an option of the open Ant Design select. */
export async function option(page: Page, text: string) {
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click();
}

export async function pick(page: Page, label: string, text: string) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  if (await input.isEditable()) await input.fill(text);
  await option(page, text);
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function accessible(page: Page, name: string) {
  await dropdownsGone(page);
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect({ page: name, violations: bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) }).toEqual({ page: name, violations: [] });
}

export async function openCase(page: Page, title: string) {
  await page.getByTestId('case-link').filter({ hasText: title }).first().click({ timeout: WAIT });
  await page.getByTestId('case-title').filter({ hasText: title }).waitFor({ timeout: WAIT });
}

/** Runs one action of a part's card through its dialog. */
export async function act(page: Page, departmentId: string, kind: string, fill: (dialog: Page) => Promise<void> = async () => {}) {
  const part = page.getByTestId(`part-${departmentId}`);
  await part.getByTestId(`action-${kind}`).click({ timeout: WAIT });
  const modal = page.locator('.ant-modal');
  await modal.waitFor();
  // The dialog zooms in: a click during that animation can be lost under load.
  await page.locator('.ant-modal:not(.ant-zoom-appear)').waitFor({ timeout: WAIT });
  await fill(page);
  // Under load a picked select's list may still be fading out over the footer: the click would land on it.
  await dropdownsGone(page);
  const ok = page.locator('.ant-modal-footer .ant-btn-primary');
  await ok.click();
  // A click the page did not take leaves the dialog open with its button idle (not loading, which means a request is
  // under way): click once more. A refusal shown in the dialog keeps it open, and its text is in the failure.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await modal.waitFor({ state: 'detached', timeout: WAIT / 2 });
      return;
    } catch {
      if (await ok.evaluate((b) => b.classList.contains('ant-btn-loading') || (b as HTMLButtonElement).disabled)) continue;
      await ok.click();
    }
  }
  await modal.waitFor({ state: 'detached', timeout: WAIT }).catch(async () => {
    throw new Error(`the ${kind} dialog of ${departmentId} stayed open: ${await modal.textContent()}`);
  });
}

export const partStatus = (page: Page, departmentId: string) => page.getByTestId(`part-${departmentId}`).getByTestId('part-status');

export async function waitForText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: WAIT });
}

/** A real 4×4 PNG (a red square), made here: a photo the browser can decode. */
export function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(4, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.concat(Array.from({ length: 4 }, () => Buffer.from([0, ...Array.from({ length: 4 }, () => [200, 30, 30]).flat()])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Picks a file in the upload of `scope` and waits until it is uploaded. */
export async function attach(scope: Locator, name: string) {
  await scope.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer: png() });
  await scope.locator('.ant-upload-list-item').filter({ hasText: name }).and(scope.locator('.ant-upload-list-item-done')).waitFor({ timeout: WAIT });
}

/** An image of the page, shown from its object URL and decoded. */
export async function photoShown(page: Page, scope: Locator, name: string) {
  const img = scope.locator(`img[data-testid="attachment-image"][alt="${name}"]`).first();
  await img.waitFor({ timeout: WAIT });
  expect(await img.getAttribute('src')).toMatch(/^blob:/);
  await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 4, await img.elementHandle(), {
    timeout: WAIT,
  });
}

/** Waits until `read` answers something other than `before` (which must be something). */
export async function expectChanged(read: () => Promise<string | null>, before: string | null) {
  const deadline = Date.now() + WAIT;
  let now = await read();
  while (now === before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    now = await read();
  }
  expect(before).toBeTruthy();
  expect(now).not.toBe(before);
}
