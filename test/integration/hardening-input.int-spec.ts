import { Role } from '../../src/common/access/role.enum';
import { addDays, todayInLondon } from '../../src/common/dates';
import { createUser, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext, TestResponse } from '../support/test-app';
import { buildFixture, createPost, CSV_HEADER, Fixture, multipart, postBody, upload } from './establishment-fixtures';

/**
 * Issue 17, "no client input reaches a 5xx" and "silently accepted": each case below answered
 * 500 (or was accepted) before the hardening; now each is a 400 naming the field.
 */
describe('hardening: hostile input is a 4xx naming the field', () => {
  let ctx: TestContext;
  let f: Fixture;
  let admin: TestUser;

  beforeAll(async () => {
    ctx = await startTestApp();
    f = await buildFixture(ctx);
    admin = f.admin;
  });
  afterAll(async () => ctx?.close());

  const expect400 = (res: TestResponse, field: string | RegExp) => {
    expectErrorShape(res, 400);
    const fields = (res.body.details ?? []).map((d: { field: string }) => d.field);
    if (typeof field === 'string') expect(fields).toContain(field);
    else expect(fields.some((x: string) => field.test(x))).toBe(true);
  };

  describe('NUL bytes (PostgreSQL 22021)', () => {
    it('in query strings', async () => {
      expect400(await ctx.api.get('/api/v1/posts?q=%00', { headers: f.hr.headers }), 'q');
      expect400(await ctx.api.get('/api/v1/employees?q=a%00', { headers: f.hr.headers }), 'q');
      expect400(await ctx.api.get('/api/v1/audit?entityType=%00', { headers: admin.headers }), 'entityType');
    });

    it('in a crafted posts cursor', async () => {
      const cursor = Buffer.from(JSON.stringify(['\u0000', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
      expect400(await ctx.api.get(`/api/v1/posts?cursor=${cursor}`, { headers: f.hr.headers }), 'cursor');
    });

    it('in JSON bodies, named by path', async () => {
      expect400(await ctx.api.post('/api/v1/posts', postBody(f, { title: 'a\u0000b' }), { headers: f.hr.headers }), 'title');
      expect400(await ctx.api.post('/api/v1/unions', { name: 'UNI\u0000SON' }, { headers: admin.headers }), 'name');
      const post = await createPost(ctx, f);
      const res = await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { proposedScope: 'out_of_scope', reason: 'x\u0000' }, { headers: f.hr.headers });
      expect(res.statusCode).toBeLessThan(500);
      expect(res.statusCode).not.toBe(201);
      // an unpaired surrogate cannot be stored either
      expect400(await ctx.api.post('/api/v1/unions', { name: 'bad \ud800 name' }, { headers: admin.headers }), 'name');
      // nor a NUL in a field name
      expect400(await ctx.api.post('/api/v1/unions', { name: 'ok', ['a\u0000']: 1 }, { headers: admin.headers }), /a\\u0000/);
    });

    it('in a CSV import cell: the dry run names the row and column', async () => {
      const org = (await ctx.api.get(`/api/v1/organisations/${f.orgs.council}`, { headers: f.hr.headers })).body.shortName;
      const file = `${CSV_HEADER}\r\nNUL-1,Bad\u0000title,${org},Adults,G7,1,filled,,\r\n`;
      const dry = await upload(ctx, f.hr, `/api/v1/programmes/${f.programme}/posts/import?dryRun=true`, file);
      expect(dry.statusCode).toBe(200);
      expect(dry.body.valid).toBe(false);
      expect(dry.body.errors).toEqual([{ row: 2, column: 'title', message: 'must not contain a NUL character (\\u0000)' }]);
      const real = await upload(ctx, f.hr, `/api/v1/programmes/${f.programme}/posts/import`, file);
      expectErrorShape(real, 422);
      expect(real.body.details[0]).toMatchObject({ field: 'row[2].title', row: 2, column: 'title' });
    });
  });

  it('a NUL in an upload filename does not break the audit row of a real import', async () => {
    const org = (await ctx.api.get(`/api/v1/organisations/${f.orgs.council}`, { headers: f.hr.headers })).body.shortName;
    const file = `${CSV_HEADER}\r\nFN-1,Good title,${org},Adults,G7,1,filled,,\r\n`;
    const res = await upload(ctx, f.hr, `/api/v1/programmes/${f.programme}/posts/import`, file, 'bad\u0000name.csv');
    expect(res.statusCode).toBe(200);
    const audit = await ctx.sql.query(`SELECT metadata->>'fileName' AS name FROM audit_log WHERE entity_type = 'post_import' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0].name).toBe('bad\ufffdname.csv');
  });

  describe('deeply nested JSON', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    it('1,500 nested arrays to sign-in, unauthenticated, is a clear 400', async () => {
      const res = await ctx.api.request('POST', '/api/v1/auth/sign-in', { raw: `{"email":"a@b.test","password":${nested(1500)}}` });
      expect400(res, /^password/);
      expect(res.body.message).toBe('The request is nested too deeply');
    });
    it('the same to /posts, /users and cases/bulk/preview', async () => {
      for (const url of ['/api/v1/posts', '/api/v1/users', `/api/v1/programmes/${f.programme}/cases/bulk/preview`]) {
        const res = await ctx.api.request('POST', url, { raw: `{"a":${nested(1500)}}`, headers: admin.headers });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }
    });
    it('a body nested within the cap still validates as usual', async () => {
      const res = await ctx.api.request('POST', '/api/v1/auth/sign-in', { raw: `{"email":"a@b.test","password":${nested(10)}}` });
      expect400(res, 'password');
    });
  });

  describe('numbers and nested objects', () => {
    it('tiny floats in fte are a 400, not a throw in the decimal check', async () => {
      for (const fte of [1e-7, 5e-324, 1e21, -0]) {
        expect400(await ctx.api.post('/api/v1/posts', postBody(f, { fte }), { headers: f.hr.headers }), 'fte');
      }
      for (const contractedFte of [1e-7, 5e-324]) {
        const res = await ctx.api.post('/api/v1/employees', { staffNumber: `S${Date.now()}`, firstName: 'A', lastName: 'B', contractType: 'permanent', contractedFte }, { headers: f.hr.headers });
        expect400(res, 'contractedFte');
      }
      const g = await ctx.api.post(`/api/v1/organisations/${f.orgs.council}/grades`, { code: 'GX', rank: 3, payMin: 1e-7 }, { headers: f.hr.headers });
      expect400(g, 'payMin');
    });

    it('an array where an object is due is a 400 (was NOT NULL 23502)', async () => {
      const appliesFrom = addDays(todayInLondon(), 30);
      expect400(await ctx.api.post('/api/v1/consultation-rules', { appliesFrom, bands: [[]] }, { headers: admin.headers }), 'bands');
      expect400(await ctx.api.post('/api/v1/consultation-rules', { appliesFrom, bands: ['x'] }, { headers: admin.headers }), 'bands');
    });
  });

  describe('silently accepted before', () => {
    it('two file parts in one upload are a 400', async () => {
      const { body, contentType } = multipart([
        { name: 'file', filename: 'a.csv', contentType: 'text/csv', content: `${CSV_HEADER}\r\n` },
        { name: 'file', filename: 'b.csv', contentType: 'text/csv', content: `${CSV_HEADER}\r\n` },
      ]);
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/programmes/${f.programme}/posts/import?dryRun=true`,
        headers: { ...f.hr.headers, 'content-type': contentType },
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).details).toEqual([{ field: 'file', reason: 'only one file may be sent' }]);
    });

    it('GET /audit?from=2017-02-30 is a 400; a real date is fine', async () => {
      expect400(await ctx.api.get('/api/v1/audit?from=2017-02-30', { headers: admin.headers }), 'from');
      expect400(await ctx.api.get('/api/v1/audit?to=2017-13-01T00:00:00Z', { headers: admin.headers }), 'to');
      expect((await ctx.api.get('/api/v1/audit?from=2017-02-28', { headers: admin.headers })).statusCode).toBe(200);
      expect((await ctx.api.get('/api/v1/audit?from=2017-02-28T10:00:00Z', { headers: admin.headers })).statusCode).toBe(200);
    });

    it('limit=0x10 (and 1e1, and " 16") is a 400, not 16', async () => {
      for (const limit of ['0x10', '1e1', '%2016', '16.0']) {
        expect400(await ctx.api.get(`/api/v1/audit?limit=${limit}`, { headers: admin.headers }), 'limit');
        expect400(await ctx.api.get(`/api/v1/posts?limit=${limit}`, { headers: f.hr.headers }), 'limit');
      }
      expect((await ctx.api.get('/api/v1/audit?limit=16', { headers: admin.headers })).statusCode).toBe(200);
    });

    it('a date of birth of 9999-12-31 is a 400', async () => {
      const hr = await createUser(ctx, Role.HrOfficer);
      const body = (dateOfBirth: string) => ({ staffNumber: `D${Math.floor(Math.random() * 1e9)}`, firstName: 'A', lastName: 'B', contractType: 'permanent', contractedFte: 1, dateOfBirth });
      expect400(await ctx.api.post('/api/v1/employees', body('9999-12-31'), { headers: hr.headers }), 'dateOfBirth');
      expect400(await ctx.api.post('/api/v1/employees', body('1850-01-01'), { headers: hr.headers }), 'dateOfBirth');
      expect((await ctx.api.post('/api/v1/employees', body('1970-06-15'), { headers: hr.headers })).statusCode).toBe(201);
    });
  });
});
