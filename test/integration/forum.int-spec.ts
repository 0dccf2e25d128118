import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectInvisible, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
import { addDays, auditActions, ConsultationFixture, createProgramme, eventsFor, londonToday } from '../support/factories/consultation-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

// testTimeout in a Jest project's config is not applied; boots and multi-request tests need more than 5 s on a loaded machine.
jest.setTimeout(60_000);

/**
 * The joint trade union forum: unions, members (reps and management side), meetings with
 * agenda, papers, minutes and actions, and representations with the employer's reasoned
 * responses. Every change audited and, where the forum must hear of it, announced.
 */

describe('joint trade union forum', () => {
  let ctx: TestContext;
  let fx: ConsultationFixture;
  let other: ConsultationFixture;
  let hr: TestUser;
  let admin: TestUser;
  let rep: TestUser;
  let repNotMember: TestUser;
  let otherRep: TestUser;
  let manager: TestUser;
  let forumId: string;
  let unisonId: string;
  let gmbId: string;
  let uniteId: string;
  let repSeatId: string;
  let mgmtSeatId: string;
  let consultationId: string;
  const today = londonToday();
  const at = (date: string, time: string) => `${date}T${time}:00Z`;
  const personal = ['Rowan Repsurname', 'rowan.rep@unison.example.org', 'Morgan Mgmtsurname', 'morgan.m@council.example', 'Gale Gmbsurname', 'gale@gmb.example.org'];

  beforeAll(async () => {
    ctx = await startTestApp();
    fx = await createProgramme(ctx.sql);
    other = await createProgramme(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer, { displayName: 'Harriet Hrsurname' });
    admin = await createUser(ctx, Role.Admin);
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: null }] });
    repNotMember = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: null }] });
    otherRep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: other.programmeId, thematicAreaId: null }] });
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: fx.areaIds['Mental Health'] }] });
    personal.push(hr.email, 'Harriet Hrsurname');
    consultationId = (
      await ctx.api.post(
        '/api/v1/consultations',
        { programmeId: fx.programmeId, title: 'Transfer to the CCG', kind: 'tupe_information_consultation', startDate: today, plannedEndDate: addDays(today, 60) },
        { headers: hr.headers },
      )
    ).body.id;
  });
  afterAll(async () => ctx?.close());

  describe('unions and the forum', () => {
    it('keeps unions as reference data, one of each name', async () => {
      const unison = await ctx.api.post('/api/v1/unions', { name: 'UNISON', description: 'UNISON, the public service union' }, { headers: hr.headers });
      expect(unison.statusCode).toBe(201);
      expect(unison.body).toEqual({ id: expect.any(String), unionName: 'UNISON', description: 'UNISON, the public service union' });
      unisonId = unison.body.id;
      gmbId = (await ctx.api.post('/api/v1/unions', { name: 'GMB' }, { headers: hr.headers })).body.id;
      uniteId = (await ctx.api.post('/api/v1/unions', { name: 'Unite' }, { headers: admin.headers })).body.id;
      const dup = await ctx.api.post('/api/v1/unions', { name: 'unison' }, { headers: hr.headers });
      expectErrorShape(dup, 409);
      expect(dup.body.details).toEqual([{ field: 'name', reason: 'is already used' }]);
      const list = await ctx.api.get('/api/v1/unions', { headers: rep.headers });
      expect(list.body.map((u: { unionName: string }) => u.unionName)).toEqual(['GMB', 'UNISON', 'Unite']);
      expectNoPersonalData(list.body, personal);
    });

    it('sets up one forum per programme, with the unions it recognises', async () => {
      const res = await ctx.api.post(
        '/api/v1/forums',
        { programmeId: fx.programmeId, title: 'Joint Trade Union Forum', termsOfReference: 'Meets monthly.', unionIds: [unisonId, gmbId] },
        { headers: hr.headers },
      );
      expect(res.statusCode).toBe(201);
      expect(res.body.unions.map((u: { unionName: string }) => u.unionName)).toEqual(['GMB', 'UNISON']);
      forumId = res.body.id;
      const second = await ctx.api.post('/api/v1/forums', { programmeId: fx.programmeId, title: 'Another' }, { headers: hr.headers });
      expectErrorShape(second, 409);
      expect(second.body.details[0].field).toBe('programmeId');
      const added = await ctx.api.put(`/api/v1/forums/${forumId}/unions/${uniteId}`, undefined, { headers: hr.headers });
      expect(added.body.unions).toHaveLength(3);
      expect(await auditActions(ctx.sql, forumId)).toEqual(['forum.create', 'forum.add_union', 'forum.add_union', 'forum.add_union']);
      const unknown = await ctx.api.post('/api/v1/forums', { programmeId: other.programmeId, title: 'X', unionIds: ['4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e'] }, { headers: hr.headers });
      expectErrorShape(unknown, 422);
      expect(unknown.body.details).toEqual([{ field: 'unionIds[0]', reason: 'is not a known union' }]);
    });

    it('shows the forum to its programme’s reps and managers, and 404 to anyone else', async () => {
      const seen = await ctx.api.get(`/api/v1/forums/${forumId}`, { headers: rep.headers });
      expect(seen.statusCode).toBe(200);
      expectNoPersonalData(seen.body, personal);
      expect((await ctx.api.get(`/api/v1/forums/${forumId}`, { headers: manager.headers })).statusCode).toBe(200);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/forums/${forumId}`);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/forums/${forumId}/members`);
      expect((await ctx.api.get('/api/v1/forums', { headers: otherRep.headers })).body).toEqual([]);
      const mine = await ctx.api.get('/api/v1/forums', { headers: rep.headers });
      expect(mine.body.map((f: { id: string }) => f.id)).toEqual([forumId]);
      expectNoPersonalData(mine.body, personal);
    });
  });

  describe('members', () => {
    const add = (payload: Record<string, unknown>) => ctx.api.post(`/api/v1/forums/${forumId}/members`, payload, { headers: hr.headers });

    it('seats union reps with their union and the management side without one, each with a contact email', async () => {
      const seat = await add({ side: 'union', unionId: unisonId, displayName: 'Rowan Repsurname', email: 'Rowan.Rep@unison.example.org', roleTitle: 'Branch secretary', userId: rep.id });
      expect(seat.statusCode).toBe(201);
      expect(seat.body).toMatchObject({ side: 'union', unionName: 'UNISON', email: 'rowan.rep@unison.example.org', userId: rep.id });
      repSeatId = seat.body.id;
      mgmtSeatId = (await add({ side: 'management', displayName: 'Morgan Mgmtsurname', email: 'morgan.m@council.example', roleTitle: 'Head of HR' })).body.id;
      await add({ side: 'union', unionId: gmbId, displayName: 'Gale Gmbsurname', email: 'gale@gmb.example.org', roleTitle: 'Regional organiser' });
      expect(await auditActions(ctx.sql, repSeatId)).toEqual(['forum_member.create']);
    });

    it('refuses seats that do not fit', async () => {
      const noUnion = await add({ side: 'union', displayName: 'A', email: 'a@example.org' });
      expectErrorShape(noUnion, 422);
      expect(noUnion.body.details[0].field).toBe('unionId');
      const mgmtWithUnion = await add({ side: 'management', unionId: unisonId, displayName: 'A', email: 'a@example.org' });
      expectErrorShape(mgmtWithUnion, 422);
      const dupEmail = await add({ side: 'management', displayName: 'B', email: 'morgan.m@council.example' });
      expectErrorShape(dupEmail, 409);
      expect(dupEmail.body.details[0].field).toBe('email');
      const hrAsRep = await add({ side: 'union', unionId: gmbId, displayName: 'C', email: 'c@example.org', userId: hr.id });
      expectErrorShape(hrAsRep, 422);
      expect(hrAsRep.body.details[0]).toEqual({ field: 'userId', reason: 'must be a tu_rep user for a member of the union side' });
      const badEmail = await add({ side: 'management', displayName: 'D', email: 'not-an-email' });
      expectErrorShape(badEmail, 400);
      expect(badEmail.body.details).toEqual([{ field: 'email', reason: 'must be an email address' }]);
      // Leaving the forum's unions: a union with seats cannot be removed.
      expectErrorShape(await ctx.api.delete(`/api/v1/forums/${forumId}/unions/${unisonId}`, { headers: hr.headers }), 409);
    });

    it('shows a tu_rep each seat’s side, union and role, but no names or emails', async () => {
      const res = await ctx.api.get(`/api/v1/forums/${forumId}/members`, { headers: rep.headers });
      expect(res.statusCode).toBe(200);
      expect(res.body).toHaveLength(3);
      expectNoPersonalData(res.body, personal);
      expect(res.body.find((m: { id: string }) => m.id === repSeatId)).toMatchObject({ side: 'union', unionName: 'UNISON', roleTitle: 'Branch secretary', isYou: true });
      const hrView = await ctx.api.get(`/api/v1/forums/${forumId}/members`, { headers: hr.headers });
      expect(hrView.body.find((m: { id: string }) => m.id === mgmtSeatId)).toMatchObject({ displayName: 'Morgan Mgmtsurname', email: 'morgan.m@council.example' });
    });

    it('records that a member left, with optimistic concurrency', async () => {
      const gale = (await ctx.api.get(`/api/v1/forums/${forumId}/members`, { headers: hr.headers })).body.find((m: { email: string }) => m.email === 'gale@gmb.example.org');
      const left = await ctx.api.patch(`/api/v1/forum-members/${gale.id}`, { version: gale.version, leftOn: today }, { headers: hr.headers });
      expect(left.body).toMatchObject({ leftOn: today, version: gale.version + 1 });
      const stale = await ctx.api.patch(`/api/v1/forum-members/${gale.id}`, { version: gale.version, roleTitle: 'x' }, { headers: hr.headers });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(gale.version + 1);
    });

    it('never stores the union membership of staff', async () => {
      const { rows } = await ctx.sql.query(
        `SELECT table_name || '.' || column_name AS col FROM information_schema.columns
         WHERE table_schema = 'public' AND (column_name ILIKE '%union%' OR column_name ILIKE '%membership%') ORDER BY 1`,
      );
      expect(rows.map((r: { col: string }) => r.col)).toEqual(['forum_members.union_id', 'forum_unions.union_id', 'representations.union_id']);
    });
  });

  describe('meetings, minutes and actions', () => {
    const schedule = (payload: Record<string, unknown>) =>
      ctx.api.post(`/api/v1/forums/${forumId}/meetings`, { title: 'Joint TU forum', location: 'Committee Room 6, Town Hall Extension', ...payload }, { headers: hr.headers });

    it('schedules a meeting and tells the forum: what, when, where, no personal data', async () => {
      const res = await schedule({ startsAt: at(addDays(today, 14), '10:00'), endsAt: at(addDays(today, 14), '12:00'), agenda: '1. Measures', papers: [{ title: 'Draft measures letter', url: 'https://intranet.example.org/m.pdf' }], consultationId });
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ status: 'scheduled', consultationId, papers: [{ title: 'Draft measures letter', url: 'https://intranet.example.org/m.pdf' }], minutes: null });
      const events = await eventsFor(ctx.sql, res.body.id);
      expect(events.map((e) => e.type)).toEqual(['forum_meeting.scheduled']);
      expect(events[0].programme_id).toBe(fx.programmeId);
      expect(events[0].payload).toMatchObject({ title: 'Joint TU forum', startsAt: new Date(at(addDays(today, 14), '10:00')).toISOString(), location: 'Committee Room 6, Town Hall Extension', forumTitle: 'Joint Trade Union Forum' });
      expectNoPersonalData(events[0].payload, personal);
      expect(await auditActions(ctx.sql, res.body.id)).toEqual(['forum_meeting.create']);
    });

    it('refuses impossible times and foreign consultations', async () => {
      const backwards = await schedule({ startsAt: at(addDays(today, 3), '12:00'), endsAt: at(addDays(today, 3), '10:00') });
      expectErrorShape(backwards, 422);
      expect(backwards.body.details).toEqual([{ field: 'endsAt', reason: 'must be after startsAt' }]);
      const noOffset = await schedule({ startsAt: '2030-01-01T10:00', endsAt: '2030-01-01T12:00' });
      expectErrorShape(noOffset, 400);
      expect(noOffset.body.details[0].field).toBe('startsAt');
      const foreign = (
        await ctx.api.post(
          '/api/v1/consultations',
          { programmeId: other.programmeId, title: 'Other', kind: 'informal_engagement', startDate: today, plannedEndDate: today },
          { headers: hr.headers },
        )
      ).body.id;
      const res = await schedule({ startsAt: at(addDays(today, 3), '10:00'), endsAt: at(addDays(today, 3), '11:00'), consultationId: foreign });
      expectErrorShape(res, 422);
      expect(res.body.details[0].field).toBe('consultationId');
      await expect(
        ctx.sql.query(
          `INSERT INTO forum_meetings (forum_id, consultation_id, title, starts_at, ends_at, location) VALUES ($1, $2, 'x', now(), now() + interval '1 hour', 'x')`,
          [forumId, foreign],
        ),
      ).rejects.toThrow(/is not in the programme of forum/);
      const badPaper = await schedule({ startsAt: at(addDays(today, 3), '10:00'), endsAt: at(addDays(today, 3), '11:00'), papers: [{ title: 'x', url: 'javascript:alert(1)' }] });
      expectErrorShape(badPaper, 400);
      expect(badPaper.body.details[0].field).toBe('papers[0].url');
      // A paper must be an object with a title: [[]], [{}] and [null] are refused, nothing stored.
      for (const papers of [[[]], [{}], [null], [{ title: '' }]]) {
        const res = await schedule({ startsAt: at(addDays(today, 3), '10:00'), endsAt: at(addDays(today, 3), '11:00'), papers });
        expectErrorShape(res, 400);
        expect(res.body.details[0].field).toMatch(/^papers(\[0\]|$)/);
      }
      const stored = await ctx.sql.query(`SELECT count(*)::int AS n FROM forum_meetings m, jsonb_array_elements(m.papers) p WHERE jsonb_typeof(p) <> 'object' OR coalesce(p->>'title', '') = ''`);
      expect(stored.rows[0].n).toBe(0);
    });

    it('announces a change of time, place or papers, saying what changed; cancels with a reason', async () => {
      const m = (await schedule({ startsAt: at(addDays(today, 20), '10:00'), endsAt: at(addDays(today, 20), '12:00') })).body;
      const moved = await ctx.api.patch(`/api/v1/forum-meetings/${m.id}`, { version: m.version, startsAt: at(addDays(today, 21), '10:00'), endsAt: at(addDays(today, 21), '12:00') }, { headers: hr.headers });
      expect(moved.statusCode).toBe(200);
      const agenda = await ctx.api.patch(`/api/v1/forum-meetings/${m.id}`, { version: moved.body.version, agenda: 'New agenda' }, { headers: hr.headers });
      const quiet = await ctx.api.patch(`/api/v1/forum-meetings/${m.id}`, { version: agenda.body.version, consultationId }, { headers: hr.headers });
      expect(quiet.statusCode).toBe(200);
      expectErrorShape(await ctx.api.patch(`/api/v1/forum-meetings/${m.id}`, { version: m.version, location: 'Elsewhere' }, { headers: hr.headers }), 409);
      const cancelled = await ctx.api.post(`/api/v1/forum-meetings/${m.id}/cancel`, { reason: 'Clashes with the Executive' }, { headers: hr.headers });
      expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'Clashes with the Executive' });
      expectErrorShape(await ctx.api.post(`/api/v1/forum-meetings/${m.id}/cancel`, { reason: 'again' }, { headers: hr.headers }), 409);
      expectErrorShape(await ctx.api.patch(`/api/v1/forum-meetings/${m.id}`, { version: cancelled.body.version, title: 'x' }, { headers: hr.headers }), 409);

      const events = await eventsFor(ctx.sql, m.id);
      expect(events.map((e) => e.type)).toEqual(['forum_meeting.scheduled', 'forum_meeting.changed', 'forum_meeting.changed', 'forum_meeting.cancelled']);
      // What changed, with the label a notice shows and the values before and after (the typed forum_meeting.changed event).
      const iso = (days: number, time: string) => new Date(at(addDays(today, days), time)).toISOString();
      expect(events[1].payload).toMatchObject({
        changes: [
          { field: 'startsAt', label: 'start time', from: iso(20, '10:00'), to: iso(21, '10:00') },
          { field: 'endsAt', label: 'end time', from: iso(20, '12:00'), to: iso(21, '12:00') },
        ],
        previousStartsAt: iso(20, '10:00'),
      });
      expect(events[2].payload).toMatchObject({ changes: [{ field: 'agenda', label: 'agenda' }] });
      expect(events[3].payload).toMatchObject({ cancellationReason: 'Clashes with the Executive', status: 'cancelled' });
    });

    it('holds a meeting, drafts minutes only HR sees, then publishes them to the forum', async () => {
      const future = (await schedule({ startsAt: at(addDays(today, 2), '10:00'), endsAt: at(addDays(today, 2), '11:00') })).body;
      expectErrorShape(await ctx.api.post(`/api/v1/forum-meetings/${future.id}/held`, {}, { headers: hr.headers }), 422);
      expectErrorShape(await ctx.api.put(`/api/v1/forum-meetings/${future.id}/minutes`, { minutes: 'x' }, { headers: hr.headers }), 409);

      const m = (await schedule({ startsAt: at(addDays(today, -2), '10:00'), endsAt: at(addDays(today, -2), '12:00') })).body;
      expectErrorShape(await ctx.api.post(`/api/v1/forum-meetings/${m.id}/minutes/publish`, {}, { headers: hr.headers }), 409);
      expect((await ctx.api.post(`/api/v1/forum-meetings/${m.id}/held`, {}, { headers: hr.headers })).body.status).toBe('held');
      expectErrorShape(await ctx.api.post(`/api/v1/forum-meetings/${m.id}/minutes/publish`, {}, { headers: hr.headers }), 422);
      await ctx.api.put(`/api/v1/forum-meetings/${m.id}/minutes`, { minutes: 'Draft: the unions asked for the structure chart.' }, { headers: hr.headers });
      const draftForRep = await ctx.api.get(`/api/v1/forum-meetings/${m.id}`, { headers: rep.headers });
      expect(draftForRep.body).toMatchObject({ minutes: null, minutesPublishedAt: null });
      expectNoPersonalData(draftForRep.body, personal);
      expect((await ctx.api.get(`/api/v1/forum-meetings/${m.id}`, { headers: hr.headers })).body.minutes).toContain('Draft');

      const published = await ctx.api.post(`/api/v1/forum-meetings/${m.id}/minutes/publish`, {}, { headers: hr.headers });
      expect(published.statusCode).toBe(200);
      expect(published.body.minutesPublishedAt).toEqual(expect.any(String));
      expect((await ctx.api.get(`/api/v1/forum-meetings/${m.id}`, { headers: rep.headers })).body.minutes).toContain('structure chart');
      expectErrorShape(await ctx.api.post(`/api/v1/forum-meetings/${m.id}/minutes/publish`, {}, { headers: hr.headers }), 409);
      expectErrorShape(await ctx.api.put(`/api/v1/forum-meetings/${m.id}/minutes`, { minutes: 'Rewritten' }, { headers: hr.headers }), 409);
      const events = await eventsFor(ctx.sql, m.id);
      expect(events.map((e) => e.type)).toEqual(['forum_meeting.scheduled', 'forum_minutes.published']);
      expect(await auditActions(ctx.sql, m.id)).toEqual(['forum_meeting.create', 'forum_meeting.held', 'forum_meeting.minutes', 'forum_meeting.publish_minutes']);

      // Actions agreed at it, with owners and due dates.
      const action = await ctx.api.post(`/api/v1/forum-meetings/${m.id}/actions`, { description: 'Circulate the structure chart', owner: 'Management side: HR/OD lead', dueDate: addDays(today, 5) }, { headers: hr.headers });
      expect(action.statusCode).toBe(201);
      expect(action.body).toMatchObject({ status: 'open', completedOn: null, version: 1 });
      const done = await ctx.api.patch(`/api/v1/forum-actions/${action.body.id}`, { version: 1, status: 'done' }, { headers: hr.headers });
      expect(done.body).toMatchObject({ status: 'done', completedOn: today });
      const open = await ctx.api.get(`/api/v1/forums/${forumId}/actions?status=open`, { headers: rep.headers });
      expect(open.body.map((a: { id: string }) => a.id)).not.toContain(action.body.id);
      const all = await ctx.api.get(`/api/v1/forums/${forumId}/actions`, { headers: rep.headers });
      expect(all.body.map((a: { id: string }) => a.id)).toContain(action.body.id);
      expectNoPersonalData(all.body, personal);
      const detail = await ctx.api.get(`/api/v1/forum-meetings/${m.id}`, { headers: rep.headers });
      expect(detail.body.actions).toHaveLength(1);
      expect(await auditActions(ctx.sql, action.body.id)).toEqual(['forum_action.create', 'forum_action.update']);
    });

    it('lists meetings to the forum’s reps, not to other programmes’', async () => {
      const list = await ctx.api.get(`/api/v1/forums/${forumId}/meetings`, { headers: rep.headers });
      expect(list.statusCode).toBe(200);
      expect(list.body.length).toBeGreaterThan(2);
      expect(list.body.every((m: { minutes: string | null; minutesPublishedAt: string | null }) => m.minutes === null || m.minutesPublishedAt !== null)).toBe(true);
      expectNoPersonalData(list.body, personal);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/forums/${forumId}/meetings`);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/forum-meetings/${list.body[0].id}`);
    });
  });

  describe('representations and the employer’s responses', () => {
    let repId: string;

    it('lets a union-side rep record a representation for their own union', async () => {
      const res = await ctx.api.post(
        `/api/v1/forums/${forumId}/representations`,
        { consultationId, subject: 'Pay protection', body: 'We ask that protected pay last three years.' },
        { headers: rep.headers },
      );
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ status: 'awaiting_response', unionId: unisonId, unionName: 'UNISON', madeByMemberId: repSeatId, consultationId, response: null });
      expect(res.body).not.toHaveProperty('recordedBy');
      expectNoPersonalData(res.body, personal);
      repId = res.body.id;
      expect(await auditActions(ctx.sql, repId)).toEqual(['representation.create']);
    });

    it('refuses a rep who is not on the forum, another union, or another programme’s rep', async () => {
      const notMember = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { subject: 'x', body: 'y' }, { headers: repNotMember.headers });
      expectErrorShape(notMember, 403);
      const otherUnion = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { unionId: gmbId, subject: 'x', body: 'y' }, { headers: rep.headers });
      expectErrorShape(otherUnion, 422);
      expect(otherUnion.body.details[0]).toEqual({ field: 'unionId', reason: 'must be your own union' });
      await expectInvisible(ctx, otherRep, 'POST', `/api/v1/forums/${forumId}/representations`, { subject: 'x', body: 'y' });
      const future = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { unionId: gmbId, subject: 'x', body: 'y', receivedAt: at(addDays(today, 3), '10:00') }, { headers: hr.headers });
      expectErrorShape(future, 422);
      const mgmtAsMaker = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { madeByMemberId: mgmtSeatId, subject: 'x', body: 'y' }, { headers: hr.headers });
      expectErrorShape(mgmtAsMaker, 422);
      expect(mgmtAsMaker.body.details[0].field).toBe('madeByMemberId');
      const notRecognised = await ctx.api.post(
        `/api/v1/forums/${forumId}/representations`,
        { unionId: (await ctx.api.post('/api/v1/unions', { name: 'RCN' }, { headers: hr.headers })).body.id, subject: 'x', body: 'y' },
        { headers: hr.headers },
      );
      expectErrorShape(notRecognised, 422);
      expect(notRecognised.body.details[0]).toEqual({ field: 'unionId', reason: 'is not a union of this forum' });
    });

    it('lets HR record one received by letter from a union', async () => {
      const res = await ctx.api.post(
        `/api/v1/forums/${forumId}/representations`,
        { unionId: gmbId, subject: 'Office location', body: 'Members ask about the move.', receivedAt: at(addDays(today, -3), '09:00') },
        { headers: hr.headers },
      );
      expect(res.statusCode).toBe(201);
      expect(res.body).toMatchObject({ unionName: 'GMB', madeByMemberId: null, recordedBy: hr.id, receivedAt: new Date(at(addDays(today, -3), '09:00')).toISOString() });
    });

    it('answers in writing with reasons, once, and tells the forum', async () => {
      expectErrorShape(await ctx.api.post(`/api/v1/representations/${repId}/response`, { response: 'x', reasons: 'y' }, { headers: rep.headers }), 403);
      const noReasons = await ctx.api.post(`/api/v1/representations/${repId}/response`, { response: 'Not agreed.' }, { headers: hr.headers });
      expectErrorShape(noReasons, 400);
      expect(noReasons.body.details[0].field).toBe('reasons');
      const res = await ctx.api.post(
        `/api/v1/representations/${repId}/response`,
        { response: 'Protected pay will last two years.', reasons: 'In line with the council’s pay protection policy.' },
        { headers: hr.headers },
      );
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ status: 'answered', response: 'Protected pay will last two years.', responseReasons: expect.any(String), respondedBy: hr.id });
      expectErrorShape(await ctx.api.post(`/api/v1/representations/${repId}/response`, { response: 'x', reasons: 'y' }, { headers: hr.headers }), 409);
      const forRep = await ctx.api.get(`/api/v1/representations/${repId}`, { headers: rep.headers });
      expect(forRep.body).toMatchObject({ status: 'answered', responseReasons: 'In line with the council’s pay protection policy.' });
      expect(forRep.body).not.toHaveProperty('respondedBy');
      expectNoPersonalData(forRep.body, personal);
      const events = await eventsFor(ctx.sql, repId);
      expect(events.map((e) => e.type)).toEqual(['representation.answered']);
      expect(events[0].payload).toMatchObject({ subject: 'Pay protection', unionName: 'UNISON', forumTitle: 'Joint Trade Union Forum' });
      expectNoPersonalData(events[0].payload, personal);
      expect(await auditActions(ctx.sql, repId)).toEqual(['representation.create', 'representation.respond']);
      await expect(ctx.sql.query(`UPDATE representations SET response = NULL WHERE id = $1`, [repId])).rejects.toThrow(/representations_answered/);
    });

    it('lists representations by status to the forum’s reps', async () => {
      const awaiting = await ctx.api.get(`/api/v1/forums/${forumId}/representations?status=awaiting_response`, { headers: rep.headers });
      expect(awaiting.body.map((r: { subject: string }) => r.subject)).toEqual(['Office location']);
      expectNoPersonalData(awaiting.body, personal);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/representations/${repId}`);
      await expectInvisible(ctx, otherRep, 'GET', `/api/v1/forums/${forumId}/representations`);
    });
  });

  describe('access', () => {
    it('lets HR officers and admins manage, tu_reps represent, everyone in the programme read', async () => {
      const users = await createUsersForAllRoles(ctx, {
        [Role.TuRep]: [{ programmeId: fx.programmeId, thematicAreaId: null }],
        [Role.Manager]: [{ programmeId: fx.programmeId, thematicAreaId: fx.areaIds['Mental Health'] }],
      });
      const all = [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep];
      const staff = [Role.Admin, Role.HrOfficer];
      const meetingId = (await ctx.api.get(`/api/v1/forums/${forumId}/meetings`, { headers: hr.headers })).body[0].id;
      const actionId = (await ctx.api.get(`/api/v1/forums/${forumId}/actions`, { headers: hr.headers })).body[0].id;
      const representationId = (await ctx.api.get(`/api/v1/forums/${forumId}/representations`, { headers: hr.headers })).body[0].id;
      for (const url of [
        '/api/v1/unions',
        '/api/v1/forums',
        `/api/v1/forums/${forumId}`,
        `/api/v1/forums/${forumId}/members`,
        `/api/v1/forums/${forumId}/meetings`,
        `/api/v1/forums/${forumId}/actions`,
        `/api/v1/forums/${forumId}/representations`,
        `/api/v1/forum-meetings/${meetingId}`,
        `/api/v1/representations/${representationId}`,
      ]) {
        await expectRouteAllows(ctx, 'GET', url, all, { users });
        const res = await ctx.api.get(url, { headers: users[Role.TuRep].headers });
        expect(res.statusCode).toBe(200);
        expectNoPersonalData(res.body, personal);
      }
      const writes: [string, string][] = [
        ['POST', '/api/v1/unions'],
        ['POST', '/api/v1/forums'],
        ['PATCH', `/api/v1/forums/${forumId}`],
        ['PUT', `/api/v1/forums/${forumId}/unions/${uniteId}`],
        ['DELETE', `/api/v1/forums/${forumId}/unions/${uniteId}`],
        ['POST', `/api/v1/forums/${forumId}/members`],
        ['PATCH', `/api/v1/forum-members/${mgmtSeatId}`],
        ['POST', `/api/v1/forums/${forumId}/meetings`],
        ['PATCH', `/api/v1/forum-meetings/${meetingId}`],
        ['POST', `/api/v1/forum-meetings/${meetingId}/cancel`],
        ['POST', `/api/v1/forum-meetings/${meetingId}/held`],
        ['PUT', `/api/v1/forum-meetings/${meetingId}/minutes`],
        ['POST', `/api/v1/forum-meetings/${meetingId}/minutes/publish`],
        ['POST', `/api/v1/forum-meetings/${meetingId}/actions`],
        ['PATCH', `/api/v1/forum-actions/${actionId}`],
        ['POST', `/api/v1/representations/${representationId}/response`],
      ];
      // Bodies that fail validation or conflict: nothing changes, but the guard has answered.
      for (const [method, url] of writes) {
        await expectRouteAllows(ctx, method, url, staff, { users, payload: method === 'DELETE' || method === 'PUT' && url.includes('/unions/') ? undefined : { version: 999 } });
      }
      await expectRouteAllows(ctx, 'POST', `/api/v1/forums/${forumId}/representations`, [Role.Admin, Role.HrOfficer, Role.TuRep], { users, payload: {} });
    });
  });
});
