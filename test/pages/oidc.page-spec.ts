import type { Browser, Page } from 'playwright-core';
import { Role } from '../../src/common/access/role.enum';
import { createUser } from '../support/auth';
import { closeBrowser, expectAccessible, launchBrowser, tabTo } from '../support/browser';
import { freePort } from '../support/servers';
import { startTestApp, TestContext } from '../support/test-app';
import { startTestProvider, TestClient, TestProvider } from '../integration/oidc-fixtures';

/**
 * Single sign-on in Chromium: the organisation's button, the provider's own sign-in page (a real
 * OpenID provider on loopback), back to the home page with the right role; sign-out through the
 * provider; the refusal page; the admin's sign-in settings; the password reset pages.
 */
describe('pages: sign in with the organisation’s account', () => {
  let provider: TestProvider;
  let ctx: TestContext;
  let browser: Browser;
  let url: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const client: TestClient = {
      client_id: 'wtt-mcc',
      client_secret: 'mcc-secret-0123456789abcdef0123456789',
      redirect_uris: [`${url}/sign-in/oidc/mcc/callback`],
      post_logout_redirect_uris: [`${url}/sign-in?signedOut=1`],
    };
    provider = await startTestProvider([client], {
      hr: { email: 'hr.officer@manchester.test', email_verified: true, name: 'Hana HR' },
      admin: { email: 'admin.sso@manchester.test', email_verified: true, name: 'Ada Admin' },
      stranger: { email: 'nobody@manchester.test', email_verified: true, name: 'No Body' },
    });
    const providers = [{ id: 'mcc', name: 'Manchester City Council', issuer: provider.issuer, clientId: client.client_id, clientSecret: client.client_secret }];
    ctx = await startTestApp({ env: { PUBLIC_BASE_URL: url, OIDC_PROVIDERS: JSON.stringify(providers) } });
    await createUser(ctx, Role.HrOfficer, { email: 'hr.officer@manchester.test', displayName: 'Hana Officer' });
    await createUser(ctx, Role.Admin, { email: 'admin.sso@manchester.test', displayName: 'Ada Admin' });
    await ctx.app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await closeBrowser();
    await ctx?.close();
    await provider?.close();
  });

  const newPage = async (javaScript = true) => {
    const context = await browser.newContext({ baseURL: url, javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    pages.push(page);
    return page;
  };

  /** At the provider's own page (oidc-provider's development login form). */
  const signInAtProvider = async (page: Page, login: string) => {
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.href.startsWith(url));
  };

  it('signs an HR officer in through the council’s provider and lands on the home page as HR; signs out through the provider', async () => {
    const page = await newPage();
    await page.goto('/sign-in');
    await expectAccessible(page, 'sign-in-with-providers');
    await page.getByRole('button', { name: 'Sign in with Manchester City Council' }).click();
    await signInAtProvider(page, 'hr');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('header').innerText()).toContain('Hana Officer');
    expect(await page.locator('.govuk-service-navigation').innerText()).toContain('Cases'); // HR's navigation
    expect(await page.locator('.govuk-service-navigation').innerText()).not.toContain('Admin');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await page.getByRole('button', { name: /sign me out/i }).click();
    await page.waitForURL((u) => u.href.startsWith(`${url}/sign-in`));
    expect(await page.locator('h1').innerText()).toBe('Sign in');
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You have signed out');
  });

  it('works by keyboard alone and without JavaScript', async () => {
    const page = await newPage(false);
    await page.goto('/sign-in');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign in with Manchester City Council');
    await page.keyboard.press('Enter');
    await signInAtProvider(page, 'admin');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('.govuk-service-navigation').innerText()).toContain('Admin');
  });

  it('shows a clear page when the provider signs in someone with no account', async () => {
    const page = await newPage();
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with Manchester City Council' }).click();
    await signInAtProvider(page, 'stranger');
    expect(await page.locator('h1').innerText()).toBe('You could not be signed in');
    expect(await page.locator('#sign-in-problem').innerText()).toContain('there is no account in this service for your email address');
    await expectAccessible(page, 'sign-in-refused');
  });

  it('lets an admin turn local passwords off and on by keyboard; the sign-in page then shows only the provider', async () => {
    const admin = await newPage();
    await admin.goto('/sign-in');
    await admin.getByRole('button', { name: 'Sign in with Manchester City Council' }).click();
    await signInAtProvider(admin, 'admin');
    await admin.goto('/admin/sign-in');
    await expectAccessible(admin, 'admin-sign-in-settings');
    // A radio group takes one Tab stop (the checked one); the arrow key moves and selects.
    await tabTo(admin, (el) => el.tag === 'input' && el.value === 'on');
    await admin.keyboard.press('ArrowDown');
    await tabTo(admin, (el) => el.tag === 'button' && el.text === 'Save');
    await admin.keyboard.press('Enter');
    await admin.waitForLoadState('domcontentloaded');
    expect(await admin.locator('.govuk-notification-banner').innerText()).toContain('Password sign-in is turned off');

    const visitor = await newPage(false);
    await visitor.goto('/sign-in');
    expect(await visitor.getByRole('button', { name: 'Sign in with Manchester City Council' }).count()).toBe(1);
    expect(await visitor.locator('input[name="password"]').count()).toBe(0);
    await visitor.goto('/password-reset');
    expect(await visitor.locator('h1').innerText()).toBe('Passwords are turned off');

    await admin.getByLabel('Yes, with a password or an organisation’s account').check();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForLoadState('domcontentloaded');
    expect(await admin.locator('.govuk-notification-banner').innerText()).toContain('People may sign in with a password');
    await visitor.goto('/sign-in');
    expect(await visitor.locator('input[name="password"]').count()).toBe(1);
  });

  it('password reset pages: ask for a link, then the same "check your email" answer', async () => {
    const page = await newPage();
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgotten your password?' }).click();
    await expectAccessible(page, 'password-reset-request');
    await page.getByRole('button', { name: 'Send the link' }).click();
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter your email address');
    await page.getByLabel('Email address').fill('nobody.here@manchester.test');
    await page.getByRole('button', { name: 'Send the link' }).click();
    expect(await page.locator('h1').innerText()).toBe('Check your email');
    await expectAccessible(page, 'password-reset-sent');
    await page.goto('/password-reset/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(await page.locator('h1').innerText()).toBe('This link has expired or has already been used');
    await expectAccessible(page, 'password-reset-expired');
  });
});
