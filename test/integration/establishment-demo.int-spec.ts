import { Role } from '../../src/common/access/role.enum';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, expectNoPersonalData } from '../support/auth';
import { startTestApp, TestContext } from '../support/test-app';
import { download, readCsv, readXlsx } from './establishment-fixtures';

/** The report's figures (Executive report, 19 October 2016, para 4.8). */
const GROUPS = ['>G12', 'G12', 'G11', 'G10', 'G9', 'G8', 'G7', 'G5'];
const PER_GROUP = [2, 5, 2, 10, 3, 6, 31, 13];
const OUT_OF_SCOPE = ["Children's Commissioning", "Children's Placement Team", 'Homelessness'];

describe('establishment: the demo programme (Manchester 2017) gives the report’s figures', () => {
  let ctx: TestContext;
  let programmeId: string;

  const demoProgrammeId = async () => (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows.map((r) => r.id as string);

  beforeAll(async () => {
    ctx = await startTestApp();
    const first = await seedDemo(ctx.db.url);
    expect(first.skipped).toBe(false);
    [programmeId] = await demoProgrammeId();
  });
  afterAll(async () => ctx?.close());

  it('has the organisations, dates and areas of the brief', async () => {
    const hr = await createUser(ctx, Role.HrOfficer);
    const p = (await ctx.api.get(`/api/v1/programmes/${programmeId}`, { headers: hr.headers })).body;
    expect(p).toMatchObject({ name: DEMO_PROGRAMME_NAME, goLiveDate: '2017-04-01', destinationOrganisation: { name: 'NHS Manchester CCG', kind: 'merged_ccg' } });
    expect(p.sourceOrganisations.map((o: any) => [o.name, o.kind, o.status]).sort()).toEqual([
      ['Manchester City Council', 'council', 'active'],
      ['NHS Central Manchester CCG', 'ccg', 'to_be_disestablished'],
      ['NHS North Manchester CCG', 'ccg', 'to_be_disestablished'],
      ['NHS South Manchester CCG', 'ccg', 'to_be_disestablished'],
    ]);
    const orgs = (await ctx.api.get('/api/v1/organisations', { headers: hr.headers })).body;
    const merged = orgs.find((o: any) => o.name === 'NHS Manchester CCG');
    expect(orgs.filter((o: any) => o.kind === 'ccg').every((o: any) => o.successorId === merged.id)).toBe(true);
    expect(orgs.find((o: any) => o.kind === 'local_care_organisation')).toMatchObject({ name: 'Manchester Local Care Organisation', status: 'proposed' });
    const areas = (await ctx.api.get(`/api/v1/programmes/${programmeId}/thematic-areas`, { headers: hr.headers })).body;
    expect(areas).toHaveLength(12);
    expect(areas.filter((a: any) => a.defaultScope === 'out_of_scope').map((a: any) => a.name)).toEqual(OUT_OF_SCOPE);
  });

  it('gives 72 posts and 66.2 FTE, per grade 2, 5, 2, 10, 3, 6, 31, 13, and the three out-of-scope areas', async () => {
    const hr = await createUser(ctx, Role.HrOfficer);
    const res = await ctx.api.get(`/api/v1/programmes/${programmeId}/establishment`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    const m = res.body;
    expect(m.columns.map((c: any) => c.key)).toEqual(GROUPS);
    expect(GROUPS.map((g) => m.totals.cells[g].posts)).toEqual(PER_GROUP);
    expect(m.totals.total).toEqual({ posts: 72, fte: 66.2 });
    expect(res.text).toContain('"total":{"posts":72,"fte":66.2}');
    expect(m.rows).toHaveLength(12);
    expect(m.rows.reduce((n: number, r: any) => n + r.total.posts, 0)).toBe(72);
    expect(m.rows.filter((r: any) => r.defaultScope === 'out_of_scope').map((r: any) => r.thematicAreaName)).toEqual(OUT_OF_SCOPE);
    const outRows = m.rows.filter((r: any) => OUT_OF_SCOPE.includes(r.thematicAreaName));
    expect(m.subtotals.outOfScope.total.posts).toBe(outRows.reduce((n: number, r: any) => n + r.total.posts, 0));
    expect(m.subtotals.inScope.total.posts + m.subtotals.outOfScope.total.posts).toBe(72);
    expect(m.subtotals.underReview.total.posts + m.subtotals.laterPhase.total.posts).toBe(0);
  });

  it('shows a trade union rep the same figures with "<5" for every count under 5, in JSON, CSV and XLSX, and nothing that gives one away', async () => {
    const rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId, thematicAreaId: null }] });
    const res = await ctx.api.get(`/api/v1/programmes/${programmeId}/establishment`, { headers: rep.headers });
    expect(res.statusCode).toBe(200);
    const m = res.body;
    expect(m.countsSuppressed).toBe(true);
    // Per grade 2, 5, 2, 10, 3, 6, 31, 13: the 2, 2 and 3 are "<5"; a sixth column is withheld so none can be worked out from the total.
    const shown = GROUPS.map((g) => m.totals.cells[g].posts);
    expect(shown.filter((v: unknown) => v === '<5')).toHaveLength(3);
    GROUPS.forEach((g, i) => {
      const v = m.totals.cells[g].posts;
      if (PER_GROUP[i] < 5) expect(v).toBe('<5');
      else expect([PER_GROUP[i], null]).toContain(v);
    });
    expect(m.totals.total).toEqual({ posts: 72, fte: 66.2 });
    // No exact count under 5 anywhere, and no line (row, column, subtotal) with exactly one hidden member.
    const all = [...m.rows, m.totals, ...Object.values(m.subtotals)] as { cells: Record<string, { posts: unknown }>; total: { posts: unknown } }[];
    for (const line of all) {
      const members = [...GROUPS.map((g) => line.cells[g].posts), line.total.posts];
      for (const v of members) if (typeof v === 'number') expect(v).toBeGreaterThanOrEqual(5);
      expect(members.filter((v) => typeof v !== 'number').length).not.toBe(1);
    }
    for (const g of [...GROUPS]) {
      const column = m.rows.map((r: any) => r.cells[g].posts).concat([m.totals.cells[g].posts]);
      expect(column.filter((v: unknown) => typeof v !== 'number').length).not.toBe(1);
    }
    // The downloads say the same.
    const csv = readCsv((await download(ctx, rep, `/api/v1/programmes/${programmeId}/establishment?format=csv`)).raw);
    const total = csv.find((r) => r[0] === 'Total')!;
    expect(GROUPS.map((_, i) => total[2 + 2 * i])).toEqual(shown.map((v: unknown) => (v === null ? '' : String(v))));
    const xlsx = await readXlsx((await download(ctx, rep, `/api/v1/programmes/${programmeId}/establishment?format=xlsx`)).raw);
    const xTotal = xlsx.find((r) => r[0] === 'Total')!;
    expect(GROUPS.map((_, i) => xTotal[2 + 2 * i])).toEqual(shown.map((v: unknown) => (v === null ? null : v)));
    // Counts only: no holder's name, staff number or email reaches a trade union rep.
    const people = (await ctx.sql.query(`SELECT first_name, last_name, staff_number, work_email FROM employees`)).rows.flatMap((r) => [
      `${r.first_name} ${r.last_name}`,
      r.staff_number,
      r.work_email,
    ]);
    expect(people.length).toBeGreaterThan(100);
    expectNoPersonalData(m, people);
  });

  it('gives the same figures as CSV and XLSX', async () => {
    const hr = await createUser(ctx, Role.HrOfficer);
    const csv = readCsv((await download(ctx, hr, `/api/v1/programmes/${programmeId}/establishment?format=csv`)).raw);
    const total = csv.find((r) => r[0] === 'Total')!;
    expect(total.slice(-2)).toEqual(['72', '66.2']);
    expect(GROUPS.map((_, i) => total[2 + 2 * i])).toEqual(PER_GROUP.map(String));
    const xlsx = await readXlsx((await download(ctx, hr, `/api/v1/programmes/${programmeId}/establishment?format=xlsx`)).raw);
    expect(xlsx.find((r) => r[0] === 'Total')?.slice(-2)).toEqual([72, 66.2]);
  });

  it('has invented holders for filled posts and none for vacant or frozen ones', async () => {
    const { rows } = await ctx.sql.query(
      `SELECT p.establishment_status AS status, count(DISTINCT p.id)::int AS posts, count(pa.id)::int AS holders
       FROM posts p LEFT JOIN post_assignments pa ON pa.post_id = p.id WHERE p.programme_id = $1 GROUP BY 1 ORDER BY 1`,
      [programmeId],
    );
    const by = Object.fromEntries(rows.map((r) => [r.status, r]));
    expect(by.filled.holders).toBe(by.filled.posts);
    expect(by.vacant.holders).toBe(0);
    expect(by.vacant.posts).toBeGreaterThan(0);
    expect(by.filled.posts + by.vacant.posts + (by.frozen?.posts ?? 0)).toBe(72);
    const fte = await ctx.sql.query(`SELECT sum(fte)::text AS fte FROM posts WHERE programme_id = $1`, [programmeId]);
    expect(fte.rows[0].fte).toBe('66.20');
  });

  it('loads once; a reload replaces the demo programme and keeps the figures', async () => {
    const again = await seedDemo(ctx.db.url);
    expect(again.skipped).toBe(true);
    // Something another feature hangs off a demo post and off the programme must not block a reload.
    const post = (await ctx.sql.query(`SELECT id FROM posts WHERE programme_id = $1 LIMIT 1`, [programmeId])).rows[0].id;
    const hr = await createUser(ctx, Role.HrOfficer);
    await ctx.api.patch(`/api/v1/posts/${post}`, { version: 1, scope: 'under_review', scopeReason: 'Before reload' }, { headers: hr.headers });
    const manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId: (await ctx.sql.query(`SELECT thematic_area_id FROM posts WHERE id = $1`, [post])).rows[0].thematic_area_id }] });
    expect((await ctx.api.post(`/api/v1/posts/${post}/scope-proposals`, { scope: 'in_scope', reason: 'Please' }, { headers: manager.headers })).statusCode).toBe(201);

    const employeesBefore = (await ctx.sql.query(`SELECT count(*)::int AS n FROM employees`)).rows[0].n;
    const reloaded = await seedDemo(ctx.db.url, { reload: true });
    expect(reloaded.skipped).toBe(false);
    const ids = await demoProgrammeId();
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe(programmeId);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1`, [programmeId])).rows[0].n).toBe(0);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM employees`)).rows[0].n).toBe(employeesBefore);
    const admin = await createUser(ctx, Role.Admin);
    const m = (await ctx.api.get(`/api/v1/programmes/${ids[0]}/establishment`, { headers: admin.headers })).body;
    expect(m.totals.total).toEqual({ posts: 72, fte: 66.2 });
    expect(GROUPS.map((g) => m.totals.cells[g].posts)).toEqual(PER_GROUP);
    programmeId = ids[0];
  });
});
