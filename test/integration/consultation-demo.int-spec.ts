import { Role } from '../../src/common/access/role.enum';
import { AuthService } from '../../src/auth/auth.service';
import { DEMO_USERS } from '../../src/seed/demo-users';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { expectNoPersonalData } from '../support/auth';
import { startTestApp, TestContext } from '../support/test-app';

// testTimeout in a Jest project's config is not applied; boots and multi-request tests need more than 5 s on a loaded machine.
jest.setTimeout(60_000);

describe('consultation: the demo seed gives Manchester’s consultation and joint TU forum', () => {
  let ctx: TestContext;
  let programmeId: string;
  let consultationId: string;
  let repHeaders: Record<string, string>;

  beforeAll(async () => {
    ctx = await startTestApp();
    expect((await seedDemo(ctx.db.url)).skipped).toBe(false);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    consultationId = (await ctx.sql.query(`SELECT id FROM consultations WHERE programme_id = $1`, [programmeId])).rows[0].id;
    const repEmail = DEMO_USERS.find((u) => u.role === Role.TuRep)!.email;
    const repId = (await ctx.sql.query(`SELECT id FROM users WHERE email = $1`, [repEmail])).rows[0].id;
    repHeaders = { authorization: `Bearer ${await ctx.app.get(AuthService).issueAccessToken(repId)}` };
  });
  afterAll(async () => ctx?.close());

  it('has a forum with UNISON, GMB and Unite, the demo rep on the union side', async () => {
    const forums = await ctx.api.get(`/api/v1/forums?programmeId=${programmeId}`, { headers: repHeaders });
    expect(forums.body).toHaveLength(1);
    expect(forums.body[0].unions.map((u: { unionName: string }) => u.unionName)).toEqual(['GMB', 'UNISON', 'Unite']);
    const members = await ctx.api.get(`/api/v1/forums/${forums.body[0].id}/members`, { headers: repHeaders });
    expect(members.body.find((m: { isYou: boolean }) => m.isYou)).toMatchObject({ side: 'union', unionName: 'UNISON' });
    expect(new Set(members.body.map((m: { side: string }) => m.side))).toEqual(new Set(['union', 'management']));
  });

  it('has meetings from autumn 2016 to April 2017 and milestones up to go-live on 1 April 2017', async () => {
    const forumId = (await ctx.api.get(`/api/v1/forums?programmeId=${programmeId}`, { headers: repHeaders })).body[0].id;
    const meetings = (await ctx.api.get(`/api/v1/forums/${forumId}/meetings`, { headers: repHeaders })).body;
    expect(meetings[0].startsAt.slice(0, 7)).toBe('2016-09');
    expect(meetings[meetings.length - 1].startsAt.slice(0, 7)).toBe('2017-04');
    expect(meetings.every((m: { minutes: string | null }) => m.minutes)).toBe(true);
    const milestones = (await ctx.api.get(`/api/v1/consultations/${consultationId}/milestones`, { headers: repHeaders })).body;
    const dates = milestones.map((m: { dueDate: string }) => m.dueDate);
    expect(dates).toEqual(expect.arrayContaining(['2016-08-31', '2016-10-19', '2017-04-01']));
    expect(milestones.find((m: { dueDate: string }) => m.dueDate === '2016-11-30').title).toContain('design and implementation plan');
    expect(milestones[milestones.length - 1]).toMatchObject({ kind: 'go_live', dueDate: '2017-04-01', status: 'done' });
  });

  it('gives the reps’ view: closed, with the in-scope posts counted and what is still owed', async () => {
    const res = await ctx.api.get(`/api/v1/consultations/${consultationId}/status`, { headers: repHeaders });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ phase: 'closed', totalDays: 89, consultation: { kind: 'tupe_information_consultation', startDate: '2016-12-05', plannedEndDate: '2017-03-03' } });
    const { rows } = await ctx.sql.query(
      `SELECT count(*)::int AS n FROM posts WHERE programme_id = $1 AND scope = 'in_scope' AND establishment_status <> 'deleted'`,
      [programmeId],
    );
    expect(res.body.affected.total.posts).toBe(rows[0].n);
    expect(res.body.openActions).toHaveLength(1);
    expect(res.body.representationsAwaitingResponse.map((r: { unionName: string }) => r.unionName)).toEqual(['Unite']);
    const { rows: people } = await ctx.sql.query(
      `SELECT e.first_name, e.last_name, e.staff_number FROM employees e JOIN post_assignments a ON a.employee_id = e.id JOIN posts p ON p.id = a.post_id WHERE p.programme_id = $1`,
      [programmeId],
    );
    const { rows: members } = await ctx.sql.query(`SELECT display_name, email FROM forum_members`);
    expectNoPersonalData(res.body, [...people.flatMap((p) => [p.first_name + ' ' + p.last_name, p.staff_number]), ...members.flatMap((m) => [m.display_name, m.email])]);
  });

  it('writes no events (history is not news) and reloads cleanly', async () => {
    const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM domain_events WHERE programme_id = $1 AND type LIKE ANY (ARRAY['consultation.%', 'forum_%', 'milestone.%', 'representation.%'])`, [programmeId]);
    expect(rows[0].n).toBe(0);
    expect((await seedDemo(ctx.db.url, { reload: true })).skipped).toBe(false);
    const { rows: again } = await ctx.sql.query(`SELECT count(*)::int AS n FROM consultations c JOIN programmes p ON p.id = c.programme_id WHERE p.name = $1`, [DEMO_PROGRAMME_NAME]);
    expect(again[0].n).toBe(1);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM forums`)).rows[0].n).toBe(1);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM unions`)).rows[0].n).toBe(3);
  });
});
