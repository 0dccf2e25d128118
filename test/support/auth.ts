/**
 * One-line access checks for feature tests (issue: identity, access and audit).
 *
 *   const hr = await createUser(ctx, Role.HrOfficer);
 *   const mgr = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId }] });
 *   await ctx.api.get('/api/v1/posts', { headers: hr.headers });
 *   await expectRouteAllows(ctx, 'GET', `/api/v1/posts/${id}`, [Role.Admin, Role.HrOfficer, Role.Manager]);
 *   await expectInvisible(ctx, mgr, 'GET', `/api/v1/posts/${otherAreaPostId}`);
 *   expectNoPersonalData(res.body, [employee.firstName, employee.staffNumber]);
 */
import { IdentityCache } from '../../src/users/identity-cache';
import { randomBytes } from 'node:crypto';
import { AuthService } from '../../src/auth/auth.service';
import type { UserScope } from '../../src/common/access/auth-user';
import { hashPassword } from '../../src/users/password';
import { ALL_ROLES, Role } from '../../src/common/access/role.enum';
import { expectErrorShape, TestContext } from './test-app';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  password: string;
  token: string;
  /** `{ authorization: 'Bearer …' }` */
  headers: Record<string, string>;
}

let hashOnce: Promise<string> | undefined;
const TEST_PASSWORD = 'correct horse battery staple';

/** Insert an active user with the role and scopes, and sign a short-lived access token for them. */
export async function createUser(
  ctx: TestContext,
  role: Role,
  opts: { scopes?: UserScope[]; email?: string; displayName?: string } = {},
): Promise<TestUser> {
  hashOnce ??= hashPassword(TEST_PASSWORD);
  const email = opts.email ?? `${role}.${randomBytes(4).toString('hex')}@example.test`;
  const { rows } = await ctx.sql.query(
    `INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
    [email, opts.displayName ?? `Test ${role}`, role, await hashOnce],
  );
  const id: string = rows[0].id;
  for (const s of opts.scopes ?? []) {
    await ctx.sql.query(`INSERT INTO user_scopes (user_id, programme_id, thematic_area_id) VALUES ($1, $2, $3)`, [id, s.programmeId, s.thematicAreaId]);
  }
  const token = await ctx.app.get(AuthService).issueAccessToken(id);
  return { id, email, role, password: TEST_PASSWORD, token, headers: { authorization: `Bearer ${token}` } };
}

/**
 * After changing users with SQL (as another process would), wait until the API's identity cache
 * has had the change's notification (src/users/identity-cache.ts), as it would within milliseconds.
 */
export async function identityChangesSeen(ctx: TestContext): Promise<void> {
  await ctx.app.get(IdentityCache).sync();
}

/** One user of each role (managers and tu_reps with the scopes given). */
export async function createUsersForAllRoles(ctx: TestContext, scopes: Partial<Record<Role, UserScope[]>> = {}): Promise<Record<Role, TestUser>> {
  const out = {} as Record<Role, TestUser>;
  for (const role of ALL_ROLES) out[role] = await createUser(ctx, role, { scopes: scopes[role] ?? [] });
  return out;
}

/**
 * The route answers 401 without a token, 403 to every role not in `allowed`, and
 * neither 401 nor 403 to the allowed roles.
 */
export async function expectRouteAllows(
  ctx: TestContext,
  method: string,
  url: string,
  allowed: Role[],
  opts: { payload?: unknown; users?: Record<Role, TestUser> } = {},
): Promise<void> {
  const users = opts.users ?? (await createUsersForAllRoles(ctx));
  const anonymous = await ctx.api.request(method, url, { payload: opts.payload });
  expectErrorShape(anonymous, 401);
  for (const role of ALL_ROLES) {
    const res = await ctx.api.request(method, url, { payload: opts.payload, headers: users[role].headers });
    if (allowed.includes(role)) {
      expect({ role, status: res.statusCode, refused: [401, 403].includes(res.statusCode) }).toEqual({ role, status: res.statusCode, refused: false });
    } else {
      expect({ role, status: res.statusCode }).toEqual({ role, status: 403 });
      expectErrorShape(res, 403);
    }
  }
}

/** The route denies these roles with 403 (and anonymous callers with 401). */
export async function expectRouteDenies(ctx: TestContext, method: string, url: string, denied: Role[], opts: { payload?: unknown } = {}): Promise<void> {
  await expectRouteAllows(ctx, method, url, ALL_ROLES.filter((r) => !denied.includes(r)), opts);
}

/** The object is invisible to this user: 404 in the error shape, exactly as for something that does not exist. */
export async function expectInvisible(ctx: TestContext, user: TestUser, method: string, url: string, payload?: unknown): Promise<void> {
  const res = await ctx.api.request(method, url, { headers: user.headers, payload });
  expectErrorShape(res, 404);
}

/** Keys that carry an individual's personal data; a tu_rep response must hold none of them. */
export const PERSONAL_KEYS = [
  'name', 'firstName', 'lastName', 'fullName', 'displayName', 'holder', 'holderName', 'holders', 'employee', 'employeeName',
  'staffNumber', 'email', 'workEmail', 'personalEmail', 'pay', 'salary', 'protectedPay', 'dateOfBirth', 'birthDate',
  'notes', 'caseNotes', 'note', 'niNumber', 'nationalInsuranceNumber', 'address', 'phone',
];

/**
 * Walk the JSON recursively: no personal key anywhere (keys under `allowKeys` excepted, e.g. a
 * thematic area's `name`), and none of the given personal values anywhere as a string.
 */
export function expectNoPersonalData(body: unknown, personalValues: string[] = [], opts: { allowKeys?: string[] } = {}): void {
  const allow = new Set(opts.allowKeys ?? []);
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (PERSONAL_KEYS.includes(k) && !allow.has(k)) found.push(`${path}.${k}`);
        walk(x, `${path}.${k}`);
      }
    } else if (typeof v === 'string') {
      for (const p of personalValues) if (p && v.includes(p)) found.push(`${path} contains "${p}"`);
    }
  };
  walk(body, '$');
  expect(found).toEqual([]);
}
