import { Role } from '../../src/common/access/role.enum';
import { loadConfig } from '../../src/config/app-config';
import { createUser, TestUser } from '../support/auth';
import { startTestApp, TestContext } from '../support/test-app';
import { idTokenForClient, SsoWalker, startTestProvider, TestClient, TestProvider } from './oidc-fixtures';

const BASE = 'http://wtt.test';
const MCC: TestClient = {
  client_id: 'wtt-mcc',
  client_secret: 'mcc-secret-0123456789abcdef0123456789',
  redirect_uris: [`${BASE}/sign-in/oidc/mcc/callback`],
  post_logout_redirect_uris: [`${BASE}/sign-in?signedOut=1`],
};
const OTHER_APP: TestClient = { client_id: 'another-app', client_secret: 'other-secret-0123456789abcdef012345', redirect_uris: ['http://other.test/cb'] };
const CCG: TestClient = { client_id: 'wtt-ccg', client_secret: 'ccg-secret-0123456789abcdef0123456789', redirect_uris: [`${BASE}/sign-in/oidc/ccg/callback`] };
const CCG_NEW: TestClient = { client_id: 'wtt-ccg-new', client_secret: 'ccg-new-secret-0123456789abcdef01234', redirect_uris: [`${BASE}/sign-in/oidc/ccg-new/callback`] };

