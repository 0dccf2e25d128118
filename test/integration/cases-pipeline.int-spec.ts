import { ALL_ROLES, Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectInvisible, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
import { createEstablishment, createHolder, insertCase, TestEstablishment, TestHolder, walkCase } from '../support/factories/cases-factory';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('cases: the pipeline of a programme, JSON and CSV, per role', () => {
  let ctx: TestContext;
  let est: TestEstablishment;
  let hr: TestUser;
  let manager: TestUser;
  let rep: TestUser;
  const holders: TestHolder[] = [];
  const transfers: string[] = [];
  let pipelineUrl: string;

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    est = await createEstablishment(ctx.sql);
    pipelineUrl = `/api/v1/programmes/${est.programmeId}/pipeline`;
    hr = await createUser(ctx, Role.HrOfficer);
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: est.programmeId, thematicAreaId: est.areaIds.a }] });
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: est.programmeId, thematicAreaId: null }] });

    // Area A: six TUPE transfers in consultation (5.5 FTE), on 1 April 2017, and one person staying with the council.
    for (const fte of [1, 1, 1, 1, 1, 0.5]) {
      const h = await createHolder(ctx.sql, est, { areaId: est.areaIds.a, fte });
      holders.push(h);
      const id = await insertCase(ctx.sql, est, h, { route: 'tupe_transfer' });
      await walkCase(ctx.sql, id, ['in_consultation']);
      transfers.push(id);
    }
    const stays = await createHolder(ctx.sql, est, { areaId: est.areaIds.a, fte: 0.6 });
    holders.push(stays);
    await insertCase(ctx.sql, est, stays, { route: 'remains_with_council' });
    // Area B: two secondments agreed, from 1 April 2017.
    for (let i = 0; i < 2; i++) {
      const h = await createHolder(ctx.sql, est, { areaId: est.areaIds.b });
      holders.push(h);
      const id = await insertCase(ctx.sql, est, h, { route: 'secondment' });
      await ctx.sql.query(
        `UPDATE transition_cases SET host_organisation_id = $2, secondment_start_date = '2017-04-01', secondment_end_date = '2018-03-31',
           proposed_effective_date = '2017-04-01' WHERE id = $1`,
        [id, est.ccgId],
      );
      await walkCase(ctx.sql, id, ['in_consultation', 'agreed']);
    }
    // A final ELI schedule released for one transfer on 1 March 2017 (built by the worker, the release
    // recorded through the API, as HR does on the ELI page): its deadline is met, not overdue. Only a
    // final release meets the ELI deadline (issue 15); ticking "ELI sent" does not.
    const eli = `/api/v1/programmes/${est.programmeId}/eli`;
    const asked = await ctx.api.post(eli, { kind: 'final', caseIds: [transfers[0]] }, { headers: hr.headers });
    expect(asked.statusCode).toBe(202);
    const built = await eventually(
      async () => (await ctx.api.get(`${eli}/builds/${asked.body.build.id}`, { headers: hr.headers })).body,
      (b) => b.status !== 'queued',
      60_000,
      200,
    );
    expect(built.status).toBe('ready');
    const released = await ctx.api.post(`${eli}/releases`, { buildId: built.id, recipientName: 'Transferee HR', releasedOn: '2017-03-01' }, { headers: hr.headers });
    expect(released.statusCode).toBe(201);
  });
  afterAll(async () => ctx?.close());

  it('gives HR cases and FTE by route x state, upcoming effective dates and overdue deadlines', async () => {
    const res = await ctx.api.get(`${pipelineUrl}?asOf=2017-03-10`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ programmeId: est.programmeId, asOf: '2017-03-10', coverage: 'programme', countsOnly: false });
    expect(res.body.cells).toEqual([
      { route: 'secondment', state: 'agreed', cases: 2, fte: 2 },
      { route: 'tupe_transfer', state: 'in_consultation', cases: 6, fte: 5.5 },
      { route: 'remains_with_council', state: 'proposed', cases: 1, fte: 0.6 },
    ]);
    expect(res.body.total).toEqual({ cases: 9, fte: 8.1 });
    expect(res.body.upcomingEffective).toEqual([{ date: '2017-04-01', cases: 8, fte: 7.5, caseIds: expect.any(Array) }]);
    expect(res.body.upcomingEffective[0].caseIds).toHaveLength(8);
    // ELI was due on 2017-03-04 for the five transfers with no final ELI release; the TUPE reg. 13
    // information (no consultation linked) 30 days before the transfer, 2017-03-02, for all six.
    const overdue = (kind: string) => res.body.overdueDeadlines.filter((d: { kind: string }) => d.kind === kind);
    expect(res.body.overdueDeadlines).toHaveLength(11);
    expect(overdue('eli').map((d: { caseId: string }) => d.caseId).sort()).toEqual(transfers.slice(1).sort());
    for (const d of overdue('eli')) expect(d).toMatchObject({ kind: 'eli', dueOn: '2017-03-04', daysOverdue: 6, route: 'tupe_transfer', state: 'in_consultation' });
    expect(overdue('measures_letter').map((d: { caseId: string }) => d.caseId).sort()).toEqual([...transfers].sort());
    for (const d of overdue('measures_letter')) expect(d).toMatchObject({ dueOn: '2017-03-02', daysOverdue: 8 });

    const later = await ctx.api.get(`${pipelineUrl}?asOf=2017-04-02`, { headers: hr.headers });
    expect(later.body.upcomingEffective).toEqual([]);
    expect(later.body.overdueDeadlines.map((d: { kind: string }) => d.kind).sort()).toEqual([...Array(5).fill('eli'), ...Array(6).fill('measures_letter')]);
  });

  it('exports the same table as CSV', async () => {
    const res = await ctx.api.get(`${pipelineUrl}?format=csv&asOf=2017-03-10`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`pipeline-${est.programmeId}-2017-03-10.csv`);
    expect(res.text).toBe(
      ['route,state,cases,fte', 'secondment,agreed,2,2', 'tupe_transfer,in_consultation,6,5.5', 'remains_with_council,proposed,1,0.6', 'total,,9,8.1', ''].join('\r\n'),
    );
    const bad = await ctx.api.get(`${pipelineUrl}?format=xlsx`, { headers: hr.headers });
    expectErrorShape(bad, 400);
    expect(bad.body.details[0].field).toBe('format');
  });

  it('gives trade union reps counts only, any count under 5 shown as "<5", and no personal data', async () => {
    const res = await ctx.api.get(`${pipelineUrl}?asOf=2017-03-10`, { headers: rep.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({
      programmeId: est.programmeId,
      asOf: '2017-03-10',
      coverage: 'programme',
      countsOnly: true,
      cells: [
        { route: 'secondment', state: 'agreed', cases: '<5', suppressed: 'fewer_than_5' },
        { route: 'tupe_transfer', state: 'in_consultation', cases: 6, suppressed: null },
        { route: 'remains_with_council', state: 'proposed', cases: '<5', suppressed: 'fewer_than_5' },
      ],
      total: { cases: 9 },
      upcomingEffective: [{ date: '2017-04-01', cases: 8 }],
      overdueDeadlines: [
        { kind: 'eli', cases: 5 },
        { kind: 'measures_letter', cases: 6 },
      ],
    });
    expectNoPersonalData(res.body, holders.flatMap((h) => [h.employee.firstName, h.employee.lastName, h.employee.staffNumber, h.employee.workEmail]));
    expect(JSON.stringify(res.body)).not.toContain(transfers[0]);

    const later = await ctx.api.get(`${pipelineUrl}?asOf=2017-04-02`, { headers: rep.headers });
    expect(later.body.overdueDeadlines).toEqual([
      { kind: 'eli', cases: 5 },
      { kind: 'measures_letter', cases: 6 },
    ]);
    const csv = await ctx.api.get(`${pipelineUrl}?format=csv&asOf=2017-03-10`, { headers: rep.headers });
    expect(csv.text).toBe(['route,state,cases', 'secondment,agreed,<5', 'tupe_transfer,in_consultation,6', 'remains_with_council,proposed,<5', 'total,,9', ''].join('\r\n'));
  });

  it('withholds one more cell when a single small count could be worked out from the total', async () => {
    const other = await createEstablishment(ctx.sql);
    const otherRep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: other.programmeId, thematicAreaId: null }] });
    for (let i = 0; i < 5; i++) await insertCase(ctx.sql, other, await createHolder(ctx.sql, other), { route: 'secondment' });
    for (let i = 0; i < 6; i++) await insertCase(ctx.sql, other, await createHolder(ctx.sql, other), { route: 'leaves' });
    await insertCase(ctx.sql, other, await createHolder(ctx.sql, other), { route: 'tupe_transfer' });
    const res = await ctx.api.get(`/api/v1/programmes/${other.programmeId}/pipeline`, { headers: otherRep.headers });
    expect(res.body.cells.map((c: { route: string; cases: unknown }) => [c.route, c.cases])).toEqual([
      ['secondment', null],
      ['tupe_transfer', '<5'],
      ['leaves', 6],
    ]);
    expect(res.body.total).toEqual({ cases: 12 });
    // ...and the rep of one programme cannot see another's.
    await expectInvisible(ctx, rep, 'GET', `/api/v1/programmes/${other.programmeId}/pipeline`);
  });

  it("gives a manager the pipeline of their areas, and 404 for a programme they have no area in", async () => {
    const res = await ctx.api.get(`${pipelineUrl}?asOf=2017-03-10`, { headers: manager.headers });
    expect(res.body.coverage).toBe('managed_areas');
    expect(res.body.cells).toEqual([
      { route: 'tupe_transfer', state: 'in_consultation', cases: 6, fte: 5.5 },
      { route: 'remains_with_council', state: 'proposed', cases: 1, fte: 0.6 },
    ]);
    const other = await createEstablishment(ctx.sql);
    await expectInvisible(ctx, manager, 'GET', `/api/v1/programmes/${other.programmeId}/pipeline`);
    expectErrorShape(await ctx.api.get('/api/v1/programmes/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e/pipeline', { headers: hr.headers }), 404);
  });

  it('answers every role (with a scope in the programme), and nobody signed out', async () => {
    const users = await createUsersForAllRoles(ctx, {
      [Role.Manager]: [{ programmeId: est.programmeId, thematicAreaId: est.areaIds.b }],
      [Role.TuRep]: [{ programmeId: est.programmeId, thematicAreaId: null }],
    });
    await expectRouteAllows(ctx, 'GET', pipelineUrl, [...ALL_ROLES], { users });
  });
});
