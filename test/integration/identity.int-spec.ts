import { JwtService } from '@nestjs/jwt';
import { Role } from '../../src/common/access/role.enum';
import { assertNoDemoUsersInProduction, demoUsersStep } from '../../src/seed/demo-users';
import { IdentityCache } from '../../src/users/identity-cache';
import { createUser, expectInvisible, expectRouteAllows, identityChangesSeen, TestUser } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestApi, TestContext } from '../support/test-app';

describe('identity: sign-in, tokens, users, scopes', () => {
  let ctx: TestContext;
  let admin: TestUser;
  let programmeId: string;
  let areaId: string;

  beforeAll(async () => {
    ctx = await startTestApp({ env: { SIGN_IN_MAX_FAILURES: '10' } });
    admin = await createUser(ctx, Role.Admin);
    const org = await ctx.sql.query(`INSERT INTO organisations (name, kind, status) VALUES ('Test CCG', 'merged_ccg', 'proposed') RETURNING id`);
    const prog = await ctx.sql.query(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ('P', $1, '2017-04-01') RETURNING id`, [org.rows[0].id]);
    programmeId = prog.rows[0].id;
    const area = await ctx.sql.query(`INSERT INTO thematic_areas (programme_id, name, default_scope) VALUES ($1, 'Mental Health', 'in_scope') RETURNING id`, [programmeId]);
    areaId = area.rows[0].id;
  });
  afterAll(async () => ctx?.close());

  const signIn = (email: string, password: string, ip?: string) =>
    ctx.api.post('/api/v1/auth/sign-in', { email, password }, ip ? { headers: { 'x-forwarded-for': ip } } : {});

  describe('sign-in', () => {
    it('returns a short-lived bearer token that /me accepts', async () => {
      const hr = await createUser(ctx, Role.HrOfficer);
      const res = await signIn(hr.email.toUpperCase(), hr.password);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: hr.id, role: 'hr_officer' } });
      const me = await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${res.body.accessToken}` } });
      expect(me.statusCode).toBe(200);
      expect(me.body).toMatchObject({ id: hr.id, email: hr.email, role: 'hr_officer', scopes: [], authenticatedWith: 'access_token' });
    });

    it('answers a wrong password and an unknown email alike: 401 in the error shape', async () => {
      const u = await createUser(ctx, Role.Manager);
      const wrong = await signIn(u.email, 'not the password');
      const unknown = await signIn('nobody@example.test', 'whatever');
      expectErrorShape(wrong, 401);
      expectErrorShape(unknown, 401);
      expect(wrong.body.message).toBe(unknown.body.message);
    });

    it('rejects a malformed sign-in body with 400 naming the field', async () => {
      const res = await ctx.api.post('/api/v1/auth/sign-in', { email: 'not-an-email', password: 'x' });
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual([{ field: 'email', reason: 'must be an email address' }]);
    });

    it('answers the eleventh rapid failed sign-in with 429, even with the right password', async () => {
      const u = await createUser(ctx, Role.TuRep);
      for (let i = 1; i <= 10; i++) expect({ attempt: i, status: (await signIn(u.email, `wrong-${i}`)).statusCode }).toEqual({ attempt: i, status: 401 });
      const eleventh = await signIn(u.email, 'wrong-11');
      expectErrorShape(eleventh, 429);
      // Issue 17: the retry time moved from a top-level field into the detail (and the Retry-After header).
      expect(eleventh.body.details[0].retryAfterSeconds).toBeGreaterThan(0);
      expect(Number(eleventh.headers['retry-after'])).toBe(eleventh.body.details[0].retryAfterSeconds);
      expectErrorShape(await signIn(u.email, u.password), 429);
    });

    it('records sign-ins and failed sign-ins in the audit trail', async () => {
      const u = await createUser(ctx, Role.Manager);
      await signIn(u.email, 'nope');
      await signIn(u.email, u.password);
      const { rows } = await ctx.sql.query(`SELECT action, actor_id, metadata FROM audit_log WHERE entity_type = 'user' AND entity_id = $1 ORDER BY id`, [u.id]);
      expect(rows).toEqual([
        { action: 'auth.sign_in_failed', actor_id: null, metadata: { reason: 'wrong_password' } },
        { action: 'auth.sign_in', actor_id: u.id, metadata: null },
      ]);
    });
  });

  describe('tokens that stop working', () => {
    it('refuses an expired access token with 401', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const jwt = ctx.app.get(JwtService);
      const expired = await jwt.signAsync({ sub: u.id, tv: 0, typ: 'access', exp: Math.floor(Date.now() / 1000) - 5 });
      const res = await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${expired}` } });
      expectErrorShape(res, 401);
      expect(res.body.message).toMatch(/expired/);
    });

    it('refuses a tampered access token with 401', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const [h, p, s] = u.token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: admin.id })).toString('base64url');
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${h}.${forgedPayload}.${s}` } }), 401);
      const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${h}.${p}.${flipped}` } }), 401);
    });

    it('issues an API token once, accepts it, and refuses it once revoked', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const created = await ctx.api.post('/api/v1/me/api-tokens', { name: 'Teams', expiresInDays: 30 }, { headers: u.headers });
      expect(created.statusCode).toBe(201);
      expect(created.body.token).toMatch(/^wtt_/);
      const { rows } = await ctx.sql.query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [created.body.id]);
      expect(rows[0].token_hash).not.toContain(created.body.token); // hashed at rest
      const bearer = { authorization: `Bearer ${created.body.token}` };
      const me = await ctx.api.get('/api/v1/me', { headers: bearer });
      expect(me.body).toMatchObject({ id: u.id, authenticatedWith: 'api_token' });
      const listed = await ctx.api.get('/api/v1/me/api-tokens', { headers: u.headers });
      expect(listed.body).toEqual([expect.objectContaining({ id: created.body.id, name: 'Teams', revokedAt: null })]);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
      expect((await ctx.api.delete(`/api/v1/me/api-tokens/${created.body.id}`, { headers: u.headers })).statusCode).toBe(200);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: bearer }), 401);
    });

    it('refuses an expired API token with 401', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      const created = await ctx.api.post('/api/v1/me/api-tokens', { name: 'old', expiresInDays: 1 }, { headers: u.headers });
      await ctx.sql.query(`UPDATE api_tokens SET created_at = now() - interval '3 days', expires_at = now() - interval '1 day' WHERE id = $1`, [created.body.id]);
      const res = await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${created.body.token}` } });
      expectErrorShape(res, 401);
      expect(res.body.message).toMatch(/expired/);
    });

    it("stops a deactivated user's access and API tokens at once", async () => {
      const u = await createUser(ctx, Role.Manager);
      const api = await ctx.api.post('/api/v1/me/api-tokens', { name: 'x' }, { headers: u.headers });
      expect((await ctx.api.get('/api/v1/me', { headers: u.headers })).statusCode).toBe(200);
      const off = await ctx.api.post(`/api/v1/users/${u.id}/deactivate`, {}, { headers: admin.headers });
      expect(off.body).toMatchObject({ isActive: false, deactivatedAt: expect.any(String) });
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: u.headers }), 401);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: { authorization: `Bearer ${api.body.token}` } }), 401);
      expectErrorShape(await signIn(u.email, u.password), 401);
      // Reactivated, they sign in again; the old access token stays dead.
      await ctx.api.post(`/api/v1/users/${u.id}/reactivate`, {}, { headers: admin.headers });
      expect((await signIn(u.email, u.password)).statusCode).toBe(200);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: u.headers }), 401);
    });
  });

  describe('the identity cache (issue 20: no database round trip for who is calling)', () => {
    const cache = () => ctx.app.get(IdentityCache);
    const cachedOn = async (u: TestUser) => {
      expect((await ctx.api.get('/api/v1/me', { headers: u.headers })).statusCode).toBe(200);
      await eventually(async () => cache().enabled, (on) => on);
      expect(cache().enabled).toBe(true);
      expect((await ctx.api.get('/api/v1/me', { headers: u.headers })).statusCode).toBe(200); // now from the cache
    };

    it('a deactivation on another API instance stops the token on this one', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      await cachedOn(u);
      const other = new TestApi(await ctx.startAnotherApi());
      expect((await other.post(`/api/v1/users/${u.id}/deactivate`, {}, { headers: admin.headers })).statusCode).toBe(200);
      await identityChangesSeen(ctx);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: u.headers }), 401);
    });

    it('a role or scope change made with SQL (as psql would) reaches the next request', async () => {
      const u = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId: areaId }] });
      await cachedOn(u);
      await ctx.sql.query(`UPDATE users SET role = 'tu_rep' WHERE id = $1`, [u.id]);
      await identityChangesSeen(ctx);
      expect((await ctx.api.get('/api/v1/me', { headers: u.headers })).body.role).toBe('tu_rep');
      await ctx.sql.query(`DELETE FROM user_scopes WHERE user_id = $1`, [u.id]);
      await identityChangesSeen(ctx);
      expect((await ctx.api.get('/api/v1/me', { headers: u.headers })).body.scopes).toEqual([]);
    });

    it('is off while its LISTEN connection is gone (every request reads the database), and comes back', async () => {
      const u = await createUser(ctx, Role.HrOfficer);
      await cachedOn(u);
      await ctx.sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wtt identity cache' AND datname = current_database()`);
      await eventually(async () => cache().enabled, (on) => !on);
      expect(cache().enabled).toBe(false);
      // No notification can arrive now: the change is seen because the cache is not used.
      await ctx.sql.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [u.id]);
      expectErrorShape(await ctx.api.get('/api/v1/me', { headers: u.headers }), 401);
      await eventually(async () => {
        await ctx.api.get('/health/ready');
        await ctx.api.get('/api/v1/me', { headers: admin.headers });
        return cache().enabled;
      }, (on) => on, 15_000, 200);
      expect(cache().enabled).toBe(true);
    });
  });

  describe('user administration', () => {
    it('is for admins only', async () => {
      await expectRouteAllows(ctx, 'GET', '/api/v1/users', [Role.Admin]);
      await expectRouteAllows(ctx, 'POST', '/api/v1/users', [Role.Admin], { payload: {} });
    });

    it('creates a user with a generated password shown once, who can then sign in', async () => {
      const res = await ctx.api.post('/api/v1/users', { email: 'New.Rep@Union.example', displayName: 'New Rep', role: 'tu_rep', scopes: [{ programmeId }] }, { headers: admin.headers });
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ email: 'new.rep@union.example', role: 'tu_rep', scopes: [{ programmeId, thematicAreaId: null }], version: 1 });
      expect(res.body.initialPassword).toEqual(expect.any(String));
      expect(res.body.passwordHash).toBeUndefined();
      expect((await signIn('new.rep@union.example', res.body.initialPassword)).statusCode).toBe(200);
      const again = await ctx.api.get(`/api/v1/users/${res.body.id}`, { headers: admin.headers });
      expect(again.body.initialPassword).toBeUndefined();
    });

    it('refuses a duplicate email and scopes that do not fit the role, naming the field, and audits nothing', async () => {
      const before = (await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n;
      const dup = await ctx.api.post('/api/v1/users', { email: admin.email, displayName: 'X', role: 'admin' }, { headers: admin.headers });
      expectErrorShape(dup, 400);
      expect(dup.body.details).toEqual([{ field: 'email', reason: 'is already used by another user' }]);
      const noArea = await ctx.api.post('/api/v1/users', { email: 'm1@x.example', displayName: 'M', role: 'manager', scopes: [{ programmeId }] }, { headers: admin.headers });
      expect(noArea.body.details).toEqual([{ field: 'scopes[0].thematicAreaId', reason: 'is required for a manager' }]);
      const ghost = await ctx.api.post(
        '/api/v1/users',
        { email: 'm2@x.example', displayName: 'M', role: 'manager', scopes: [{ programmeId, thematicAreaId: '4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e' }] },
        { headers: admin.headers },
      );
      expect(ghost.body.details).toEqual([{ field: 'scopes[0].thematicAreaId', reason: 'is not a thematic area of that programme' }]);
      const badRole = await ctx.api.post('/api/v1/users', { email: 'm3@x.example', displayName: 'M', role: 'superuser' }, { headers: admin.headers });
      expect(badRole.body.details).toEqual([{ field: 'role', reason: expect.stringContaining('must be one of') }]);
      expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n).toBe(before);
    });

    it('changes role and scope with optimistic concurrency: a stale version gets 409 with the current one', async () => {
      const created = await ctx.api.post('/api/v1/users', { email: 'mgr@x.example', displayName: 'Mgr', role: 'hr_officer', password: 'long enough password' }, { headers: admin.headers });
      const id = created.body.id;
      const ok = await ctx.api.patch(`/api/v1/users/${id}`, { version: 1, role: 'manager', scopes: [{ programmeId, thematicAreaId: areaId }] }, { headers: admin.headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatchObject({ role: 'manager', version: 2, scopes: [{ programmeId, thematicAreaId: areaId }] });
      const stale = await ctx.api.patch(`/api/v1/users/${id}`, { version: 1, displayName: 'Late' }, { headers: admin.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
      const { rows } = await ctx.sql.query(`SELECT changes FROM audit_log WHERE entity_id = $1 AND action = 'update'`, [id]);
      expect(rows).toEqual([{ changes: { role: { from: 'hr_officer', to: 'manager' }, scopes: { from: [], to: [`${programmeId}/${areaId}`] } } }]);
      // The manager's new scope is effective at once.
      const signedIn = await signIn('mgr@x.example', 'long enough password');
      expect(signedIn.body.user.scopes).toEqual([{ programmeId, thematicAreaId: areaId }]);
    });

    it("lets a non-admin read their own record, and answers 404 for anyone else's", async () => {
      const a = await createUser(ctx, Role.HrOfficer);
      const b = await createUser(ctx, Role.Manager);
      expect((await ctx.api.get(`/api/v1/users/${a.id}`, { headers: a.headers })).statusCode).toBe(200);
      await expectInvisible(ctx, a, 'GET', `/api/v1/users/${b.id}`);
      await expectInvisible(ctx, a, 'GET', `/api/v1/users/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e`);
    });

    it('refuses to let an admin deactivate themselves', async () => {
      expectErrorShape(await ctx.api.post(`/api/v1/users/${admin.id}/deactivate`, {}, { headers: admin.headers }), 409);
    });
  });

  describe('demo users', () => {
    it('seeds one demo user per role, and production refuses to start while any is active', async () => {
      const lines: string[] = [];
      const ds = ctx.app.get(require('typeorm').DataSource);
      await ds.transaction((em: any) => demoUsersStep.run({ em, log: (l: string) => lines.push(l), demo: { programmeId, areaIds: { 'Mental Health': areaId } } }));
      const { rows } = await ctx.sql.query(`SELECT role FROM users WHERE is_demo ORDER BY role`);
      expect(rows.map((r) => r.role)).toEqual(['admin', 'hr_officer', 'manager', 'tu_rep']);
      const password = lines.find((l) => l.includes('password:'))!.split('password:')[1].trim();
      expect((await signIn('hr@demo.example', password)).statusCode).toBe(200);
      const query = (sql: string) => ctx.sql.query(sql).then((r) => r.rows);
      await expect(assertNoDemoUsersInProduction(query, true)).rejects.toThrow(/refusing to start in production: 4 active demo user/);
      await expect(assertNoDemoUsersInProduction(query, false)).resolves.toBeUndefined();
      await ctx.sql.query(`UPDATE users SET is_active = false, deactivated_at = now() WHERE is_demo`);
      await expect(assertNoDemoUsersInProduction(query, true)).resolves.toBeUndefined();
    });
  });
});
