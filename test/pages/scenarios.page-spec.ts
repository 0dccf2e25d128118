import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, screenshot, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * Scope scenarios in the browser: HR builds "Homelessness comes in" by keyboard alone with
 * JavaScript off (create, add four changes with reasons, the matrix delta, propose, approve, check
 * the changes, merge) and the live matrix moves; a scenario whose post changed live shows the
 * conflict list; a rep sees a shared scenario as counts. axe on every page.
 */
jest.setTimeout(240_000);

describe('pages: scope scenarios', () => {
  let web: WebApp;
  let programmeId: string;

  /** Tab to a link or button and press Enter; wait for the page it leads to (a GET or a form's POST). */
  const press = async (page: Page, match: Parameters<typeof tabTo>[1]) => {
    await tabTo(page, match);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 60_000 }), page.keyboard.press('Enter')]);
  };
  /**
   * axe runs inside the page, so it cannot run where JavaScript is off (it waits for ever). The
   * no-JavaScript page's exact markup (after a POST too: error summaries, banners) is loaded into a
   * signed-in page with JavaScript on, at the same address so its styles load, and checked there.
   */
  let mirror: Page | undefined;
  const accessible = async (noJs: Page, name: string) => {
    await screenshot(noJs, `${name}-nojs`);
    if (!mirror) {
      mirror = await web.page();
      await signIn(mirror, web, DEMO.hr);
    }
    await mirror.goto(noJs.url());
    await mirror.setContent(await noJs.content(), { waitUntil: 'load' });
    await expectAccessible(mirror, name);
  };
  const inScope = async () =>
    (await web.ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1 AND scope = 'in_scope' AND establishment_status <> 'deleted'`, [programmeId])).rows[0].n as number;

  beforeAll(async () => {
    web = await startWebApp();
    programmeId = (await web.ctx.sql.query(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`)).rows[0].id;
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('HR walks create → add changes → delta → approve → check → merge by keyboard, without JavaScript', async () => {
    const before = await inScope();
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await press(page, (el) => el.tag === 'a' && el.text === 'Scenarios');
    expect(new URL(page.url()).pathname).toBe(`/programmes/${programmeId}/scenarios`);
    await accessible(page, 'scenarios-list');
    await press(page, (el) => el.tag === 'a' && el.text === 'Create a scenario');
    await accessible(page, 'scenario-create');
    // Submitting without a name: the error summary.
    await press(page, (el) => el.tag === 'button' && el.text === 'Create the scenario');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter a name for the scenario');
    await accessible(page, 'scenario-create-error');
    await tabTo(page, (el) => el.label.startsWith('Name'));
    await page.keyboard.type('Homelessness comes in at go-live');
    await press(page, (el) => el.tag === 'button' && el.text === 'Create the scenario');
    const scenarioUrl = new URL(page.url()).pathname;
    expect(scenarioUrl).toMatch(/^\/scenarios\/[0-9a-f-]{36}$/);
    await accessible(page, 'scenario-changes-empty');

    for (const n of ['001', '002', '003', '004']) {
      await press(page, (el) => el.tag === 'a' && el.text === 'Add a change');
      await tabTo(page, (el) => el.label.startsWith('Post reference'));
      await page.keyboard.type(`MCC-HOM-${n}`);
      await tabTo(page, (el) => el.label === 'In scope');
      await page.keyboard.press('Space');
      await tabTo(page, (el) => el.label.startsWith('Reason'));
      await page.keyboard.type('Homelessness commissioning comes in at go-live');
      if (n === '001') await accessible(page, 'scenario-change-form');
      await press(page, (el) => el.tag === 'button' && el.text === 'Add the change');
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`MCC-HOM-${n}`);
    }
    expect(await page.locator('table.govuk-table tbody tr').count()).toBe(4);
    await accessible(page, 'scenario-changes');

    await press(page, (el) => el.tag === 'a' && el.text === 'Matrix delta');
    expect(await page.locator('#delta-summary').textContent()).toMatch(/In scope, posts\s*\d+ to \d+ \(\+4\)/);
    expect(await page.locator('#delta-summary').textContent()).toMatch(/In scope, FTE[\s\S]*\(\+3\.8\)/);
    await accessible(page, 'scenario-matrix');
    await press(page, (el) => el.tag === 'a' && el.text === 'People affected');
    expect(await page.locator('#people-total').textContent()).toContain('3 people affected');
    expect(await page.locator('#people').textContent()).toContain('COSOP transfer');
    await accessible(page, 'scenario-people');
    await press(page, (el) => el.tag === 'a' && el.text === 'Consequences');
    expect(await page.locator('#transfers').textContent()).toContain('4 March 2017');
    await accessible(page, 'scenario-consequences');

    await press(page, (el) => el.tag === 'a' && el.text === 'Changes');
    await press(page, (el) => el.tag === 'button' && el.text === 'Propose for approval');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Scenario proposed');
    await press(page, (el) => el.tag === 'button' && el.text === 'Approve');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Scenario approved');
    await accessible(page, 'scenario-approved');
    await press(page, (el) => el.tag === 'a' && el.text === 'Check and merge into the live establishment');
    expect(await page.locator('h1').textContent()).toContain('Check the changes before merging');
    expect(await page.locator('#merge-summary').textContent()).toContain('MCC-HOM-004');
    await accessible(page, 'scenario-merge-check');
    expect(await inScope()).toBe(before);
    await press(page, (el) => el.tag === 'button' && el.text === 'Merge into the live establishment');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('4 posts changed');
    expect(await inScope()).toBe(before + 4);
    await accessible(page, 'scenario-merged');
  });

  it('adds a new post and a grade and thematic area change through the add-a-change page, with the error summary first', async () => {
    const token = (await web.ctx.api.post('/api/v1/auth/sign-in', { email: DEMO.hr, password: web.password })).body.accessToken;
    const s = (await web.ctx.api.post(`/api/v1/programmes/${programmeId}/scenarios`, { name: 'Homelessness reshaped' }, { headers: { authorization: `Bearer ${token}` } })).body;
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.goto(`/scenarios/${s.id}/changes/new`);
    const choose = async (select: string, text: RegExp) => {
      const value = await page.locator(`#${select} option`, { hasText: text }).first().getAttribute('value');
      expect(value).toBeTruthy();
      await page.selectOption(`#${select}`, value!);
    };

    // A new post with nothing filled in: every missing field in the summary, nothing saved.
    await page.getByLabel('Add a new post').check();
    await page.getByRole('button', { name: 'Add the change' }).click();
    const summary = await page.locator('.govuk-error-summary').textContent();
    for (const text of ['Enter a reference for the new post', 'Enter the title of the new post', 'Choose the organisation that employs the new post', 'Choose the thematic area of the new post', 'Choose the grade of the new post', 'Enter the FTE of the new post', 'Enter the reason for this change']) {
      expect(summary).toContain(text);
    }
    expect(await page.getByLabel('Add a new post').isChecked()).toBe(true);
    await expectAccessible(page, 'scenario-change-form-new-post-errors');
    expect((await web.ctx.sql.query(`SELECT count(*)::int AS n FROM scenario_changes WHERE scenario_id = $1`, [s.id])).rows[0].n).toBe(0);

    await page.getByLabel('Post reference').fill('MCC-HOM-005');
    await page.getByLabel('Title of the new post').fill('Homelessness Prevention Commissioner');
    await choose('organisationId', /Manchester City Council/);
    await page.getByLabel('In scope').check();
    await choose('thematicAreaId', /^Homelessness$/);
    await choose('gradeId', /^G8\b/);
    await page.getByLabel('FTE').fill('0.6');
    await page.getByLabel('Reason').fill('A prevention post for the merged team');
    await page.getByRole('button', { name: 'Add the change' }).click();
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('New post MCC-HOM-005 added');

    // A grade change and a thematic area change to live posts.
    await page.goto(`/scenarios/${s.id}/changes/new`);
    await page.getByLabel('Post reference').fill('MCC-HOM-003');
    await choose('gradeId', /^G8\b/);
    await page.getByLabel('Reason').fill('Regraded after job evaluation');
    await page.getByRole('button', { name: 'Add the change' }).click();
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Change to MCC-HOM-003 added');
    await page.goto(`/scenarios/${s.id}/changes/new`);
    await page.getByLabel('Post reference').fill('MCC-HOM-002');
    await choose('thematicAreaId', /^Mental Health$/);
    await page.getByLabel('Reason').fill('Joins the mental health commissioning team');
    await page.getByRole('button', { name: 'Add the change' }).click();
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Change to MCC-HOM-002 added');
    expect(await page.locator('table.govuk-table tbody tr').count()).toBe(3);
    await expectAccessible(page, 'scenario-changes-new-grade-area');

    const rows = (
      await web.ctx.sql.query(
        `SELECT c.kind, coalesce(p.reference, c.reference) AS reference, g.code AS grade, a.name AS area, c.fte::text AS fte, c.scope
         FROM scenario_changes c LEFT JOIN posts p ON p.id = c.post_id LEFT JOIN grades g ON g.id = c.grade_id LEFT JOIN thematic_areas a ON a.id = c.thematic_area_id
         WHERE c.scenario_id = $1 ORDER BY 2`,
        [s.id],
      )
    ).rows;
    expect(rows).toEqual([
      { kind: 'change', reference: 'MCC-HOM-002', grade: null, area: 'Mental Health', fte: null, scope: null },
      { kind: 'change', reference: 'MCC-HOM-003', grade: 'G8', area: null, fte: null, scope: null },
      { kind: 'create', reference: 'MCC-HOM-005', grade: 'G8', area: 'Homelessness', fte: '0.60', scope: 'in_scope' },
    ]);
    await page.goto(`/scenarios/${s.id}/matrix`);
    expect(await page.locator('#delta-summary').textContent()).toMatch(/All posts\s*72 to 73/);

    // A reference already taken by a live post is refused on the field, nothing saved.
    await page.goto(`/scenarios/${s.id}/changes/new`);
    await page.getByLabel('Add a new post').check();
    await page.getByLabel('Post reference').fill('MCC-HOM-001');
    await page.getByLabel('Title of the new post').fill('Duplicate');
    await choose('organisationId', /Manchester City Council/);
    await choose('thematicAreaId', /^Homelessness$/);
    await choose('gradeId', /^G8\b/);
    await page.getByLabel('FTE').fill('1');
    await page.getByLabel('Reason').fill('Duplicate reference');
    await page.getByRole('button', { name: 'Add the change' }).click();
    expect(await page.locator('#reference-error').textContent()).toContain('already the reference of another post');
    expect((await web.ctx.sql.query(`SELECT count(*)::int AS n FROM scenario_changes WHERE scenario_id = $1`, [s.id])).rows[0].n).toBe(3);
  });

  it('shows the conflict list when a post changed live under an approved scenario, and a rep sees a shared one as counts', async () => {
    const token = (await web.ctx.api.post('/api/v1/auth/sign-in', { email: DEMO.hr, password: web.password })).body.accessToken;
    const headers = { authorization: `Bearer ${token}` };
    const [post] = (await web.ctx.sql.query(`SELECT id, reference, title, version FROM posts WHERE reference = 'MCC-VCS-001'`)).rows;
    const s = (await web.ctx.api.post(`/api/v1/programmes/${programmeId}/scenarios`, { name: 'VCS later' }, { headers })).body;
    expect((await web.ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { kind: 'change', postId: post.id, scope: 'later_phase', reason: 'Phase 2' }, { headers })).statusCode).toBe(201);
    for (const action of ['share', 'propose', 'approve']) {
      const v = (await web.ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers })).body.version;
      expect((await web.ctx.api.post(`/api/v1/scenarios/${s.id}/status`, { action, version: v }, { headers })).statusCode).toBe(200);
    }
    expect((await web.ctx.api.patch(`/api/v1/posts/${post.id}`, { title: 'VCS Commissioning Lead', version: post.version }, { headers })).statusCode).toBe(200);

    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto(`/scenarios/${s.id}/merge`);
    expect(await page.locator('h1').textContent()).toContain('cannot be merged');
    expect(await page.locator('#conflicts').textContent()).toContain('MCC-VCS-001');
    expect(await page.locator('#conflicts').textContent()).toContain('VCS Commissioning Lead');
    await accessible(page, 'scenario-conflicts');
    await press(page, (el) => el.tag === 'button' && el.text === 'Rebase the scenario');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('rebased');

    // Sent back to shared for the forum to see (rebase made it proposed; back to draft, then shared).
    for (const action of ['send_back', 'share']) {
      const v = (await web.ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers })).body.version;
      expect((await web.ctx.api.post(`/api/v1/scenarios/${s.id}/status`, { action, version: v }, { headers })).statusCode).toBe(200);
    }
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await rep.goto(`/scenarios/${s.id}/people`);
    expect(await rep.locator('#people-total').textContent()).toContain('<5');
    expect(await rep.locator('#people').count()).toBe(0);
    await expectAccessible(rep, 'scenario-people-rep');
    await rep.goto(`/scenarios/${s.id}/matrix`);
    await expectAccessible(rep, 'scenario-matrix-rep');
  });
});
