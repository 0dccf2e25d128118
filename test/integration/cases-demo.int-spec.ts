import { Role } from '../../src/common/access/role.enum';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, expectNoPersonalData } from '../support/auth';
import { startTestApp, TestContext } from '../support/test-app';

describe('cases: the demo seed gives a live pipeline', () => {
  let ctx: TestContext;
  let programmeId: string;

  const demoCases = async () =>
    (
      await ctx.sql.query(
        `SELECT c.id, c.route, c.state, c.post_id, p.scope, p.establishment_status
         FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE c.programme_id = $1`,
        [programmeId],
      )
    ).rows;

  beforeAll(async () => {
    ctx = await startTestApp();
    const result = await seedDemo(ctx.db.url);
    expect(result.skipped).toBe(false);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
  });
  afterAll(async () => ctx?.close());

  it("opens one case for each holder of an in-scope filled post, and none for anyone else", async () => {
    const cases = await demoCases();
    const { rows: holders } = await ctx.sql.query(
      `SELECT DISTINCT a.employee_id FROM post_assignments a JOIN posts p ON p.id = a.post_id
       WHERE p.programme_id = $1 AND p.scope = 'in_scope' AND p.establishment_status = 'filled' AND a.ends_on IS NULL`,
      [programmeId],
    );
    expect(cases.length).toBe(holders.length);
    expect(cases.length).toBeGreaterThan(20);
    expect(cases.every((c) => c.scope === 'in_scope' && c.establishment_status === 'filled')).toBe(true);
  });

  it('spreads them over routes and states, each with a consistent history', async () => {
    const cases = await demoCases();
    expect(new Set(cases.map((c) => c.route)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(cases.map((c) => c.state))).toEqual(new Set(['proposed', 'in_consultation', 'agreed', 'letters_issued', 'effective', 'completed', 'on_hold', 'withdrawn']));
    const { rows: broken } = await ctx.sql.query(
      `SELECT c.id FROM transition_cases c
       WHERE c.programme_id = $1 AND c.state <> (SELECT t.to_state FROM case_transitions t WHERE t.case_id = c.id ORDER BY t.id DESC LIMIT 1)`,
      [programmeId],
    );
    expect(broken).toEqual([]);
    const { rows: transfersWithoutEli } = await ctx.sql.query(
      `SELECT c.id FROM transition_cases c JOIN case_checklist_items i ON i.case_id = c.id AND i.item = 'eli_sent'
       WHERE c.programme_id = $1 AND c.route IN ('tupe_transfer', 'cosop_transfer') AND c.state IN ('effective', 'completed') AND i.done_on IS NULL`,
      [programmeId],
    );
    expect(transfersWithoutEli).toEqual([]);
  });

  it('shows the pipeline to HR, with deadlines, and to the union as counts only', async () => {
    const hr = await createUser(ctx, Role.HrOfficer);
    const res = await ctx.api.get(`/api/v1/programmes/${programmeId}/pipeline?asOf=2017-03-10`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body.cells.length).toBeGreaterThanOrEqual(10);
    expect(res.body.total.cases).toBe((await demoCases()).length);
    expect(res.body.upcomingEffective).toEqual([expect.objectContaining({ date: '2017-04-01', cases: expect.any(Number) })]);
    expect(res.body.overdueDeadlines.length).toBeGreaterThan(0);

    const rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId, thematicAreaId: null }] });
    const counts = await ctx.api.get(`/api/v1/programmes/${programmeId}/pipeline`, { headers: rep.headers });
    expect(counts.body.countsOnly).toBe(true);
    const { rows: people } = await ctx.sql.query(
      `SELECT e.first_name, e.last_name, e.staff_number FROM employees e JOIN transition_cases c ON c.employee_id = e.id WHERE c.programme_id = $1`,
      [programmeId],
    );
    expectNoPersonalData(counts.body, people.flatMap((p) => [p.last_name, p.staff_number]));
  });

  it('reloads cleanly (make seed): the old cases go with the old programme', async () => {
    const before = (await demoCases()).length;
    const again = await seedDemo(ctx.db.url, { reload: true });
    expect(again.skipped).toBe(false);
    const { rows } = await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME]);
    expect(rows).toHaveLength(1);
    programmeId = rows[0].id;
    expect((await demoCases()).length).toBe(before);
    const { rows: all } = await ctx.sql.query(`SELECT count(*)::int AS n FROM transition_cases`);
    expect(all[0].n).toBe(before);
  });
});
