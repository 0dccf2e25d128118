import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectRouteAllows, TestUser } from '../support/auth';
import { createEstablishment, createHolder, insertCase, TestEstablishment, walkCase } from '../support/factories/cases-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('cases: bulk actions with a preview and an all-or-nothing commit', () => {
  let ctx: TestContext;
  let est: TestEstablishment;
  let hr: TestUser;

  const preview = (body: unknown) => ctx.api.post(`/api/v1/programmes/${est.programmeId}/cases/bulk/preview`, body, { headers: hr.headers });
  const commit = (body: unknown) => ctx.api.post(`/api/v1/programmes/${est.programmeId}/cases/bulk/commit`, body, { headers: hr.headers });

  /** The deadlines of each case of the programme (computed by the statutory rules on every read), as the API gives them. */
  async function deadlinesById(): Promise<Map<string, unknown>> {
    const res = await ctx.api.get(`/api/v1/programmes/${est.programmeId}/cases?limit=500`, { headers: hr.headers });
    return new Map(
      res.body.items.map((c: { id: string; deadlines: { kind: string; dueOn: string; basis: string }[] }) => [
        c.id,
        c.deadlines.length ? [...c.deadlines].sort((a, b) => a.kind.localeCompare(b.kind)).map((d) => [d.kind, d.dueOn, d.basis]) : null,
      ]),
    );
  }

  /** Everything about the programme's cases that a bulk action could change, as the database has it (and the deadlines it implies). */
  async function snapshot(): Promise<unknown[]> {
    const { rows } = await ctx.sql.query(
      `SELECT c.id, c.route, c.state, c.version, c.proposed_effective_date::text, c.destination_organisation_id, c.destination_post_id, c.stays_in_lgps,
              c.current_pension_scheme, (SELECT count(*) FROM case_transitions t WHERE t.case_id = c.id)::int AS transitions
       FROM transition_cases c WHERE c.programme_id = $1 ORDER BY c.id`,
      [est.programmeId],
    );
    const deadlines = await deadlinesById();
    return rows.map((r) => ({ ...r, deadlines: deadlines.get(r.id) ?? null }));
  }

  let areaACases: string[];
  let areaBCase: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    est = await createEstablishment(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer);
    areaACases = [];
    for (let i = 0; i < 3; i++) areaACases.push(await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.a }), { route: 'undecided' }));
    areaBCase = await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.b }), { route: 'undecided' });
  });
  afterAll(async () => ctx?.close());

  it('previews exactly what its commit then changes, and the preview itself changes nothing', async () => {
    const body = { filter: { thematicAreaId: [est.areaIds.a], route: ['undecided'] }, action: { kind: 'set_route', route: 'tupe_transfer' } };
    const before = await snapshot();
    const p = await preview(body);
    expect(p.statusCode).toBe(200);
    expect(await snapshot()).toEqual(before);
    expect(p.body).toMatchObject({ matched: 3, unchanged: [], blocked: [], canCommit: true, previewToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(p.body.changes.map((c: { caseId: string }) => c.caseId).sort()).toEqual([...areaACases].sort());
    for (const c of p.body.changes) {
      // The route, and what follows from it for an LGPS member being transferred.
      expect(c.changes).toEqual({ route: { from: 'undecided', to: 'tupe_transfer' }, currentPensionScheme: { from: null, to: 'lgps' } });
      expect(c.version).toBe(1);
    }
    const { rows: eventsBefore } = await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'transition_case'`);

    const done = await commit({ ...body, previewToken: p.body.previewToken });
    expect(done.statusCode).toBe(200);
    expect(done.body.changes).toEqual(p.body.changes);
    expect(done.body.previewToken).toBe(p.body.previewToken);

    // What changed in the database is exactly what the preview listed: those fields of those cases, nothing else.
    const after = (await snapshot()) as Record<string, unknown>[];
    const beforeById = new Map((before as Record<string, unknown>[]).map((r) => [r.id, r]));
    for (const row of after) {
      const was = beforeById.get(row.id)!;
      const listed = p.body.changes.find((c: { caseId: string }) => c.caseId === row.id);
      if (!listed) {
        expect(row).toEqual(was);
        continue;
      }
      expect(row).toEqual({ ...was, route: 'tupe_transfer', current_pension_scheme: 'lgps', version: 2 });
      expect(done.body.versionsAfter[row.id as string]).toBe(2);
    }
    const { rows: audits } = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_type = 'transition_case' ORDER BY id`);
    expect(audits.length - eventsBefore[0].n).toBe(4); // one per case and one for the bulk action
    expect(audits.at(-1).action).toBe('case.bulk_commit');
  });

  it('lists deadlines that move, in the preview and in the commit', async () => {
    const body = { filter: { caseIds: areaACases }, action: { kind: 'set_effective_date', proposedEffectiveDate: '2017-04-01' } };
    const p = await preview(body);
    expect(p.body.changes).toHaveLength(3);
    expect(p.body.changes[0].deadlines).toEqual({
      eli: { from: null, to: '2017-03-04 (proposed_effective_date)' },
      measures_letter: { from: null, to: '2017-03-02 (days_before_transfer)' },
    });
    const done = await commit({ ...body, previewToken: p.body.previewToken });
    expect(done.body.changes).toEqual(p.body.changes);
    const deadlines = await deadlinesById();
    const eli = new Set(areaACases.map((id) => (deadlines.get(id) as [string, string, string][]).find((d) => d[0] === 'eli')![1]));
    expect([...eli]).toEqual(['2017-03-04']);
  });

  it('refuses a commit when a case changed since the preview (409), changing nothing', async () => {
    const body = { filter: { caseIds: areaACases }, action: { kind: 'set_effective_date', proposedEffectiveDate: '2017-05-01' } };
    const p = await preview(body);
    await ctx.sql.query(`UPDATE transition_cases SET notes = 'touched', version = version + 1 WHERE id = $1`, [areaACases[1]]);
    const before = await snapshot();
    const res = await commit({ ...body, previewToken: p.body.previewToken });
    expectErrorShape(res, 409);
    expect(res.body.details).toEqual([{ field: 'previewToken', reason: 'does not match the cases as they are now' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a commit when the set of matched cases changed since the preview', async () => {
    const body = { filter: { route: ['undecided'] }, action: { kind: 'set_route', route: 'secondment' } };
    const p = await preview(body);
    expect(p.body.matched).toBe(1);
    await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.b }), { route: 'undecided' });
    const res = await commit({ ...body, previewToken: p.body.previewToken });
    expectErrorShape(res, 409);
    const again = await preview(body);
    expect(again.body.matched).toBe(2);
    expect(again.body.previewToken).not.toBe(p.body.previewToken);
  });

  it('commits all or nothing: one case that cannot move blocks the lot', async () => {
    // Two transfers ready to agree, and one already agreed (agreed -> agreed is not a move).
    const ready: string[] = [];
    for (let i = 0; i < 2; i++) {
      const id = await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.out }), { route: 'tupe_transfer' });
      await walkCase(ctx.sql, id, ['in_consultation']);
      ready.push(id);
    }
    const stuck = await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.out }), { route: 'tupe_transfer' });
    await walkCase(ctx.sql, stuck, ['in_consultation', 'agreed', 'letters_issued']);
    const body = { filter: { thematicAreaId: [est.areaIds.out] }, action: { kind: 'set_state', state: 'agreed', note: 'Agreed at the JCF' } };
    const p = await preview(body);
    expect(p.body.canCommit).toBe(false);
    expect(p.body.changes.map((c: { caseId: string }) => c.caseId).sort()).toEqual([...ready].sort());
    expect(p.body.changes[0].changes).toEqual({ state: { from: 'in_consultation', to: 'agreed' } });
    expect(p.body.blocked).toEqual([
      expect.objectContaining({ caseId: stuck, status: 409, details: [{ field: 'to', reason: 'must be one of: effective, on_hold, withdrawn' }] }),
    ]);
    const before = await snapshot();
    const res = await commit({ ...body, previewToken: p.body.previewToken });
    expectErrorShape(res, 409);
    expect(res.body.details).toEqual([{ field: `cases[${stuck}].to`, reason: 'must be one of: effective, on_hold, withdrawn' }]);
    expect(await snapshot()).toEqual(before);

    // Without the stuck case the same action commits, with each transition's note kept.
    const ok = { filter: { caseIds: ready }, action: body.action };
    const p2 = await preview(ok);
    const done = await commit({ ...ok, previewToken: p2.body.previewToken });
    expect(done.statusCode).toBe(200);
    const { rows } = await ctx.sql.query(`SELECT state FROM transition_cases WHERE id = ANY($1)`, [ready]);
    expect(rows.map((r) => r.state)).toEqual(['agreed', 'agreed']);
    const { rows: notes } = await ctx.sql.query(`SELECT note FROM case_transitions WHERE case_id = ANY($1) AND to_state = 'agreed'`, [ready]);
    expect(notes).toEqual([{ note: 'Agreed at the JCF' }, { note: 'Agreed at the JCF' }]);
    const { rows: events } = await ctx.sql.query(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.state_changed' AND entity_id = ANY($1)`, [ready]);
    expect(events[0].n).toBe(2);
  });

  it('checks the action: required fields for its kind and no others (400 naming them)', async () => {
    const missing = await preview({ filter: {}, action: { kind: 'set_destination' } });
    expectErrorShape(missing, 400);
    expect(missing.body.details).toEqual([{ field: 'action.destinationOrganisationId', reason: 'is required for set_destination' }]);
    const extra = await preview({ filter: {}, action: { kind: 'set_route', route: 'leaves', state: 'agreed' } });
    expectErrorShape(extra, 400);
    expect(extra.body.details).toEqual([{ field: 'action.state', reason: 'is not used by set_route' }]);
    const badFilter = await preview({ filter: { state: ['dozing'] }, action: { kind: 'set_route', route: 'leaves' } });
    expectErrorShape(badFilter, 400);
    expect(badFilter.body.details[0].field).toMatch(/^filter\.state/);
    const noToken = await commit({ filter: {}, action: { kind: 'set_route', route: 'leaves' } });
    expectErrorShape(noToken, 400);
    expect(noToken.body.details[0].field).toBe('previewToken');
  });

  it('sets a destination for a filtered set', async () => {
    const body = { filter: { caseIds: areaACases }, action: { kind: 'set_destination', destinationOrganisationId: est.ccgId } };
    const p = await preview(body);
    expect(p.body.changes.map((c: { changes: unknown }) => c.changes)).toEqual(areaACases.map(() => ({ destinationOrganisationId: { from: null, to: est.ccgId } })));
    expect((await commit({ ...body, previewToken: p.body.previewToken })).statusCode).toBe(200);
    const again = await preview(body);
    expect(again.body).toMatchObject({ changes: [], canCommit: true });
    expect(again.body.unchanged.sort()).toEqual([...areaACases].sort());
  });

  it('plans each case on its own: cases already so are unchanged, the others change', async () => {
    const already: string[] = [];
    const undecided: string[] = [];
    for (let i = 0; i < 3; i++) {
      already.push(await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.b }), { route: 'secondment' }));
      undecided.push(await insertCase(ctx.sql, est, await createHolder(ctx.sql, est, { areaId: est.areaIds.b }), { route: 'undecided' }));
    }
    await ctx.sql.query(`UPDATE employees SET pension_scheme = 'none' WHERE id = (SELECT employee_id FROM transition_cases WHERE id = $1)`, [undecided[0]]);
    const body = { filter: { caseIds: [...already, ...undecided] }, action: { kind: 'set_route', route: 'secondment' } };
    const p = await preview(body);
    expect(p.body.unchanged.sort()).toEqual([...already].sort());
    const byId = new Map(p.body.changes.map((c: { caseId: string; changes: unknown }) => [c.caseId, c.changes]));
    expect(byId.get(undecided[0])).toEqual({ route: { from: 'undecided', to: 'secondment' }, staysInLgps: { from: null, to: false } });
    for (const id of undecided.slice(1)) expect(byId.get(id)).toEqual({ route: { from: 'undecided', to: 'secondment' }, staysInLgps: { from: null, to: true } });
    const done = await commit({ ...body, previewToken: p.body.previewToken });
    expect(done.body.changes).toEqual(p.body.changes);
  });

  it('is for HR officers and admins', async () => {
    const users = await createUsersForAllRoles(ctx, { [Role.Manager]: [{ programmeId: est.programmeId, thematicAreaId: est.areaIds.a }] });
    const body = { filter: { caseIds: [areaBCase] }, action: { kind: 'set_route', route: 'leaves' } };
    await expectRouteAllows(ctx, 'POST', `/api/v1/programmes/${est.programmeId}/cases/bulk/preview`, [Role.Admin, Role.HrOfficer], { users, payload: body });
    await expectRouteAllows(ctx, 'POST', `/api/v1/programmes/${est.programmeId}/cases/bulk/commit`, [Role.Admin, Role.HrOfficer], {
      users,
      payload: { ...body, previewToken: 'x'.repeat(43) },
    });
  });
});
