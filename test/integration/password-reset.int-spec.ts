import { Role } from '../../src/common/access/role.enum';
import { RESET_LIMIT_PER_EMAIL } from '../../src/auth/password-reset.service';
import { createUser, TestUser } from '../support/auth';
import { startSmtpSink, SmtpSink } from '../support/smtp-sink';
import { eventually, startTestApp, TestContext } from '../support/test-app';
import { SsoWalker } from './oidc-fixtures';

const BASE = 'http://wtt.test';
const LINK = new RegExp(`${BASE.replace(/\./g, '\\.')}/password-reset/([A-Za-z0-9_-]{43})`);

describe('password reset by email (the worker sends it through the real SMTP sink)', () => {
  let sink: SmtpSink;
  let ctx: TestContext;
  let hr: TestUser;
  let ip = 0;
  // Each test asks from its own client address, so the per-client limit is tested on its own.
  const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${++ip}` });

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx = await startTestApp({ worker: true, env: { PUBLIC_BASE_URL: BASE, SMTP_URL: sink.url, TRUST_PROXY: 'true' } });
    hr = await createUser(ctx, Role.HrOfficer, { email: 'reset.me@manchester.test', displayName: 'Rita Reset' });
  });
  afterAll(async () => {
    await ctx?.close();
    await sink?.close();
  });

  const mailsTo = (address: string) => sink.messages.filter((m) => m.to.includes(address));
  const linkIn = (text: string) => LINK.exec(text)?.[1];

  it('emails a link that sets a new password once, ends sessions and revokes API tokens; a second use is refused', async () => {
    const apiToken = await ctx.api.post('/api/v1/me/api-tokens', { name: 'integration', expiresInDays: 30 }, { headers: hr.headers });
    expect(apiToken.statusCode).toBe(201);
    const before = mailsTo(hr.email).length;
    const asked = await ctx.api.post('/api/v1/auth/password-reset', { email: hr.email }, { headers: fromNewAddress() });
    expect(asked.statusCode).toBe(202);
    const mails = await sink.waitFor(() => mailsTo(hr.email).length > before);
    const mail = mails.filter((m) => m.to.includes(hr.email)).at(-1)!;
    expect(mail.subject).toBe('Reset your password');
    const token = linkIn(mail.text)!;
    expect(token).toBeDefined();
    // Only the hash is stored.
    const { rows } = await ctx.sql.query(`SELECT token_hash FROM password_resets WHERE user_id = $1`, [hr.id]);
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token);

    // The page journey: the link's form, then sign-in with the new password.
    const walker = new SsoWalker(ctx.app, BASE);
    const form = await walker.appGet(`/password-reset/${token}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('Choose a new password');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const mismatch = await walker.appPost(`/password-reset/${token}`, { _csrf: csrf, newPassword: 'a brand new passphrase', confirmPassword: 'something else entirely' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toContain('Enter the same password twice');
    const done = await walker.appPost(`/password-reset/${token}`, { _csrf: csrf, newPassword: 'a brand new passphrase', confirmPassword: 'a brand new passphrase' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/sign-in?reset=1');

    expect((await ctx.api.get('/api/v1/me', { headers: hr.headers })).statusCode).toBe(401); // the old access token is no longer valid
    expect((await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${apiToken.body.token}` } })).statusCode).toBe(401); // nor the API token
    const signIn = await ctx.api.post('/api/v1/auth/sign-in', { email: hr.email, password: 'a brand new passphrase' });
    expect(signIn.statusCode).toBe(200);
    const audit = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_id = $1 AND action IN ('auth.password_reset_request', 'user.password_reset') ORDER BY id`, [hr.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['auth.password_reset_request', 'user.password_reset']);

    // Used once: the page says so, and the API refuses it naming the token.
    const again = await walker.appGet(`/password-reset/${token}`);
    expect(again.status).toBe(400);
    expect(again.body).toContain('This link has expired or has already been used');
    const api = await ctx.api.post('/api/v1/auth/password-reset/complete', { token, newPassword: 'yet another passphrase' });
    expect(api.statusCode).toBe(400);
    expect(api.body.details[0].field).toBe('token');
  });

  it('refuses a link once it has expired', async () => {
    const before = mailsTo(hr.email).length;
    await ctx.api.post('/api/v1/auth/password-reset', { email: hr.email }, { headers: fromNewAddress() });
    const mails = await sink.waitFor(() => mailsTo(hr.email).length > before);
    const token = linkIn(mails.filter((m) => m.to.includes(hr.email)).at(-1)!.text)!;
    // Thirty minutes pass.
    await ctx.sql.query(`UPDATE password_resets SET created_at = created_at - interval '31 minutes', expires_at = expires_at - interval '31 minutes' WHERE user_id = $1 AND used_at IS NULL`, [hr.id]);
    const page = await new SsoWalker(ctx.app, BASE).appGet(`/password-reset/${token}`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('This link has expired or has already been used');
    const api = await ctx.api.post('/api/v1/auth/password-reset/complete', { token, newPassword: 'an expired passphrase' });
    expect(api.statusCode).toBe(400);
    expect(api.body.details[0].field).toBe('token');
  });

  it('answers the same whether or not the address has an account, and sends nothing to an unknown one', async () => {
    const walker = new SsoWalker(ctx.app, BASE);
    const csrf = await walker.csrf('/password-reset');
    const known = await walker.appPost('/password-reset', { _csrf: csrf, email: hr.email });
    const unknown = await walker.appPost('/password-reset', { _csrf: csrf, email: 'nobody.here@manchester.test' });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (html: string, email: string) => html.replace(email, 'EMAIL').replace(/name="_csrf" value="[^"]+"/g, '').replace(/<code[^>]*>[^<]*<\/code>/g, '');
    expect(strip(unknown.body, 'nobody.here@manchester.test')).toBe(strip(known.body, hr.email));
    const api = await ctx.api.post('/api/v1/auth/password-reset', { email: 'nobody.at.all@manchester.test' }, { headers: fromNewAddress() });
    expect(api.statusCode).toBe(202);
    await eventually(async () => mailsTo(hr.email).length, (n) => n >= 3);
    expect(mailsTo('nobody.here@manchester.test')).toHaveLength(0);
    expect(mailsTo('nobody.at.all@manchester.test')).toHaveLength(0);
  });

  it('limits requests per address (known or not) with a 429 naming the field', async () => {
    const headers = fromNewAddress();
    for (let i = 0; i < RESET_LIMIT_PER_EMAIL; i++) {
      expect((await ctx.api.post('/api/v1/auth/password-reset', { email: 'flood@manchester.test' }, { headers })).statusCode).toBe(202);
    }
    const over = await ctx.api.post('/api/v1/auth/password-reset', { email: 'flood@manchester.test' }, { headers });
    expect(over.statusCode).toBe(429);
    expect(over.body.details[0]).toMatchObject({ field: 'email' });
    expect(over.body.details[0].retryAfterSeconds).toBeGreaterThan(0);
    const bad = await ctx.api.post('/api/v1/auth/password-reset', { email: 'not an email' }, { headers: fromNewAddress() });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.details[0].field).toBe('email');
  });
  it('records a reset email the mail server refused for good, and shows it to admins (API and the sign-in settings page); one sent is recorded sent', async () => {
    const lost = await createUser(ctx, Role.Manager, { email: 'lost.mail@manchester.test', displayName: 'Lou Lostmail' });
    const admin = await createUser(ctx, Role.Admin);
    sink.setMode('reject');
    try {
      expect((await ctx.api.post('/api/v1/auth/password-reset', { email: lost.email }, { headers: fromNewAddress() })).statusCode).toBe(202);
      const [row] = await eventually(
        async () => (await ctx.sql.query(`SELECT id, email_attempts, email_sent_at, email_failed_at, email_last_error FROM password_resets WHERE user_id = $1`, [lost.id])).rows,
        (rows) => rows.length === 1 && rows[0].email_failed_at !== null,
      );
      // Refused for good (550): failed at the first attempt, not retried, with the server's answer.
      expect(row).toMatchObject({ email_attempts: 1, email_sent_at: null });
      expect(row.email_last_error).toMatch(/550/);
    } finally {
      sink.setMode('accept');
    }
    const api = await ctx.api.get('/api/v1/admin/password-reset-emails', { headers: admin.headers });
    expect(api.statusCode).toBe(200);
    expect(api.body.find((r: { email: string }) => r.email === lost.email)).toMatchObject({ displayName: 'Lou Lostmail', attempts: 1, error: expect.stringMatching(/550/) });
    expect((await ctx.api.get('/api/v1/admin/password-reset-emails', { headers: lost.headers })).statusCode).toBe(403); // (a manager)

    const walker = new SsoWalker(ctx.app, BASE);
    const signedIn = await walker.appPost('/sign-in', { _csrf: await walker.csrf(), email: admin.email, password: admin.password });
    expect(signedIn.status).toBe(303);
    const page = await walker.appGet('/admin/sign-in');
    expect(page.status).toBe(200);
    const section = page.body.slice(page.body.indexOf('Password reset emails that could not be sent'));
    expect(section).toContain('Lou Lostmail');
    expect(section).toContain(lost.email);
    expect(section).toContain('after 1 attempt<');

    // Asked again with the server accepting: sent, and recorded so (the failed one stays as it was).
    const before = mailsTo(lost.email).length;
    expect((await ctx.api.post('/api/v1/auth/password-reset', { email: lost.email }, { headers: fromNewAddress() })).statusCode).toBe(202);
    await sink.waitFor(() => mailsTo(lost.email).length > before);
    const rows = await eventually(
      async () => (await ctx.sql.query(`SELECT email_attempts, email_sent_at, email_failed_at FROM password_resets WHERE user_id = $1 ORDER BY created_at`, [lost.id])).rows,
      (r) => r.length === 2 && r[1].email_sent_at !== null,
    );
    expect(rows[1]).toMatchObject({ email_attempts: 1, email_failed_at: null });
    expect(rows[0].email_failed_at).not.toBeNull();
  });
});
