import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The HR decision queue: deciding one proposal (by keyboard, with and without JavaScript) and
 * seeing the post and the matrix change; deciding several with "check your answers"; and what a
 * stale decision shows.
 */
/** A whole journey, key by key, with axe on each page: minutes on a loaded 2-core machine. */
const JOURNEY_TIMEOUT = 180_000;
// Every test here drives Chromium and runs axe on several pages; on a shared 2-core machine one can take over a minute.
jest.setTimeout(JOURNEY_TIMEOUT);

describe('pages: scope proposals, decided one at a time and in bulk', () => {
  let web: WebApp;
  let programmeId: string;
  const tokens: Record<string, string> = {};

  const auth = async (email: string) => {
    if (!tokens[email]) {
      const res = await web.ctx.api.post('/api/v1/auth/sign-in', { email, password: web.password });
      expect(res.statusCode).toBe(200);
      tokens[email] = res.body.accessToken;
    }
    return { authorization: `Bearer ${tokens[email]}` };
  };
  const postId = async (reference: string): Promise<string> => (await web.ctx.sql.query(`SELECT id FROM posts WHERE reference = $1`, [reference])).rows[0].id;
  const postScope = async (reference: string): Promise<string> => (await web.ctx.sql.query(`SELECT scope FROM posts WHERE reference = $1`, [reference])).rows[0].scope;
  /** A manager's proposal, through the API (the propose page has its own tests). */
  const propose = async (reference: string, scope: string, reason = 'Commissioned with the CCG already'): Promise<{ id: string; version: number }> => {
    const res = await web.ctx.api.post(`/api/v1/posts/${await postId(reference)}/scope-proposals`, { scope, reason }, { headers: await auth(DEMO.manager) });
    expect(res.statusCode).toBe(201);
    return res.body;
  };
  const matrix = async () => (await web.ctx.api.get(`/api/v1/programmes/${programmeId}/establishment`, { headers: await auth(DEMO.hr) })).body;
  const proposalStatus = async (id: string) => (await web.ctx.sql.query(`SELECT status FROM scope_proposals WHERE id = $1`, [id])).rows[0].status;

  beforeAll(async () => {
    web = await startWebApp();
    programmeId = (await web.ctx.sql.query(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`)).rows[0].id;
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  async function hrJourney(page: Page, reference: string, label: string): Promise<void> {
    const proposal = await propose(reference, 'out_of_scope');
    const before = await matrix();
    await page.goto('/sign-in');
    await tabTo(page, (el) => el.label === 'Email address');
    await page.keyboard.type(DEMO.hr);
    await tabTo(page, (el) => el.label === 'Password');
    await page.keyboard.type(web.password);
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');

    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Scope decisions');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/scope-proposals');
    if (label === 'js') await expectAccessible(page, 'scope-queue-hr');
    await tabTo(page, (el) => el.tag === 'a' && el.text === `${reference}: decide this proposal`);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/scope-proposals/${proposal.id}`);
    if (label === 'js') await expectAccessible(page, 'scope-proposal-hr');

    // Save without a decision: the error summary.
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Save decision');
    await page.keyboard.press('Enter');
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select whether to accept or reject the proposal');
    if (label === 'js') await expectAccessible(page, 'scope-proposal-error');

    await tabTo(page, (el) => el.tag === 'input' && el.label === 'Accept');
    await page.keyboard.press('Space');
    await tabTo(page, (el) => el.label === 'Reason for your decision');
    await page.keyboard.type('Agreed at the joint commissioning executive');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Save decision');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => /^\/posts\/[0-9a-f-]{36}$/.test(u.pathname));
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(`Proposal accepted: ${reference} is now out of scope`);
    const scopeRow = page.locator('#post-details .govuk-summary-list__row', { hasText: 'Scope' }).first();
    expect(await scopeRow.textContent()).toContain('Out of scope');
    expect(await page.locator('#post-details').textContent()).toContain('Agreed at the joint commissioning executive');
    const latest = page.locator('#scope-history .moj-timeline__item').first();
    expect(await latest.locator('.moj-timeline__title').textContent()).toBe('In scope → Out of scope');
    expect(await latest.textContent()).toContain('Agreed at the joint commissioning executive');
    if (label === 'js') await expectAccessible(page, 'post-hr-after-decision');
    expect(await postScope(reference)).toBe('out_of_scope');
    expect(await proposalStatus(proposal.id)).toBe('accepted');

    // The matrix changes: its JSON, and the matrix page reached by keyboard from the navigation.
    const after = await matrix();
    expect(after.subtotals.outOfScope.total.posts).toBe(before.subtotals.outOfScope.total.posts + 1);
    expect(after.subtotals.inScope.total.posts).toBe(before.subtotals.inScope.total.posts - 1);
    expect(after.totals.total.posts).toBe(72);
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Establishment');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/establishment`);
    const subtotal = async (label: string) => {
      const row = page.locator('table.app-matrix tr', { has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) });
      return Number((await row.locator('td').last().innerText()).trim().split(/\s+/)[0]);
    };
    expect(await subtotal('Out of scope')).toBe(after.subtotals.outOfScope.total.posts);
    expect(await subtotal('In scope')).toBe(after.subtotals.inScope.total.posts);
    expect(await page.locator('[data-testid="matrix-total"]').textContent()).toBe('72 posts');
    if (label === 'js') await expectAccessible(page, 'matrix-hr-after-decision');
  }

  it('takes an HR officer by keyboard alone from sign-in to an accepted proposal and the changed matrix (JavaScript on)', async () => {
    await hrJourney(await web.page(), 'MCC-MH-001', 'js');
  }, JOURNEY_TIMEOUT);

  it('takes an HR officer by keyboard alone from sign-in to an accepted proposal and the changed matrix, with JavaScript off', async () => {
    await hrJourney(await web.page({ javaScript: false }), 'MCC-MH-002', 'nojs');
  }, JOURNEY_TIMEOUT);

  it('decides several proposals in bulk: "check your answers" lists exactly what changes, and the result matches', async () => {
    const a = await propose('MCC-LD-001', 'out_of_scope');
    const b = await propose('MCC-LD-002', 'later_phase');
    const c = await propose('MCC-LD-003', 'under_review');
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.goto('/scope-proposals');
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = await page.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Select at least one proposal');
    expect(summary).toContain('Select whether to accept or reject');
    expect(summary).toContain('Enter the reason for your decision');
    await expectAccessible(page, 'scope-queue-errors');

    await page.getByLabel('Select the proposal for MCC-LD-001').check();
    await page.getByLabel('Select the proposal for MCC-LD-002').check();
    await page.getByLabel('Accept: each post takes the proposed scope').check();
    await page.getByLabel('Reason for your decision').fill('Agreed with the CCG on 1 March');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your answers before deciding');
    const rows = page.locator('table.app-check-proposals tbody tr');
    expect(await rows.count()).toBe(2);
    const text = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(text).toEqual(expect.arrayContaining([expect.stringMatching(/^MCC-LD-001 In scope Becomes Out of scope$/), expect.stringMatching(/^MCC-LD-002 In scope Becomes Later phase$/)]));
    expect(await page.locator('#decision-summary').textContent()).toContain('Agreed with the CCG on 1 March');
    await expectAccessible(page, 'scope-check');

    // Change your choices keeps them; continue again.
    await page.getByRole('button', { name: 'Change your choices' }).click();
    expect(await page.getByLabel('Select the proposal for MCC-LD-001').isChecked()).toBe(true);
    expect(await page.getByLabel('Select the proposal for MCC-LD-003').isChecked()).toBe(false);
    expect(await page.getByLabel('Reason for your decision').inputValue()).toBe('Agreed with the CCG on 1 March');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('table.app-check-proposals tbody tr').count()).toBe(2);

    expect(await postScope('MCC-LD-001')).toBe('in_scope'); // nothing yet
    await page.getByRole('button', { name: 'Accept 2 proposals' }).click();
    await page.waitForURL((u) => u.pathname === '/scope-proposals/decided');
    expect(await page.locator('.govuk-panel__title').textContent()).toContain('2 proposals accepted');
    expect(await page.locator('table.app-decided tbody tr').count()).toBe(2);
    await expectAccessible(page, 'scope-decided');
    expect(await postScope('MCC-LD-001')).toBe('out_of_scope');
    expect(await postScope('MCC-LD-002')).toBe('later_phase');
    expect(await postScope('MCC-LD-003')).toBe('in_scope');
    expect([await proposalStatus(a.id), await proposalStatus(b.id), await proposalStatus(c.id)]).toEqual(['accepted', 'accepted', 'open']);
  });

  it('saves nothing in bulk when someone else decided one of them meanwhile, and shows the current state', async () => {
    const c = (await web.ctx.sql.query(`SELECT s.id FROM scope_proposals s JOIN posts p ON p.id = s.post_id WHERE p.reference = 'MCC-LD-003' AND s.status = 'open'`)).rows[0];
    const d = await propose('MCC-OPPD-002', 'later_phase');
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto('/scope-proposals');
    await page.getByLabel('Select the proposal for MCC-LD-003').check();
    await page.getByLabel('Select the proposal for MCC-OPPD-002').check();
    await page.getByLabel('Reject: each post keeps its scope').check();
    await page.getByLabel('Reason for your decision').fill('Not before the LCO is set up');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('table.app-check-proposals tbody tr').count()).toBe(2);

    // An admin decides one of them first.
    const res = await web.ctx.api.post(`/api/v1/scope-proposals/${c.id}/decision`, { decision: 'accept', reason: 'Decided by the admin', version: 1 }, { headers: await auth(DEMO.admin) });
    expect(res.statusCode).toBe(200);
    await page.getByRole('button', { name: 'Reject 2 proposals' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Someone else decided one of these proposals');
    expect(await proposalStatus(d.id)).toBe('open'); // nothing saved
    const stale = page.locator('table.app-check-proposals tbody tr', { hasText: 'MCC-LD-003' });
    expect(await stale.textContent()).toContain('Accepted');
    await page.getByRole('button', { name: 'Reject 1 proposal' }).click();
    expect(await page.locator('.govuk-panel__title').textContent()).toContain('1 proposal rejected');
    expect(await proposalStatus(d.id)).toBe('rejected');
    expect(await postScope('MCC-OPPD-002')).toBe('in_scope');
    expect(await postScope('MCC-LD-003')).toBe('under_review');
  });

  it('shows "Someone else decided this proposal" with its current values when a decision is stale', async () => {
    const p = await propose('MCC-MH-003', 'later_phase');
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.goto(`/scope-proposals/${p.id}`);
    await page.getByLabel('Reject').check();
    await page.getByLabel('Reason for your decision').fill('Not now');
    const res = await web.ctx.api.post(`/api/v1/scope-proposals/${p.id}/decision`, { decision: 'accept', reason: 'The admin agreed', version: p.version }, { headers: await auth(DEMO.admin) });
    expect(res.statusCode).toBe(200);
    await page.getByRole('button', { name: 'Save decision' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Someone else decided this proposal: it was accepted');
    const details = await page.locator('#proposal-details').textContent();
    expect(details).toContain('Accepted');
    expect(details).toContain('The admin agreed');
    expect(await page.getByRole('button', { name: 'Save decision' }).count()).toBe(0);
    await expectAccessible(page, 'scope-proposal-stale');
    expect(await postScope('MCC-MH-003')).toBe('later_phase');
  });

  it("shows a manager their own proposals with status tags, and lets them withdraw one; admins see the queue", async () => {
    const p = await propose('MCC-OPPD-001', 'under_review');
    const page = await web.page();
    await signIn(page, web, DEMO.manager);
    await page.goto('/scope-proposals');
    expect(await page.locator('h1').textContent()).toBe('Your proposals');
    const tags = await page.locator('table.app-your-proposals .govuk-tag').allTextContents();
    expect(tags.map((t) => t.trim())).toEqual(expect.arrayContaining(['Pending', 'Accepted', 'Rejected']));
    await expectAccessible(page, 'your-proposals-statuses');
    await page.getByRole('link', { name: 'MCC-OPPD-001' }).click();
    expect(await page.getByRole('button', { name: 'Save decision' }).count()).toBe(0);
    await expectAccessible(page, 'scope-proposal-manager');
    await page.getByRole('button', { name: 'Withdraw your proposal' }).click();
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('You withdrew your proposal for MCC-OPPD-001');
    expect(await proposalStatus(p.id)).toBe('withdrawn');

    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/scope-proposals');
    expect(await admin.locator('h1').textContent()).toBe('Scope decisions');
    await expectAccessible(admin, 'scope-queue-admin');
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    expect((await rep.goto('/scope-proposals'))?.status()).toBe(403);
  });
});
