import { Role } from '../../src/common/access/role.enum';
import { createUser, expectRouteAllows, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('audit trail', () => {
  let ctx: TestContext;
  let admin: TestUser;
  let hr: TestUser;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = await createUser(ctx, Role.Admin);
    hr = await createUser(ctx, Role.HrOfficer);
  });
  afterAll(async () => ctx?.close());

  it('is append-only in the database: UPDATE, DELETE and TRUNCATE fail', async () => {
    await ctx.sql.query(`INSERT INTO audit_log (actor_label, action, entity_type, entity_id) VALUES ('test', 'create', 'thing', '1')`);
    await expect(ctx.sql.query(`UPDATE audit_log SET action = 'forged'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(ctx.sql.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(ctx.sql.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'forged'`)).rows[0].n).toBe(0);
  });

  it('records each user mutation with actor, entity, request id and the changed fields', async () => {
    const created = await ctx.api.post('/api/v1/users', { email: 'audited@x.example', displayName: 'Before', role: 'hr_officer', password: 'a long password here' }, { headers: admin.headers });
    const id = created.body.id;
    await ctx.api.patch(`/api/v1/users/${id}`, { version: 1, displayName: 'After' }, { headers: { ...admin.headers, 'x-request-id': 'req-audit-1' } });
    await ctx.api.post(`/api/v1/users/${id}/deactivate`, {}, { headers: admin.headers });
    const res = await ctx.api.get(`/api/v1/audit?entityType=user&entityId=${id}`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    const items = res.body.items.reverse();
    expect(items.map((i: any) => i.action)).toEqual(['create', 'update', 'deactivate']);
    expect(items.every((i: any) => i.actorId === admin.id && i.actorLabel === admin.email)).toBe(true);
    expect(items[0].changes).toMatchObject({ email: { from: null, to: 'audited@x.example' }, role: { from: null, to: 'hr_officer' } });
    expect(JSON.stringify(items[0])).not.toMatch(/argon2|password/i);
    expect(items[1]).toMatchObject({ changes: { displayName: { from: 'Before', to: 'After' } }, requestId: 'req-audit-1' });
    expect(items[2].changes).toEqual({ isActive: { from: true, to: false } });
  });

  it('filters by actor and time, and pages newest first with a keyset cursor', async () => {
    const actor = await createUser(ctx, Role.Admin);
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++) {
      await ctx.api.post('/api/v1/users', { email: `page${i}@x.example`, displayName: `P${i}`, role: 'hr_officer', password: 'a long password here' }, { headers: actor.headers });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/v1/audit?actorId=${actor.id}&from=${encodeURIComponent(start)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: any = await ctx.api.get(q, { headers: admin.headers });
      expect(page.statusCode).toBe(200);
      seen.push(...page.body.items.map((i: any) => i.changes.email.to));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['page4@x.example', 'page3@x.example', 'page2@x.example', 'page1@x.example', 'page0@x.example']);
    const none = await ctx.api.get(`/api/v1/audit?actorId=${actor.id}&to=${encodeURIComponent(start)}`, { headers: admin.headers });
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('rejects bad filters with 400 naming the field', async () => {
    const res = await ctx.api.get('/api/v1/audit?from=yesterday&limit=9999&cursor=abc', { headers: admin.headers });
    expectErrorShape(res, 400);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual(['cursor', 'from', 'limit']);
  });

  it('is for admins and HR officers only', async () => {
    await expectRouteAllows(ctx, 'GET', '/api/v1/audit', [Role.Admin, Role.HrOfficer]);
  });
});
