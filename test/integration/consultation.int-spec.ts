import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectInvisible, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
import { addDays, auditActions, ConsultationFixture, createPosts, createProgramme, eventsFor, londonToday } from '../support/factories/consultation-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

// testTimeout in a Jest project's config is not applied; boots and multi-request tests need more than 5 s on a loaded machine.
jest.setTimeout(60_000);

/**
 * Consultations: kinds, the TULRCA s.188 minimum period and HR1 date derived from versioned
 * rules, the lifecycle (planned, open, extended, closed) with its events and audit, covered
 * posts, milestones, and who may see and do what.
 */

describe('consultations', () => {
  let ctx: TestContext;
  let fx: ConsultationFixture;
  let other: ConsultationFixture;
  let admin: TestUser;
  let hr: TestUser;
  let rep: TestUser;
  let otherRep: TestUser;
  let manager: TestUser;
  const today = londonToday();

  beforeAll(async () => {
    ctx = await startTestApp();
    fx = await createProgramme(ctx.sql);
    other = await createProgramme(ctx.sql);
    admin = await createUser(ctx, Role.Admin);
    hr = await createUser(ctx, Role.HrOfficer, { displayName: 'Hilda Hrofficer' });
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: null }] });
    otherRep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: other.programmeId, thematicAreaId: null }] });
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: fx.areaIds['Mental Health'] }] });
  });
  afterAll(async () => ctx?.close());

  const create = (payload: Record<string, unknown>, user: TestUser = hr) =>
    ctx.api.post('/api/v1/consultations', { programmeId: fx.programmeId, title: 'Restructure of commissioning', ...payload }, { headers: user.headers });
  // Each proposal at an establishment of its own unless a test says otherwise: proposals at one
  // establishment within 90 days add up (s.188(1)), which test/integration/statutory-clock tests.
  let establishments = 0;
  const cr = (dismissals: number, start: string, end: string, extra: Record<string, unknown> = {}) =>
    create({ kind: 'collective_redundancy', proposedDismissals: dismissals, startDate: start, plannedEndDate: end, establishment: `Town Hall ${++establishments}`, ...extra });

  describe('TULRCA s.188: consultation begins 30 / 45 days before the first dismissal (a start-by rule, not a minimum length)', () => {
    it('100 proposed dismissals: an end date at day 40 is allowed, and no dismissal may take effect before day 46', async () => {
      const res = await cr(100, today, addDays(today, 39));
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ minimumPeriodDays: 45, hr1DueDate: today, statutoryRule: { band: '100 or more' } });
      expect(res.body.statutory).toMatchObject({ earliestFirstDismissalDate: addDays(today, 45), startedLate: false, hr1: { dueOn: today } });
    });

    it('accepts day 45 for 100, and derives the minimum end date and the HR1 due date', async () => {
      const res = await cr(100, today, addDays(today, 44));
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({
        kind: 'collective_redundancy',
        status: 'planned',
        proposedDismissals: 100,
        minimumPeriodDays: 45,
        minimumEndDate: addDays(today, 44),
        // The first dismissal can take effect the day after the end: HR1 45 days before that is the start date.
        hr1DueDate: today,
        rulesAppliedFrom: '2013-04-06',
        statutoryRule: { appliesFrom: '2013-04-06', band: '100 or more', citation: expect.stringContaining('s.188(1A)(a)') },
      });
      const milestones = await ctx.api.get(`/api/v1/consultations/${res.body.id}/milestones`, { headers: hr.headers });
      // By due date (HR1 and the s.188(4) disclosure fall on the same day, in either order).
      const rows = milestones.body.map((m: { kind: string; dueDate: string; derivedFrom: string }) => [m.kind, m.dueDate, m.derivedFrom]);
      expect(rows).toHaveLength(3);
      expect(rows.slice(0, 2)).toEqual(expect.arrayContaining([['hr1_notice', today, 'hr1_due_date'], ['other', today, 'disclosure_due_date']]));
      expect(rows[2]).toEqual(['consultation_end', addDays(today, 44), 'planned_end_date']);
    });

    it('19 proposed dismissals need no minimum period and no HR1', async () => {
      const res = await cr(19, today, today);
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ proposedDismissals: 19, minimumPeriodDays: null, minimumEndDate: null, hr1DueDate: null, statutoryRule: null, rulesAppliedFrom: '2013-04-06' });
      const milestones = await ctx.api.get(`/api/v1/consultations/${res.body.id}/milestones`, { headers: hr.headers });
      expect(milestones.body.map((m: { kind: string }) => m.kind)).toEqual(['consultation_end']);
    });

    it('20 to 99 need 30 days', async () => {
      const twenty = await cr(20, today, addDays(today, 28));
      expect(twenty.statusCode).toBe(201);
      expect(twenty.body).toMatchObject({ minimumPeriodDays: 30, hr1DueDate: today, statutory: { earliestFirstDismissalDate: addDays(today, 30) } });
      const ok = await cr(99, today, addDays(today, 29));
      expect(ok.statusCode).toBe(201);
      expect(ok.body).toMatchObject({ minimumPeriodDays: 30, minimumEndDate: addDays(today, 29), statutoryRule: { band: '20 to 99' } });
    });

    it('counts the HR1 deadline back from a planned first dismissal date', async () => {
      const res = await cr(150, today, addDays(today, 44), { firstDismissalDate: addDays(today, 60) });
      expect(res.statusCode).toBe(201);
      expect(res.body.hr1DueDate).toBe(addDays(today, 15));
    });

    it('a consultation begun before 6 April 2013 keeps the 90 days of the rules then in force', async () => {
      const early = await cr(100, '2012-06-01', addDays('2012-06-01', 44));
      expect(early.statusCode).toBe(201);
      expect(early.body).toMatchObject({ minimumPeriodDays: 90, rulesAppliedFrom: '1995-10-26', statutory: { earliestFirstDismissalDate: '2012-08-30' } });
      const late = await cr(100, '2012-06-01', addDays('2012-06-01', 44), { firstDismissalDate: '2012-08-01' });
      expect(late.statusCode).toBe(201);
      expect(late.body.statutory).toMatchObject({ mustBeginBy: { dueOn: '2012-05-03' }, startedLate: true });
      expect(late.body.statutory.problems[0]).toContain('29 days after 2012-05-03');
      const ok = await cr(100, '2012-06-01', addDays('2012-06-01', 89));
      expect(ok.statusCode).toBe(201);
      expect(ok.body).toMatchObject({ minimumPeriodDays: 90, rulesAppliedFrom: '1995-10-26' });
    });

    it('refuses what does not fit the kind, naming the field', async () => {
      const noCount = await create({ kind: 'collective_redundancy', startDate: today, plannedEndDate: addDays(today, 60) });
      expectErrorShape(noCount, 422);
      expect(noCount.body.details).toEqual([{ field: 'proposedDismissals', reason: 'is required for a collective redundancy consultation' }]);
      const countOnTupe = await create({ kind: 'tupe_information_consultation', proposedDismissals: 3, startDate: today, plannedEndDate: addDays(today, 60) });
      expectErrorShape(countOnTupe, 422);
      expect(countOnTupe.body.details).toEqual([{ field: 'proposedDismissals', reason: 'only applies to a collective redundancy consultation' }]);
      const backwards = await create({ kind: 'informal_engagement', startDate: today, plannedEndDate: addDays(today, -1) });
      expectErrorShape(backwards, 422);
      expect(backwards.body.details[0].field).toBe('plannedEndDate');
      const dismissalTooEarly = await cr(30, today, addDays(today, 40), { firstDismissalDate: addDays(today, 40) });
      expectErrorShape(dismissalTooEarly, 422);
      expect(dismissalTooEarly.body.details[0].field).toBe('firstDismissalDate');
    });

    it('refuses malformed input with 400 naming the field', async () => {
      const badDate = await create({ kind: 'informal_engagement', startDate: '2017-02-29', plannedEndDate: '2017-03-31' });
      expectErrorShape(badDate, 400);
      expect(badDate.body.details).toEqual([{ field: 'startDate', reason: 'must be a date written YYYY-MM-DD' }]);
      const badKind = await create({ kind: 'consultation', startDate: today, plannedEndDate: today });
      expectErrorShape(badKind, 400);
      expect(badKind.body.details[0].field).toBe('kind');
      const negative = await cr(-1, today, today);
      expectErrorShape(negative, 400);
      expect(negative.body.details[0].field).toBe('proposedDismissals');
      const unknownProgramme = await ctx.api.post(
        '/api/v1/consultations',
        { programmeId: '4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e', title: 'x', kind: 'informal_engagement', startDate: today, plannedEndDate: today },
        { headers: hr.headers },
      );
      expectErrorShape(unknownProgramme, 422);
      expect(unknownProgramme.body.details).toEqual([{ field: 'programmeId', reason: 'does not exist' }]);
    });

    it('the database itself refuses a first notice of dismissal after the first dismissal', async () => {
      const ok = await cr(100, today, addDays(today, 44), { firstDismissalDate: addDays(today, 60) });
      await expect(ctx.sql.query(`UPDATE consultations SET first_notice_date = $2 WHERE id = $1`, [ok.body.id, addDays(today, 61)])).rejects.toThrow(
        /consultations_notice_before_dismissal/,
      );
    });
  });

  describe('lifecycle: planned, open, extended, closed', () => {
    it('opens, extends and closes, each change audited and announced in the same transaction', async () => {
      // Started 40 days ago (recorded late), so the 30-day minimum has run by today.
      const start = addDays(today, -40);
      const created = await cr(25, start, addDays(today, 5));
      expect(created.statusCode).toBe(201);
      const id = created.body.id;

      const patchedEnd = await ctx.api.patch(`/api/v1/consultations/${id}`, { version: 1, plannedEndDate: addDays(today, 6) }, { headers: hr.headers });
      expect(patchedEnd.statusCode).toBe(200);
      expect(patchedEnd.body).toMatchObject({ plannedEndDate: addDays(today, 6), originalEndDate: addDays(today, 6), version: 2 });

      const opened = await ctx.api.post(`/api/v1/consultations/${id}/open`, { version: 2 }, { headers: hr.headers });
      expect(opened.statusCode).toBe(200);
      expect(opened.body).toMatchObject({ status: 'open', minimumPeriodDays: 30, openedAt: expect.any(String) });
      expectErrorShape(await ctx.api.post(`/api/v1/consultations/${id}/open`, {}, { headers: hr.headers }), 409);

      const endAfterOpen = await ctx.api.patch(`/api/v1/consultations/${id}`, { version: opened.body.version, plannedEndDate: addDays(today, 20) }, { headers: hr.headers });
      expectErrorShape(endAfterOpen, 422);
      expect(endAfterOpen.body.details[0]).toEqual({ field: 'plannedEndDate', reason: 'can only be changed while the consultation is planned; extend it instead' });

      const stale = await ctx.api.post(`/api/v1/consultations/${id}/extend`, { version: 1, plannedEndDate: addDays(today, 20), reason: 'x' }, { headers: hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(opened.body.version);

      const notLater = await ctx.api.post(`/api/v1/consultations/${id}/extend`, { plannedEndDate: addDays(today, 6), reason: 'x' }, { headers: hr.headers });
      expectErrorShape(notLater, 422);
      expect(notLater.body.details[0].field).toBe('plannedEndDate');

      const extended = await ctx.api.post(
        `/api/v1/consultations/${id}/extend`,
        { plannedEndDate: addDays(today, 20), reason: 'At the unions’ request, to consider the revised structure chart' },
        { headers: hr.headers },
      );
      expect(extended.statusCode).toBe(200);
      expect(extended.body).toMatchObject({ status: 'extended', plannedEndDate: addDays(today, 20), originalEndDate: addDays(today, 6), extensionReason: expect.any(String) });
      const endMilestone = (await ctx.api.get(`/api/v1/consultations/${id}/milestones`, { headers: hr.headers })).body.find(
        (m: { kind: string }) => m.kind === 'consultation_end',
      );
      expect(endMilestone).toMatchObject({ dueDate: addDays(today, 20), status: 'pending' });

      const future = await ctx.api.post(`/api/v1/consultations/${id}/close`, { closedOn: addDays(today, 1), summary: 'x' }, { headers: hr.headers });
      expectErrorShape(future, 422);
      expect(future.body.details[0].field).toBe('closedOn');

      const closed = await ctx.api.post(`/api/v1/consultations/${id}/close`, { summary: 'Measures agreed at the forum' }, { headers: hr.headers });
      expect(closed.statusCode).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closedOn: today, closingSummary: 'Measures agreed at the forum' });
      expectErrorShape(await ctx.api.patch(`/api/v1/consultations/${id}`, { version: closed.body.version, title: 'New' }, { headers: hr.headers }), 409);

      const events = await eventsFor(ctx.sql, id);
      expect(events.map((e) => e.type)).toEqual(['consultation.opened', 'consultation.extended', 'consultation.closed']);
      expect(events.every((e) => e.programme_id === fx.programmeId)).toBe(true);
      expect(events[1].payload).toMatchObject({ title: 'Restructure of commissioning', previousEndDate: addDays(today, 6), plannedEndDate: addDays(today, 20) });
      expect(events[2].payload).toMatchObject({ closedOn: today, closingSummary: 'Measures agreed at the forum' });
      // Closing reaches the "period ends" milestone, once.
      const endEvents = await eventsFor(ctx.sql, endMilestone.id);
      expect(endEvents.map((e) => e.type)).toEqual(['milestone.reached']);
      expect(await auditActions(ctx.sql, id)).toEqual([
        'consultation.create',
        'consultation.update',
        'consultation.open',
        'consultation.extend',
        'consultation.close',
      ]);
    });

    it('closes before 45 days have run (s.188 is a start-by rule), saying what remains owed', async () => {
      const created = await cr(100, today, addDays(today, 50));
      await ctx.api.post(`/api/v1/consultations/${created.body.id}/open`, {}, { headers: hr.headers });
      const res = await ctx.api.post(`/api/v1/consultations/${created.body.id}/close`, { summary: 'Done early' }, { headers: hr.headers });
      expect(res.statusCode).toBe(200);
      expect(res.body.status).toBe('closed');
      expect(res.body.statutory.remainsOwed[0]).toBe(`Closed on day 1 of 45: allowed, but no dismissal may take effect before ${addDays(today, 45)} (s.188(1A))`);
    });

    it('will not open before the start date', async () => {
      const created = await create({ kind: 'tupe_information_consultation', startDate: addDays(today, 3), plannedEndDate: addDays(today, 40) });
      const res = await ctx.api.post(`/api/v1/consultations/${created.body.id}/open`, {}, { headers: hr.headers });
      expectErrorShape(res, 422);
      expect(res.body.details[0].field).toBe('startDate');
    });
  });

  describe('covered posts', () => {
    it('sets the posts of the programme a consultation covers, refusing another programme’s', async () => {
      const created = await create({ kind: 'tupe_information_consultation', startDate: today, plannedEndDate: addDays(today, 30) });
      const mh = await createPosts(ctx.sql, fx, { area: 'Mental Health', grade: 'G7', count: 2 });
      const ld = await createPosts(ctx.sql, fx, { area: 'Learning Disability', grade: 'G9', count: 1, fte: 0.5 });
      const foreign = await createPosts(ctx.sql, other, { area: 'Mental Health', grade: 'G7', count: 1 });
      const refused = await ctx.api.put(`/api/v1/consultations/${created.body.id}/posts`, { postIds: [mh[0], foreign[0]] }, { headers: hr.headers });
      expectErrorShape(refused, 422);
      expect(refused.body.details).toEqual([{ field: 'postIds[1]', reason: 'is not a post of the consultation’s programme' }]);

      const set = await ctx.api.put(`/api/v1/consultations/${created.body.id}/posts`, { postIds: [...mh, ...ld] }, { headers: hr.headers });
      expect(set.statusCode).toBe(200);
      expect(set.body).toHaveLength(3);
      expect(set.body.find((p: { id: string }) => p.id === ld[0])).toMatchObject({ grade: 'G9', thematicArea: 'Learning Disability', fte: 0.5 });
      expect(await auditActions(ctx.sql, created.body.id)).toContain('consultation.set_posts');

      // A manager sees the posts of their own areas only; a tu_rep gets counts from /status instead.
      const mine = await ctx.api.get(`/api/v1/consultations/${created.body.id}/posts`, { headers: manager.headers });
      expect(mine.body.map((p: { id: string }) => p.id).sort()).toEqual([...mh].sort());
      expectErrorShape(await ctx.api.get(`/api/v1/consultations/${created.body.id}/posts`, { headers: rep.headers }), 403);

      // The database keeps the programme rule too.
      await expect(
        ctx.sql.query(`INSERT INTO consultation_posts (consultation_id, post_id) VALUES ($1, $2)`, [created.body.id, foreign[0]]),
      ).rejects.toThrow(/not in the programme/);
    });
  });

  describe('milestones', () => {
    let consultationId: string;
    beforeAll(async () => {
      consultationId = (await create({ kind: 'tupe_information_consultation', startDate: today, plannedEndDate: addDays(today, 60) })).body.id;
    });
    const add = (payload: Record<string, unknown>) => ctx.api.post(`/api/v1/consultations/${consultationId}/milestones`, payload, { headers: hr.headers });

    it('defaults reminders to 14, 7 and 1 days before and the audience to the forum and HR', async () => {
      const res = await add({ title: 'Measures letter to the unions', kind: 'measures_letter', dueDate: addDays(today, 20), ownerUserId: hr.id });
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ status: 'pending', reminderOffsets: [14, 7, 1], audience: ['forum', 'hr'], ownerUserId: hr.id, version: 1 });
      expect(await auditActions(ctx.sql, res.body.id)).toEqual(['milestone.create']);
    });

    it('refuses a bad audience, bad reminder offsets and a trade union rep as owner', async () => {
      const badAudience = await add({ title: 'x', kind: 'other', dueDate: today, audience: ['forum', 'everyone'] });
      expectErrorShape(badAudience, 400);
      expect(badAudience.body.details[0].field).toBe('audience');
      const badOffsets = await add({ title: 'x', kind: 'other', dueDate: today, reminderOffsets: [14, 400] });
      expectErrorShape(badOffsets, 400);
      expect(badOffsets.body.details[0].field).toBe('reminderOffsets');
      const repOwner = await add({ title: 'x', kind: 'other', dueDate: today, ownerUserId: rep.id });
      expectErrorShape(repOwner, 422);
      expect(repOwner.body.details[0].field).toBe('ownerUserId');
      await expect(ctx.sql.query(`UPDATE milestones SET audience = '{forum,press}' WHERE consultation_id = $1`, [consultationId])).rejects.toThrow(/milestones_audience/);
    });

    it('reaching a milestone and missing one are announced; done is final', async () => {
      const a = (await add({ title: 'Joint HR/OD team briefing', kind: 'other', dueDate: today, reminderOffsets: [3, 1] })).body;
      const done = await ctx.api.post(`/api/v1/milestones/${a.id}/status`, { status: 'done' }, { headers: hr.headers });
      expect(done.statusCode).toBe(200);
      expect(done.body).toMatchObject({ status: 'done', completedOn: today });
      expectErrorShape(await ctx.api.post(`/api/v1/milestones/${a.id}/status`, { status: 'pending' }, { headers: hr.headers }), 409);
      const b = (await add({ title: 'Structure chart to the forum', kind: 'forum', dueDate: addDays(today, -2) })).body;
      expect((await ctx.api.post(`/api/v1/milestones/${b.id}/status`, { status: 'missed' }, { headers: hr.headers })).body.status).toBe('missed');

      const reached = await eventsFor(ctx.sql, a.id);
      expect(reached.map((e) => e.type)).toEqual(['milestone.reached']);
      expect(reached[0].payload).toMatchObject({ title: 'Joint HR/OD team briefing', dueDate: today, completedOn: today, consultationId, audience: ['forum', 'hr'] });
      expect((await eventsFor(ctx.sql, b.id)).map((e) => e.type)).toEqual(['milestone.missed']);
    });

    it('keeps a derived milestone in step with the consultation; its date cannot be moved by hand', async () => {
      const end = (await ctx.api.get(`/api/v1/consultations/${consultationId}/milestones`, { headers: hr.headers })).body.find(
        (m: { derivedFrom: string | null }) => m.derivedFrom === 'planned_end_date',
      );
      const moved = await ctx.api.patch(`/api/v1/milestones/${end.id}`, { version: end.version, dueDate: addDays(today, 61) }, { headers: hr.headers });
      expectErrorShape(moved, 422);
      expect(moved.body.details[0].field).toBe('dueDate');
      const c = (await ctx.api.get(`/api/v1/consultations/${consultationId}`, { headers: hr.headers })).body;
      await ctx.api.patch(`/api/v1/consultations/${consultationId}`, { version: c.version, plannedEndDate: addDays(today, 70) }, { headers: hr.headers });
      expect((await ctx.api.get(`/api/v1/milestones/${end.id}`, { headers: hr.headers })).body.dueDate).toBe(addDays(today, 70));
    });

    it('shows a tu_rep the milestones meant for the forum, not those for HR alone, and never the owner', async () => {
      const hrOnly = (await add({ title: 'Draft HR1 for sign-off', kind: 'other', dueDate: addDays(today, 5), audience: ['hr'] })).body;
      const forManagers = (await add({ title: 'Managers’ briefing', kind: 'other', dueDate: addDays(today, 6), audience: ['managers'] })).body;
      const list = await ctx.api.get(`/api/v1/consultations/${consultationId}/milestones`, { headers: rep.headers });
      expect(list.statusCode).toBe(200);
      const ids = list.body.map((m: { id: string }) => m.id);
      expect(ids).not.toContain(hrOnly.id);
      expect(ids).not.toContain(forManagers.id);
      expect(list.body.length).toBeGreaterThan(0);
      expect(list.body.every((m: object) => !('ownerUserId' in m))).toBe(true);
      expectNoPersonalData(list.body, [hr.email, 'Hilda Hrofficer']);
      await expectInvisible(ctx, rep, 'GET', `/api/v1/milestones/${hrOnly.id}`);
      const managerList = (await ctx.api.get(`/api/v1/consultations/${consultationId}/milestones`, { headers: manager.headers })).body.map((m: { id: string }) => m.id);
      expect(managerList).toContain(forManagers.id);
      expect(managerList).not.toContain(hrOnly.id);
    });
  });

  describe('rules carry the date they apply from; a later change never rewrites a past deadline', () => {
    it('keeps an open consultation on the rules it began under, and applies new rules only from their date', async () => {
      const before = await cr(100, today, addDays(today, 50));
      await ctx.api.post(`/api/v1/consultations/${before.body.id}/open`, {}, { headers: hr.headers });
      const planned = await cr(100, addDays(today, 12), addDays(today, 12 + 50));

      const from = addDays(today, 10);
      const newLaw = {
        appliesFrom: from,
        bands: [
          { minDismissals: 20, maxDismissals: 99, minimumPeriodDays: 30, hr1DaysBefore: 30, citation: 'Invented amendment (test), 20 to 99' },
          { minDismissals: 100, maxDismissals: null, minimumPeriodDays: 60, hr1DaysBefore: 60, citation: 'Invented amendment (test), 100 or more' },
        ],
      };
      expectErrorShape(await ctx.api.post('/api/v1/consultation-rules', newLaw, { headers: hr.headers }), 403);
      const added = await ctx.api.post('/api/v1/consultation-rules', newLaw, { headers: admin.headers });
      expect(added.statusCode).toBe(201);
      expect(added.body.appliesFrom).toBe(from);

      // The open consultation keeps its 45 days and HR1 date, even when its numbers change.
      const after = await ctx.api.get(`/api/v1/consultations/${before.body.id}`, { headers: hr.headers });
      expect(after.body).toMatchObject({ minimumPeriodDays: 45, minimumEndDate: before.body.minimumEndDate, hr1DueDate: before.body.hr1DueDate, rulesAppliedFrom: '2013-04-06' });
      const more = await ctx.api.patch(`/api/v1/consultations/${before.body.id}`, { version: after.body.version, proposedDismissals: 180 }, { headers: hr.headers });
      expect(more.statusCode).toBe(200);
      expect(more.body).toMatchObject({ proposedDismissals: 180, minimumPeriodDays: 45, rulesAppliedFrom: '2013-04-06' });

      // A consultation starting the day before the change: old rules. From the day: new ones.
      expect((await cr(100, addDays(from, -1), addDays(from, -1 + 44))).body).toMatchObject({ minimumPeriodDays: 45, rulesAppliedFrom: '2013-04-06' });
      const shorter = await cr(100, from, addDays(from, 49));
      expect(shorter.body).toMatchObject({ minimumPeriodDays: 60, rulesAppliedFrom: from, statutory: { earliestFirstDismissalDate: addDays(from, 60) } });
      expect((await cr(100, from, addDays(from, 59))).body).toMatchObject({ minimumPeriodDays: 60, rulesAppliedFrom: from });

      // A planned consultation that starts after the change gets the new rules when it is next derived.
      expect(planned.body).toMatchObject({ minimumPeriodDays: 45, rulesAppliedFrom: '2013-04-06' });
      const replanned = await ctx.api.patch(`/api/v1/consultations/${planned.body.id}`, { version: planned.body.version, title: 'Replanned' }, { headers: hr.headers });
      expect(replanned.statusCode).toBe(200);
      expect(replanned.body).toMatchObject({ minimumPeriodDays: 60, rulesAppliedFrom: from, hr1DueDate: addDays(today, 12) });

      // New versions only go forward in time; recorded versions cannot be edited.
      const backdated = await ctx.api.post('/api/v1/consultation-rules', { ...newLaw, appliesFrom: addDays(today, 5) }, { headers: admin.headers });
      expectErrorShape(backdated, 422);
      expect(backdated.body.details[0].field).toBe('appliesFrom');
      await expect(ctx.sql.query(`UPDATE collective_redundancy_rules SET minimum_period_days = 10`)).rejects.toThrow(/append-only/);
      await expect(ctx.sql.query(`DELETE FROM collective_redundancy_rules`)).rejects.toThrow(/append-only/);
      const versions = await ctx.api.get('/api/v1/consultation-rules', { headers: rep.headers });
      expect(versions.body.map((v: { appliesFrom: string }) => v.appliesFrom)).toEqual(['1995-10-26', '2013-04-06', from]);
    });

    it('refuses overlapping bands', async () => {
      const res = await ctx.api.post(
        '/api/v1/consultation-rules',
        {
          appliesFrom: addDays(today, 400),
          bands: [
            { minDismissals: 20, maxDismissals: null, minimumPeriodDays: 30, hr1DaysBefore: 30, citation: 'a' },
            { minDismissals: 100, maxDismissals: null, minimumPeriodDays: 45, hr1DaysBefore: 45, citation: 'b' },
          ],
        },
        { headers: admin.headers },
      );
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual([{ field: 'bands[1].minDismissals', reason: 'overlaps the band starting at 20' }]);
    });
  });

  describe('access', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create({ kind: 'tupe_information_consultation', startDate: today, plannedEndDate: addDays(today, 30) })).body.id;
    });

    it('lets HR officers and admins manage, everyone read', async () => {
      const users = await createUsersForAllRoles(ctx, {
        [Role.TuRep]: [{ programmeId: fx.programmeId, thematicAreaId: null }],
        [Role.Manager]: [{ programmeId: fx.programmeId, thematicAreaId: fx.areaIds['Mental Health'] }],
      });
      const all = [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep];
      const staff = [Role.Admin, Role.HrOfficer];
      await expectRouteAllows(ctx, 'GET', '/api/v1/consultations', all, { users });
      await expectRouteAllows(ctx, 'GET', `/api/v1/consultations/${id}`, all, { users });
      await expectRouteAllows(ctx, 'GET', `/api/v1/consultations/${id}/status`, all, { users });
      await expectRouteAllows(ctx, 'GET', `/api/v1/consultations/${id}/milestones`, all, { users });
      await expectRouteAllows(ctx, 'GET', '/api/v1/consultation-rules', all, { users });
      await expectRouteAllows(ctx, 'GET', `/api/v1/consultations/${id}/posts`, [Role.Admin, Role.HrOfficer, Role.Manager], { users });
      await expectRouteAllows(ctx, 'POST', '/api/v1/consultations', staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'PATCH', `/api/v1/consultations/${id}`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'POST', `/api/v1/consultations/${id}/open`, staff, { users, payload: { version: 999 } });
      await expectRouteAllows(ctx, 'POST', `/api/v1/consultations/${id}/extend`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'POST', `/api/v1/consultations/${id}/close`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'PUT', `/api/v1/consultations/${id}/posts`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'POST', `/api/v1/consultations/${id}/milestones`, staff, { users, payload: {} });
      await expectRouteAllows(ctx, 'POST', '/api/v1/consultation-rules', [Role.Admin], { users, payload: {} });
    });

    it('hides another programme’s consultation (404), from lists too', async () => {
      for (const url of [`/api/v1/consultations/${id}`, `/api/v1/consultations/${id}/status`, `/api/v1/consultations/${id}/milestones`]) {
        await expectInvisible(ctx, otherRep, 'GET', url);
      }
      const list = await ctx.api.get('/api/v1/consultations', { headers: otherRep.headers });
      expect(list.statusCode).toBe(200);
      expect(list.body).toEqual([]);
      const mine = await ctx.api.get('/api/v1/consultations', { headers: rep.headers });
      expect(mine.body.map((c: { id: string }) => c.id)).toContain(id);
    });

    it('gives a tu_rep no personal data', async () => {
      const list = await ctx.api.get('/api/v1/consultations', { headers: rep.headers });
      expectNoPersonalData(list.body, [hr.email, 'Hilda Hrofficer']);
      const one = await ctx.api.get(`/api/v1/consultations/${id}`, { headers: rep.headers });
      expect(one.statusCode).toBe(200);
      expectNoPersonalData(one.body, [hr.email, 'Hilda Hrofficer']);
      const rules = await ctx.api.get('/api/v1/consultation-rules', { headers: rep.headers });
      expectNoPersonalData(rules.body);
    });
  });
});
