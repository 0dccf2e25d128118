import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The ELI pages (issue 15) in Chromium on the demo data, with the real worker making the XLSX: an
 * HR officer sees the demo's releases, builds the final by keyboard alone, records its release
 * (the error summary first), and the cases it covers have their ELI deadline met; the same with
 * JavaScript off for a draft (which meets nothing); managers and reps get 403.
 */
/** The demo letters' PDFs (LibreOffice) share the documents queue with the ELI builds at start: allow for them. */
const LONG = 480_000;

describe('pages: the ELI schedule', () => {
  let web: WebApp;
  let programmeId: string;
  const sql = async <T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> => (await web.ctx.sql.query(text, params)).rows as T[];

  /**
   * Follow the page's "Check again" link (as a person without JavaScript would) until the newest
   * build is made by the worker. (Going to the page's own address plus "#builds" would only scroll:
   * the browser does not load a page again for a change of fragment.)
   */
  async function waitForBuild(page: Page): Promise<string> {
    // 720 checks half a second apart: the same 6 minutes at most as before (360 a second apart).
    for (let i = 0; i < 720; i++) {
      const row = page.locator('.app-eli-builds tbody tr').first();
      if ((await row.textContent())?.includes('Ready')) return (await row.getAttribute('data-build-id'))!;
      await page.waitForTimeout(500);
      const again = page.locator('a.app-eli-check-again');
      expect(await again.count()).toBe(1);
      const href = (await again.getAttribute('href'))!;
      await again.click();
      await page.waitForURL((u) => `${u.pathname}${u.search}${u.hash}` === href);
      await page.waitForLoadState('domcontentloaded');
    }
    throw new Error('the ELI build was not made');
  }

  /**
   * After Enter on a form's button, the page the POST answered with. (waitForLoadState alone returns
   * at once, on the page still showing: the keyboard does not wait for the navigation it starts.)
   * The pages here answer a refused form with its page again, led by the GOV.UK error summary.
   */
  const answered = async (page: Page) => {
    await page.locator('.govuk-error-summary').waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForLoadState('domcontentloaded');
  };

  /** Set the session's "view as at" date through the /as-at page. */
  const viewAsAt = async (page: Page, day: string, month: string, year: string) => {
    await page.goto('/as-at');
    await page.getByLabel('Day').fill(day);
    await page.getByLabel('Month').fill(month);
    await page.getByLabel('Year').fill(year);
    await page.getByRole('button', { name: 'View as at this date' }).click();
    await page.waitForLoadState('domcontentloaded');
  };

  beforeAll(async () => {
    web = await startWebApp({ worker: true });
    [{ id: programmeId }] = await sql<{ id: string }>(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`);
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('an HR officer builds the final by keyboard alone, records its release, and the ELI deadlines of its cases are met', async () => {
    const [overdue] = await sql<{ id: string }>(
      `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN case_checklist_items i ON i.case_id = c.id AND i.item = 'eli_sent'
        WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND c.state = 'agreed' AND i.done_on IS NULL ORDER BY p.reference LIMIT 1`,
      [programmeId],
    );
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await viewAsAt(page, '10', '3', '2017');
    await page.goto(`/cases/${overdue.id}`);
    expect(await page.locator('.app-deadline', { hasText: 'Employee liability information' }).textContent()).toContain('Overdue');

    await page.goto('/');
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'ELI');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/eli`);
    const releases = page.locator('.app-eli-releases tbody tr');
    expect(await releases.count()).toBe(2);
    expect(await releases.nth(0).textContent()).toContain('24 February 2017');
    expect(await releases.nth(0).textContent()).toContain('Final');
    expect(await releases.nth(1).textContent()).toContain('13 January 2017');
    await expectAccessible(page, 'eli-hr');

    // Nothing chosen: the error summary, nothing queued.
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Build the schedule', 200);
    await page.keyboard.press('Enter');
    await answered(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select a draft or the final schedule');
    await expectAccessible(page, 'eli-build-error');
    const [{ n: none }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM eli_builds WHERE requested_by_label = $1`, [DEMO.hr]);
    expect(none).toBe(0);

    // Tab reaches the radio group once (its first radio); the arrow key moves to, and selects, the final.
    await tabTo(page, (el) => el.tag === 'input' && el.label.startsWith('Draft'), 200);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Build the schedule', 200);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/eli`);
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('The final schedule is being made');
    const buildId = await waitForBuild(page);
    const xlsx = await page.request.get(`/programmes/${programmeId}/eli/builds/${buildId}/download`);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');

    await tabTo(page, (el) => el.tag === 'a' && el.text.startsWith('Record its release'), 300);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/eli/builds/${buildId}/release`);
    await expectAccessible(page, 'eli-release');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Record the release');
    await page.keyboard.press('Enter');
    await answered(page);
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    expect(await page.locator('#recipientName-error').count()).toBe(1);
    await expectAccessible(page, 'eli-release-error');
    expect((await sql(`SELECT 1 FROM eli_releases WHERE build_id = $1`, [buildId])).length).toBe(0);

    await tabTo(page, (el) => el.tag === 'input' && el.name === 'recipientName');
    await page.keyboard.type('Joanne Whitfield, HR Business Partner');
    await tabTo(page, (el) => el.tag === 'input' && el.name === 'recipientEmail');
    await page.keyboard.type('joanne.whitfield@manchester-ccg.example');
    for (const [name, value] of [['releasedOn-day', '9'], ['releasedOn-month', '3'], ['releasedOn-year', '2017']]) {
      await tabTo(page, (el) => el.tag === 'input' && el.name === name);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(value);
    }
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Record the release');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/eli`);
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('Version 3 (final) recorded as released to Joanne Whitfield');
    expect(await releases.nth(0).textContent()).toContain('9 March 2017');
    const [rel] = await sql(`SELECT id, version, kind, released_on::text AS released_on, released_by_label FROM eli_releases WHERE build_id = $1`, [buildId]);
    expect(rel).toMatchObject({ version: 3, kind: 'final', released_on: '2017-03-09', released_by_label: DEMO.hr });
    const file = await page.request.get(`/programmes/${programmeId}/eli/${rel.id}/download`);
    expect(file.status()).toBe(200);

    // The case it covers: met, late (due 4 March 2017).
    await page.goto(`/cases/${overdue.id}`);
    expect(await page.locator('.app-deadline', { hasText: 'Employee liability information' }).textContent()).toContain('Done on 9 March 2017; late');
  }, LONG);

  it('does a draft with JavaScript off: it is recorded and meets no deadline', async () => {
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto(`/programmes/${programmeId}/eli`);
    expect(await page.locator('h1').textContent()).toContain('Employee liability information');
    await page.locator('input[name="kind"][value="draft"]').check();
    await page.getByRole('button', { name: 'Build the schedule' }).click();
    await page.waitForLoadState('domcontentloaded');
    const buildId = await waitForBuild(page);
    await page.locator(`tr[data-build-id="${buildId}"] a`, { hasText: 'Record its release' }).click();
    await page.getByLabel('Who at the transferee received it?').fill('Joanne Whitfield');
    await page.getByLabel('Day').fill('31');
    await page.getByLabel('Month').fill('2');
    await page.getByLabel('Year').fill('2017');
    await page.getByRole('button', { name: 'Record the release' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('The date of release must be a real date');
    await page.getByLabel('Day').fill('28');
    await page.getByRole('button', { name: 'Record the release' }).click();
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/eli`);
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('(draft) recorded as released');
    const [rel] = await sql(`SELECT kind, released_on::text AS released_on FROM eli_releases WHERE build_id = $1`, [buildId]);
    expect(rel).toEqual({ kind: 'draft', released_on: '2017-02-28' });
  }, LONG);

  it('has no ELI pages for managers and trade union reps', async () => {
    const [release] = await sql<{ id: string }>(`SELECT id FROM eli_releases WHERE programme_id = $1 ORDER BY version LIMIT 1`, [programmeId]);
    for (const who of [DEMO.manager, DEMO.rep]) {
      const page = await web.page();
      await signIn(page, web, who);
      expect(await page.locator('.govuk-service-navigation').textContent()).not.toContain('ELI');
      const res = await page.goto(`/programmes/${programmeId}/eli`);
      expect(res?.status()).toBe(403);
      const file = await page.request.get(`/programmes/${programmeId}/eli/${release.id}/download`);
      expect(file.status()).toBe(403);
    }
  }, LONG);
});
