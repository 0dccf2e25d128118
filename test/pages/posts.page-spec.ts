import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The posts pages: the filtered list with keyset pagination, a post's page, a manager's proposal
 * (by keyboard, with and without JavaScript), a manager kept to their areas, and the import page.
 */
/** A whole journey, key by key, with axe on each page: minutes on a loaded 2-core machine. */
const JOURNEY_TIMEOUT = 180_000;
// Every test here drives Chromium and runs axe on several pages; on a shared 2-core machine one can take over a minute.
jest.setTimeout(JOURNEY_TIMEOUT);

describe('pages: posts, a post, proposing a change of scope, import', () => {
  let web: WebApp;
  let programmeId: string;
  const MANAGER_AREAS = ['Learning Disability', 'Mental Health', 'Older People and Physical Disability'];

  const postId = async (reference: string): Promise<string> => (await web.ctx.sql.query(`SELECT id FROM posts WHERE reference = $1`, [reference])).rows[0].id;
  const postScope = async (reference: string): Promise<string> => (await web.ctx.sql.query(`SELECT scope FROM posts WHERE reference = $1`, [reference])).rows[0].scope;
  const tableRows = (page: Page, selector = 'table.govuk-table tbody tr') => page.locator(selector);

  beforeAll(async () => {
    web = await startWebApp({ worker: true }); // imports run in the worker
    programmeId = (await web.ctx.sql.query(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`)).rows[0].id;
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('shows a manager only the posts of their areas, filtered, accessible', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.manager);
    await page.goto('/posts');
    expect(await page.locator('h1').textContent()).toBe('Posts');
    const areas = await page.locator('table.govuk-table tbody tr .app-post-area').allTextContents();
    expect(areas.length).toBeGreaterThan(0);
    for (const a of areas) expect(MANAGER_AREAS).toContain(a.trim());
    // The area filter offers only the manager's areas.
    const options = (await page.locator('#thematicAreaId option').allTextContents()).map((t) => t.trim());
    expect(options).toEqual(['Any', ...MANAGER_AREAS]);
    await expectAccessible(page, 'posts-manager');

    await page.locator('#thematicAreaId').selectOption({ label: 'Mental Health' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(new URL(page.url()).searchParams.get('thematicAreaId')).toBeTruthy();
    const filtered = await page.locator('table.govuk-table tbody tr .app-post-area').allTextContents();
    expect(filtered.length).toBeGreaterThan(0);
    expect(new Set(filtered.map((t) => t.trim()))).toEqual(new Set(['Mental Health']));
    expect(await page.locator('.moj-filter__selected').textContent()).toContain('Mental Health');
    await expectAccessible(page, 'posts-manager-filtered');
  });

  it('pages through the posts with keyset cursors in the query string, the filters kept', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.goto('/posts?q=MCC');
    expect(await tableRows(page).count()).toBe(50);
    const next = page.getByRole('link', { name: /Next page/ });
    const href = new URL((await next.getAttribute('href'))!, web.url);
    expect(href.searchParams.get('q')).toBe('MCC');
    expect(href.searchParams.get('cursor')).toBeTruthy();
    const first = await page.locator('table.govuk-table tbody tr td:first-child').allTextContents();
    await next.click();
    const second = await page.locator('table.govuk-table tbody tr td:first-child').allTextContents();
    expect(second).toHaveLength(22); // 72 demo posts
    expect(second.filter((r) => first.includes(r))).toEqual([]);
    expect(await page.getByRole('link', { name: /Next page/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /First page/ }).count()).toBe(1);
    await expectAccessible(page, 'posts-hr-page-2');

    const bad = await page.goto('/posts?cursor=not-a-cursor');
    expect(bad?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('is not a cursor this API issued');
    await expectAccessible(page, 'posts-bad-cursor');
  });

  it.each([
    [DEMO.hr, 'hr'],
    [DEMO.admin, 'admin'],
  ])('shows a post with its holders, scope and scope history (%s)', async (email, name) => {
    {
      const page = await web.page();
      await signIn(page, web, email);
      await page.goto('/posts');
      await page.getByRole('link', { name: 'MCC-LD-001', exact: true }).click();
      expect(await page.locator('.govuk-caption-l').textContent()).toContain('MCC-LD-001');
      const details = await page.locator('#post-details').textContent();
      for (const t of ['Reference', 'Organisation', 'Learning Disability', 'Grade', 'FTE', 'Establishment status', 'In scope', 'Scope decided']) expect(details).toContain(t);
      expect(await page.locator('#scope-history .moj-timeline__item').count()).toBeGreaterThanOrEqual(1);
      expect(await page.getByRole('columnheader', { name: 'Staff number' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Propose a change of scope' }).count()).toBe(0); // managers propose
      await expectAccessible(page, `post-${name}`);
      await page.goto('/posts');
      await expectAccessible(page, `posts-${name}`);
    }
  });

  it("takes a manager by keyboard alone from sign-in to a pending proposal (JavaScript on)", async () => {
    const page = await web.page();
    await managerJourney(page, 'MCC-MH-001', 'js');
  }, JOURNEY_TIMEOUT);

  it('takes a manager by keyboard alone from sign-in to a pending proposal, with JavaScript off', async () => {
    const page = await web.page({ javaScript: false });
    await managerJourney(page, 'MCC-MH-002', 'nojs');
  }, JOURNEY_TIMEOUT);

  async function managerJourney(page: Page, reference: string, label: string): Promise<void> {
    const before = await postScope(reference);
    expect(before).toBe('in_scope');
    await page.goto('/sign-in');
    await tabTo(page, (el) => el.label === 'Email address');
    await page.keyboard.type(DEMO.manager);
    await tabTo(page, (el) => el.label === 'Password');
    await page.keyboard.type(web.password);
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');

    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Posts');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/posts');
    await tabTo(page, (el) => el.label === 'Reference or title');
    await page.keyboard.type(reference);
    await page.keyboard.press('Enter'); // submits the GET filter form
    await page.waitForURL((u) => u.searchParams.get('q') === reference);
    expect(await tableRows(page).count()).toBe(1);

    await tabTo(page, (el) => el.tag === 'a' && el.text === reference);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => /^\/posts\/[0-9a-f-]{36}$/.test(u.pathname));
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Propose a change of scope');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname.endsWith('/propose'));
    if (label === 'js') await expectAccessible(page, 'propose-form');

    // Send it without a reason first: the error summary, then the field.
    await tabTo(page, (el) => el.tag === 'input' && el.label === 'Out of scope');
    await page.keyboard.press('Space');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Send to HR');
    await page.keyboard.press('Enter');
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter the reason for your proposal');
    expect(await page.locator('#reason-error').textContent()).toContain('Enter the reason for your proposal');
    expect(await page.locator('input[name=scope][value=out_of_scope]').isChecked()).toBe(true);
    if (label === 'js') await expectAccessible(page, 'propose-form-error');

    await tabTo(page, (el) => el.label === 'Reason');
    await page.keyboard.type('Commissioned jointly with the CCG already; stays with the council');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Send to HR');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => /^\/posts\/[0-9a-f-]{36}$/.test(u.pathname));
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('has been sent to HR');
    const pending = page.locator('.app-proposal');
    expect(await pending.count()).toBe(1);
    expect(await pending.textContent()).toContain('In scope → Out of scope');
    expect(await pending.textContent()).toContain('Pending');
    if (label === 'js') await expectAccessible(page, 'post-manager-pending');
    expect(await postScope(reference)).toBe('in_scope'); // HR decides

    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Your proposals');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/scope-proposals');
    const row = page.locator('tr', { hasText: reference });
    expect(await row.textContent()).toContain('Pending');
    if (label === 'js') await expectAccessible(page, 'your-proposals');
  }

  it('refuses a proposal without a scope, and one on a post someone else changed meanwhile', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.manager);
    const id = await postId('MCC-OPPD-001');
    await page.goto(`/posts/${id}/propose?kind=challenge`);
    expect(await page.locator('h1').textContent()).toBe('Challenge this scope');
    await page.getByLabel('Reason').fill('Should move to the LCO');
    await page.getByRole('button', { name: 'Send to HR' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select the scope you propose');
    await page.getByLabel('Later phase').check();
    // Someone else decides the post's scope meanwhile.
    await web.ctx.sql.query(`UPDATE posts SET scope = 'under_review', version = version + 1 WHERE id = $1`, [id]);
    await page.getByRole('button', { name: 'Send to HR' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Someone else changed this post');
    expect(await page.locator('main .govuk-inset-text').textContent()).toContain('Under review');
    expect(await page.getByLabel('Under review').count()).toBe(0); // the current scope is not offered
    expect(await page.getByLabel('Reason').inputValue()).toBe('Should move to the LCO');
    await expectAccessible(page, 'propose-stale');
    await page.getByRole('button', { name: 'Send to HR' }).click();
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('Your challenge has been sent to HR');
    const { rows } = await web.ctx.sql.query(`SELECT kind, current_scope, proposed_scope FROM scope_proposals WHERE post_id = $1`, [id]);
    expect(rows).toEqual([{ kind: 'challenge', current_scope: 'under_review', proposed_scope: 'later_phase' }]);
  });

  it("gives a manager a 404 page for another area's post, and no posts of it in the list", async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.manager);
    const other = await postId('MCC-CC-001');
    const res = await page.goto(`/posts/${other}`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.locator('main').textContent()).not.toContain('MCC-CC-001');
    expect((await page.goto(`/posts/${other}/propose`))?.status()).toBe(404);
    const area = (await web.ctx.sql.query(`SELECT id FROM thematic_areas WHERE name = $1`, ["Children's Commissioning"])).rows[0].id;
    await page.goto(`/posts?thematicAreaId=${area}`);
    expect(await tableRows(page).count()).toBe(0);
    expect(await page.locator('h2', { hasText: 'No posts match your filters' }).count()).toBe(1);
  });

  it('keeps trade union reps off the posts pages (403, as the API)', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.rep);
    expect((await page.goto('/posts'))?.status()).toBe(403);
    expect((await page.goto(`/posts/${await postId('MCC-LD-001')}`))?.status()).toBe(403);
    expect((await page.goto(`/programmes/${programmeId}/import`))?.status()).toBe(403);
  });

  describe('import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wtt-import-'));
    const csv = (name: string, lines: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, ['reference,title,organisation,thematic_area,grade,fte,establishment_status,scope,scope_reason', ...lines].join('\n') + '\n');
      return file;
    };
    const count = async () => (await web.ctx.sql.query(`SELECT count(*)::int AS n FROM posts`)).rows[0].n as number;

    /** The import's own page, refreshed by its "Refresh" link (no script) until it has finished. */
    const waitForImport = async (page: Page) => {
      await page.waitForURL((u) => /\/imports\/[0-9a-f-]{36}$/.test(u.pathname));
      for (let i = 0; i < 300 && (await page.locator('#refresh').count()); i++) {
        expect(await page.locator('.app-import-progress').textContent()).toMatch(/rows read, \d+% of the file/);
        await page.waitForTimeout(200);
        await page.locator('#refresh').click();
      }
    };

    it('shows each row error (row, column, message) in the error summary, offers the error report, and imports nothing', async () => {
      const page = await web.page();
      await signIn(page, web, DEMO.hr);
      const before = await count();
      await page.goto(`/programmes/${programmeId}/import`);
      expect(await page.locator('h1').textContent()).toBe('Import posts');
      await expectAccessible(page, 'import');
      await page.getByRole('button', { name: 'Import the file' }).click();
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select a CSV or XLSX file');
      await page.getByLabel('Spreadsheet of posts').setInputFiles(
        csv('bad.csv', ['MCC-VCS-901,VCS Officer,MCC,VCS,G7,1,filled,,', 'MCC-VCS-902,VCS Officer,MCC,VCS,G99,1.5,filled,,']),
      );
      await page.getByRole('button', { name: 'Import the file' }).click();
      await waitForImport(page);
      expect(await page.locator('h1').textContent()).toBe('bad.csv was not imported');
      const summary = await page.locator('.govuk-error-summary').textContent();
      expect(summary).toContain('Row 3, column “grade”');
      expect(summary).toContain('Row 3, column “fte”');
      await expectAccessible(page, 'import-errors');
      const report = await page.request.get(await page.locator('#error-report').getAttribute('href') as string);
      expect(report.status()).toBe(200);
      expect(report.headers()['content-type']).toBe('text/csv; charset=utf-8');
      const lines = (await report.text()).replace(/^\uFEFF/, '').trim().split(/\r\n/);
      expect(lines[0]).toBe('row,column,message,related_rows');
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['3,grade', '3,fte']);
      expect(await count()).toBe(before);
    });

    it('imports the posts through the worker without JavaScript, shows progress then what was created, and serves the template', async () => {
      const page = await web.page({ javaScript: false });
      await signIn(page, web, DEMO.hr);
      const before = await count();
      await page.goto(`/programmes/${programmeId}/import`);
      const template = await page.request.get('/posts/import-template.csv');
      expect(template.status()).toBe(200);
      expect((await template.text()).replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe('reference,title,organisation,thematic_area,grade,fte,establishment_status,scope,scope_reason');
      expect((await page.request.get('/posts/import-template.xlsx')).status()).toBe(200);

      await page.getByLabel('Spreadsheet of posts').setInputFiles(
        csv('good.csv', ['MCC-VCS-911,VCS Development Officer,MCC,VCS,G7,1,vacant,,', 'MCC-VCS-912,VCS Development Officer,MCC,VCS,G7,0.5,vacant,,']),
      );
      await page.getByRole('button', { name: 'Import the file' }).click();
      await waitForImport(page);
      expect(await page.locator('.govuk-panel').textContent()).toContain('Posts imported');
      const result = await page.locator('.app-import-result').textContent();
      expect(result?.replace(/\s+/g, ' ')).toContain('Posts created 2 Posts updated 0 Rows unchanged 0');
      expect(await count()).toBe(before + 2);
    });

    it('has an accessible progress page, reached and used by keyboard alone', async () => {
      const page = await web.page();
      await signIn(page, web, DEMO.admin);
      await page.goto(`/programmes/${programmeId}/import`);
      await page.getByLabel('Spreadsheet of posts').setInputFiles(csv('one.csv', ['MCC-VCS-921,VCS Officer,MCC,VCS,G7,1,vacant,,']));
      await tabTo(page, (el) => el.tag === 'button' && el.text.includes('Import the file'));
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => /\/imports\/[0-9a-f-]{36}$/.test(u.pathname));
      // Whatever phase it is in when the page is drawn (queued, checking, saving, imported), it is accessible.
      await expectAccessible(page, 'import-status');
      await waitForImport(page);
      expect(await page.locator('.govuk-panel').textContent()).toContain('Posts imported');
      await expectAccessible(page, 'import-done');
    });

    it('refuses the import pages to managers', async () => {
      const page = await web.page();
      await signIn(page, web, DEMO.manager);
      expect((await page.goto(`/programmes/${programmeId}/import`))?.status()).toBe(403);
      expect((await page.goto('/posts/import-template.csv').catch(() => null))?.status() ?? 403).toBe(403);
    });
  });
});
