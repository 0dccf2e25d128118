import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectInvisible, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';
import { addHolder, buildFixture, createPost, download, Fixture, postBody, readCsv, readXlsx } from './establishment-fixtures';

describe('establishment: reference data, posts, scope decisions, proposals, pagination, matrix', () => {
  let ctx: TestContext;
  let f: Fixture;
  let manager: TestUser; // covers the in-scope area of the fixture programme
  let rep: TestUser; // trade union rep on the fixture programme
  let everyone: Record<Role, TestUser>;

  beforeAll(async () => {
    ctx = await startTestApp();
    f = await buildFixture(ctx);
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: f.programme, thematicAreaId: f.areas.inScope }] });
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: f.programme, thematicAreaId: null }] });
    everyone = await createUsersForAllRoles(ctx, {
      [Role.Manager]: [{ programmeId: f.programme, thematicAreaId: f.areas.inScope }],
      [Role.TuRep]: [{ programmeId: f.programme, thematicAreaId: null }],
    });
  });
  afterAll(async () => ctx?.close());

  const auditRows = async (entityType: string, entityId: string) =>
    (await ctx.sql.query(`SELECT action, changes, metadata, actor_id FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id`, [entityType, entityId])).rows;

  describe('organisations (admins keep them, everyone reads them)', () => {
    it('lets every role read and only admins write', async () => {
      await expectRouteAllows(ctx, 'GET', '/api/v1/organisations', [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep], { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/organisations/${f.orgs.council}`, [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep], { users: everyone });
      await expectRouteAllows(ctx, 'POST', '/api/v1/organisations', [Role.Admin], {
        users: everyone,
        payload: { name: `Access check ${Date.now()}`, kind: 'other', status: 'active' },
      });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/organisations/${f.orgs.outsider}`, [Role.Admin], { users: everyone, payload: { version: 999 } });
    });

    it('refuses a duplicate name with 409 naming the field, and audits a create', async () => {
      const created = await ctx.api.post('/api/v1/organisations', { name: 'Unique Org Ltd', kind: 'other', status: 'active' }, { headers: f.admin.headers });
      expect(created.statusCode).toBe(201);
      expect(await auditRows('organisation', created.body.id)).toEqual([
        expect.objectContaining({ action: 'create', actor_id: f.admin.id, changes: expect.objectContaining({ name: { from: null, to: 'Unique Org Ltd' } }) }),
      ]);
      const dup = await ctx.api.post('/api/v1/organisations', { name: 'Unique Org Ltd', kind: 'other', status: 'active' }, { headers: f.admin.headers });
      expectErrorShape(dup, 409);
      expect(dup.body.details).toEqual([{ field: 'name', reason: 'is already the name of another organisation' }]);
    });

    it('validates kind and refuses a successor cycle', async () => {
      const bad = await ctx.api.post('/api/v1/organisations', { name: 'X', kind: 'hospital', status: 'active' }, { headers: f.admin.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('kind');
      const a = (await ctx.api.post('/api/v1/organisations', { name: 'Cycle A', kind: 'ccg', status: 'active' }, { headers: f.admin.headers })).body;
      const b = (await ctx.api.post('/api/v1/organisations', { name: 'Cycle B', kind: 'ccg', status: 'active', successorId: a.id }, { headers: f.admin.headers })).body;
      const cycle = await ctx.api.patch(`/api/v1/organisations/${a.id}`, { version: a.version, successorId: b.id }, { headers: f.admin.headers });
      expectErrorShape(cycle, 422);
      expect(cycle.body.details).toEqual([{ field: 'successorId', reason: 'would make a cycle of successors' }]);
    });

    it('gives 409 with the current version for a stale update', async () => {
      const o = (await ctx.api.post('/api/v1/organisations', { name: 'Versioned Org', kind: 'other', status: 'active' }, { headers: f.admin.headers })).body;
      const first = await ctx.api.patch(`/api/v1/organisations/${o.id}`, { version: 1, status: 'to_be_disestablished' }, { headers: f.admin.headers });
      expect(first.statusCode).toBe(200);
      expect(first.body.version).toBe(2);
      const stale = await ctx.api.patch(`/api/v1/organisations/${o.id}`, { version: 1, status: 'disestablished' }, { headers: f.admin.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
      expect(stale.body.details).toEqual([{ field: 'version', reason: 'is stale', currentVersion: 2 }]);
    });

    it('refuses null for a required field in a PATCH (400, not 500)', async () => {
      const res = await ctx.api.patch(`/api/v1/organisations/${f.orgs.outsider}`, { version: 1, name: null }, { headers: f.admin.headers });
      expectErrorShape(res, 400);
      expect(res.body.details[0].field).toBe('name');
    });
  });

  describe('every other route declares who may call it', () => {
    it('reference data: reads for every role, writes for admins (organisations, programmes) or HR officers and admins (grades, areas)', async () => {
      const all = [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep];
      const staff = [Role.Admin, Role.HrOfficer];
      await expectRouteAllows(ctx, 'GET', '/api/v1/programmes', all, { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/programmes/${f.programme}`, all, { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/programmes/${f.programme}/thematic-areas`, all, { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/organisations/${f.orgs.council}/grades`, all, { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/grades/${f.grades.g7}`, all, { users: everyone });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/grades/${f.grades.g7}`, staff, { users: everyone, payload: { version: 999 } });
      await expectRouteAllows(ctx, 'DELETE', `/api/v1/grades/${f.grades.g7}?version=999`, staff, { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/thematic-areas/${f.areas.inScope}`, all, { users: everyone });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/thematic-areas/${f.areas.inScope}`, staff, { users: everyone, payload: { version: 999 } });
      await expectRouteAllows(ctx, 'DELETE', `/api/v1/thematic-areas/${f.areas.inScope}?version=999`, staff, { users: everyone });
      await expectRouteAllows(ctx, 'DELETE', `/api/v1/organisations/${f.orgs.outsider}?version=999`, [Role.Admin], { users: everyone });
    });

    it('removes an unused organisation, and refuses one in use with 409', async () => {
      const spare = (await ctx.api.post('/api/v1/organisations', { name: 'Spare Org', kind: 'other', status: 'active' }, { headers: f.admin.headers })).body;
      expect((await ctx.api.delete(`/api/v1/organisations/${spare.id}?version=1`, { headers: f.admin.headers })).statusCode).toBe(204);
      expect((await auditRows('organisation', spare.id)).map((a: any) => a.action)).toEqual(['create', 'delete']);
      const used = (await ctx.api.get(`/api/v1/organisations/${f.orgs.council}`, { headers: f.admin.headers })).body;
      const res = await ctx.api.delete(`/api/v1/organisations/${f.orgs.council}?version=${used.version}`, { headers: f.admin.headers });
      expectErrorShape(res, 409);
      expect(res.body.details[0]).toEqual({ field: 'id', reason: expect.stringMatching(/^is still referenced/) });
    });
  });

  describe('programmes', () => {
    it('shows managers and trade union reps only their programmes (others 404)', async () => {
      const list = await ctx.api.get('/api/v1/programmes', { headers: manager.headers });
      expect(list.body.map((p: any) => p.id)).toEqual([f.programme]);
      const repList = await ctx.api.get('/api/v1/programmes', { headers: rep.headers });
      expect(repList.body.map((p: any) => p.id)).toEqual([f.programme]);
      const all = await ctx.api.get('/api/v1/programmes', { headers: f.hr.headers });
      expect(all.body.map((p: any) => p.id)).toEqual(expect.arrayContaining([f.programme, f.other.programme]));
      await expectInvisible(ctx, manager, 'GET', `/api/v1/programmes/${f.other.programme}`);
      await expectInvisible(ctx, rep, 'GET', `/api/v1/programmes/${f.other.programme}`);
      await expectInvisible(ctx, manager, 'GET', `/api/v1/programmes/${f.other.programme}/thematic-areas`);
      const own = await ctx.api.get(`/api/v1/programmes/${f.programme}`, { headers: rep.headers });
      expect(own.body).toMatchObject({
        goLiveDate: '2017-04-01',
        status: 'planning',
        destinationOrganisation: { id: f.orgs.merged, kind: 'merged_ccg' },
        sourceOrganisations: expect.arrayContaining([expect.objectContaining({ id: f.orgs.council }), expect.objectContaining({ id: f.orgs.ccg })]),
      });
    });

    it('lets only admins create and change programmes', async () => {
      await expectRouteAllows(ctx, 'POST', '/api/v1/programmes', [Role.Admin], {
        users: everyone,
        payload: { name: `Access ${Date.now()}`, destinationOrganisationId: f.orgs.merged, sourceOrganisationIds: [f.orgs.outsider], goLiveDate: '2020-01-01' },
      });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/programmes/${f.other.programme}`, [Role.Admin], { users: everyone, payload: { version: 999 } });
    });

    it('validates dates and organisations, naming the field', async () => {
      const base = { name: 'Bad one', destinationOrganisationId: f.orgs.merged, sourceOrganisationIds: [f.orgs.council] };
      const date = await ctx.api.post('/api/v1/programmes', { ...base, goLiveDate: '2017-02-30' }, { headers: f.admin.headers });
      expectErrorShape(date, 400);
      expect(date.body.details).toEqual([{ field: 'goLiveDate', reason: 'must be a date written YYYY-MM-DD' }]);
      const same = await ctx.api.post('/api/v1/programmes', { ...base, sourceOrganisationIds: [f.orgs.merged], goLiveDate: '2017-04-01' }, { headers: f.admin.headers });
      expectErrorShape(same, 422);
      expect(same.body.details[0].field).toBe('sourceOrganisationIds');
      const missing = await ctx.api.post(
        '/api/v1/programmes',
        { ...base, sourceOrganisationIds: [f.orgs.council, '4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e'], goLiveDate: '2017-04-01' },
        { headers: f.admin.headers },
      );
      expectErrorShape(missing, 422);
      expect(missing.body.details[0].field).toBe('sourceOrganisationIds[1]');
    });

    it('refuses to drop a source organisation that still has posts', async () => {
      await createPost(ctx, f, { organisationId: f.orgs.ccg, gradeId: f.grades.ccgBand5 });
      const p = (await ctx.api.get(`/api/v1/programmes/${f.programme}`, { headers: f.admin.headers })).body;
      const res = await ctx.api.patch(`/api/v1/programmes/${f.programme}`, { version: p.version, sourceOrganisationIds: [f.orgs.council] }, { headers: f.admin.headers });
      expectErrorShape(res, 422);
      expect(res.body.details[0].field).toBe('sourceOrganisationIds');
    });
  });

  describe('grades and thematic areas', () => {
    it('lets HR officers and admins keep grades; 409 for a duplicate code; 422 for a pay range upside down', async () => {
      await expectRouteAllows(ctx, 'POST', `/api/v1/organisations/${f.orgs.outsider}/grades`, [Role.Admin, Role.HrOfficer], {
        users: everyone,
        payload: { code: `X${Date.now() % 1000}`, rank: 1 },
      });
      const dup = await ctx.api.post(`/api/v1/organisations/${f.orgs.council}/grades`, { code: 'G7', rank: 7 }, { headers: f.hr.headers });
      expectErrorShape(dup, 409);
      expect(dup.body.details).toEqual([{ field: 'code', reason: "is already a grade on this organisation's scale" }]);
      const pay = await ctx.api.post(`/api/v1/organisations/${f.orgs.council}/grades`, { code: 'G9', rank: 9, payMin: 30000, payMax: 20000 }, { headers: f.hr.headers });
      expectErrorShape(pay, 422);
      expect(pay.body.details).toEqual([{ field: 'payMax', reason: 'must not be less than payMin' }]);
      const list = await ctx.api.get(`/api/v1/organisations/${f.orgs.council}/grades`, { headers: rep.headers });
      expect(list.body.map((g: any) => g.code)).toEqual(['SMG1', 'G7', 'G5']);
      expect(list.body[0]).toMatchObject({ reportGroup: '>G12', payMin: 20000, payMax: 30000 });
    });

    it('refuses to remove a grade that posts use (409)', async () => {
      await createPost(ctx, f, { gradeId: f.grades.g5 });
      const g = (await ctx.api.get(`/api/v1/grades/${f.grades.g5}`, { headers: f.hr.headers })).body;
      const res = await ctx.api.delete(`/api/v1/grades/${f.grades.g5}?version=${g.version}`, { headers: f.hr.headers });
      expectErrorShape(res, 409);
    });

    it('lets HR officers add areas; every role on the programme lists them', async () => {
      await expectRouteAllows(ctx, 'POST', `/api/v1/programmes/${f.other.programme}/thematic-areas`, [Role.Admin, Role.HrOfficer], {
        users: everyone,
        payload: { name: `Area ${Date.now()}`, defaultScope: 'under_review' },
      });
      const list = await ctx.api.get(`/api/v1/programmes/${f.programme}/thematic-areas`, { headers: rep.headers });
      expect(list.statusCode).toBe(200);
      expect(list.body.map((a: any) => [a.name, a.defaultScope])).toEqual([
        ['Adults', 'in_scope'],
        ["Children's", 'out_of_scope'],
      ]);
    });
  });

  describe('posts', () => {
    it('creates a post with the area default scope, a first scope-history entry and an audit row', async () => {
      const post = await createPost(ctx, f, { thematicAreaId: f.areas.outOfScope, fte: 0.6 });
      expect(post).toMatchObject({ scope: 'out_of_scope', fte: 0.6, version: 1, establishmentStatus: 'filled', grade: { code: 'G7', reportGroup: 'G7' }, holders: [] });
      expect(post.scopeReason).toBe(`Default scope of thematic area "Children's"`);
      const history = await ctx.api.get(`/api/v1/posts/${post.id}/scope-history`, { headers: f.hr.headers });
      expect(history.body).toEqual([expect.objectContaining({ fromScope: null, toScope: 'out_of_scope', decidedBy: { id: f.hr.id, displayName: expect.any(String) } })]);
      expect(await auditRows('post', post.id)).toEqual([expect.objectContaining({ action: 'create', actor_id: f.hr.id })]);
    });

    it('rejects FTE 1.01 naming the field, and 0 and three decimals too', async () => {
      for (const [fte, reason] of [
        [1.01, 'must not be greater than 1'],
        [0, 'must be greater than 0'],
        [0.333, 'must be a number with at most two decimals'],
        ['1', 'must be a number with at most two decimals'],
      ] as const) {
        const res = await ctx.api.post('/api/v1/posts', postBody(f, { fte }), { headers: f.hr.headers });
        expectErrorShape(res, 400);
        expect(res.body.details).toEqual([{ field: 'fte', reason }]);
      }
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE fte > 1`);
      expect(rows[0].n).toBe(0);
    });

    it('refuses a grade of another organisation, an area of another programme and a duplicate reference', async () => {
      const grade = await ctx.api.post('/api/v1/posts', postBody(f, { gradeId: f.grades.outsiderG7 }), { headers: f.hr.headers });
      expectErrorShape(grade, 422);
      expect(grade.body.details).toEqual([{ field: 'gradeId', reason: "is not a grade on the organisation's scale" }]);
      const area = await ctx.api.post('/api/v1/posts', postBody(f, { thematicAreaId: f.other.area }), { headers: f.hr.headers });
      expectErrorShape(area, 422);
      expect(area.body.details[0].field).toBe('thematicAreaId');
      const org = await ctx.api.post('/api/v1/posts', postBody(f, { organisationId: f.orgs.outsider, gradeId: f.grades.outsiderG7 }), { headers: f.hr.headers });
      expectErrorShape(org, 422);
      expect(org.body.details[0].field).toBe('organisationId');
      const first = await createPost(ctx, f, { reference: 'DUP-1' });
      expect(first.reference).toBe('DUP-1');
      const dup = await ctx.api.post('/api/v1/posts', postBody(f, { reference: 'DUP-1' }), { headers: f.hr.headers });
      expectErrorShape(dup, 409);
      expect(dup.body.details).toEqual([{ field: 'reference', reason: 'is already the reference of another post of this organisation' }]);
    });

    it('gives a stale version 409 with the current version, and applies the fresh one', async () => {
      const post = await createPost(ctx, f);
      const ok = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, title: 'Senior Commissioning Officer' }, { headers: f.hr.headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatchObject({ version: 2, title: 'Senior Commissioning Officer' });
      const stale = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, title: 'Lost update' }, { headers: f.admin.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
      const now = await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: f.hr.headers });
      expect(now.body.title).toBe('Senior Commissioning Officer');
      const missing = await ctx.api.patch(`/api/v1/posts/${post.id}`, { title: 'No version' }, { headers: f.hr.headers });
      expectErrorShape(missing, 400);
      expect(missing.body.details[0].field).toBe('version');
    });

    it('keeps every scope decision as history, with reason, who and when; a scope needs a reason', async () => {
      const post = await createPost(ctx, f);
      const noReason = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, scope: 'under_review' }, { headers: f.hr.headers });
      expectErrorShape(noReason, 400);
      expect(noReason.body.details[0].field).toBe('scopeReason');
      const decided = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, scope: 'under_review', scopeReason: 'Manager raised a question' }, { headers: f.hr.headers });
      expect(decided.body).toMatchObject({ scope: 'under_review', scopeReason: 'Manager raised a question', scopeDecidedBy: { id: f.hr.id }, version: 2 });
      const later = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 2, scope: 'later_phase', scopeReason: 'Moves with the LCO' }, { headers: f.admin.headers });
      expect(later.statusCode).toBe(200);
      await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 3, title: 'Renamed only' }, { headers: f.admin.headers });
      const history = (await ctx.api.get(`/api/v1/posts/${post.id}/scope-history`, { headers: f.hr.headers })).body;
      expect(history.map((h: any) => [h.fromScope, h.toScope, h.reason, h.decidedBy?.id])).toEqual([
        [null, 'in_scope', 'Default scope of thematic area "Adults"', f.hr.id],
        ['in_scope', 'under_review', 'Manager raised a question', f.hr.id],
        ['under_review', 'later_phase', 'Moves with the LCO', f.admin.id],
      ]);
      const audit = await auditRows('post', post.id);
      expect(audit.map((a: any) => a.action)).toEqual(['create', 'update', 'update', 'update']);
      expect(audit[1].changes).toMatchObject({ scope: { from: 'in_scope', to: 'under_review' } });
    });

    it('records a new reason for the same scope as a decision (a challenge answered)', async () => {
      const post = await createPost(ctx, f);
      const res = await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, scopeReason: 'Confirmed in scope after review' }, { headers: f.admin.headers });
      expect(res.body).toMatchObject({ scope: 'in_scope', scopeReason: 'Confirmed in scope after review', scopeDecidedBy: { id: f.admin.id }, version: 2 });
      const history = (await ctx.api.get(`/api/v1/posts/${post.id}/scope-history`, { headers: f.hr.headers })).body;
      expect(history.map((h: any) => [h.fromScope, h.toScope, h.reason])).toEqual([
        [null, 'in_scope', 'Default scope of thematic area "Adults"'],
        ['in_scope', 'in_scope', 'Confirmed in scope after review'],
      ]);
    });

    it('shows holders to HR (with staff number) and managers (name only)', async () => {
      const post = await createPost(ctx, f, { fte: 0.5 });
      const holder = await addHolder(ctx, post.id, '0.50');
      const hr = await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: f.hr.headers });
      expect(hr.body.holders).toEqual([
        { employeeId: expect.any(String), name: `${holder.firstName} ${holder.lastName}`, staffNumber: holder.staffNumber, fte: 0.5, startsOn: '2015-01-01', endsOn: null },
      ]);
      const mgr = await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: manager.headers });
      expect(mgr.body.holders).toEqual([{ employeeId: expect.any(String), name: `${holder.firstName} ${holder.lastName}`, fte: 0.5, startsOn: '2015-01-01', endsOn: null }]);
      const del = await ctx.api.delete(`/api/v1/posts/${post.id}?version=1`, { headers: f.hr.headers });
      expectErrorShape(del, 409);
      expect(del.body.details).toEqual([{ field: 'id', reason: 'has post holders' }]);
    });

    it('deletes a post entered by mistake (version checked, audited)', async () => {
      const post = await createPost(ctx, f);
      expectErrorShape(await ctx.api.delete(`/api/v1/posts/${post.id}?version=2`, { headers: f.hr.headers }), 409);
      expectErrorShape(await ctx.api.delete(`/api/v1/posts/${post.id}`, { headers: f.hr.headers }), 400);
      const del = await ctx.api.delete(`/api/v1/posts/${post.id}?version=1`, { headers: f.hr.headers });
      expect(del.statusCode).toBe(204);
      expectErrorShape(await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: f.hr.headers }), 404);
      expect((await auditRows('post', post.id)).map((a: any) => a.action)).toEqual(['create', 'delete']);
    });

    it('allows each route to the roles it should', async () => {
      const post = await createPost(ctx, f);
      await expectRouteAllows(ctx, 'GET', '/api/v1/posts', [Role.Admin, Role.HrOfficer, Role.Manager], { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/posts/${post.id}`, [Role.Admin, Role.HrOfficer, Role.Manager], { users: everyone });
      await expectRouteAllows(ctx, 'GET', `/api/v1/posts/${post.id}/scope-history`, [Role.Admin, Role.HrOfficer, Role.Manager], { users: everyone });
      await expectRouteAllows(ctx, 'POST', '/api/v1/posts', [Role.Admin, Role.HrOfficer], { users: everyone, payload: postBody(f) });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/posts/${post.id}`, [Role.Admin, Role.HrOfficer], { users: everyone, payload: { version: 999 } });
      await expectRouteAllows(ctx, 'DELETE', `/api/v1/posts/${post.id}?version=999`, [Role.Admin, Role.HrOfficer], { users: everyone });
    });

    it("hides other areas' posts from a manager (404), and keeps their list to their areas", async () => {
      const mine = await createPost(ctx, f, { thematicAreaId: f.areas.inScope });
      const theirs = await createPost(ctx, f, { thematicAreaId: f.areas.outOfScope });
      await expectInvisible(ctx, manager, 'GET', `/api/v1/posts/${theirs.id}`);
      await expectInvisible(ctx, manager, 'GET', `/api/v1/posts/${theirs.id}/scope-history`);
      await expectInvisible(ctx, manager, 'GET', `/api/v1/posts/${theirs.id}/scope-proposals`);
      expect((await ctx.api.get(`/api/v1/posts/${mine.id}`, { headers: manager.headers })).statusCode).toBe(200);
      let cursor: string | null = null;
      const seen: any[] = [];
      do {
        const page: any = await ctx.api.get(`/api/v1/posts?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: manager.headers });
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen.map((p) => p.thematicArea.id))).toEqual(new Set([f.areas.inScope]));
      const unscoped = await createUser(ctx, Role.Manager);
      expect((await ctx.api.get('/api/v1/posts', { headers: unscoped.headers })).body.items).toEqual([]);
      await expectInvisible(ctx, unscoped, 'GET', `/api/v1/posts/${mine.id}`);
    });
  });

  describe('GET /posts: filters and keyset pagination', () => {
    let programme: string;
    let area: string;
    beforeAll(async () => {
      // A programme of its own with 230 posts inserted directly (fast), spread over grades, scopes and statuses.
      const p = await ctx.api.post(
        '/api/v1/programmes',
        { name: 'Pagination programme', destinationOrganisationId: f.orgs.merged, sourceOrganisationIds: [f.orgs.council], goLiveDate: '2019-04-01' },
        { headers: f.admin.headers },
      );
      programme = p.body.id;
      area = (await ctx.api.post(`/api/v1/programmes/${programme}/thematic-areas`, { name: 'Big area', defaultScope: 'in_scope' }, { headers: f.hr.headers })).body.id;
      await ctx.sql.query(
        `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status, scope)
         SELECT $1, $2, $3, CASE WHEN i % 3 = 0 THEN $4::uuid ELSE $5::uuid END, 'PG-' || lpad(i::text, 4, '0'),
                CASE WHEN i % 10 = 0 THEN 'Lead Analyst ' || i ELSE 'Officer ' || i END,
                CASE WHEN i % 4 = 0 THEN 0.5 ELSE 1 END,
                CASE WHEN i % 7 = 0 THEN 'vacant' WHEN i = 229 THEN 'deleted' ELSE 'filled' END,
                CASE WHEN i % 5 = 0 THEN 'out_of_scope' ELSE 'in_scope' END
         FROM generate_series(0, 229) i`,
        [programme, area, f.orgs.council, f.grades.g5, f.grades.g7],
      );
    });

    const walk = async (query: string, limit: number) => {
      const ids: string[] = [];
      const refs: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await ctx.api.get(`/api/v1/posts?programmeId=${programme}&limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
          headers: f.hr.headers,
        });
        expect(res.statusCode).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        ids.push(...res.body.items.map((p: any) => p.id));
        refs.push(...res.body.items.map((p: any) => p.reference));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      return { ids, refs, pages };
    };

    it('pages through every live post once, in reference order, with a cursor', async () => {
      const { ids, refs, pages } = await walk('', 40);
      expect(ids.length).toBe(229); // the deleted one is left out
      expect(new Set(ids).size).toBe(229);
      expect(refs).toEqual([...refs].sort());
      expect(pages).toBe(6);
    });

    it('keeps pages stable when posts are added before the cursor meanwhile', async () => {
      const first = (await ctx.api.get(`/api/v1/posts?programmeId=${programme}&limit=50`, { headers: f.hr.headers })).body;
      await ctx.sql.query(
        `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status, scope)
         VALUES ($1, $2, $3, $4, 'PG-0000-A', 'Inserted early', 1, 'filled', 'in_scope')`,
        [programme, area, f.orgs.council, f.grades.g7],
      );
      const second = (await ctx.api.get(`/api/v1/posts?programmeId=${programme}&limit=50&cursor=${encodeURIComponent(first.nextCursor)}`, { headers: f.hr.headers })).body;
      expect(second.items[0].reference).toBe('PG-0050');
      await ctx.sql.query(`DELETE FROM posts WHERE reference = 'PG-0000-A'`);
    });

    it.each([
      ['&scope=out_of_scope', `scope = 'out_of_scope' AND establishment_status <> 'deleted'`],
      ['&status=vacant', `establishment_status = 'vacant'`],
      ['&status=deleted', `establishment_status = 'deleted'`],
      ['&q=lead%20ANALYST', `title ILIKE '%lead analyst%' AND establishment_status <> 'deleted'`],
      ['&q=PG-01', `reference LIKE 'PG-01%' AND establishment_status <> 'deleted'`],
    ])('filters %s', async (query, where) => {
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1 AND ${where}`, [programme]);
      expect(rows[0].n).toBeGreaterThan(0);
      const { ids } = await walk(query, 25);
      expect(ids.length).toBe(rows[0].n);
    });

    it('filters by grade, organisation and area', async () => {
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1 AND grade_id = $2 AND establishment_status <> 'deleted'`, [
        programme,
        f.grades.g5,
      ]);
      expect((await walk(`&gradeId=${f.grades.g5}`, 100)).ids.length).toBe(rows[0].n);
      expect((await walk(`&organisationId=${f.orgs.council}&thematicAreaId=${area}`, 100)).ids.length).toBe(229);
      expect((await walk(`&organisationId=${f.orgs.ccg}`, 100)).ids.length).toBe(0);
    });

    it('refuses a forged cursor, a bad limit and an unknown filter with 400 naming the field', async () => {
      const forged = await ctx.api.get('/api/v1/posts?cursor=bm9wZQ', { headers: f.hr.headers });
      expectErrorShape(forged, 400);
      expect(forged.body.details).toEqual([{ field: 'cursor', reason: 'is not a cursor this API issued' }]);
      const limit = await ctx.api.get('/api/v1/posts?limit=0', { headers: f.hr.headers });
      expectErrorShape(limit, 400);
      expect(limit.body.details[0].field).toBe('limit');
      const big = await ctx.api.get('/api/v1/posts?limit=501', { headers: f.hr.headers });
      expectErrorShape(big, 400);
      const unknown = await ctx.api.get('/api/v1/posts?colour=red', { headers: f.hr.headers });
      expectErrorShape(unknown, 400);
      expect(unknown.body.details).toEqual([{ field: 'colour', reason: 'is not an allowed field' }]);
      const scope = await ctx.api.get('/api/v1/posts?scope=maybe', { headers: f.hr.headers });
      expectErrorShape(scope, 400);
      expect(scope.body.details[0].field).toBe('scope');
    });
  });

  describe('scope proposals: managers propose or challenge, HR officers and admins decide', () => {
    it('lets a manager propose for a post in their area, once at a time, and not for other areas', async () => {
      const post = await createPost(ctx, f, { thematicAreaId: f.areas.inScope });
      const other = await createPost(ctx, f, { thematicAreaId: f.areas.outOfScope });
      await expectInvisible(ctx, manager, 'POST', `/api/v1/posts/${other.id}/scope-proposals`, { scope: 'in_scope', reason: 'x' });
      const same = await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'in_scope', reason: 'Already' }, { headers: manager.headers });
      expectErrorShape(same, 422);
      expect(same.body.details[0].field).toBe('scope');
      const proposal = await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'later_phase', reason: 'Work moves to the LCO' }, { headers: manager.headers });
      expect(proposal.statusCode).toBe(201);
      expect(proposal.body).toMatchObject({ kind: 'proposal', currentScope: 'in_scope', proposedScope: 'later_phase', status: 'open', proposedBy: { id: manager.id } });
      const again = await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'out_of_scope', reason: 'Changed my mind' }, { headers: manager.headers });
      expectErrorShape(again, 409);
      const noReason = await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'out_of_scope' }, { headers: manager.headers });
      expectErrorShape(noReason, 400);
      expect(noReason.body.details[0].field).toBe('reason');
      const list = await ctx.api.get(`/api/v1/scope-proposals?status=open&programmeId=${f.programme}`, { headers: manager.headers });
      expect(list.body.map((p: any) => p.id)).toContain(proposal.body.id);
      expect(list.body.every((p: any) => p.thematicAreaId === f.areas.inScope)).toBe(true);
    });

    it('applies an accepted proposal to the post as a decision with the reason given', async () => {
      const post = await createPost(ctx, f, { thematicAreaId: f.areas.inScope });
      const proposal = (
        await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { kind: 'challenge', scope: 'out_of_scope', reason: 'Children-facing work' }, { headers: manager.headers })
      ).body;
      expectErrorShape(
        await ctx.api.post(`/api/v1/scope-proposals/${proposal.id}/decision`, { version: 1, decision: 'accept', reason: 'x' }, { headers: manager.headers }),
        403,
      );
      const stale = await ctx.api.post(`/api/v1/scope-proposals/${proposal.id}/decision`, { version: 2, decision: 'accept', reason: 'x' }, { headers: f.hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(1);
      const decided = await ctx.api.post(
        `/api/v1/scope-proposals/${proposal.id}/decision`,
        { version: 1, decision: 'accept', reason: 'Agreed at the joint HR/OD team' },
        { headers: f.hr.headers },
      );
      expect(decided.statusCode).toBe(200);
      expect(decided.body).toMatchObject({ status: 'accepted', decidedBy: { id: f.hr.id }, decisionReason: 'Agreed at the joint HR/OD team', version: 2 });
      const after = (await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: f.hr.headers })).body;
      expect(after).toMatchObject({ scope: 'out_of_scope', scopeReason: 'Agreed at the joint HR/OD team', scopeDecidedBy: { id: f.hr.id }, version: 2 });
      const history = (await ctx.api.get(`/api/v1/posts/${post.id}/scope-history`, { headers: manager.headers })).body;
      expect(history[history.length - 1]).toMatchObject({ fromScope: 'in_scope', toScope: 'out_of_scope', reason: 'Agreed at the joint HR/OD team' });
      const twice = await ctx.api.post(`/api/v1/scope-proposals/${proposal.id}/decision`, { version: 2, decision: 'reject', reason: 'x' }, { headers: f.admin.headers });
      expectErrorShape(twice, 409);
      expect((await auditRows('scope_proposal', proposal.id)).map((a: any) => a.action)).toEqual(['create', 'state_change']);
    });

    it('leaves the post alone when rejected; the proposer may withdraw their own', async () => {
      const post = await createPost(ctx, f, { thematicAreaId: f.areas.inScope });
      const p1 = (await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'under_review', reason: 'Unsure' }, { headers: manager.headers })).body;
      const rejected = await ctx.api.post(`/api/v1/scope-proposals/${p1.id}/decision`, { version: 1, decision: 'reject', reason: 'Clearly in scope' }, { headers: f.admin.headers });
      expect(rejected.body.status).toBe('rejected');
      expect((await ctx.api.get(`/api/v1/posts/${post.id}`, { headers: f.hr.headers })).body).toMatchObject({ scope: 'in_scope', version: 1 });
      const p2 = (await ctx.api.post(`/api/v1/posts/${post.id}/scope-proposals`, { scope: 'under_review', reason: 'Still unsure' }, { headers: manager.headers })).body;
      const otherManager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: f.programme, thematicAreaId: f.areas.inScope }] });
      await expectInvisible(ctx, otherManager, 'POST', `/api/v1/scope-proposals/${p2.id}/withdraw`, { version: 1 });
      const withdrawn = await ctx.api.post(`/api/v1/scope-proposals/${p2.id}/withdraw`, { version: 1 }, { headers: manager.headers });
      expect(withdrawn.body.status).toBe('withdrawn');
    });

    it('allows the proposal routes to the roles they should', async () => {
      const post = await createPost(ctx, f, { thematicAreaId: f.areas.inScope });
      await expectRouteAllows(ctx, 'POST', `/api/v1/posts/${post.id}/scope-proposals`, [Role.Manager], { users: everyone, payload: { scope: 'later_phase', reason: 'r' } });
      await expectRouteAllows(ctx, 'GET', '/api/v1/scope-proposals', [Role.Admin, Role.HrOfficer, Role.Manager], { users: everyone });
      const p = (await ctx.api.get(`/api/v1/posts/${post.id}/scope-proposals`, { headers: f.hr.headers })).body[0];
      await expectRouteAllows(ctx, 'GET', `/api/v1/scope-proposals/${p.id}`, [Role.Admin, Role.HrOfficer, Role.Manager], { users: everyone });
      await expectRouteAllows(ctx, 'POST', `/api/v1/scope-proposals/${p.id}/decision`, [Role.Admin, Role.HrOfficer], {
        users: everyone,
        payload: { version: 1, decision: 'reject', reason: 'r' },
      });
      await expectRouteAllows(ctx, 'POST', `/api/v1/scope-proposals/${p.id}/withdraw`, [Role.Manager], { users: everyone, payload: { version: 9 } });
    });
  });

  describe('thematic area default scope applied to its posts', () => {
    it('moves the live posts of the area to the new scope, each with history, when asked', async () => {
      const area = (await ctx.api.post(`/api/v1/programmes/${f.programme}/thematic-areas`, { name: 'Homelessness', defaultScope: 'in_scope' }, { headers: f.hr.headers })).body;
      const a = await createPost(ctx, f, { thematicAreaId: area.id });
      const b = await createPost(ctx, f, { thematicAreaId: area.id, scope: 'out_of_scope', scopeReason: 'Already out' });
      const needsReason = await ctx.api.patch(`/api/v1/thematic-areas/${area.id}`, { version: 1, defaultScope: 'out_of_scope', applyToPosts: true }, { headers: f.hr.headers });
      expectErrorShape(needsReason, 400);
      expect(needsReason.body.details[0].field).toBe('reason');
      const res = await ctx.api.patch(
        `/api/v1/thematic-areas/${area.id}`,
        { version: 1, defaultScope: 'out_of_scope', applyToPosts: true, reason: 'Homelessness to be considered later' },
        { headers: f.hr.headers },
      );
      expect(res.body).toMatchObject({ defaultScope: 'out_of_scope', version: 2, postsChanged: 1 });
      expect((await ctx.api.get(`/api/v1/posts/${a.id}`, { headers: f.hr.headers })).body).toMatchObject({ scope: 'out_of_scope', version: 2 });
      expect((await ctx.api.get(`/api/v1/posts/${b.id}`, { headers: f.hr.headers })).body).toMatchObject({ scope: 'out_of_scope', version: 1 });
      const stale = await ctx.api.patch(`/api/v1/thematic-areas/${area.id}`, { version: 1, name: 'x' }, { headers: f.hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
    });
  });

  describe('the establishment matrix', () => {
    let programme: string;
    let areas: { a: string; b: string; empty: string };
    beforeAll(async () => {
      programme = (
        await ctx.api.post(
          '/api/v1/programmes',
          { name: 'Matrix programme', destinationOrganisationId: f.orgs.merged, sourceOrganisationIds: [f.orgs.council], goLiveDate: '2019-04-01' },
          { headers: f.admin.headers },
        )
      ).body.id;
      const area = async (name: string, defaultScope: string) =>
        (await ctx.api.post(`/api/v1/programmes/${programme}/thematic-areas`, { name, defaultScope }, { headers: f.hr.headers })).body.id;
      areas = { a: await area('Area A', 'in_scope'), b: await area('Area B', 'out_of_scope'), empty: await area('Area C', 'in_scope') };
      const mk = (thematicAreaId: string, gradeId: string, fte: number, extra: Record<string, unknown> = {}) =>
        createPost(ctx, f, { programmeId: programme, thematicAreaId, gradeId, fte, ...extra });
      // FTE 0.1 + 0.2 would be 0.30000000000000004 in floating point.
      await mk(areas.a, f.grades.g7, 0.1);
      const held = await mk(areas.a, f.grades.g7, 0.2);
      await addHolder(ctx, held.id, '0.20');
      await mk(areas.a, f.grades.smg1, 1);
      await mk(areas.b, f.grades.g5, 0.5);
      await mk(areas.b, f.grades.g7, 1, { scope: 'under_review', scopeReason: 'Review' });
      await mk(areas.b, f.grades.g7, 1, { establishmentStatus: 'deleted' });
    });

    const url = () => `/api/v1/programmes/${programme}/establishment`;

    it('counts posts and exact FTE by area and report group, with totals and scope subtotals', async () => {
      const res = await ctx.api.get(url(), { headers: f.hr.headers });
      expect(res.statusCode).toBe(200);
      const m = res.body;
      expect(m.columns).toEqual([
        { key: '>G12', rank: 13 },
        { key: 'G7', rank: 7 },
        { key: 'G5', rank: 5 },
      ]);
      const row = (name: string) => m.rows.find((r: any) => r.thematicAreaName === name);
      expect(row('Area A')).toEqual({
        thematicAreaId: areas.a,
        thematicAreaName: 'Area A',
        defaultScope: 'in_scope',
        cells: { '>G12': { posts: 1, fte: 1 }, G7: { posts: 2, fte: 0.3 }, G5: { posts: 0, fte: 0 } },
        total: { posts: 3, fte: 1.3 },
      });
      expect(row('Area B').cells).toEqual({ '>G12': { posts: 0, fte: 0 }, G7: { posts: 1, fte: 1 }, G5: { posts: 1, fte: 0.5 } });
      expect(row('Area C').total).toEqual({ posts: 0, fte: 0 });
      expect(m.totals).toEqual({ cells: { '>G12': { posts: 1, fte: 1 }, G7: { posts: 3, fte: 1.3 }, G5: { posts: 1, fte: 0.5 } }, total: { posts: 5, fte: 2.8 } });
      expect(m.subtotals.inScope.total).toEqual({ posts: 3, fte: 1.3 });
      expect(m.subtotals.outOfScope).toEqual({ cells: { '>G12': { posts: 0, fte: 0 }, G7: { posts: 0, fte: 0 }, G5: { posts: 1, fte: 0.5 } }, total: { posts: 1, fte: 0.5 } });
      expect(m.subtotals.underReview.total).toEqual({ posts: 1, fte: 1 });
      expect(m.subtotals.laterPhase.total).toEqual({ posts: 0, fte: 0 });
      expect(res.text).toContain('"fte":0.3}');
    });

    it('is CSV with ?format=csv or Accept: text/csv, and XLSX likewise', async () => {
      for (const [query, headers] of [
        ['?format=csv', {}],
        ['', { accept: 'text/csv' }],
      ] as const) {
        const res = await download(ctx, f.hr, `${url()}${query}`, headers);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        expect(res.headers['content-disposition']).toMatch(/attachment; filename="establishment-matrix-programme\.csv"/);
        const rows = readCsv(res.raw);
        expect(rows[0]).toEqual(['Thematic area', 'Default scope', '>G12 posts', '>G12 FTE', 'G7 posts', 'G7 FTE', 'G5 posts', 'G5 FTE', 'Total posts', 'Total FTE']);
        expect(rows[1]).toEqual(['Area A', 'In scope', '1', '1', '2', '0.3', '0', '0', '3', '1.3']);
        expect(rows.find((r) => r[0] === 'Total')).toEqual(['Total', '', '1', '1', '3', '1.3', '1', '0.5', '5', '2.8']);
        expect(rows.find((r) => r[0] === 'Subtotal: out of scope')?.slice(-2)).toEqual(['1', '0.5']);
      }
      for (const [query, headers] of [
        ['?format=xlsx', {}],
        ['', { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
      ] as const) {
        const res = await download(ctx, f.hr, `${url()}${query}`, headers);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        const rows = await readXlsx(res.raw);
        expect(rows[1]).toEqual(['Area A', 'In scope', 1, 1, 2, 0.3, 0, 0, 3, 1.3]);
        expect(rows.find((r) => r[0] === 'Total')?.slice(-2)).toEqual([5, 2.8]);
      }
      const json = await ctx.api.get(url(), { headers: { ...f.hr.headers, accept: 'application/json' } });
      expect(json.body.totals.total.posts).toBe(5);
      const bad = await ctx.api.get(`${url()}?format=pdf`, { headers: f.hr.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('format');
      const unacceptable = await ctx.api.get(url(), { headers: { ...f.hr.headers, accept: 'application/xml' } });
      expectErrorShape(unacceptable, 406);
    });

    it('is counts only: every role on the programme reads it, a trade union rep sees no personal data, others get 404', async () => {
      const repHere = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: programme, thematicAreaId: null }] });
      const managerHere = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: programme, thematicAreaId: areas.a }] });
      const res = await ctx.api.get(url(), { headers: repHere.headers });
      expect(res.statusCode).toBe(200);
      const holderNames = (await ctx.sql.query(`SELECT first_name, last_name, staff_number FROM employees`)).rows.flatMap((r) => [r.first_name, r.last_name, r.staff_number]);
      expectNoPersonalData(res.body, holderNames);
      expect((await ctx.api.get(url(), { headers: managerHere.headers })).statusCode).toBe(200);
      await expectInvisible(ctx, rep, 'GET', url());
      await expectInvisible(ctx, manager, 'GET', `${url()}?format=csv`);
      await expectRouteAllows(ctx, 'GET', `/api/v1/programmes/${f.programme}/establishment`, [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep], { users: everyone });
      expectErrorShape(await ctx.api.get('/api/v1/posts', { headers: repHere.headers }), 403);
    });

    it('follows scope decisions: a post moved out of scope moves between the subtotals', async () => {
      const before = (await ctx.api.get(url(), { headers: f.hr.headers })).body;
      const post = await createPost(ctx, f, { programmeId: programme, thematicAreaId: areas.empty, gradeId: f.grades.g5, fte: 0.25 });
      await ctx.api.patch(`/api/v1/posts/${post.id}`, { version: 1, scope: 'out_of_scope', scopeReason: 'Decided' }, { headers: f.hr.headers });
      const after = (await ctx.api.get(url(), { headers: f.hr.headers })).body;
      expect(after.subtotals.inScope.total).toEqual(before.subtotals.inScope.total);
      expect(after.subtotals.outOfScope.total).toEqual({ posts: before.subtotals.outOfScope.total.posts + 1, fte: 0.75 });
      expect(after.totals.total).toEqual({ posts: 6, fte: 3.05 });
    });
  });
});
