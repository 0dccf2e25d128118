import { Client } from 'pg';
import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectRouteAllows, TestUser } from '../support/auth';
import { assign, createEmployee, createEstablishment, createHolder, createPost, TestEstablishment } from '../support/factories/cases-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('people: employees, assignments to posts, continuity of service', () => {
  let ctx: TestContext;
  let est: TestEstablishment;
  let hr: TestUser;

  beforeAll(async () => {
    ctx = await startTestApp();
    est = await createEstablishment(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer);
  });
  afterAll(async () => ctx?.close());

  const newEmployee = (over: Record<string, unknown> = {}) => ({
    staffNumber: `MCC${Math.floor(Math.random() * 1e9)}`,
    firstName: 'Alex',
    lastName: 'Morgan',
    contractType: 'permanent',
    contractedFte: 0.8,
    startDate: '2012-05-01',
    continuousServiceDate: '2003-09-01',
    pensionScheme: 'lgps',
    ...over,
  });

  describe('employees', () => {
    it('records an employee with what ELI needs, and says what is still missing', async () => {
      const res = await ctx.api.post('/api/v1/employees', newEmployee({ workEmail: 'Alex.Morgan@Council.example' }), { headers: hr.headers });
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({
        firstName: 'Alex',
        workEmail: 'alex.morgan@council.example',
        contractedFte: 0.8,
        continuousServiceDate: '2003-09-01',
        pensionScheme: 'lgps',
        eliMissing: ['dateOfBirth', 'weeklyHours', 'annualPay', 'noticePeriodWeeks'],
        version: 1,
      });
      const done = await ctx.api.patch(
        `/api/v1/employees/${res.body.id}`,
        { version: 1, dateOfBirth: '1970-03-02', weeklyHours: 29.6, annualPay: 31520.5, noticePeriodWeeks: 4 },
        { headers: hr.headers },
      );
      expect(done.statusCode).toBe(200);
      expect(done.body).toMatchObject({ eliMissing: [], weeklyHours: 29.6, annualPay: 31520.5, version: 2 });
      const { rows } = await ctx.sql.query(`SELECT action, actor_id FROM audit_log WHERE entity_type = 'employee' AND entity_id = $1 ORDER BY id`, [res.body.id]);
      expect(rows).toEqual([
        { action: 'create', actor_id: hr.id },
        { action: 'update', actor_id: hr.id },
      ]);
    });

    it('refuses bad input naming the field, and a duplicate staff number with 409', async () => {
      const bad = async (body: Record<string, unknown>, field: string) => {
        const res = await ctx.api.post('/api/v1/employees', body, { headers: hr.headers });
        expectErrorShape(res, 400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      };
      await bad(newEmployee({ contractedFte: 1.5 }), 'contractedFte');
      await bad(newEmployee({ contractedFte: 0.333 }), 'contractedFte');
      await bad(newEmployee({ pensionScheme: 'private' }), 'pensionScheme');
      await bad(newEmployee({ startDate: '01/05/2012' }), 'startDate');
      await bad(newEmployee({ contractType: null }), 'contractType');
      await bad(newEmployee({ shoeSize: 9 }), 'shoeSize');
      const { firstName: _f, ...noName } = newEmployee();
      await bad(noName, 'firstName');

      const body = newEmployee();
      expect((await ctx.api.post('/api/v1/employees', body, { headers: hr.headers })).statusCode).toBe(201);
      const dup = await ctx.api.post('/api/v1/employees', { ...body, workEmail: null }, { headers: hr.headers });
      expectErrorShape(dup, 409);
      expect(dup.body.details[0].field).toBe('staffNumber');
      const after = await ctx.api.post('/api/v1/employees', newEmployee({ startDate: '2000-01-01', continuousServiceDate: '2001-01-01' }), { headers: hr.headers });
      expectErrorShape(after, 422);
      expect(after.body.details[0].field).toBe('continuousServiceDate');
    });

    it('answers a stale version with 409 and the current version', async () => {
      const e = (await ctx.api.post('/api/v1/employees', newEmployee(), { headers: hr.headers })).body;
      await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, lastName: 'Moran' }, { headers: hr.headers });
      const stale = await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, lastName: 'Morgan' }, { headers: hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
    });

    it('never resets continuity of service: later or cleared is refused, by the API and by the database', async () => {
      const e = (await ctx.api.post('/api/v1/employees', newEmployee(), { headers: hr.headers })).body;
      const later = await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, continuousServiceDate: '2012-05-01' }, { headers: hr.headers });
      expectErrorShape(later, 422);
      expect(later.body.details).toEqual([expect.objectContaining({ field: 'continuousServiceDate' })]);
      const cleared = await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, continuousServiceDate: null }, { headers: hr.headers });
      expectErrorShape(cleared, 422);
      const earlier = await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, continuousServiceDate: '2001-04-01' }, { headers: hr.headers });
      expect(earlier.statusCode).toBe(200);
      await expect(ctx.sql.query(`UPDATE employees SET continuous_service_date = '2010-01-01' WHERE id = $1`, [e.id])).rejects.toThrow(
        /continuity of service is never reset/,
      );
      // A new start with a new employer (a transfer) leaves continuous service where it was.
      await ctx.sql.query(`UPDATE employees SET start_date = '2017-04-01', employer_organisation_id = $2 WHERE id = $1`, [e.id, est.ccgId]);
      const { rows } = await ctx.sql.query(`SELECT continuous_service_date::text AS d FROM employees WHERE id = $1`, [e.id]);
      expect(rows[0].d).toBe('2001-04-01');
    });

    it('lists by name prefix and by programme', async () => {
      const h = await createHolder(ctx.sql, est);
      const byName = await ctx.api.get(`/api/v1/employees?q=${h.employee.lastName.slice(0, 12)}`, { headers: hr.headers });
      expect(byName.body.items.map((e: { id: string }) => e.id)).toEqual([h.employee.id]);
      const byProgramme = await ctx.api.get(`/api/v1/employees?programmeId=${est.programmeId}&limit=500`, { headers: hr.headers });
      expect(byProgramme.body.items.map((e: { id: string }) => e.id)).toContain(h.employee.id);
      const bad = await ctx.api.get('/api/v1/employees?limit=0', { headers: hr.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('limit');
    });
  });

  describe('assignments: the establishment status of a post follows them', () => {
    const statusOf = async (postId: string) => (await ctx.api.get(`/api/v1/posts/${postId}`, { headers: hr.headers })).body.establishmentStatus;

    it('fills a vacant post when a holder is assigned, and leaves it vacant when the last holder has gone (audited)', async () => {
      const post = await createPost(ctx.sql, est, { fte: 1, status: 'vacant' });
      const e = await createEmployee(ctx.sql);
      expect(await statusOf(post)).toBe('vacant');
      const a = await ctx.api.post(`/api/v1/employees/${e.id}/assignments`, { postId: post, fte: 1, startsOn: '2016-04-01' }, { headers: hr.headers });
      expect(a.statusCode).toBe(201);
      expect(await statusOf(post)).toBe('filled');
      const ended = await ctx.api.patch(`/api/v1/employees/${e.id}/assignments/${a.body.id}`, { version: a.body.version, endsOn: '2017-03-31' }, { headers: hr.headers });
      expect(ended.statusCode).toBe(200);
      expect(await statusOf(post)).toBe('vacant');
      const { rows } = await ctx.sql.query(
        `SELECT changes->'establishmentStatus'->>'from' AS b, changes->'establishmentStatus'->>'to' AS a FROM audit_log WHERE entity_type = 'post' AND entity_id = $1 ORDER BY id`,
        [post],
      );
      expect(rows).toEqual([{ b: 'vacant', a: 'filled' }, { b: 'filled', a: 'vacant' }]);
    });

    it('moves the status with a move between posts, and leaves frozen posts as HR set them', async () => {
      const from = await createPost(ctx.sql, est, { fte: 1, status: 'vacant' });
      const to = await createPost(ctx.sql, est, { fte: 1, status: 'vacant' });
      const frozen = await createPost(ctx.sql, est, { fte: 1, status: 'frozen' });
      const e = await createEmployee(ctx.sql);
      const a = await ctx.api.post(`/api/v1/employees/${e.id}/assignments`, { postId: from, fte: 1, startsOn: '2015-04-01' }, { headers: hr.headers });
      const moved = await ctx.api.post(`/api/v1/employees/${e.id}/moves`, { fromAssignmentId: a.body.id, version: a.body.version, toPostId: to, effectiveDate: '2016-04-01' }, { headers: hr.headers });
      expect(moved.statusCode).toBeLessThan(300);
      expect([await statusOf(from), await statusOf(to)]).toEqual(['vacant', 'filled']);
      const f = await createEmployee(ctx.sql);
      expect((await ctx.api.post(`/api/v1/employees/${f.id}/assignments`, { postId: frozen, fte: 1, startsOn: '2016-04-01' }, { headers: hr.headers })).statusCode).toBe(201);
      expect(await statusOf(frozen)).toBe('frozen');
    });
  });

  describe('assignments: never more FTE on a post than it has', () => {
    it('refuses an overlapping assignment that over-fills the post (409 naming fte), and allows one that does not overlap', async () => {
      const post = await createPost(ctx.sql, est, { fte: 1 });
      const a = await createEmployee(ctx.sql, { contractedFte: 0.6 });
      const b = await createEmployee(ctx.sql);
      const first = await ctx.api.post(`/api/v1/employees/${a.id}/assignments`, { postId: post, fte: 0.6, startsOn: '2015-01-01', endsOn: '2017-03-31' }, { headers: hr.headers });
      expect(first.statusCode).toBe(201);
      const over = await ctx.api.post(`/api/v1/employees/${b.id}/assignments`, { postId: post, fte: 0.5, startsOn: '2017-03-01' }, { headers: hr.headers });
      expectErrorShape(over, 409);
      expect(over.body.details).toEqual([{ field: 'fte', reason: expect.stringContaining('1.10 FTE on a post of 1.00 FTE on 2017-03-01') }]);
      const share = await ctx.api.post(`/api/v1/employees/${b.id}/assignments`, { postId: post, fte: 0.4, startsOn: '2017-03-01' }, { headers: hr.headers });
      expect(share.statusCode).toBe(201);
      const afterwards = await ctx.api.post(`/api/v1/employees/${a.id}/assignments`, { postId: post, fte: 0.6, startsOn: '2017-04-01' }, { headers: hr.headers });
      expect(afterwards.statusCode).toBe(201);
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM post_assignments WHERE post_id = $1`, [post]);
      expect(rows[0].n).toBe(3);
    });

    it('is refused by the database itself: a raw SQL insert fails too', async () => {
      const h = await createHolder(ctx.sql, est, { fte: 1 });
      const other = await createEmployee(ctx.sql);
      await expect(assign(ctx.sql, other.id, h.postId, { fte: 0.5, startsOn: '2016-01-01' })).rejects.toThrow(/more than|FTE on a post/);
      await expect(assign(ctx.sql, other.id, h.postId, { fte: 0.5, startsOn: '2010-01-01', endsOn: '2015-04-01' })).rejects.toThrow(/FTE on a post/);
      // Ending the holder's assignment first makes room from the next day.
      await ctx.sql.query(`UPDATE post_assignments SET ends_on = '2016-12-31' WHERE id = $1`, [h.assignmentId]);
      await expect(assign(ctx.sql, other.id, h.postId, { fte: 1, startsOn: '2017-01-01' })).resolves.toEqual(expect.any(String));
      // Nor can the post shrink below what is assigned.
      await expect(ctx.sql.query(`UPDATE posts SET fte = 0.5 WHERE id = $1`, [h.postId])).rejects.toThrow(/more than its new 0.50 FTE/);
    });

    it('lets only one of two concurrent over-filling inserts commit', async () => {
      const post = await createPost(ctx.sql, est, { fte: 1 });
      const [a, b] = [await createEmployee(ctx.sql), await createEmployee(ctx.sql)];
      const c1 = new Client({ connectionString: ctx.db.url });
      const c2 = new Client({ connectionString: ctx.db.url });
      await c1.connect();
      await c2.connect();
      try {
        await c1.query('BEGIN');
        await c2.query('BEGIN');
        await assign(c1, a.id, post, { fte: 0.7 });
        // c2 waits on c1's lock of the post; once c1 commits it counts c1's row and fails.
        const second = assign(c2, b.id, post, { fte: 0.7 }).then(
          () => 'inserted',
          (err: Error) => err.message,
        );
        await new Promise((r) => setTimeout(r, 200));
        await c1.query('COMMIT');
        expect(await second).toMatch(/FTE on a post of 1.00 FTE/);
        await c2.query('ROLLBACK');
      } finally {
        await c1.end();
        await c2.end();
      }
      const { rows } = await ctx.sql.query(`SELECT sum(fte)::text AS total FROM post_assignments WHERE post_id = $1`, [post]);
      expect(rows[0].total).toBe('0.70');
    });

    it("refuses more than the person's contracted FTE, and the same person twice in one post at once", async () => {
      const e = await createEmployee(ctx.sql, { contractedFte: 0.5 });
      const p1 = await createPost(ctx.sql, est, { fte: 1 });
      const p2 = await createPost(ctx.sql, est, { fte: 1 });
      expect((await ctx.api.post(`/api/v1/employees/${e.id}/assignments`, { postId: p1, fte: 0.3, startsOn: '2016-01-01' }, { headers: hr.headers })).statusCode).toBe(201);
      const over = await ctx.api.post(`/api/v1/employees/${e.id}/assignments`, { postId: p2, fte: 0.3, startsOn: '2016-06-01' }, { headers: hr.headers });
      expectErrorShape(over, 409);
      expect(over.body.message).toMatch(/contracted FTE/);
      const twice = await ctx.api.post(`/api/v1/employees/${e.id}/assignments`, { postId: p1, fte: 0.1, startsOn: '2016-06-01' }, { headers: hr.headers });
      expectErrorShape(twice, 409);
      expect(twice.body.details[0].field).toBe('startsOn');
      const shrink = await ctx.api.patch(`/api/v1/employees/${e.id}`, { version: 1, contractedFte: 0.2 }, { headers: hr.headers });
      expectErrorShape(shrink, 409);
      expect(shrink.body.details[0].field).toBe('contractedFte');
    });

    it('ends and changes an assignment with its version', async () => {
      const h = await createHolder(ctx.sql, est);
      const list = await ctx.api.get(`/api/v1/employees/${h.employee.id}/assignments`, { headers: hr.headers });
      expect(list.body).toEqual([expect.objectContaining({ id: h.assignmentId, postId: h.postId, fte: 1, startsOn: '2015-04-01', endsOn: null, version: 1 })]);
      const backwards = await ctx.api.patch(`/api/v1/employees/${h.employee.id}/assignments/${h.assignmentId}`, { version: 1, endsOn: '2014-01-01' }, { headers: hr.headers });
      expectErrorShape(backwards, 400);
      expect(backwards.body.details[0].field).toBe('endsOn');
      const ended = await ctx.api.patch(`/api/v1/employees/${h.employee.id}/assignments/${h.assignmentId}`, { version: 1, endsOn: '2017-03-31' }, { headers: hr.headers });
      expect(ended.body).toMatchObject({ endsOn: '2017-03-31', version: 2 });
      const stale = await ctx.api.patch(`/api/v1/employees/${h.employee.id}/assignments/${h.assignmentId}`, { version: 1, endsOn: null }, { headers: hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(2);
    });
  });

  describe('moves', () => {
    it('moves a person to another post from a date, keeping continuity of service', async () => {
      const h = await createHolder(ctx.sql, est);
      const ccgPost = await createPost(ctx.sql, est, { organisationId: est.ccgId, fte: 1 });
      const res = await ctx.api.post(
        `/api/v1/employees/${h.employee.id}/moves`,
        { fromAssignmentId: h.assignmentId, version: 1, toPostId: ccgPost, effectiveDate: '2017-04-01' },
        { headers: hr.headers },
      );
      expect(res.statusCode).toBe(201);
      expect(res.body.ended).toMatchObject({ id: h.assignmentId, endsOn: '2017-03-31', version: 2 });
      expect(res.body.started).toMatchObject({ postId: ccgPost, startsOn: '2017-04-01', endsOn: null, fte: 1 });
      expect(res.body.continuousServiceDate).toBe('2004-06-14');
      const { rows } = await ctx.sql.query(`SELECT continuous_service_date::text AS d FROM employees WHERE id = $1`, [h.employee.id]);
      expect(rows[0].d).toBe('2004-06-14');
    });

    it('refuses a move into a full post and changes nothing', async () => {
      const h = await createHolder(ctx.sql, est);
      const full = await createHolder(ctx.sql, est);
      const res = await ctx.api.post(
        `/api/v1/employees/${h.employee.id}/moves`,
        { fromAssignmentId: h.assignmentId, version: 1, toPostId: full.postId, effectiveDate: '2017-04-01' },
        { headers: hr.headers },
      );
      expectErrorShape(res, 409);
      expect(res.body.details[0].field).toBe('fte');
      const { rows } = await ctx.sql.query(`SELECT ends_on, version FROM post_assignments WHERE id = $1`, [h.assignmentId]);
      expect(rows).toEqual([{ ends_on: null, version: 1 }]);
    });
  });

  describe('access', () => {
    it('is for HR officers and admins only, on every route', async () => {
      const users = await createUsersForAllRoles(ctx, { [Role.Manager]: [{ programmeId: est.programmeId, thematicAreaId: est.areaIds.a }] });
      const h = await createHolder(ctx.sql, est);
      const staff = [Role.Admin, Role.HrOfficer];
      await expectRouteAllows(ctx, 'GET', '/api/v1/employees', staff, { users });
      await expectRouteAllows(ctx, 'POST', '/api/v1/employees', staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'GET', `/api/v1/employees/${h.employee.id}`, staff, { users });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/employees/${h.employee.id}`, staff, { users, payload: { version: 99 } });
      await expectRouteAllows(ctx, 'GET', `/api/v1/employees/${h.employee.id}/assignments`, staff, { users });
      await expectRouteAllows(ctx, 'POST', `/api/v1/employees/${h.employee.id}/assignments`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/employees/${h.employee.id}/assignments/${h.assignmentId}`, staff, { users, payload: { version: 99 } });
      await expectRouteAllows(ctx, 'POST', `/api/v1/employees/${h.employee.id}/moves`, staff, { users, payload: {} });
    });

    it('answers 404 for an unknown employee', async () => {
      expectErrorShape(await ctx.api.get('/api/v1/employees/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e', { headers: hr.headers }), 404);
    });
  });
});