describe('single sign-on with OpenID Connect (a real provider on loopback)', () => {
  let council: TestProvider;
  let ccg: TestProvider;
  let ctx: TestContext;
  let hr: TestUser;
  let leaver: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    council = await startTestProvider([MCC, OTHER_APP], {
      hr: { email: 'hr.officer@manchester.test', email_verified: true, name: 'Hana HR' },
      stranger: { email: 'nobody@manchester.test', email_verified: true, name: 'No Body' },
      unverified: { email: 'hr.officer@manchester.test', email_verified: false, name: 'Claims HR' },
      leaver: { email: 'leaver@manchester.test', email_verified: true, name: 'Lee Leaver' },
    });
    ccg = await startTestProvider([CCG, CCG_NEW], {
      manager: { email: 'manager@ccg.test', email_verified: true, name: 'Mo Manager' },
      newcomer: { email: 'newcomer@ccg.test', email_verified: true, name: 'Nia Newcomer' },
    });
    const providers = [
      { id: 'mcc', name: 'Manchester City Council', issuer: council.issuer, clientId: MCC.client_id, clientSecret: MCC.client_secret },
      { id: 'ccg', name: 'NHS Manchester CCG', issuer: ccg.issuer, clientId: CCG.client_id, clientSecret: CCG.client_secret },
      { id: 'ccg-new', name: 'NHS Manchester CCG (new starters)', issuer: ccg.issuer, clientId: CCG_NEW.client_id, clientSecret: CCG_NEW.client_secret, allowSelfProvisioning: true },
    ];
    ctx = await startTestApp({ env: { PUBLIC_BASE_URL: BASE, OIDC_PROVIDERS: JSON.stringify(providers) } });
    hr = await createUser(ctx, Role.HrOfficer, { email: 'hr.officer@manchester.test', displayName: 'Hana Officer' });
    await createUser(ctx, Role.Manager, { email: 'manager@ccg.test', displayName: 'Mo Manager' });
    leaver = await createUser(ctx, Role.HrOfficer, { email: 'leaver@manchester.test', displayName: 'Lee Leaver' });
    admin = await createUser(ctx, Role.Admin);
  });
  afterAll(async () => {
    await ctx?.close();
    await council?.close();
    await ccg?.close();
  });
  afterEach(async () => {
    await council.setMode({ kind: 'normal' });
  });

  const audit = async (action: string, sinceId: number) =>
    (await ctx.sql.query(`SELECT action, entity_id, actor_id, metadata FROM audit_log WHERE action = $1 AND id > $2 ORDER BY id`, [action, sinceId])).rows;
  const lastAuditId = async () => Number((await ctx.sql.query(`SELECT coalesce(max(id), 0) AS id FROM audit_log`)).rows[0].id);

  it('offers a button per organisation on the sign-in page, each a form POST with a CSRF token', async () => {
    const page = await new SsoWalker(ctx.app, BASE).appGet('/sign-in');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign in with Manchester City Council');
    expect(page.body).toContain('Sign in with NHS Manchester CCG');
    expect(page.body).toMatch(/<form method="post" action="\/sign-in\/oidc\/mcc">\s*<input type="hidden" name="_csrf" value="[^"]+">/);
    // Without the CSRF token the button's POST is refused.
    const res = await ctx.app.inject({ method: 'POST', url: '/sign-in/oidc/mcc', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(res.statusCode).toBe(403);
  });

  it('signs an HR officer in with the council’s account, links the account once, and audits it', async () => {
    const since = await lastAuditId();
    const walker = new SsoWalker(ctx.app, BASE);
    const auth = new URL(await walker.pressProviderButton('mcc'));
    expect(auth.origin).toBe(council.issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('state')).toBeTruthy();
    const callback = await walker.signInAtProvider(auth.href, 'hr');
    const answer = await walker.callback(callback);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/');
    const home = await walker.appGet('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Hana Officer');

    const links = await audit('auth.identity_link', since);
    expect(links).toHaveLength(1);
    expect(links[0].actor_id).toBe(hr.id);
    const signIns = await audit('auth.sign_in', since);
    expect(signIns.map((r) => r.metadata)).toEqual([{ method: 'oidc', provider: 'mcc' }]);
    const { rows } = await ctx.sql.query(`SELECT provider_id, subject FROM user_identities WHERE user_id = $1`, [hr.id]);
    expect(rows).toEqual([{ provider_id: 'mcc', subject: 'hr' }]); // the provider's subject (its account id)

    // The second time the link is used: no new link.
    const again = await new SsoWalker(ctx.app, BASE).signIn('mcc', 'hr');
    expect(again.answer.status).toBe(303);
    expect(await audit('auth.identity_link', since)).toHaveLength(1);
    expect(await audit('auth.sign_in', since)).toHaveLength(2);
  });

  it('signs a manager in with the second organisation’s provider at the same time, with the manager role', async () => {
    const walker = new SsoWalker(ctx.app, BASE);
    const { answer } = await walker.signIn('ccg', 'manager');
    expect(answer.status).toBe(303);
    const home = await walker.appGet('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Mo Manager');
    expect(home.body).toContain('Your proposals'); // the manager's navigation
    expect(home.body).not.toContain('href="/admin"');
  });

  it('refuses the same callback twice (replayed state and nonce), in the same session or another', async () => {
    const walker = new SsoWalker(ctx.app, BASE);
    const { callbackUrl, answer } = await walker.signIn('mcc', 'hr');
    expect(answer.status).toBe(303);
    const since = await lastAuditId();
    const replay = await walker.callback(callbackUrl);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('This sign-in has already been used or has expired');
    const elsewhere = await new SsoWalker(ctx.app, BASE).callback(callbackUrl);
    expect(elsewhere.status).toBe(400);
    // Another session with a sign-in of its own waiting: the old answer is not for it.
    const other = new SsoWalker(ctx.app, BASE);
    await other.pressProviderButton('mcc');
    const stale = await other.callback(callbackUrl);
    expect(stale.status).toBe(400);
    const failures = await audit('auth.sign_in_failed', since);
    expect(failures.map((r) => r.metadata.reason)).toEqual(['no_pending', 'no_pending', 'state_mismatch']);
  });

  it('refuses an ID token changed after it was signed (the signature is checked)', async () => {
    await council.setMode({ kind: 'tamper', email: admin.email });
    const since = await lastAuditId();
    const walker = new SsoWalker(ctx.app, BASE);
    const { answer } = await walker.signIn('mcc', 'stranger');
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('could not be verified');
    const [failure] = await audit('auth.sign_in_failed', since);
    expect(failure.metadata).toMatchObject({ provider: 'mcc', reason: 'token_invalid' });
    expect(failure.metadata.detail).toMatch(/signature/i);
    expect((await walker.appGet('/')).status).toBe(303); // not signed in
  });

  it('refuses an ID token the provider issued to another client (wrong audience)', async () => {
    const walker = new SsoWalker(ctx.app, BASE);
    const auth = new URL(await walker.pressProviderButton('mcc'));
    // A real token for another app, even with this sign-in's nonce, is not for us.
    const foreign = await idTokenForClient(council, OTHER_APP, 'hr', auth.searchParams.get('nonce')!);
    await council.setMode({ kind: 'replace', idToken: foreign });
    const since = await lastAuditId();
    const answer = await walker.callback(await walker.signInAtProvider(auth.href, 'hr'));
    expect(answer.status).toBe(401);
    const [failure] = await audit('auth.sign_in_failed', since);
    expect(failure.metadata.reason).toBe('token_invalid');
    expect(failure.metadata.detail).toMatch(/aud/);
  });

  it('refuses an expired ID token (a provider whose clock is two hours behind)', async () => {
    await council.setMode({ kind: 'skew', ms: 2 * 3600_000 });
    const since = await lastAuditId();
    const { answer } = await new SsoWalker(ctx.app, BASE).signIn('mcc', 'hr');
    expect(answer.status).toBe(401);
    const [failure] = await audit('auth.sign_in_failed', since);
    expect(failure.metadata.reason).toBe('token_invalid');
    expect(failure.metadata.detail).toMatch(/exp|timestamp/i);
  });

  it('refuses an email with no account, and an email the provider has not verified', async () => {
    const since = await lastAuditId();
    const unknown = await new SsoWalker(ctx.app, BASE).signIn('mcc', 'stranger');
    expect(unknown.answer.status).toBe(403);
    expect(unknown.answer.body).toContain('there is no account in this service for your email address');
    const unverified = await new SsoWalker(ctx.app, BASE).signIn('mcc', 'unverified');
    expect(unverified.answer.status).toBe(403);
    expect(unverified.answer.body).toContain('did not confirm that your email address is verified');
    const failures = await audit('auth.sign_in_failed', since);
    expect(failures.map((r) => r.metadata.reason)).toEqual(['unknown_email', 'email_unverified']);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM account_requests`)).rows[0].n).toBe(0);
  });

  it('refuses a deactivated account however the provider answers, before and after it was linked', async () => {
    const first = await new SsoWalker(ctx.app, BASE).signIn('mcc', 'leaver');
    expect(first.answer.status).toBe(303);
    await ctx.api.post(`/api/v1/users/${leaver.id}/deactivate`, {}, { headers: admin.headers });
    const { rows } = await ctx.sql.query(`SELECT is_active FROM users WHERE id = $1`, [leaver.id]);
    expect(rows[0].is_active).toBe(false);
    const walker = new SsoWalker(ctx.app, BASE);
    const after = await walker.signIn('mcc', 'leaver');
    expect(after.answer.status).toBe(403);
    expect(after.answer.body).toContain('deactivated');
    expect((await walker.appGet('/')).status).toBe(303);
  });

  it('records someone a self-provisioning provider vouches for, with no role: the "no role yet" page', async () => {
    const since = await lastAuditId();
    const walker = new SsoWalker(ctx.app, BASE);
    const { answer } = await walker.signIn('ccg-new', 'newcomer');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('You do not have a role yet');
    const { rows } = await ctx.sql.query(`SELECT provider_id, email, display_name FROM account_requests`);
    expect(rows).toEqual([{ provider_id: 'ccg-new', email: 'newcomer@ccg.test', display_name: 'Nia Newcomer' }]);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM users WHERE email = 'newcomer@ccg.test'`)).rows[0].n).toBe(0);
    expect(await audit('auth.account_request', since)).toHaveLength(1);
    expect((await walker.appGet('/')).status).toBe(303);
    // Without self-provisioning the same person is simply unknown.
    const plain = await new SsoWalker(ctx.app, BASE).signIn('ccg', 'newcomer');
    expect(plain.answer.status).toBe(403);
    expect(plain.answer.body).toContain('no account in this service');
  });

  it('signs out of the product and sends the browser to the provider’s end-session endpoint', async () => {
    const walker = new SsoWalker(ctx.app, BASE);
    await walker.signIn('mcc', 'hr');
    const csrf = await walker.csrf('/sign-out');
    const out = await walker.appPost('/sign-out', { _csrf: csrf });
    expect(out.status).toBe(303);
    const logout = new URL(out.location!);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${council.issuer}/session/end`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/sign-in?signedOut=1`);
    expect(logout.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect((await walker.appGet('/')).status).toBe(303); // the product session has ended
    // The provider accepts the request (its confirmation page).
    const confirm = await fetch(logout.href);
    expect(confirm.status).toBe(200);
  });

  it('when an admin turns local passwords off, only the providers are offered and password sign-in is refused (audited)', async () => {
    const before = await ctx.api.get('/api/v1/admin/sign-in-settings', { headers: admin.headers });
    expect(before.body).toMatchObject({ localPasswordsEnabled: true, providers: [{ id: 'mcc' }, { id: 'ccg' }, { id: 'ccg-new' }] });
    const since = await lastAuditId();
    const off = await ctx.api.put('/api/v1/admin/sign-in-settings', { localPasswordsEnabled: false, version: before.body.version }, { headers: admin.headers });
    expect(off.statusCode).toBe(200);
    expect(off.body.localPasswordsEnabled).toBe(false);
    const [row] = (await ctx.sql.query(`SELECT actor_id, changes FROM audit_log WHERE action = 'sign_in_settings.update' AND id > $1`, [since])).rows;
    expect(row).toEqual({ actor_id: admin.id, changes: { localPasswordsEnabled: { from: true, to: false } } });
    try {
      const api = await ctx.api.post('/api/v1/auth/sign-in', { email: hr.email, password: hr.password });
      expect(api.statusCode).toBe(403);
      expect(api.body.details[0].field).toBe('password');
      const walker = new SsoWalker(ctx.app, BASE);
      const page = await walker.appGet('/sign-in');
      expect(page.body).toContain('Sign in with Manchester City Council');
      expect(page.body).not.toContain('name="password"');
      const post = await walker.appPost('/sign-in', { _csrf: await walker.csrf(), email: hr.email, password: hr.password });
      expect(post.status).toBe(403);
      expect(post.body).toContain('Signing in with a password is turned off');
      // A stale form is a 409, naming the version.
      const stale = await ctx.api.put('/api/v1/admin/sign-in-settings', { localPasswordsEnabled: true, version: before.body.version }, { headers: admin.headers });
      expect(stale.statusCode).toBe(409);
      expect(stale.body.details[0].field).toBe('version');
      // Providers and API tokens keep working.
      expect((await new SsoWalker(ctx.app, BASE).signIn('mcc', 'hr')).answer.status).toBe(303);
      expect((await ctx.api.get('/api/v1/me', { headers: hr.headers })).statusCode).toBe(200);
    } finally {
      await ctx.api.put('/api/v1/admin/sign-in-settings', { localPasswordsEnabled: true, version: off.body.version }, { headers: admin.headers });
    }
    expect((await ctx.api.post('/api/v1/auth/sign-in', { email: hr.email, password: hr.password })).statusCode).toBe(200);
  });

  it('validates OIDC_PROVIDERS at start, naming the setting and never echoing the secrets', () => {
    const env = { DATABASE_URL: 'postgres://x@localhost/x', REDIS_URL: 'redis://localhost' };
    expect(() => loadConfig({ ...env, OIDC_PROVIDERS: '[{"id":"mcc","name":"M","issuer":"http://idp.example","clientId":"c","clientSecret":"s3cret"}]' })).toThrow(
      /^Invalid configuration: OIDC_PROVIDERS \[0\]\.issuer must be an https:\/\/ URL \(value not shown\)$/,
    );
    expect(() => loadConfig({ ...env, OIDC_PROVIDERS: 'not json' })).toThrow(/OIDC_PROVIDERS must be a JSON array/);
    expect(() => loadConfig({ ...env, OIDC_PROVIDERS: '[{"id":"mcc","name":"M","issuer":"https://idp.example","clientId":"c"}]' })).toThrow(/\[0\]\.clientSecret must be a non-empty string/);
  });
});
