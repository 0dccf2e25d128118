import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The evidence pack page (issue 15) in Chromium on the demo data, with the real worker building the
 * pack by LibreOffice: an HR officer builds it by keyboard alone with JavaScript off, follows its
 * progress by the "Refresh" link, and downloads both copies; a rep sees and downloads only the
 * representatives' copy; a manager gets the 403 page. Every page accessible.
 */
const LONG = 300_000;

describe('pages: the consultation evidence pack', () => {
  let web: WebApp;
  let consultationId: string;

  /** Follow the Refresh link (as a person without JavaScript would) until the build is finished. */
  async function refreshUntilReady(page: Page): Promise<void> {
    const until = Date.now() + 240_000;
    while (Date.now() < until) {
      const refresh = page.locator('a.app-evidence-refresh');
      if (!(await refresh.count())) return;
      await page.waitForTimeout(500); // a person's pause before the next Refresh (the deadline above bounds the wait)
      await refresh.click();
    }
    throw new Error('the evidence pack was not built in time');
  }

  beforeAll(async () => {
    web = await startWebApp({ worker: true });
    [{ id: consultationId }] = (await web.ctx.sql.query(`SELECT id FROM consultations ORDER BY created_at LIMIT 1`)).rows;
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('an HR officer builds the pack by keyboard without JavaScript, follows its progress and downloads both copies', async () => {
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto(`/consultations/${consultationId}`);
    await tabTo(page, (el) => el.tag === 'a' && el.text.includes('Evidence pack of this consultation'));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/consultations/${consultationId}/evidence-pack`);
    expect(await page.locator('h1').textContent()).toBe('Evidence pack');
    expect(await page.locator('main').textContent()).toContain('No evidence pack has been built yet');
    await tabTo(page, (el) => el.tag === 'button' && el.text.includes('Build the evidence pack'));
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('The evidence pack is being built');
    await refreshUntilReady(page);
    expect(await page.locator('main').textContent()).toContain('8 meetings');
    const links = page.locator('.app-evidence-downloads a');
    expect(await links.count()).toBe(4);
    for (const [i, magic] of [
      [0, '%PDF-'],
      [1, 'PK'],
      [2, '%PDF-'],
      [3, 'PK'],
    ] as const) {
      const res = await page.request.get((await links.nth(i).getAttribute('href'))!);
      expect(res.status()).toBe(200);
      expect((await res.body()).subarray(0, magic.length).toString()).toBe(magic);
    }
    const { rows } = await web.ctx.sql.query(`SELECT metadata->>'copy' AS copy FROM audit_log WHERE action = 'evidence_pack.download' AND actor_label = $1`, [DEMO.hr]);
    expect(rows.map((r) => r.copy).sort()).toEqual(['full', 'full', 'rep', 'rep']);
  }, LONG);

  it('the page is accessible to HR (JavaScript on) and to a rep, who sees only the representatives’ copy', async () => {
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await hr.goto(`/consultations/${consultationId}/evidence-pack`);
    await expectAccessible(hr, 'evidence-pack-hr');

    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await rep.goto(`/consultations/${consultationId}`);
    await rep.getByRole('link', { name: 'Evidence pack of this consultation' }).click();
    await rep.waitForURL(`**/evidence-pack`);
    await expectAccessible(rep, 'evidence-pack-rep');
    const hrefs = await rep.locator('.app-evidence-downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs).toHaveLength(2);
    expect(hrefs.every((h) => h.endsWith('copy=rep'))).toBe(true);
    expect(await rep.getByRole('button', { name: /Build the evidence pack/ }).count()).toBe(0);
    const full = await rep.request.get(hrefs[0].replace('copy=rep', 'copy=full'));
    expect(full.status()).toBe(403);
    const mine = await rep.request.get(hrefs[0]);
    expect(mine.status()).toBe(200);

    const manager = await web.page();
    await signIn(manager, web, DEMO.manager);
    const res = await manager.goto(`/consultations/${consultationId}/evidence-pack`);
    expect(res!.status()).toBe(403);
  }, LONG);
});
