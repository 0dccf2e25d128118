/**
 * Page tests: the real API process (real Postgres and Redis, the demo data) listening on a free
 * port, driven by Debian's Chromium through playwright-core, checked with axe-core.
 *
 *   const web = await startWebApp();                 // API + demo data, web.url, web.password
 *   const page = await web.page();                   // a fresh browser context (JS on)
 *   await signIn(page, web, 'hr@demo.example');
 *   await expectAccessible(page, 'hr home');         // zero WCAG 2.2 AA violations, screenshot saved
 *   const noJs = await web.page({ javaScript: false });
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { seedDemo } from '../../src/seed/seed';
import { startTestApp, StartOptions, TestContext } from './test-app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const DEMO_PASSWORD = 'demo-page-tests-password';
export const SCREENSHOTS = join(__dirname, '..', '..', 'screenshots');

export const DEMO = {
  admin: 'admin@demo.example',
  hr: 'hr@demo.example',
  manager: 'manager@demo.example',
  rep: 'rep@demo.example',
} as const;

export interface WebApp {
  ctx: TestContext;
  url: string;
  password: string;
  browser: Browser;
  /** A new browser context and page; every context is closed with the app. */
  page(opts?: { javaScript?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

let browserOnce: Promise<Browser> | undefined;

export function launchBrowser(): Promise<Browser> {
  browserOnce ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return browserOnce;
}

/**
 * Boot the API on a free port with the demo data loaded (demo users share DEMO_PASSWORD). Without the
 * worker, this file's database is cloned from the template the pages project's global setup seeded
 * once (test/pages/global-setup.ts). With the worker, the demo data is seeded here after the boot, as
 * before: the API and the worker ask for every pending PDF when they start, so a database seeded
 * before the boot would have LibreOffice make all the demo letters' PDFs at the start of every such
 * file (the seed after the boot leaves them to the document sweep, every 5 minutes).
 */
export async function startWebApp(opts: StartOptions & { seed?: boolean } = {}): Promise<WebApp> {
  process.env.DEMO_PASSWORD = DEMO_PASSWORD;
  const seeded = opts.seed !== false && !opts.worker && !!process.env.WTT_TEST_DEMO_TEMPLATE_DB;
  // createTestDatabase (test/support/test-db.ts) clones the template WTT_TEST_TEMPLATE_DB names.
  if (process.env.WTT_TEST_PLAIN_TEMPLATE_DB) process.env.WTT_TEST_TEMPLATE_DB = seeded ? process.env.WTT_TEST_DEMO_TEMPLATE_DB : process.env.WTT_TEST_PLAIN_TEMPLATE_DB;
  const ctx = await startTestApp(opts);
  if (opts.seed !== false && !seeded) await seedDemo(ctx.db.url);
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  return {
    ctx,
    url,
    password: DEMO_PASSWORD,
    browser,
    page: async ({ javaScript = true } = {}) => {
      const context = await browser.newContext({ baseURL: url, javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      return context.newPage();
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await ctx.close();
    },
  };
}

export async function closeBrowser(): Promise<void> {
  if (browserOnce) await (await browserOnce).close();
  browserOnce = undefined;
}

/** Sign in through the sign-in page, as a person would (labels and the button), and land on the next page. */
export async function signIn(page: Page, web: WebApp, email: string, password = web.password): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}

/**
 * Zero axe-core violations for WCAG 2.2 AA on the page as it is now; a full-page screenshot is saved
 * under screenshots/. Run it on pages with JavaScript on (axe runs in the page); check the same page
 * without JavaScript through the journey itself.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const result = await axe(page).analyze();
  const violations = result.violations.map((v) => ({
    page: name,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
  expect(violations).toEqual([]);
}

/**
 * The axe-core run behind expectAccessible: the same rules (AXE_TAGS) on the same page, two to three
 * times faster than AxeBuilder's default on these pages. Only violations are collected in detail
 * (passes, incomplete and inapplicable results, which nothing reads, are not serialised); and on a
 * page without frames (all of ours) legacy mode runs axe.run() in the page itself instead of
 * axe.runPartial() plus axe.finishRun() in a new blank page with axe injected again. A page with a
 * frame gets the default run (legacy mode misses violations inside a srcdoc frame).
 * test/pages/axe.page-spec.ts checks both report the same violations.
 */
export function axe(page: Page): AxeBuilder {
  // options() replaces the whole options object, so it comes before withTags (which adds runOnly to it).
  return new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .withTags(AXE_TAGS)
    .setLegacyMode(page.frames().length === 1);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  // Chromium now and then refuses one capture under load ("Page.captureScreenshot: Unable to capture
  // screenshot") and takes the same picture when asked again; a third refusal fails the test.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path, fullPage: true });
      return;
    } catch (err) {
      if (attempt === 3 || !/Unable to capture screenshot/.test((err as Error).message)) throw err;
      await page.waitForTimeout(250 * attempt);
    }
  }
}

/** Press Tab until the focused element matches, then return it (fails after `max` presses): keyboard-only journeys. */
export async function tabTo(page: Page, matches: (el: { tag: string; text: string; label: string; name: string; value: string }) => boolean, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      // Runs in the browser (this project's TypeScript has no DOM types).
      const a = (globalThis as any).document.activeElement;
      if (!a) return { tag: '', text: '', label: '', name: '', value: '' };
      const label: string = a.labels?.[0]?.textContent ?? a.getAttribute('aria-label') ?? '';
      return { tag: a.tagName.toLowerCase(), text: (a.textContent ?? '').trim().replace(/\s+/g, ' '), label: label.trim().replace(/\s+/g, ' '), name: a.name ?? '', value: a.value ?? '' };
    });
    if (matches(el)) return;
  }
  throw new Error(`no focusable element matched after ${max} Tab presses`);
}

/** Every link on the page that stays on the site (for crawls): no downloads, no assets, no "return to" variants. */
export async function siteLinks(page: Page): Promise<string[]> {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  return [
    ...new Set(
      hrefs
        .filter((h) => h.startsWith('/') && !h.startsWith('//') && !h.startsWith('/assets/') && !h.includes('format=') && !h.startsWith('/sign-out'))
        .map((h) => h.replace(/[?&]returnTo=[^&#]*/, '').replace(/\?$/, '')),
    ),
  ];
}
