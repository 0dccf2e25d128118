import { ALL_ROLES, Role } from '../../src/common/access/role.enum';
import { createUsersForAllRoles, TestUser } from '../support/auth';
import { concretePath, registeredRoutes, RegisteredRoute } from '../support/routes';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/**
 * Deny by default, checked on every registered route: each declares @Roles or
 * @Public; public ones are exactly the allowlist; and for every route x role the
 * guard answers as declared (401 anonymous, 403 other roles, neither for allowed).
 */
const PUBLIC_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'POST /api/v1/auth/sign-in',
  // Password reset by email (issue 19): asking for a link, and using it.
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/password-reset/complete',
  // Prometheus cannot sign in: it sends METRICS_TOKEN; without one configured the route is open
  // outside production and 404 in production (src/metrics).
  'GET /metrics',
  // Calendar feeds are authenticated by their per-user secret in the URL.
  'GET /api/v1/calendar/:token.ics',
  'GET /api/v1/calendar/:token',
  // Pages: signing in, and the footer's pages (accessibility statement, cookies, help).
  'GET /sign-in',
  'POST /sign-in',
  // Single sign-on: the organisation's button and the provider's answer; the password reset pages.
  'POST /sign-in/oidc/:provider',
  'GET /sign-in/oidc/:provider/callback',
  'GET /password-reset',
  'POST /password-reset',
  'GET /password-reset/:token',
  'POST /password-reset/:token',
  'GET /accessibility',
  'GET /cookies',
  'GET /help',
];

/** Pages live outside /api/v1, health and metrics. */
const isPage = (path: string) => !/^\/(api|health|metrics)(\/|$)/.test(path);

describe('access: the role x route matrix, built from the registered routes', () => {
  let ctx: TestContext;
  let routes: RegisteredRoute[];
  let users: Record<Role, TestUser>;

  beforeAll(async () => {
    ctx = await startTestApp();
    routes = registeredRoutes(ctx.app);
    users = await createUsersForAllRoles(ctx);
  });
  afterAll(async () => ctx?.close());

  it('finds the routes (the enumeration itself works), pages included', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /api/v1/me', 'GET /api/v1/users', 'GET /api/v1/audit', 'POST /api/v1/auth/sign-in', 'GET /health/ready', 'GET /', 'GET /sign-in', 'POST /sign-out']),
    );
  });

  it('every route declares who may call it', () => {
    const undeclared = routes.filter((r) => !r.isPublic && !r.roles?.length).map((r) => `${r.method} ${r.path} (${r.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('only the allowlisted routes are public', () => {
    const open = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`);
    expect(open.filter((r) => !PUBLIC_ROUTES.includes(r))).toEqual([]);
  });

  it('answers every protected route as declared, for anonymous callers and every role', async () => {
    const mismatches: string[] = [];
    for (const r of routes.filter((x) => !x.isPublic)) {
      const url = concretePath(r.path);
      const anon = await ctx.api.request(r.method, url, { payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      if (isPage(r.path)) {
        // A page sends an anonymous visitor to sign in; a form post without a session fails its CSRF check first.
        const expected = r.method === 'GET' ? 303 : 403;
        if (anon.statusCode !== expected) mismatches.push(`${r.method} ${r.path} anonymous -> ${anon.statusCode}, expected ${expected}`);
        if (r.method === 'GET' && !String(anon.headers.location ?? '').startsWith('/sign-in')) mismatches.push(`${r.method} ${r.path} anonymous -> not sent to /sign-in`);
      } else if (anon.statusCode !== 401) mismatches.push(`${r.method} ${r.path} anonymous -> ${anon.statusCode}`);
      for (const role of ALL_ROLES) {
        const res = await ctx.api.request(r.method, url, {
          headers: users[role].headers,
          payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        });
        const allowed = r.roles!.includes(role);
        if (allowed && [401, 403].includes(res.statusCode)) mismatches.push(`${r.method} ${r.path} ${role} refused (${res.statusCode})`);
        if (!allowed && res.statusCode !== 403) mismatches.push(`${r.method} ${r.path} ${role} -> ${res.statusCode}, expected 403`);
        if (res.statusCode >= 500) mismatches.push(`${r.method} ${r.path} ${role} -> ${res.statusCode}: ${res.text.slice(0, 200)}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000); // every route x 5 callers, pages included: a guard against a hang on a loaded machine, not a timing check

  it('refuses with 401 in the error shape when the token is missing or malformed', async () => {
    expectErrorShape(await ctx.api.get('/api/v1/me'), 401);
    expectErrorShape(await ctx.api.get('/api/v1/me', { headers: { authorization: 'Basic abc' } }), 401);
    expectErrorShape(await ctx.api.get('/api/v1/me', { headers: { authorization: 'Bearer not.a.jwt' } }), 401);
  });
});
