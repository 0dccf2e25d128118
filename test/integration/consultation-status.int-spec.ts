import ical, { VEvent } from 'node-ical';
import { Role } from '../../src/common/access/role.enum';
import { createUser, expectInvisible, expectNoPersonalData, TestUser } from '../support/auth';
import { addDays, ConsultationFixture, createPostHolder, createPosts, createProgramme, londonToday, PostHolder } from '../support/factories/consultation-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

// testTimeout in a Jest project's config is not applied; boots and multi-request tests need more than 5 s on a loaded machine.
jest.setTimeout(60_000);

/**
 * The reps' view (GET /consultations/:id/status) and the calendar feed: what a trade union
 * rep can follow, with counts under 5 suppressed and no personal data anywhere.
 */

describe('consultation status and calendar feed', () => {
  let ctx: TestContext;
  let fx: ConsultationFixture;
  let hr: TestUser;
  let rep: TestUser;
  let manager: TestUser;
  let holder: PostHolder;
  let consultationId: string;
  let forumId: string;
  const today = londonToday();
  const at = (date: string, time: string) => `${date}T${time}:00Z`;
  const personal: string[] = [];

  beforeAll(async () => {
    ctx = await startTestApp();
    fx = await createProgramme(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer, { displayName: 'Harriet Hrsurname' });
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: null }], displayName: 'Rowan Repsurname' });
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: fx.areaIds['Mental Health'] }] });

    // Affected: Mental Health 8 x G7 (1.0), Learning Disability 6 x G5 (0.5), Public Health 3 x G9 (0.8);
    // plus a deleted post and a post the consultation does not cover, neither counted.
    const g7 = await createPosts(ctx.sql, fx, { area: 'Mental Health', grade: 'G7', count: 8, fte: 1 });
    const g5 = await createPosts(ctx.sql, fx, { area: 'Learning Disability', grade: 'G5', count: 6, fte: 0.5 });
    const g9 = await createPosts(ctx.sql, fx, { area: 'Public Health Commissioning', grade: 'G9', count: 3, fte: 0.8, title: 'Public Health Lead' });
    const deleted = await createPosts(ctx.sql, fx, { area: 'Mental Health', grade: 'G11', count: 1, status: 'deleted' });
    await createPosts(ctx.sql, fx, { area: 'Mental Health', grade: 'G11', count: 2 });
    holder = await createPostHolder(ctx.sql, g9[0]);
    personal.push(holder.firstName, holder.lastName, holder.staffNumber, holder.workEmail, hr.email, 'Harriet Hrsurname', 'Rowan Repsurname');

    const created = await ctx.api.post(
      '/api/v1/consultations',
      {
        programmeId: fx.programmeId,
        title: 'Transfer of commissioning staff to the CCG',
        kind: 'tupe_information_consultation',
        startDate: addDays(today, -11),
        plannedEndDate: addDays(today, 33),
        postIds: [...g7, ...g5, ...g9, ...deleted],
      },
      { headers: hr.headers },
    );
    expect(created.statusCode).toBe(201);
    consultationId = created.body.id;
    expect((await ctx.api.post(`/api/v1/consultations/${consultationId}/open`, {}, { headers: hr.headers })).statusCode).toBe(200);

    const milestone = (payload: Record<string, unknown>) => ctx.api.post(`/api/v1/consultations/${consultationId}/milestones`, payload, { headers: hr.headers });
    await milestone({ title: 'Measures letter to the unions (TUPE reg. 13)', kind: 'measures_letter', dueDate: addDays(today, 5), ownerUserId: hr.id });
    await milestone({ title: 'Staff briefing pack agreed', kind: 'other', dueDate: addDays(today, -1), audience: ['forum', 'affected_staff'] });
    await milestone({ title: 'Internal: HR case review', kind: 'other', dueDate: addDays(today, 2), audience: ['hr'] });

    // The forum: UNISON, a union-side rep (the rep user) and a management-side member.
    const union = await ctx.api.post('/api/v1/unions', { name: 'UNISON' }, { headers: hr.headers });
    const forum = await ctx.api.post('/api/v1/forums', { programmeId: fx.programmeId, title: 'Joint TU Forum', unionIds: [union.body.id] }, { headers: hr.headers });
    forumId = forum.body.id;
    await ctx.api.post(
      `/api/v1/forums/${forumId}/members`,
      { side: 'union', unionId: union.body.id, displayName: 'Rowan Repsurname', email: 'rowan.rep@unison.example.org', roleTitle: 'Branch secretary', userId: rep.id },
      { headers: hr.headers },
    );
    await ctx.api.post(
      `/api/v1/forums/${forumId}/members`,
      { side: 'management', displayName: 'Morgan Mgmtsurname', email: 'morgan.m@council.example', roleTitle: 'Head of HR' },
      { headers: hr.headers },
    );
    personal.push('rowan.rep@unison.example.org', 'Morgan Mgmtsurname', 'morgan.m@council.example');

    const meeting = (payload: Record<string, unknown>) => ctx.api.post(`/api/v1/forums/${forumId}/meetings`, { location: 'Committee Room 6, Town Hall Extension', ...payload }, { headers: hr.headers });
    const past = (await meeting({ title: 'Forum: consultation launch', startsAt: at(addDays(today, -7), '10:00'), endsAt: at(addDays(today, -7), '12:00'), consultationId })).body;
    await ctx.api.post(`/api/v1/forum-meetings/${past.id}/held`, {}, { headers: hr.headers });
    await ctx.api.post(`/api/v1/forum-meetings/${past.id}/actions`, { description: 'Share the draft structure chart', owner: 'Management side', dueDate: addDays(today, -1) }, { headers: hr.headers });
    const done = await ctx.api.post(`/api/v1/forum-meetings/${past.id}/actions`, { description: 'Confirm room bookings', owner: 'Management side', dueDate: addDays(today, -3) }, { headers: hr.headers });
    await ctx.api.patch(`/api/v1/forum-actions/${done.body.id}`, { version: 1, status: 'done' }, { headers: hr.headers });
    const cancelled = (await meeting({ title: 'Forum: extra session', startsAt: at(addDays(today, 1), '10:00'), endsAt: at(addDays(today, 1), '11:00') })).body;
    await ctx.api.post(`/api/v1/forum-meetings/${cancelled.id}/cancel`, { reason: 'Not needed' }, { headers: hr.headers });
    await meeting({ title: 'Forum: measures', startsAt: at(addDays(today, 3), '10:00'), endsAt: at(addDays(today, 3), '12:00'), consultationId, agenda: '1. Measures letter', papers: [{ title: 'Draft measures letter' }] });
    await meeting({ title: 'Forum: feedback', startsAt: at(addDays(today, 10), '10:00'), endsAt: at(addDays(today, 10), '12:00') });

    const rep1 = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { consultationId, subject: 'Pay protection period', body: 'We ask for three years.' }, { headers: rep.headers });
    expect(rep1.statusCode).toBe(201);
    const rep2 = await ctx.api.post(`/api/v1/forums/${forumId}/representations`, { subject: 'Office moves', body: 'Please consult on the move to Parkway.' }, { headers: rep.headers });
    await ctx.api.post(`/api/v1/representations/${rep2.body.id}/response`, { response: 'Agreed.', reasons: 'The move is deferred.' }, { headers: hr.headers });
  });
  afterAll(async () => ctx?.close());

  describe('GET /consultations/:id/status', () => {
    it('shows the phase, day N of M and the days left', async () => {
      const res = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: rep.headers });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ asOf: today, phase: 'open', day: 12, totalDays: 45, daysLeft: 33, phaseLabel: 'Day 12 of 45: 33 days left' });
      expect(res.body.consultation).toMatchObject({ id: consultationId, status: 'open', kind: 'tupe_information_consultation' });
      const asOf = await ctx.api.get(`/api/v1/consultations/${consultationId}/status?asOf=${addDays(today, -11)}`, { headers: rep.headers });
      expect(asOf.body).toMatchObject({ day: 1, daysLeft: 44 });
      const bad = await ctx.api.get(`/api/v1/consultations/${consultationId}/status?asOf=yesterday`, { headers: rep.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details).toEqual([{ field: 'asOf', reason: 'must be a date written YYYY-MM-DD' }]);
    });

    it('lists the milestones a rep may see, with their state', async () => {
      const { body } = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: rep.headers });
      expect(body.milestones.map((m: { title: string; status: string; overdue: boolean; daysUntilDue: number }) => [m.title, m.status, m.overdue, m.daysUntilDue])).toEqual([
        ['Staff briefing pack agreed', 'pending', true, -1],
        ['Measures letter to the unions (TUPE reg. 13)', 'pending', false, 5],
        ['Consultation period ends', 'pending', false, 33],
      ]);
      const hrView = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: hr.headers });
      expect(hrView.body.milestones.map((m: { title: string }) => m.title)).toContain('Internal: HR case review');
    });

    it('shows the next meeting, the open actions and the representations awaiting an answer', async () => {
      const { body } = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: rep.headers });
      expect(body.nextMeeting).toMatchObject({
        title: 'Forum: measures',
        startsAt: new Date(at(addDays(today, 3), '10:00')).toISOString(),
        location: 'Committee Room 6, Town Hall Extension',
        agenda: '1. Measures letter',
        papers: [{ title: 'Draft measures letter', url: null }],
      });
      expect(body.openActions).toEqual([
        { id: expect.any(String), meetingId: expect.any(String), description: 'Share the draft structure chart', owner: 'Management side', dueDate: addDays(today, -1), overdue: true },
      ]);
      expect(body.representationsAwaitingResponse).toEqual([
        { id: expect.any(String), unionName: 'UNISON', subject: 'Pay protection period', receivedAt: expect.any(String), daysWaiting: 0, consultationId },
      ]);
    });

    it('counts affected posts and FTE by grade and by area, a grade with 3 posts shown as "<5"', async () => {
      const { body } = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: rep.headers });
      expect(body.affected.total).toEqual({ posts: 17, fte: 13.4, suppressed: null });
      expect(body.affected.byGrade).toEqual([
        { grade: 'G9', posts: '<5', fte: '<5', suppressed: 'fewer_than_5' },
        { grade: 'G7', posts: 8, fte: 8, suppressed: null },
        // the only "<5" cell would be total minus the rest, so the next smallest is withheld too
        { grade: 'G5', posts: null, fte: null, suppressed: 'complementary' },
      ]);
      expect(body.affected.byThematicArea).toEqual([
        { thematicArea: 'Mental Health', posts: 8, fte: 8, suppressed: null },
        { thematicArea: 'Learning Disability', posts: null, fte: null, suppressed: 'complementary' },
        { thematicArea: 'Public Health Commissioning', posts: '<5', fte: '<5', suppressed: 'fewer_than_5' },
      ]);
      // The same counts for everyone: it is the reps' view.
      const hrView = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: hr.headers });
      expect(hrView.body.affected).toEqual(body.affected);
    });

    it('holds no personal data for a tu_rep (nor for a manager)', async () => {
      const res = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: rep.headers });
      expectNoPersonalData(res.body, personal);
      expect(JSON.stringify(res.body)).not.toContain('Public Health Lead');
      const mgr = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: manager.headers });
      expect(mgr.statusCode).toBe(200);
      expectNoPersonalData(mgr.body, personal);
    });

    it('is 404 for a rep of another programme', async () => {
      const stranger = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: (await createProgramme(ctx.sql)).programmeId, thematicAreaId: null }] });
      await expectInvisible(ctx, stranger, 'GET', `/api/v1/consultations/${consultationId}/status`);
    });
  });

  describe('calendar feed (RFC 5545) at a per-user secret URL', () => {
    const path = (url: string) => new URL(url).pathname;
    const events = (text: string): VEvent[] => Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');

    it('builds the feed URL from PUBLIC_BASE_URL, never from the Host header the client sent', async () => {
      const spoofed = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, {
        headers: { ...rep.headers, host: 'calendar.evil.example', 'x-forwarded-host': 'calendar.evil.example' },
      });
      expect(spoofed.statusCode).toBe(201);
      expect(spoofed.body.url.startsWith('http://localhost:3000/api/v1/calendar/wttcal_')).toBe(true);
      expect(spoofed.body.webcalUrl.startsWith('webcal://localhost:3000/api/v1/calendar/wttcal_')).toBe(true);
      expect(JSON.stringify(spoofed.body)).not.toContain('evil');
    });

    it('serves the milestones and meetings the owner may see, parsed by a standard parser', async () => {
      const created = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: rep.headers });
      expect(created.statusCode).toBe(201);
      expect(created.body.url).toMatch(/^http:\/\/[^/]+\/api\/v1\/calendar\/wttcal_[A-Za-z0-9_-]{43}\.ics$/);
      expect(created.body.webcalUrl).toBe(created.body.url.replace(/^http:/, 'webcal:'));
      expectNoPersonalData(created.body, personal);

      const res = await ctx.api.get(path(created.body.url));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/calendar');
      expect(res.text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
      const parsed = events(res.text);
      const bySummary = new Map(parsed.map((e) => [String(e.summary), e]));
      expect([...bySummary.keys()]).toEqual(
        expect.arrayContaining([
          'Consultation starts: Transfer of commissioning staff to the CCG',
          'Measures letter to the unions (TUPE reg. 13)',
          'Consultation period ends',
          'Forum: measures',
          '[cancelled] Forum: extra session',
        ]),
      );
      expect(bySummary.has('Internal: HR case review')).toBe(false);
      const measures = bySummary.get('Forum: measures')!;
      expect(measures.start.toISOString()).toBe(new Date(at(addDays(today, 3), '10:00')).toISOString());
      expect(String(measures.location)).toBe('Committee Room 6, Town Hall Extension');
      expect(bySummary.get('[cancelled] Forum: extra session')!.status).toBe('CANCELLED');
      const letter = bySummary.get('Measures letter to the unions (TUPE reg. 13)')!;
      expect(letter.datetype).toBe('date');
      for (const e of parsed) expect(e.uid).toMatch(/@workforce-transition-tracker$/);
      for (const p of personal) expect(res.text).not.toContain(p);
    });

    it('keeps every event’s UID across regenerations, and after a meeting moves', async () => {
      const created = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: rep.headers });
      const url = path(created.body.url);
      const first = events((await ctx.api.get(url)).text);
      const again = (await ctx.api.get(url)).text;
      expect(events(again).map((e) => e.uid).sort()).toEqual(first.map((e) => e.uid).sort());

      const meetings = await ctx.api.get(`/api/v1/forums/${forumId}/meetings?status=scheduled`, { headers: hr.headers });
      const feedback = meetings.body.find((m: { title: string }) => m.title === 'Forum: feedback');
      const moved = await ctx.api.patch(
        `/api/v1/forum-meetings/${feedback.id}`,
        { version: feedback.version, startsAt: at(addDays(today, 11), '14:00'), endsAt: at(addDays(today, 11), '15:30') },
        { headers: hr.headers },
      );
      expect(moved.statusCode).toBe(200);
      const after = events((await ctx.api.get(url)).text);
      expect(after.map((e) => e.uid).sort()).toEqual(first.map((e) => e.uid).sort());
      const before = first.find((e) => e.summary === 'Forum: feedback')!;
      const now = after.find((e) => e.uid === before.uid)!;
      expect(now.start.toISOString()).toBe(new Date(at(addDays(today, 11), '14:00')).toISOString());
      expect(Number(now.sequence)).toBeGreaterThan(Number(before.sequence));
    });

    it('a revoked calendar URL gets 404; a new URL replaces the old one', async () => {
      const first = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: rep.headers });
      const second = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: rep.headers });
      expectErrorShape(await ctx.api.get(path(first.body.url)), 404);
      expect((await ctx.api.get(path(second.body.url))).statusCode).toBe(200);
      const mine = await ctx.api.get(`/api/v1/consultations/${consultationId}/calendar-feed`, { headers: rep.headers });
      expect(mine.body).toMatchObject({ id: second.body.id, consultationId, lastUsedAt: expect.any(String) });
      expect(mine.body.url).toBeUndefined();
      expectNoPersonalData(mine.body, personal);

      expect((await ctx.api.delete(`/api/v1/consultations/${consultationId}/calendar-feed`, { headers: rep.headers })).statusCode).toBe(204);
      const revoked = await ctx.api.get(path(second.body.url));
      expectErrorShape(revoked, 404);
      expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/calendar-feed`, { headers: rep.headers }), 404);
      const { rows } = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_type = 'calendar_feed' AND entity_id = $1 ORDER BY id`, [second.body.id]);
      expect(rows.map((r: { action: string }) => r.action)).toEqual(['calendar_feed.create', 'calendar_feed.revoke']);
    });

    it('HR can revoke anyone’s URL; a feed stops when its owner loses access', async () => {
      const mgrFeed = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: manager.headers });
      expect((await ctx.api.get(path(mgrFeed.body.url))).statusCode).toBe(200);
      expectErrorShape(await ctx.api.delete(`/api/v1/calendar-feeds/${mgrFeed.body.id}`, { headers: rep.headers }), 403);
      expect((await ctx.api.delete(`/api/v1/calendar-feeds/${mgrFeed.body.id}`, { headers: hr.headers })).statusCode).toBe(204);
      expectErrorShape(await ctx.api.get(path(mgrFeed.body.url)), 404);

      const other = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: fx.programmeId, thematicAreaId: null }] });
      const feed = await ctx.api.post(`/api/v1/consultations/${consultationId}/calendar-feed`, undefined, { headers: other.headers });
      expect((await ctx.api.get(path(feed.body.url))).statusCode).toBe(200);
      await ctx.sql.query(`DELETE FROM user_scopes WHERE user_id = $1`, [other.id]);
      expectErrorShape(await ctx.api.get(path(feed.body.url)), 404);
    });

    it('answers 404 to unknown or malformed secrets, with no sign-in needed or accepted as a substitute', async () => {
      expectErrorShape(await ctx.api.get('/api/v1/calendar/wttcal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics'), 404);
      expectErrorShape(await ctx.api.get('/api/v1/calendar/not-a-token.ics', { headers: hr.headers }), 404);
    });
  });
});
