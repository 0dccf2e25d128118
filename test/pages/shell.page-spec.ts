import { Role } from '../../src/common/access/role.enum';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';
import { identityChangesSeen } from '../support/auth';

describe('pages: the shell (sign-in, home, footer pages, errors, as-at date)', () => {
  let web: WebApp;

  beforeAll(async () => {
    web = await startWebApp();
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('leads a new visitor from / to the sign-in page, which is accessible', async () => {
    const page = await web.page();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await page.locator('h1').textContent())?.trim()).toBe('Sign in');
    expect(await page.title()).toBe('Sign in – Workforce transition tracker');
    expect(await page.locator('.govuk-generic-header').textContent()).toContain('Workforce transition tracker');
    await expectAccessible(page, 'sign-in');
  });

  it('shows what is wrong in the error summary, with inline messages, and keeps the email', async () => {
    const page = await web.page();
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter your email address');
    expect(await page.title()).toMatch(/^Error: Sign in/);
    await page.getByLabel('Email address').fill(DEMO.hr);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Email address or password is wrong');
    expect(await page.getByLabel('Email address').inputValue()).toBe(DEMO.hr);
    await expectAccessible(page, 'sign-in-error');
    const { rows } = await web.ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.sign_in_failed' AND actor_label = $1`, [DEMO.hr]);
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [DEMO.admin, Role.Admin, 'Admin'],
    [DEMO.hr, Role.HrOfficer, 'HR officer'],
    [DEMO.manager, Role.Manager, 'Manager'],
    [DEMO.rep, Role.TuRep, 'Trade union rep'],
  ])('signs %s in to their home page, as at 1 March 2017, with their navigation', async (email, role, label) => {
    const page = await web.page();
    await signIn(page, web, email);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('.govuk-caption-l').textContent()).toContain(label);
    expect(await page.locator('.app-as-at').textContent()).toContain('1 March 2017');
    const nav = (await page.locator('.govuk-service-navigation__item').allTextContents()).map((t) => t.trim());
    expect(nav[0]).toBe('Home');
    if (role === Role.TuRep) expect(nav).not.toContain('Cases');
    if (role === Role.Admin) expect(nav).toContain('Admin');
    // At a laptop's 1280 px the navigation is one line (it wrapped "Documents" and "Admin" onto a second), and the
    // user's name, Notifications and Sign out sit in the header bar, not in a row of their own under it.
    expect(page.viewportSize()?.width).toBe(1280);
    const rows = await page.locator('.govuk-service-navigation__item').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(rows).size).toBe(1);
    const account = page.locator('.govuk-generic-header nav[aria-label="Your account"]');
    expect(await account.textContent()).toContain(`(${label})`);
    expect(await account.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await expectAccessible(page, `home-${role}`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'wtt_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('signs in and out by keyboard alone, with JavaScript off', async () => {
    const page = await web.page({ javaScript: false });
    await page.goto('/sign-in');
    await tabTo(page, (el) => el.label === 'Email address');
    await page.keyboard.type(DEMO.manager);
    await tabTo(page, (el) => el.label === 'Password');
    await page.keyboard.type(web.password);
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign out');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/sign-in');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('You have signed out');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('refuses a form without its CSRF token, and saves nothing', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    const res = await page.request.post('/as-at', { form: { 'asOf-day': '1', 'asOf-month': '1', 'asOf-year': '2020' } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    await page.goto('/');
    expect(await page.locator('.app-as-at').textContent()).toContain('1 March 2017');
  });

  it('changes the "view as at" date, and back to today', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.getByRole('link', { name: 'Change the date' }).click();
    await expectAccessible(page, 'as-at');
    await page.getByLabel('Day').fill('31');
    await page.getByLabel('Month').fill('2');
    await page.getByLabel('Year').fill('2017');
    await page.getByRole('button', { name: 'View as at this date' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter a real date');
    await expectAccessible(page, 'as-at-error');
    await page.getByLabel('Day').fill('15');
    await page.getByRole('button', { name: 'View as at this date' }).click();
    expect(await page.locator('.app-as-at').textContent()).toContain('15 February 2017');
    await page.getByRole('link', { name: 'Change the date' }).click();
    await page.getByRole('button', { name: 'View as today' }).click();
    expect(await page.locator('.app-as-at').count()).toBe(0);
  });

  it('has the footer pages and the 404, 403 and 500 pages in the house style with the request id', async () => {
    const page = await web.page();
    for (const [path, heading] of [
      ['/accessibility', 'Accessibility statement'],
      ['/cookies', 'Cookies'],
      ['/help', 'Help'],
    ]) {
      await page.goto(path);
      expect(await page.locator('h1').textContent()).toContain(heading);
      await expectAccessible(page, `static${path.replace('/', '-')}`);
    }
    await signIn(page, web, DEMO.rep);
    const notFound = await page.goto('/no-such-page');
    expect(notFound?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    const requestId = notFound?.headers()['x-request-id'];
    expect(await page.locator('main').textContent()).toContain(requestId);
    await expectAccessible(page, 'error-404');
    const forbidden = await page.goto('/sign-in'); // signed in: sign-in sends you home
    expect(new URL(page.url()).pathname).toBe('/');
    expect(forbidden?.status()).toBe(200);
  });

  it('ends the session when the user is deactivated', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.admin);
    await web.ctx.sql.query(`UPDATE users SET token_version = token_version + 1 WHERE email = $1`, [DEMO.admin]);
    await identityChangesSeen(web.ctx);
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
