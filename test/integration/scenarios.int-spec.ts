import { Role } from '../../src/common/access/role.enum';
import { SCENARIO_STATUS_EDGES } from '../../src/scenarios/scenario-status';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, expectNoPersonalData, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/**
 * Scope scenarios on the demo programme (Manchester 2017): Homelessness is out of scope in the
 * report (4 posts, 3.8 FTE, 3 holders: one post is frozen). A scenario bringing it in shows the
 * delta, the people and the consequences; merging it moves the live matrix by exactly that delta.
 */
describe('scenarios: what-if scope changes on the demo programme', () => {
  let ctx: TestContext;
  let programmeId: string;
  let hr: TestUser;
  let homelessnessId: string;
  let qpcId: string;
  let homelessPosts: { id: string; reference: string; title: string; status: string; fte: string }[];

  const live = async () => (await ctx.api.get(`/api/v1/programmes/${programmeId}/establishment`, { headers: hr.headers })).body;
  const newScenario = async (user: TestUser, name: string) => {
    const res = await ctx.api.post(`/api/v1/programmes/${programmeId}/scenarios`, { name }, { headers: user.headers });
    expect(res.statusCode).toBe(201);
    return res.body;
  };
  const bringHomelessnessIn = async (user: TestUser, scenarioId: string) => {
    for (const p of homelessPosts) {
      const res = await ctx.api.post(`/api/v1/scenarios/${scenarioId}/changes`, { kind: 'change', postId: p.id, scope: 'in_scope', reason: 'Homelessness commissioning comes in at go-live' }, { headers: user.headers });
      expect(res.statusCode).toBe(201);
    }
  };
  const move = async (user: TestUser, id: string, action: string) => {
    const s = (await ctx.api.get(`/api/v1/scenarios/${id}`, { headers: user.headers })).body;
    return ctx.api.post(`/api/v1/scenarios/${id}/status`, { action, version: s.version }, { headers: user.headers });
  };
  const version = async (id: string) => (await ctx.api.get(`/api/v1/scenarios/${id}`, { headers: hr.headers })).body.version as number;

  beforeAll(async () => {
    ctx = await startTestApp();
    await seedDemo(ctx.db.url);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    hr = await createUser(ctx, Role.HrOfficer);
    homelessnessId = (await ctx.sql.query(`SELECT id FROM thematic_areas WHERE programme_id = $1 AND name = 'Homelessness'`, [programmeId])).rows[0].id;
    qpcId = (await ctx.sql.query(`SELECT id FROM thematic_areas WHERE programme_id = $1 AND name = 'Quality Performance and Compliance'`, [programmeId])).rows[0].id;
    homelessPosts = (
      await ctx.sql.query(`SELECT id, reference, title, establishment_status AS status, fte::text AS fte FROM posts WHERE thematic_area_id = $1 ORDER BY reference`, [homelessnessId])
    ).rows;
  });
  afterAll(async () => ctx?.close());

  it('keeps the same status machine in the database as in the code', async () => {
    const { rows } = await ctx.sql.query(`SELECT from_status, to_status FROM scenario_status_edges ORDER BY 1, 2`);
    const code = Object.entries(SCENARIO_STATUS_EDGES).flatMap(([f, ts]) => ts.map((t) => [f, t])).sort((a, b) => a.join().localeCompare(b.join()));
    expect(rows.map((r) => [r.from_status, r.to_status]).sort((a, b) => a.join().localeCompare(b.join()))).toEqual(code);
    const s = await newScenario(hr, 'Status machine probe');
    await expect(ctx.sql.query(`UPDATE scenarios SET status = 'merged', merged_at = now(), merged_by = $2, approved_by = $2, approved_at = now() WHERE id = $1`, [s.id, hr.id])).rejects.toThrow(
      /cannot go from draft to merged/,
    );
  });

  it('brings Homelessness into scope: the delta (+4 posts, +3.8 FTE in scope), the 3 people affected by COSOP and the ELI deadline', async () => {
    expect(homelessPosts).toHaveLength(4);
    const s = await newScenario(hr, 'Homelessness comes in at go-live');
    await bringHomelessnessIn(hr, s.id);

    const m = (await ctx.api.get(`/api/v1/scenarios/${s.id}/matrix`, { headers: hr.headers })).body;
    expect(m.subtotals[0].key).toBe('inScope');
    expect(m.subtotals[0].total.posts.delta).toBe(4);
    expect(m.subtotals[0].total.fte.delta).toBe(3.8);
    expect(m.subtotals[1].total.posts.delta).toBe(-4);
    expect(m.subtotals[1].total.fte.delta).toBe(-3.8);
    expect(m.totals.total.posts).toEqual({ before: 72, after: 72, delta: 0 });
    // The Homelessness row itself keeps its posts (scope is what moves); only the subtotals change.
    const home = m.rows.find((r: any) => r.key === homelessnessId);
    expect(home.total.posts.delta).toBe(0);
    expect(m.subtotals[0].cells.G11.posts.delta).toBe(1);
    expect(m.subtotals[0].cells.G9.fte.delta).toBe(0.8);
    expect(m.scenario.subtotals.inScope.total.posts).toBe((await live()).subtotals.inScope.total.posts + 4);

    const people = (await ctx.api.get(`/api/v1/scenarios/${s.id}/people?asOf=2016-11-01`, { headers: hr.headers })).body;
    expect(people.total).toBe(3);
    expect(people.people.map((p: any) => p.postReference)).toEqual(homelessPosts.filter((p) => p.status === 'filled').map((p) => p.reference));
    expect(people.people.every((p: any) => p.likelyRoute === 'cosop_transfer' && p.moveDate === '2017-04-01')).toBe(true);
    expect(people.byRoute).toEqual([{ route: 'cosop_transfer', people: 3 }]);

    const c = (await ctx.api.get(`/api/v1/scenarios/${s.id}/consequences?asOf=2016-11-01`, { headers: hr.headers })).body;
    expect(c.collectiveRedundancy).toEqual([]);
    expect(c.transfers).toEqual([
      expect.objectContaining({ transferDate: '2017-04-01', people: 3, eliDueOn: '2017-03-04', eliCitation: expect.stringContaining('reg. 11'), eliPassed: false }),
    ]);
  });

  it('counts deleted filled posts as proposed dismissals at their establishment, with the s.188 band and HR1 date once 20 or more', async () => {
    const s = await newScenario(hr, 'Close the QPC contracts team');
    const filled = (
      await ctx.sql.query(`SELECT id FROM posts WHERE thematic_area_id = $1 AND establishment_status = 'filled' ORDER BY reference LIMIT 20`, [qpcId])
    ).rows;
    expect(filled).toHaveLength(20);
    for (const p of filled) {
      const res = await ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { kind: 'delete', postId: p.id, reason: 'Contracts work moves to the CCG team' }, { headers: hr.headers });
      expect(res.statusCode).toBe(201);
    }
    const c = (await ctx.api.get(`/api/v1/scenarios/${s.id}/consequences?asOf=2016-11-01`, { headers: hr.headers })).body;
    expect(c.collectiveRedundancy).toHaveLength(1);
    const r = c.collectiveRedundancy[0];
    expect(r).toMatchObject({ establishment: 'Manchester City Council', proposedDismissals: 20, band: '20 to 99', minimumPeriodDays: 30, firstDismissalDate: '2017-04-01', consultationMustBeginBy: '2017-03-02', hr1DueDate: '2017-03-02', late: false });
    const m = (await ctx.api.get(`/api/v1/scenarios/${s.id}/matrix`, { headers: hr.headers })).body;
    expect(m.totals.total.posts).toEqual({ before: 72, after: 52, delta: -20 });
  });

  it('refuses the merge when a post changed live after the scenario was made, naming it; nothing changes; rebase then merges', async () => {
    const [post] = (await ctx.sql.query(`SELECT id, reference, title, version FROM posts WHERE thematic_area_id = $1 AND establishment_status = 'filled' ORDER BY reference LIMIT 1`, [qpcId])).rows;
    const s = await newScenario(hr, 'QPC lead at the LCO');
    const lco = (await ctx.sql.query(`SELECT id FROM organisations WHERE kind = 'local_care_organisation'`)).rows[0].id;
    const add = await ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { kind: 'change', postId: post.id, destinationOrganisationId: lco, reason: 'Quality work sits with the LCO' }, { headers: hr.headers });
    expect(add.statusCode).toBe(201);
    const people = (await ctx.api.get(`/api/v1/scenarios/${s.id}/people`, { headers: hr.headers })).body;
    expect(people.people).toEqual([expect.objectContaining({ postReference: post.reference, likelyRoute: expect.stringMatching(/tupe_transfer|secondment|cosop_transfer/) })]);
    await move(hr, s.id, 'propose');
    await move(hr, s.id, 'approve');
    // Someone edits the post live.
    const edit = await ctx.api.patch(`/api/v1/posts/${post.id}`, { title: `${post.title} (revised)`, version: post.version }, { headers: hr.headers });
    expect(edit.statusCode).toBe(200);
    const before = await live();
    const refused = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: hr.headers });
    expectErrorShape(refused, 409);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'postId', reason: expect.stringContaining(`${post.reference} "${post.title} (revised)"`) })]);
    expect(await live()).toEqual(before);
    expect((await ctx.sql.query(`SELECT status FROM scenarios WHERE id = $1`, [s.id])).rows[0].status).toBe('approved');
    expect((await ctx.sql.query(`SELECT destination_organisation_id FROM posts WHERE id = $1`, [post.id])).rows[0].destination_organisation_id).toBeNull();
    const conflicts = (await ctx.api.get(`/api/v1/scenarios/${s.id}/conflicts`, { headers: hr.headers })).body;
    expect(conflicts).toEqual([expect.objectContaining({ reference: post.reference, baseVersion: post.version, currentVersion: post.version + 1 })]);

    const rebased = await ctx.api.post(`/api/v1/scenarios/${s.id}/rebase`, { version: await version(s.id) }, { headers: hr.headers });
    expect(rebased.statusCode).toBe(200);
    expect(rebased.body).toMatchObject({ status: 'proposed', conflictCount: 0 });
    await move(hr, s.id, 'approve');
    const merged = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: hr.headers });
    expect(merged.statusCode).toBe(200);
    expect((await ctx.sql.query(`SELECT destination_organisation_id FROM posts WHERE id = $1`, [post.id])).rows[0].destination_organisation_id).toBe(lco);
  });

  it('limits a manager to posts of their areas (403 outside), lets only HR or admins approve and merge, and hides drafts from others', async () => {
    const mgr = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId: homelessnessId }] });
    const s = await newScenario(mgr, 'Manager: Homelessness in');
    await bringHomelessnessIn(mgr, s.id);
    const [qpcPost] = (await ctx.sql.query(`SELECT id FROM posts WHERE thematic_area_id = $1 LIMIT 1`, [qpcId])).rows;
    const outside = await ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { kind: 'change', postId: qpcPost.id, scope: 'out_of_scope', reason: 'Not mine' }, { headers: mgr.headers });
    expectErrorShape(outside, 403);
    expect(outside.body.details).toEqual([{ field: 'postId', reason: 'is outside your thematic areas' }]);
    const moveArea = await ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { kind: 'create', organisationId: (await ctx.sql.query(`SELECT organisation_id FROM posts WHERE id = $1`, [qpcPost.id])).rows[0].organisation_id, reference: 'NEW-1', title: 'New', thematicAreaId: qpcId, gradeId: (await ctx.sql.query(`SELECT grade_id FROM posts WHERE id = $1`, [qpcPost.id])).rows[0].grade_id, fte: 1, reason: 'x' }, { headers: mgr.headers });
    expect(moveArea.statusCode).toBe(403);
    expect(moveArea.body.details[0].field).toBe('thematicAreaId');

    // A draft is private: HR gets 404 until it is shared.
    expect((await ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers: hr.headers })).statusCode).toBe(404);
    expect((await move(mgr, s.id, 'share')).statusCode).toBe(200);
    expect((await ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers: hr.headers })).statusCode).toBe(200);
    expect((await move(mgr, s.id, 'propose')).statusCode).toBe(200);
    const selfApprove = await move(mgr, s.id, 'approve');
    expectErrorShape(selfApprove, 403);
    const mgrMerge = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: mgr.headers });
    expect(mgrMerge.statusCode).toBe(403);
    // A move not open from the status: 409 with what is allowed.
    const bad = await ctx.api.post(`/api/v1/scenarios/${s.id}/status`, { action: 'share', version: await version(s.id) }, { headers: hr.headers });
    expect(bad.statusCode).toBe(409);
    expect(bad.body.details[0]).toMatchObject({ field: 'action', allowed: expect.arrayContaining(['approve']) });
    const stale = await ctx.api.post(`/api/v1/scenarios/${s.id}/status`, { action: 'approve', version: 1 }, { headers: hr.headers });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.details[0].field).toBe('version');
  });

  it('shows a trade union rep shared scenarios only, as counts with small counts suppressed and no personal data', async () => {
    const rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId, thematicAreaId: null }] });
    const s = await newScenario(hr, 'Homelessness in, shared with the forum');
    await bringHomelessnessIn(hr, s.id);
    expect((await ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers: rep.headers })).statusCode).toBe(404);
    expect((await ctx.api.get(`/api/v1/programmes/${programmeId}/scenarios`, { headers: rep.headers })).body.map((x: any) => x.id)).not.toContain(s.id);
    await move(hr, s.id, 'share');
    const got = await ctx.api.get(`/api/v1/scenarios/${s.id}`, { headers: rep.headers });
    expect(got.statusCode).toBe(200);
    expect(got.body.changes).toBeUndefined();
    const people = await ctx.api.get(`/api/v1/scenarios/${s.id}/people`, { headers: rep.headers });
    expect(people.body).toMatchObject({ total: '<5', countsSuppressed: true, byRoute: [{ route: 'cosop_transfer', people: '<5' }] });
    expect(people.body.people).toBeUndefined();
    const cons = await ctx.api.get(`/api/v1/scenarios/${s.id}/consequences`, { headers: rep.headers });
    expect(cons.body.transfers[0].people).toBe('<5');
    const m = await ctx.api.get(`/api/v1/scenarios/${s.id}/matrix`, { headers: rep.headers });
    expect(m.body.countsSuppressed).toBe(true);
    const names = (await ctx.sql.query(`SELECT e.first_name, e.last_name, e.staff_number FROM employees e JOIN post_assignments pa ON pa.employee_id = e.id JOIN posts p ON p.id = pa.post_id WHERE p.thematic_area_id = $1`, [homelessnessId])).rows;
    // The scenario's own name is not personal data; no author, person, staff number or holder appears.
    for (const body of [got.body, people.body, cons.body, m.body]) {
      expectNoPersonalData(body, names.flatMap((n) => [n.staff_number, `${n.first_name} ${n.last_name}`]), { allowKeys: ['name'] });
    }
    expect(got.body.author).toBeNull();
    for (const [method, url, payload] of [
      ['POST', `/api/v1/scenarios/${s.id}/changes`, { kind: 'delete', postId: homelessPosts[0].id, reason: 'x' }],
      ['POST', `/api/v1/programmes/${programmeId}/scenarios`, { name: 'rep' }],
      ['GET', `/api/v1/scenarios/${s.id}/conflicts`, undefined],
    ] as const) {
      const res = await ctx.api.request(method, url, { headers: rep.headers, payload });
      expect(res.statusCode).toBe(403);
    }
  });

  it('compares two or three scenarios side by side, and answers client mistakes with 4xx naming the field', async () => {
    const a = await newScenario(hr, 'Compare: Homelessness in');
    await bringHomelessnessIn(hr, a.id);
    const b = await newScenario(hr, 'Compare: Homelessness later');
    for (const p of homelessPosts) {
      await ctx.api.post(`/api/v1/scenarios/${b.id}/changes`, { kind: 'change', postId: p.id, scope: 'later_phase', reason: 'Phase 2' }, { headers: hr.headers });
    }
    const cmp = await ctx.api.get(`/api/v1/scenarios/compare?ids=${a.id}&ids=${b.id}&asOf=2016-11-01`, { headers: hr.headers });
    expect(cmp.statusCode).toBe(200);
    expect(cmp.body.scenarios.map((x: any) => [x.scenario.name, x.inScope.total.posts.delta, x.peopleAffected])).toEqual([
      ['Compare: Homelessness in', 4, 3],
      ['Compare: Homelessness later', 0, 0],
    ]);
    expect(cmp.body.scenarios[1].changedRows).toEqual([]);
    const one = await ctx.api.get(`/api/v1/scenarios/compare?ids=${a.id}`, { headers: hr.headers });
    expect(one.statusCode).toBe(400);
    expect(one.body.details[0].field).toBe('ids');

    const dup = await ctx.api.post(`/api/v1/scenarios/${a.id}/changes`, { kind: 'change', postId: homelessPosts[0].id, scope: 'under_review', reason: 'again' }, { headers: hr.headers });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.details[0].field).toBe('postId');
    const noReason = await ctx.api.post(`/api/v1/scenarios/${a.id}/changes`, { kind: 'change', postId: homelessPosts[0].id, scope: 'under_review' }, { headers: hr.headers });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body.details[0].field).toBe('reason');
    const badFte = await ctx.api.post(`/api/v1/scenarios/${b.id}/changes`, { kind: 'change', postId: (await ctx.sql.query(`SELECT id FROM posts WHERE thematic_area_id = $1 LIMIT 1`, [qpcId])).rows[0].id, fte: 1.5, reason: 'x' }, { headers: hr.headers });
    expect(badFte.statusCode).toBe(400);
    expect(badFte.body.details[0].field).toBe('fte');
    const nameTaken = await ctx.api.post(`/api/v1/programmes/${programmeId}/scenarios`, { name: 'Compare: Homelessness in' }, { headers: hr.headers });
    expect(nameTaken.statusCode).toBe(409);
    expect(nameTaken.body.details[0].field).toBe('name');
    const emptyPropose = await move(hr, (await newScenario(hr, 'Empty')).id, 'propose');
    expect(emptyPropose.statusCode).toBe(422);
  });
  it('merges an approved scenario in one transaction: the live matrix moves by exactly its delta, audited as one event with each change', async () => {
    const s = await newScenario(hr, 'Homelessness in, merged');
    await bringHomelessnessIn(hr, s.id);
    const delta = (await ctx.api.get(`/api/v1/scenarios/${s.id}/matrix`, { headers: hr.headers })).body;
    const before = await live();
    expect((await move(hr, s.id, 'propose')).statusCode).toBe(200);
    expect((await move(hr, s.id, 'approve')).statusCode).toBe(200);
    const merged = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: hr.headers });
    expect(merged.statusCode).toBe(200);
    expect(merged.body).toMatchObject({ scenario: { status: 'merged' }, postsChanged: 4, postsCreated: 0, postsDeleted: 0 });
    const after = await live();
    for (const [i, key] of ['inScope', 'outOfScope', 'underReview', 'laterPhase'].entries()) {
      expect(after.subtotals[key].total.posts - before.subtotals[key].total.posts).toBe(delta.subtotals[i].total.posts.delta);
      expect(Math.round((after.subtotals[key].total.fte - before.subtotals[key].total.fte) * 100) / 100).toBe(delta.subtotals[i].total.fte.delta);
      for (const col of delta.columns) {
        expect((after.subtotals[key].cells[col]?.posts ?? 0) - (before.subtotals[key].cells[col]?.posts ?? 0)).toBe(delta.subtotals[i].cells[col].posts.delta);
      }
    }
    expect(after).toEqual(delta.scenario);
    const audit = (await ctx.sql.query(`SELECT action, metadata FROM audit_log WHERE entity_id = $1 AND action = 'scenario.merge'`, [s.id])).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0].metadata.changes.map((c: any) => c.reference).sort()).toEqual(homelessPosts.map((p) => p.reference));
    expect(audit[0].metadata.changes[0]).toMatchObject({ before: { scope: 'out_of_scope' }, after: { scope: 'in_scope' }, reason: 'Homelessness commissioning comes in at go-live' });
    const scopes = (await ctx.sql.query(`SELECT DISTINCT scope, scope_reason FROM posts WHERE thematic_area_id = $1`, [homelessnessId])).rows;
    expect(scopes).toEqual([{ scope: 'in_scope', scope_reason: 'Homelessness commissioning comes in at go-live' }]);
    // Merged is final.
    const again = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: hr.headers });
    expectErrorShape(again, 409);
  });

  it('overlays every kind of change in SQL exactly as merging them moves the live matrix (new, deleted, grade, area, FTE, scope, destination only)', async () => {
    const posts: { id: string; reference: string; organisation_id: string; thematic_area_id: string; grade_id: string; fte: string }[] = (
      await ctx.sql.query(
        `SELECT id, reference, organisation_id, thematic_area_id, grade_id, fte::text AS fte FROM posts
         WHERE programme_id = $1 AND thematic_area_id <> $2 AND establishment_status <> 'deleted' AND fte = 1 ORDER BY reference LIMIT 5`,
        [programmeId, homelessnessId],
      )
    ).rows;
    const [p0, p1, p3, p4, p5] = posts;
    // An FTE change upwards (downwards could fall below the FTE its holders are assigned: the merge refuses that).
    const [p2] = (await ctx.sql.query(`SELECT id, fte::text AS fte FROM posts WHERE programme_id = $1 AND thematic_area_id <> $2 AND establishment_status <> 'deleted' AND fte < 1 ORDER BY reference LIMIT 1`, [programmeId, homelessnessId])).rows;
    const otherGrade = (await ctx.sql.query(`SELECT id FROM grades WHERE organisation_id = $1 AND id <> $2 ORDER BY rank LIMIT 1`, [p0.organisation_id, p0.grade_id])).rows[0].id;
    const otherArea = (await ctx.sql.query(`SELECT id FROM thematic_areas WHERE programme_id = $1 AND id NOT IN ($2, $3) ORDER BY name LIMIT 1`, [programmeId, p1.thematic_area_id, homelessnessId])).rows[0].id;
    const elsewhere = (await ctx.sql.query(`SELECT id FROM organisations WHERE id <> $1 ORDER BY name LIMIT 1`, [p3.organisation_id])).rows[0].id;
    const s = await newScenario(hr, 'Every kind of change');
    const changes = [
      { kind: 'change', postId: p0.id, gradeId: otherGrade },
      { kind: 'change', postId: p1.id, thematicAreaId: otherArea },
      { kind: 'change', postId: p2.id, fte: 1 },
      { kind: 'change', postId: p3.id, destinationOrganisationId: elsewhere },
      { kind: 'delete', postId: p4.id },
      { kind: 'change', postId: p5.id, scope: 'under_review' },
      { kind: 'create', organisationId: p0.organisation_id, reference: 'SCN-NEW-1', title: 'Scenario post', thematicAreaId: p0.thematic_area_id, gradeId: p0.grade_id, fte: 0.4, scope: 'later_phase' },
    ];
    for (const c of changes) {
      const res = await ctx.api.post(`/api/v1/scenarios/${s.id}/changes`, { ...c, reason: `Every kind: ${c.kind}` }, { headers: hr.headers });
      expect(res.statusCode).toBe(201);
    }
    const counts = async (sql: string, params: unknown[]) =>
      (await ctx.sql.query(`SELECT thematic_area_id, grade_id, scope, fte::text AS fte, posts FROM ${sql} ORDER BY 1, 2, 3, 4`, params)).rows;
    const scenarioCounts = await counts('scenario_matrix_counts($1, $2)', [programmeId, s.id]);
    const delta = (await ctx.api.get(`/api/v1/scenarios/${s.id}/matrix`, { headers: hr.headers })).body;
    expect((await move(hr, s.id, 'propose')).statusCode).toBe(200);
    expect((await move(hr, s.id, 'approve')).statusCode).toBe(200);
    const merged = await ctx.api.post(`/api/v1/scenarios/${s.id}/merge`, { version: await version(s.id) }, { headers: hr.headers });
    expect(merged.statusCode).toBe(200);
    expect(merged.body).toMatchObject({ postsChanged: 5, postsCreated: 1, postsDeleted: 1 });
    expect(await counts('establishment_matrix_counts($1)', [programmeId])).toEqual(scenarioCounts);
    expect(await live()).toEqual(delta.scenario);
  });
});
