import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';
import { HttpReceiver, startHttpReceiver } from '../support/http-receiver';
import { eventually } from '../support/test-app';

/**
 * The admin pages (issue 12): users, failed deliveries and their retry (a real webhook receiver
 * that refuses, then accepts; the real worker), webhooks, and the queue dashboard on the admin's
 * page session.
 */
// Browser journeys on a shared 2-core machine, beside other suites: minutes, not seconds.
jest.setTimeout(300_000);

describe('pages: admin', () => {
  let web: WebApp;
  let rx: HttpReceiver;
  const main = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');

  beforeAll(async () => {
    rx = await startHttpReceiver();
    web = await startWebApp({ worker: true, env: { WEBHOOK_ALLOW_INTERNAL: '127.0.0.0/8', OUTBOX_POLL_MS: '50', OUTBOX_SWEEP_EVERY_MS: '1000', NOTIFY_RETRY_ATTEMPTS: '2', NOTIFY_RETRY_BASE_MS: '200', WEBHOOK_TIMEOUT_MS: '2000' } });
  }, 180_000);
  afterAll(async () => {
    await web?.close();
    await rx?.close();
    await closeBrowser();
  });

  it('is for admins only', async () => {
    for (const email of [DEMO.hr, DEMO.manager, DEMO.rep]) {
      const page = await web.page();
      await signIn(page, web, email);
      for (const path of ['/admin', '/admin/users', '/admin/deliveries', '/admin/webhooks']) expect((await page.goto(path))?.status()).toBe(403);
      expect((await page.goto('/admin/queues'))?.status()).toBe(403);
    }
  });

  it('an admin adds a webhook (secret shown once), a delivery to it fails for real, and retrying it from the page delivers it once', async () => {
    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/admin');
    await expectAccessible(admin, 'admin-home');
    await admin.getByRole('link', { name: 'Webhooks' }).first().click();
    await expectAccessible(admin, 'admin-webhooks');
    await admin.getByRole('button', { name: 'Add a webhook' }).click();
    await admin.getByRole('button', { name: 'Add webhook' }).click();
    expect(await admin.locator('.govuk-error-summary').textContent()).toContain('Enter a name');
    await expectAccessible(admin, 'admin-webhook-new-errors');
    await admin.getByLabel('Name').fill('HR/OD Teams channel');
    await admin.getByLabel('Web address (URL)').fill(`${rx.url}/teams`);
    await admin.getByLabel('Representation answered').check();
    await admin.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await admin.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible(admin, 'admin-webhook-secret');
    await admin.reload();
    expect(await admin.getByLabel('Signing secret').count()).toBe(0);
    await admin.getByRole('button', { name: 'Rotate the signing secret' }).click();
    const rotated = await admin.getByLabel('Signing secret').inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);

    // The receiver refuses for good (410): the delivery fails at once.
    rx.respond((req) => (req.url === '/teams' ? 410 : 204));
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    const unite = (await web.ctx.sql.query(`SELECT id FROM representations WHERE status = 'awaiting_response' ORDER BY received_at LIMIT 1`)).rows[0].id;
    await hr.goto(`/representations/${unite}`);
    await hr.getByLabel('Response').fill('Travel costs will be reimbursed for twelve months.');
    await hr.getByLabel('Reasons').fill('The move to Parkway was the employer’s decision.');
    await hr.getByRole('button', { name: 'Record response' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Response recorded');
    const failed = await eventually(
      async () => (await web.ctx.sql.query(`SELECT id, status, last_error FROM notifications WHERE channel = 'webhook' AND address = $1`, [`${rx.url}/teams`])).rows,
      (rows) => rows.length === 1 && rows[0].status === 'failed',
      20_000,
    );
    expect(failed[0]).toMatchObject({ status: 'failed', last_error: 'webhook answered 410' });
    const deliveryId = failed[0].id as string;

    rx.respond(() => 204);
    await admin.goto('/admin');
    await tabTo(admin, (el) => el.tag === 'a' && el.text === 'Failed deliveries');
    await admin.keyboard.press('Enter');
    await admin.waitForURL((u) => u.pathname === '/admin/deliveries');
    const row = admin.locator(`tr[data-delivery-id="${deliveryId}"]`);
    expect(await row.textContent()).toContain('webhook answered 410');
    await expectAccessible(admin, 'admin-deliveries-failed');
    await tabTo(admin, (el) => el.tag === 'button' && el.text.startsWith('Retry') && el.text.includes('Representation answered'));
    await admin.keyboard.press('Enter');
    await admin.waitForLoadState('domcontentloaded');
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('Delivery queued again');
    await eventually(async () => (await web.ctx.sql.query(`SELECT status FROM notifications WHERE id = $1`, [deliveryId])).rows[0].status, (s) => s === 'sent', 20_000);
    await new Promise((r) => setTimeout(r, 1000)); // anything extra would have arrived by now
    const arrivals = rx.requests.filter((r) => r.headers['x-delivery-id'] === deliveryId);
    expect(arrivals.map((r) => r.status)).toEqual([410, 204]); // refused once, then delivered once
    await admin.goto('/admin/deliveries?status=sent');
    expect(await admin.locator(`tr[data-delivery-id="${deliveryId}"]`).count()).toBe(1);
    await expectAccessible(admin, 'admin-deliveries-sent');
    // Retrying one that is not failed says so, without breaking.
    const res = await admin.request.post(`/admin/deliveries/${deliveryId}/retry`, { form: { _csrf: await admin.locator('input[name=_csrf]').first().inputValue() }, maxRedirects: 0 });
    expect(res.status()).toBe(303);
    await admin.goto('/admin/deliveries?status=sent');
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('Only a failed delivery can be retried');

    // A worker killed between the receiver's acceptance and the record leaves the row queued with its attempt started:
    // put the row in that state; the real sweeper re-enqueues it, the real delivery counts it possibly delivered and resends it.
    await web.ctx.sql.query(
      `UPDATE notifications SET status = 'queued', sent_at = NULL, attempt_started_at = now() - interval '10 minutes', queued_at = now() - interval '10 minutes' WHERE id = $1`,
      [deliveryId],
    );
    const resent = await eventually(
      async () => (await web.ctx.sql.query(`SELECT status, possibly_delivered FROM notifications WHERE id = $1`, [deliveryId])).rows[0],
      (r) => r.status === 'sent',
      30_000,
      100,
    );
    expect(resent).toEqual({ status: 'sent', possibly_delivered: 1 });
    expect(rx.requests.filter((r) => r.headers['x-delivery-id'] === deliveryId).map((r) => r.status)).toEqual([410, 204, 204]); // the same delivery id each time
    await admin.goto('/admin/deliveries');
    await tabTo(admin, (el) => el.tag === 'select' && el.name === 'status');
    await admin.locator('select#status').selectOption('possibly_delivered');
    await tabTo(admin, (el) => el.tag === 'button' && el.text === 'Show');
    await admin.keyboard.press('Enter');
    await admin.waitForURL((u) => u.searchParams.get('status') === 'possibly_delivered');
    expect(await admin.locator('caption').textContent()).toContain('Deliveries possibly received more than once');
    const possibly = admin.locator(`tr[data-delivery-id="${deliveryId}"]`);
    expect(await possibly.locator('.app-possibly-delivered').textContent()).toBe('Possibly received 2 times');
    expect(await possibly.textContent()).toContain('Every copy has the same message ID');
    await expectAccessible(admin, 'admin-deliveries-possibly-delivered');
    // Without JavaScript the same view is a plain GET.
    const noJs = await admin.request.get('/admin/deliveries?status=possibly_delivered');
    expect(await noJs.text()).toContain(`data-delivery-id="${deliveryId}"`);

    // Delete it, after confirming.
    await admin.goto('/admin/webhooks');
    await admin.getByRole('link', { name: 'HR/OD Teams channel' }).click();
    await admin.getByRole('button', { name: 'Delete webhook' }).click();
    await expectAccessible(admin, 'admin-webhook-delete');
    await admin.getByRole('button', { name: 'Yes, delete it' }).click();
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('deleted');
    // Gone from the list: its name is left only in the "deleted" banner.
    const after = await main(admin);
    expect(after).toContain('No webhooks yet');
    expect(after.split('HR/OD Teams channel').length - 1).toBe(1);
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('HR/OD Teams channel');
  }, 120_000);

  it('an admin creates a manager with areas, changes them to a rep with a programme, deactivates and reactivates them; a stale edit shows the current values', async () => {
    const admin = await web.page({ javaScript: false });
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/admin/users');
    await admin.getByRole('button', { name: 'Add a user' }).click();
    await admin.getByRole('button', { name: 'Add user' }).click();
    const summary = await admin.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Enter their email address');
    expect(summary).toContain('Select a role');
    await admin.getByLabel('Email address').fill('new.manager@council.example');
    await admin.getByLabel('Name', { exact: true }).fill('New Manager');
    await admin.getByLabel('Manager', { exact: true }).check();
    await admin.getByLabel('Mental Health').check();
    await admin.getByRole('button', { name: 'Add user' }).click();
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('User new.manager@council.example created');
    const password = await admin.getByLabel('Their first password').inputValue();
    expect(password.length).toBeGreaterThanOrEqual(12);
    const userPath = new URL(admin.url()).pathname;

    // The new user signs in with it.
    const newcomer = await web.page();
    await signIn(newcomer, web, 'new.manager@council.example', password);
    expect(new URL(newcomer.url()).pathname).toBe('/');

    await admin.getByLabel('Trade union rep').check();
    const programme = (await web.ctx.sql.query(`SELECT name FROM programmes ORDER BY created_at LIMIT 1`)).rows[0].name as string;
    await admin.getByRole('group', { name: 'Programmes whose forum they sit on' }).getByLabel(programme).check();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('trade union rep');
    await admin.goto('/admin/users');
    expect(await admin.locator('tr', { hasText: 'new.manager@council.example' }).textContent()).toContain('Trade union rep');

    // Stale: someone else changes the user while the form is open.
    await admin.goto(userPath);
    await web.ctx.sql.query(`UPDATE users SET display_name = 'Renamed Elsewhere', version = version + 1 WHERE email = 'new.manager@council.example'`);
    await admin.getByLabel('Name', { exact: true }).fill('My Name');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    expect(await admin.locator('.govuk-error-summary').textContent()).toContain('Someone else changed this user');
    expect(await admin.getByLabel('Name', { exact: true }).inputValue()).toBe('Renamed Elsewhere');

    await admin.getByRole('button', { name: 'Deactivate user' }).click();
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('deactivated');
    await newcomer.goto('/');
    expect(new URL(newcomer.url()).pathname).toBe('/sign-in');
    await admin.getByRole('button', { name: 'Reactivate user' }).click();
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain('active again');
  }, 120_000);

  it('the user pages are accessible', async () => {
    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/admin/users');
    await expectAccessible(admin, 'admin-users');
    await admin.getByRole('button', { name: 'Add a user' }).click();
    await expectAccessible(admin, 'admin-user-new');
    await admin.getByRole('button', { name: 'Add user' }).click();
    await expectAccessible(admin, 'admin-user-new-errors');
    await admin.goto('/admin/users');
    await admin.getByRole('link', { name: DEMO.manager }).click();
    await expectAccessible(admin, 'admin-user-manager');
  });

  it('the queue dashboard takes the admin’s page session, and changes through it only from this site', async () => {
    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/admin');
    await admin.getByRole('link', { name: 'Queue dashboard' }).click();
    expect(new URL(admin.url()).pathname).toMatch(/^\/admin\/queues/);
    const api = await admin.request.get('/admin/queues/api/queues');
    expect(api.status()).toBe(200);
    expect((await api.json()).queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['notify-email', 'notify-webhook']));
    const forged = await admin.request.put('/admin/queues/api/queues/notify-email/pause', { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.status()).toBe(403);
    const anonymous = await web.page();
    await anonymous.goto('/admin/queues');
    expect(new URL(anonymous.url()).pathname).toBe('/sign-in');
  });
});
