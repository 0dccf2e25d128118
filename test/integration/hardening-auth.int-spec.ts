import { createHmac } from 'node:crypto';
import { SignInLimiter } from '../../src/auth/sign-in-limiter';
import { Role } from '../../src/common/access/role.enum';
import { createUser, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/** Issue 17, tokens and "lockout as a weapon". */
describe('hardening: tokens and sign-in throttling', () => {
  let ctx: TestContext;
  let admin: TestUser;

  beforeAll(async () => {
    ctx = await startTestApp({ env: { TRUST_PROXY: 'true', SIGN_IN_MAX_FAILURES: '10', SIGN_IN_FREE_FAILURES: '3' } });
    admin = await createUser(ctx, Role.Admin);
  });
  afterAll(async () => ctx?.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const newApiToken = async (u: TestUser) => {
    const res = await ctx.api.post('/api/v1/me/api-tokens', { name: 'integration', expiresInDays: 30 }, { headers: u.headers });
    expect(res.statusCode).toBe(201);
    return res.body.token as string;
  };
  const signIn = (email: string, password: string, ip: string) => ctx.api.post('/api/v1/auth/sign-in', { email, password }, { headers: { 'x-forwarded-for': ip } });

  describe('API tokens', () => {
    it('reactivating a user does not bring their old API tokens back', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const token = await newApiToken(u);
      expect((await ctx.api.get('/api/v1/me', { headers: bearer(token) })).statusCode).toBe(200);
      expect((await ctx.api.post(`/api/v1/users/${u.id}/deactivate`, {}, { headers: admin.headers })).statusCode).toBe(200);
      expect((await ctx.api.post(`/api/v1/users/${u.id}/reactivate`, {}, { headers: admin.headers })).statusCode).toBe(200);
      const after = await ctx.api.get('/api/v1/me', { headers: bearer(token) });
      expectErrorShape(after, 401);
      expect(after.body.message).toBe('API token has been revoked');
    });

    it('a password change revokes the API tokens', async () => {
      const u = await createUser(ctx, Role.Manager);
      const token = await newApiToken(u);
      const changed = await ctx.api.post('/api/v1/me/password', { currentPassword: u.password, newPassword: 'a brand new long passphrase 42' }, { headers: u.headers });
      expect(changed.statusCode).toBe(204);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: bearer(token) }), 401);
    });

    it('an API token cannot mint more API tokens', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const token = await newApiToken(u);
      const res = await ctx.api.post('/api/v1/me/api-tokens', { name: 'child', expiresInDays: 30 }, { headers: bearer(token) });
      expectErrorShape(res, 403);
    });

    it('a validly signed access token without exp is refused', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const [row] = (await ctx.sql.query(`SELECT token_version FROM users WHERE id = $1`, [u.id])).rows;
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: u.id, tv: row.token_version, typ: 'access', iat: Math.floor(Date.now() / 1000) })}`;
      const sig = createHmac('sha256', process.env.JWT_SECRET!).update(unsigned).digest('base64url');
      const res = await ctx.api.get('/api/v1/me', { headers: bearer(`${unsigned}.${sig}`) });
      expectErrorShape(res, 401);
    });
  });

  describe('sign-in throttling', () => {
    it('failures from one address lock that pair only: the owner still signs in from their own address', async () => {
      const victim = await createUser(ctx, Role.Admin);
      for (let i = 0; i < 10; i++) expect((await signIn(victim.email, `guess-${i}`, '203.0.113.9')).statusCode).toBe(401);
      const attacker = await signIn(victim.email, victim.password, '203.0.113.9');
      expectErrorShape(attacker, 429);
      expect(attacker.body.details[0]).toMatchObject({ field: 'email', retryAfterSeconds: expect.any(Number) });
      expect(Number(attacker.headers['retry-after'])).toBeGreaterThan(0);
      // the owner, from elsewhere, is slowed but gets in
      expect(await ctx.app.get(SignInLimiter).delayFor(victim.email, '198.51.100.7')).toBeGreaterThan(0);
      expect((await signIn(victim.email, victim.password, '198.51.100.7')).statusCode).toBe(200);
    });

    it('30 bad guesses from a shared address do not lock out everyone behind it', async () => {
      const shared = '192.0.2.50';
      for (let i = 0; i < 30; i++) await signIn(`nobody${i}@example.test`, 'x', shared);
      const colleague = await createUser(ctx, Role.HrOfficer);
      expect((await signIn(colleague.email, colleague.password, shared)).statusCode).toBe(200);
    });

    it('the delay grows with each failure and is capped', () => {
      const limiter = ctx.app.get(SignInLimiter);
      const d = [0, 3, 4, 5, 6, 50].map((n) => limiter.delayAfter(n));
      expect(d[0]).toBe(0);
      expect(d[1]).toBe(0); // SIGN_IN_FREE_FAILURES = 3
      expect(d[2]).toBeGreaterThan(0);
      expect(d[3]).toBe(d[2] * 2);
      expect(d[4]).toBe(d[3] * 2);
      expect(d[5]).toBe(Number(process.env.SIGN_IN_DELAY_MAX_MS));
    });

    it('an admin can unlock an account at once', async () => {
      const u = await createUser(ctx, Role.TuRep);
      for (let i = 0; i < 10; i++) await signIn(u.email, `guess-${i}`, '203.0.113.20');
      expectErrorShape(await signIn(u.email, u.password, '203.0.113.20'), 429);
      expectErrorShape(await ctx.api.post(`/api/v1/users/${u.id}/sign-in-unlock`, {}, { headers: u.headers }), 403);
      const unlocked = await ctx.api.post(`/api/v1/users/${u.id}/sign-in-unlock`, {}, { headers: admin.headers });
      expect(unlocked.statusCode).toBe(200);
      expect(unlocked.body).toEqual({ cleared: true });
      expect((await signIn(u.email, u.password, '203.0.113.20')).statusCode).toBe(200);
      const audit = await ctx.sql.query(`SELECT actor_id FROM audit_log WHERE action = 'auth.sign_in_unlock' AND entity_id = $1`, [u.id]);
      expect(audit.rows).toEqual([{ actor_id: admin.id }]);
    });
  });
});
