import { issueCaseLetter } from '../support/documents';
import { createHmac, randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/access/role.enum';
import { addDays, todayInLondon } from '../../src/common/dates';
import { DomainEventType, OutboxRow, recordedEvent } from '../../src/events/domain-event';
import { OutboxService } from '../../src/events/outbox.service';
import { JobSchedules } from '../../src/notifications/job-schedules.service';
import { MilestoneRemindersService } from '../../src/notifications/milestone-reminders.service';
import { OutboxSweeper } from '../../src/notifications/outbox-sweeper.service';
import { OverdueDigestService } from '../../src/notifications/overdue-digest.service';
import { JobProducer } from '../../src/queue/job-producer.service';
import { JobName, QueueName } from '../../src/queue/queue.contract';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { createUser, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
import { assign, createEmployee, createPost, TestEmployee } from '../support/factories/cases-factory';
import { HttpReceiver, startHttpReceiver } from '../support/http-receiver';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/**
 * Notifications end to end on the real API and worker, a real SMTP server (smtp-server) and a
 * real HTTP receiver: which event reaches whom on which channel, exactly once; the in-app
 * feed; failed deliveries and their retry; webhooks; metrics; the queue dashboard.
 */

const METRICS_TOKEN = 'metrics-token-for-the-tests';
const tag = () => randomBytes(4).toString('hex');
/** The cases' transfer date: far enough ahead that their deadlines are not overdue on the dates the schedule test uses (2017). */
const CASE_EFFECTIVE = '2031-04-01';

interface Programme {
  id: string;
  name: string;
  areaA: string;
  areaB: string;
  councilId: string;
  ccgId: string;
  ccgName: string;
  gradeIds: { g5: string; g7: string; g9: string; band7: string };
}

/** A programme with its council, destination CCG, grades and two in-scope areas (fixture rows; the events come from the API). */
async function createProgramme(sql: Client): Promise<Programme> {
  const t = tag();
  const one = async (text: string, params: unknown[]): Promise<string> => (await sql.query(text, params)).rows[0].id;
  const council = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'council', 'active') RETURNING id`, [`Council ${t}`]);
  const ccgName = `Manchester CCG ${t}`;
  const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [ccgName]);
  const name = `Programme ${t}`;
  const id = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [name, ccg]);
  await sql.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) VALUES ($1, $2)`, [id, council]);
  const area = (n: string) => one(`INSERT INTO thematic_areas (programme_id, name, default_scope) VALUES ($1, $2, 'in_scope') RETURNING id`, [id, n]);
  const grade = (org: string, code: string, rank: number) =>
    one(`INSERT INTO grades (organisation_id, code, rank, report_group) VALUES ($1, $2, $3, $2) RETURNING id`, [org, code, rank]);
  return {
    id,
    name,
    areaA: await area('Mental Health'),
    areaB: await area('Learning Disability'),
    councilId: council,
    ccgId: ccg,
    ccgName,
    gradeIds: { g5: await grade(council, 'G5', 5), g7: await grade(council, 'G7', 7), g9: await grade(council, 'G9', 9), band7: await grade(ccg, 'Band 7', 107) },
  };
}

/** The fixture as the cases factory takes it. */
const establishment = (p: Programme) => ({ programmeId: p.id, councilId: p.councilId, ccgId: p.ccgId, areaIds: { a: p.areaA, b: p.areaB, out: p.areaB }, gradeIds: p.gradeIds });

interface Delivered {
  id: string;
  channel: string;
  recipient_key: string;
  user_id: string | null;
  address: string | null;
  status: string;
  attempts: number;
}

describe('notifications: every event delivered to the right people, exactly once', () => {
  let ctx: TestContext;
  let sink: SmtpSink;
  let rx: HttpReceiver;
  let p: Programme;
  let other: Programme;
  let users: Record<'hr1' | 'hr2' | 'hrGone' | 'mgrA' | 'mgrB' | 'mgrOther' | 'rep' | 'repOther' | 'admin', TestUser>;
  let allEventsHook: { id: string; secret: string };
  let meetingsHook: { id: string; secret: string };

  let consultationP: Record<string, any>;
  let consultationOther: Record<string, any>;
  let forumP: Record<string, any>;
  let meetingP: Record<string, any>;
  /** The staff number of the person whose case moves (personal data: never in a rep's notice or a webhook). */
  let staffNumber: string;
  const today = todayInLondon();

  /** A call to the API as the admin (an admin is no recipient of these events, so the expected recipients stay exact). */
  async function call(method: 'post' | 'patch' | 'put', url: string, body: unknown, status: number): Promise<Record<string, any>> {
    const res = await ctx.api[method](url, body, { headers: users.admin.headers });
    if (res.statusCode !== status) throw new Error(`${method.toUpperCase()} ${url} answered ${res.statusCode}: ${res.text}`);
    return res.body;
  }

  /** The id of the newest event of `type` about `entityId` (as its producer wrote it), once it is there. */
  async function eventOf(entityId: string, type: DomainEventType): Promise<string> {
    const rows = await eventually(
      async () => (await ctx.sql.query(`SELECT id FROM domain_events WHERE entity_id = $1 AND type = $2 ORDER BY occurred_at DESC, id DESC`, [entityId, type])).rows,
      (r) => r.length > 0,
    );
    return rows[0].id;
  }

  /** A consultation of the programme, opened through the API (it starts today: it cannot open before its start). */
  async function openConsultation(programmeId: string, title: string, plannedEndDate: string): Promise<Record<string, any>> {
    const created = await call('post', '/api/v1/consultations', { programmeId, title, kind: 'tupe_information_consultation', startDate: today, plannedEndDate }, 201);
    return call('post', `/api/v1/consultations/${created.id}/open`, { version: created.version }, 200);
  }

  /** A filled post of the programme and the person in it, with the name given (fixture rows). */
  async function holder(prog: Programme, opts: { areaId: string; gradeId: string; reference: string; firstName: string; lastName: string }) {
    const est = establishment(prog);
    const postId = await createPost(ctx.sql, est, { areaId: opts.areaId, gradeId: opts.gradeId, reference: opts.reference, title: 'Commissioning Manager' });
    const employee: TestEmployee = await createEmployee(ctx.sql, { employerId: prog.councilId });
    await ctx.sql.query(`UPDATE employees SET first_name = $2, last_name = $3 WHERE id = $1`, [employee.id, opts.firstName, opts.lastName]);
    await assign(ctx.sql, employee.id, postId);
    return { postId, employee: { ...employee, firstName: opts.firstName, lastName: opts.lastName } };
  }

  /** A TUPE transfer case opened and moved through `states` by the API; returns the case. */
  async function moveCase(prog: Programme, h: { postId: string; employee: TestEmployee }, states: string[], newGradeId: string | null): Promise<Record<string, any>> {
    let c = await call(
      'post',
      `/api/v1/programmes/${prog.id}/cases`,
      {
        employeeId: h.employee.id,
        postId: h.postId,
        route: 'tupe_transfer',
        legalBasis: 'tupe_2006',
        legalAdviceReference: 'LS/2016/1187',
        destinationOrganisationId: prog.ccgId,
        proposedEffectiveDate: CASE_EFFECTIVE,
        ...(newGradeId ? { newGradeId } : {}),
      },
      201,
    );
    for (const to of states) {
      // "Letters issued" needs the case's letter issued first (issue 15), through the real API.
      if (to === 'letters_issued') await issueCaseLetter(ctx, users.admin, c.id);
      c = await call('post', `/api/v1/cases/${c.id}/transitions`, { to, version: c.version }, 200);
    }
    return c;
  }

  /** Wait until the event has notifications and every one is sent (or failed); return them. */
  async function settled(eventId: string, timeoutMs = 15_000): Promise<Delivered[]> {
    const read = async () =>
      (await ctx.sql.query(`SELECT id, channel, recipient_key, user_id, address, status, attempts FROM notifications WHERE event_id = $1 ORDER BY recipient_key, channel`, [eventId]))
        .rows as Delivered[];
    const dispatched = async () => (await ctx.sql.query(`SELECT dispatched_at FROM domain_events WHERE id = $1`, [eventId])).rows[0]?.dispatched_at;
    await eventually(dispatched, (d) => !!d, timeoutMs);
    return eventually(read, (rows) => rows.every((r) => r.status === 'sent' || r.status === 'failed'), timeoutMs);
  }

  const emailsOf = (rows: Delivered[]) => sink.messages.filter((m) => rows.some((r) => r.id === m.notificationId));
  const hooksOf = (rows: Delivered[]) => rx.requests.filter((r) => rows.some((n) => n.id === r.headers['x-delivery-id']));

  beforeAll(async () => {
    sink = await startSmtpSink();
    rx = await startHttpReceiver();
    ctx = await startTestApp({
      worker: true,
      env: {
        SMTP_URL: sink.url,
        // the receiver listens on 127.0.0.1: an admin must allow that internal range (issue 17, SSRF)
        WEBHOOK_ALLOW_INTERNAL: '127.0.0.0/8',
        MAIL_FROM: 'Transition tracker <notices@council.example>',
        OUTBOX_POLL_MS: '50',
        OUTBOX_SWEEP_EVERY_MS: '1000',
        NOTIFY_REQUEUE_AFTER_SECONDS: '2',
        // Email and webhook retries: 5 attempts 1, 2, 4, 8 s apart here (13 over about an hour by default).
        NOTIFY_RETRY_ATTEMPTS: '5',
        NOTIFY_RETRY_BASE_MS: '1000',
        WEBHOOK_TIMEOUT_MS: '800',
        METRICS_TOKEN,
      },
    });
    p = await createProgramme(ctx.sql);
    other = await createProgramme(ctx.sql);
    users = {
      hr1: await createUser(ctx, Role.HrOfficer),
      hr2: await createUser(ctx, Role.HrOfficer),
      hrGone: await createUser(ctx, Role.HrOfficer),
      mgrA: await createUser(ctx, Role.Manager, { scopes: [{ programmeId: p.id, thematicAreaId: p.areaA }] }),
      mgrB: await createUser(ctx, Role.Manager, { scopes: [{ programmeId: p.id, thematicAreaId: p.areaB }] }),
      mgrOther: await createUser(ctx, Role.Manager, { scopes: [{ programmeId: other.id, thematicAreaId: other.areaA }] }),
      rep: await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: p.id, thematicAreaId: null }] }),
      repOther: await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: other.id, thematicAreaId: null }] }),
      admin: await createUser(ctx, Role.Admin),
    };
    await ctx.sql.query(`UPDATE users SET is_active = false, deactivated_at = now() WHERE id = $1`, [users.hrGone.id]);

    const all = await ctx.api.post('/api/v1/admin/webhooks', { name: 'Everything', url: `${rx.url}/all`, programmeId: p.id }, { headers: users.admin.headers });
    expect(all.statusCode).toBe(201);
    allEventsHook = { id: all.body.id, secret: all.body.secret };
    const meetings = await ctx.api.post(
      '/api/v1/admin/webhooks',
      { name: 'Forum meetings (Teams)', url: `${rx.url}/teams`, eventTypes: [DomainEventType.ForumMeetingScheduled, DomainEventType.ForumMeetingCancelled] },
      { headers: users.admin.headers },
    );
    expect(meetings.statusCode).toBe(201);
    meetingsHook = { id: meetings.body.id, secret: meetings.body.secret };
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    await sink?.close();
    await rx?.close();
  });

  describe('who hears of what', () => {
    it('a consultation opening reaches the forum, HR and the programme’s managers, by email and in-app, and the webhook', async () => {
      consultationP = await openConsultation(p.id, 'Single Commissioning Function: TUPE consultation', '2031-01-31');
      const rows = await settled(await eventOf(consultationP.id, DomainEventType.ConsultationOpened));
      const expected = [users.hr1, users.hr2, users.mgrA, users.mgrB, users.rep];
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      // Exactly the expected people, each once per channel.
      expect(rows.filter((r) => r.channel === 'email').map((r) => r.address).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(rows.filter((r) => r.channel === 'in_app').map((r) => r.user_id).sort()).toEqual(expected.map((u) => u.id).sort());
      expect(rows.filter((r) => r.channel === 'webhook').map((r) => r.recipient_key)).toEqual([`webhook:${allEventsHook.id}`]);
      // On the wire: one email per person, nothing to the deactivated HR officer or the other programme.
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(mails.every((m) => m.subject === `[${p.name}] Consultation opened: Single Commissioning Function: TUPE consultation`)).toBe(true);
      expect(mails[0].text).toContain('Ends: Friday 31 January 2031');
      expect(mails[0].html).toContain('<th align="left" style="padding-right:12px">Ends</th><td>Friday 31 January 2031</td>');
      expect(mails[0].messageId).toMatch(/^<[0-9a-f-]{36}@council\.example>$/);
      const feed = await ctx.sql.query(`SELECT user_id FROM notification_feed WHERE notification_id = ANY ($1::uuid[])`, [rows.map((r) => r.id)]);
      expect(feed.rows.map((r) => r.user_id).sort()).toEqual(expected.map((u) => u.id).sort());
      expect(hooksOf(rows)).toHaveLength(1);
    });

    it('a forum meeting reaches the forum and HR (not managers), and both matching webhooks with a valid signature', async () => {
      forumP = await call('post', '/api/v1/forums', { programmeId: p.id, title: 'Joint Trade Union Forum' }, 201);
      meetingP = await call(
        'post',
        `/api/v1/forums/${forumP.id}/meetings`,
        { title: 'Joint TU forum #3', startsAt: '2030-12-02T10:00:00Z', endsAt: '2030-12-02T12:00:00Z', location: 'Town Hall, Room 2' },
        201,
      );
      const eventId = await eventOf(meetingP.id, DomainEventType.ForumMeetingScheduled);
      const rows = await settled(eventId);
      const expected = [users.hr1, users.hr2, users.rep];
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(rows.filter((r) => r.channel === 'in_app').map((r) => r.user_id).sort()).toEqual(expected.map((u) => u.id).sort());
      const hooks = hooksOf(rows);
      expect(hooks.map((h) => h.url).sort()).toEqual(['/all', '/teams']);
      for (const h of hooks) {
        const secret = h.url === '/all' ? allEventsHook.secret : meetingsHook.secret;
        // Issue 17: the signature covers a timestamp, `t=<unix>, v1=<HMAC of "<t>.<body>">`.
        const [, t, v1] = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(String(h.headers['x-signature']))!;
        expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
        expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${h.body}`).digest('hex'));
        expect(h.headers['content-type']).toBe('application/json');
        expect(h.headers['x-event-type']).toBe('forum_meeting.scheduled');
        expect(h.json).toMatchObject({ event: { id: eventId, type: 'forum_meeting.scheduled', programmeId: p.id }, data: { title: 'Joint TU forum #3', location: 'Town Hall, Room 2' } });
        expect(h.json.text).toContain('Start time: Mon 2 Dec 2030, 10:00 GMT');
      }
    });

    it('a staff movement reaches HR and the case’s own manager only, names the old and new grade and the destination, and webhooks get no personal data', async () => {
      const h = await holder(p, { areaId: p.areaA, gradeId: p.gradeIds.g9, reference: 'MH-007', firstName: 'Priya', lastName: 'Testperson' });
      staffNumber = h.employee.staffNumber;
      const c = await moveCase(p, h, ['in_consultation', 'agreed', 'letters_issued'], p.gradeIds.band7);
      const events = (await ctx.sql.query(`SELECT id, payload FROM domain_events WHERE entity_id = $1 AND type = 'case.state_changed' ORDER BY occurred_at, id`, [c.id])).rows;
      expect(events.map((e) => `${e.payload.from}→${e.payload.to}`)).toEqual(['proposed→in_consultation', 'in_consultation→agreed', 'agreed→letters_issued']);
      // The stored event names the person by id only: no name or staff number is kept in the outbox.
      expect(events[2].payload.employeeId).toBe(h.employee.id);
      expect(JSON.stringify(events.map((e) => e.payload))).not.toMatch(new RegExp(`Priya|Testperson|${staffNumber}`));
      const rows = await settled(events[2].id);
      const expected = [users.hr1, users.hr2, users.mgrA];
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(rows.some((r) => r.user_id === users.rep.id || r.user_id === users.mgrB.id)).toBe(false);
      for (const m of mails) {
        expect(m.text).toContain('Old grade: G9');
        expect(m.text).toContain('New grade: Band 7');
        expect(m.text).toContain(`Destination: ${p.ccgName}`);
        expect(m.subject).toContain(`G9 → Band 7, ${p.ccgName}`);
        expect(m.text).toContain('Was: Agreed\nNow: Letters issued');
        expect(m.text).toContain('Person: Priya Testperson'); // HR and the manager may see who it is
      }
      const [hook] = hooksOf(rows);
      expect(hook.json.text).toContain('Old grade: G9');
      expect(hook.body).not.toContain('Priya');
      expect(hook.body).not.toContain(staffNumber);
      expectNoPersonalData(hook.json, ['Priya Testperson', staffNumber]);
    });

    it('a staff movement without a new grade says the grade is unchanged', async () => {
      const h = await holder(p, { areaId: p.areaB, gradeId: p.gradeIds.g7, reference: 'LD-012', firstName: 'Sam', lastName: 'Otherperson' });
      const c = await moveCase(p, h, ['in_consultation'], null);
      const rows = await settled(await eventOf(c.id, DomainEventType.CaseStateChanged));
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2, users.mgrB].map((u) => u.email).sort());
      expect(mails[0].text).toContain('New grade: G7 (unchanged)');
    });

    it('a milestone reminder reaches its audience and its owner', async () => {
      const m = await call(
        'post',
        `/api/v1/consultations/${consultationP.id}/milestones`,
        { title: 'Measures letter issued', kind: 'measures_letter', dueDate: '2031-01-29', audience: ['forum', 'managers'], ownerUserId: users.hr1.id },
        201,
      );
      // The real scheduler's run, on the day of the 7-day reminder.
      await ctx.worker!.get(MilestoneRemindersService).run('2031-01-22');
      const rows = await settled(await eventOf(m.id, DomainEventType.MilestoneUpcoming));
      const expected = [users.rep, users.mgrA, users.mgrB, users.hr1];
      expect(emailsOf(rows).flatMap((mail) => mail.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(emailsOf(rows)[0].subject).toBe(`[${p.name}] Reminder: Measures letter issued is due in 7 days (Wednesday 29 January 2031)`);
    });

    it('the overdue digest goes to HR only; people’s names in it stay out of webhooks', async () => {
      // The real digest, the day after the case's ELI deadline (28 days before the transfer on CASE_EFFECTIVE).
      await ctx.worker!.get(OverdueDigestService).run('2031-03-10');
      const [d] = (await ctx.sql.query(`SELECT id FROM domain_events WHERE dedupe_key = $1`, [`deadlines.overdue:${p.id}:2031-03-10`])).rows;
      const rows = await settled(d.id);
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2].map((u) => u.email).sort());
      expect(mails[0].text).toContain('- Employee liability information (ELI) for MH-007 Commissioning Manager, Priya Testperson: was due Tuesday 4 March 2031, 6 days overdue');
      expect(hooksOf(rows)[0].body).not.toContain('Priya');
    });

    it('a tu_rep’s feed and emails never carry a person’s personal data', async () => {
      const feed = await ctx.api.get('/api/v1/me/notifications?limit=200', { headers: users.rep.headers });
      expect(feed.statusCode).toBe(200);
      expect(feed.body.items.length).toBeGreaterThan(0);
      expect(feed.body.items.some((i: { eventType: string }) => i.eventType === 'case.state_changed')).toBe(false);
      expectNoPersonalData(feed.body, ['Priya', staffNumber]);
      const repMails = sink.messages.filter((m) => m.to.includes(users.rep.email));
      expect(repMails.length).toBeGreaterThan(0);
      expect(repMails.some((m) => m.raw.includes('Priya'))).toBe(false);
    });

    it('forum members without an account get the forum’s notices by email', async () => {
      const union = await call('post', '/api/v1/unions', { name: `Union ${tag()}` }, 201);
      await call('put', `/api/v1/forums/${forumP.id}/unions/${union.id}`, undefined, 200);
      const member = `steward.${tag()}@union.example`;
      const left = `left.${tag()}@union.example`;
      await call('post', `/api/v1/forums/${forumP.id}/members`, { side: 'union', unionId: union.id, displayName: 'A Steward', email: member }, 201);
      const gone = await call('post', `/api/v1/forums/${forumP.id}/members`, { side: 'union', unionId: union.id, displayName: 'Gone', email: left }, 201);
      await call('patch', `/api/v1/forum-members/${gone.id}`, { version: gone.version, leftOn: today }, 200);
      await call('post', `/api/v1/forums/${forumP.id}/members`, { side: 'management', displayName: 'HR lead', email: users.hr1.email, userId: users.hr1.id }, 201);
      await call('post', `/api/v1/forum-meetings/${meetingP.id}/cancel`, { reason: 'Room unavailable' }, 200);
      const rows = await settled(await eventOf(meetingP.id, DomainEventType.ForumMeetingCancelled));
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual([users.hr1.email, users.hr2.email, member, users.rep.email].sort());
      expect(rows.filter((r) => r.recipient_key === `email:${member}`).map((r) => r.channel)).toEqual(['email']);
    });

    it('sends each message once even when the event is relayed again', async () => {
      const c = await openConsultation(other.id, 'Other consultation', '2031-06-30');
      await settled(await eventOf(c.id, DomainEventType.ConsultationOpened));
      await call('post', `/api/v1/consultations/${c.id}/close`, { version: c.version, summary: 'Agreed with the unions' }, 200);
      const eventId = await eventOf(c.id, DomainEventType.ConsultationClosed);
      const rows = await settled(eventId);
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2, users.mgrOther, users.repOther].map((u) => u.email).sort());
      // Replay: mark the event undispatched; the relay runs again and the unique key keeps one row per delivery.
      await ctx.sql.query(`UPDATE domain_events SET dispatched_at = NULL WHERE id = $1`, [eventId]);
      await settled(eventId);
      await new Promise((r) => setTimeout(r, 500));
      const again = (await ctx.sql.query(`SELECT count(*)::int AS n FROM notifications WHERE event_id = $1`, [eventId])).rows[0].n;
      expect(again).toBe(rows.length);
      expect(emailsOf(rows)).toHaveLength(4);
      // The same event emitted twice with one dedupe key is one event (the event is the one the producer wrote).
      const [row] = (await ctx.sql.query(`SELECT id, type, programme_id, entity_type, entity_id, payload, occurred_at FROM domain_events WHERE id = $1`, [eventId])).rows as OutboxRow[];
      const recorded = recordedEvent(row);
      const key = `consultation.closed:${tag()}`;
      const emitOnce = () => ctx.app.get(DataSource).transaction((em) => ctx.app.get(OutboxService).emit(em, { ...recorded, dedupeKey: key }));
      expect(await emitOnce()).toEqual(expect.any(String));
      expect(await emitOnce()).toBeNull();
    });
  });

  describe('failures and retries', () => {
    it('an SMTP server that refuses mail and then recovers ends with every message delivered once', async () => {
      const c = await openConsultation(other.id, 'Extended one', '2031-01-31');
      await settled(await eventOf(c.id, DomainEventType.ConsultationOpened));
      sink.setMode('refuse');
      const refusedBefore = sink.refused;
      await call('post', `/api/v1/consultations/${c.id}/extend`, { version: c.version, plannedEndDate: '2031-02-28', reason: 'More time for the unions' }, 200);
      const eventId = await eventOf(c.id, DomainEventType.ConsultationExtended);
      await eventually(async () => sink.refused - refusedBefore, (n) => n >= 4, 10_000);
      await new Promise((r) => setTimeout(r, 1500)); // refused for a while: retries back off
      sink.setMode('accept');
      const rows = await settled(eventId, 25_000);
      const emails = rows.filter((r) => r.channel === 'email');
      expect(emails.map((r) => r.address).sort()).toEqual([users.hr1, users.hr2, users.mgrOther, users.repOther].map((u) => u.email).sort());
      expect(emails.every((r) => r.status === 'sent' && r.attempts >= 2)).toBe(true);
      const mails = emailsOf(rows);
      expect(mails.map((m) => m.notificationId).sort()).toEqual(emails.map((r) => r.id).sort()); // each once
      expect(mails[0].text).toContain('Reason: More time for the unions');
      consultationOther = c;
    }, 40_000);

    it('a webhook that answers 5xx then 2xx is delivered once, after retrying', async () => {
      // A meeting recorded after it took place, marked held, its minutes written: then published.
      const day = addDays(today, -2);
      let m = await call('post', `/api/v1/forums/${forumP.id}/meetings`, { title: 'Forum #2', startsAt: `${day}T10:00:00Z`, endsAt: `${day}T12:00:00Z`, location: 'Town Hall' }, 201);
      await settled(await eventOf(m.id, DomainEventType.ForumMeetingScheduled));
      m = await call('post', `/api/v1/forum-meetings/${m.id}/held`, { version: m.version }, 200);
      m = await call('put', `/api/v1/forum-meetings/${m.id}/minutes`, { version: m.version, minutes: 'The measures were discussed.' }, 200);
      let calls = 0;
      rx.respond((req) => (req.url === '/all' && ++calls <= 2 ? 503 : 204));
      await call('post', `/api/v1/forum-meetings/${m.id}/minutes/publish`, { version: m.version }, 200);
      const rows = await settled(await eventOf(m.id, DomainEventType.ForumMinutesPublished), 20_000);
      const hook = rows.find((r) => r.channel === 'webhook')!;
      expect(hook).toMatchObject({ status: 'sent', attempts: 3 });
      const received = rx.requests.filter((r) => r.headers['x-delivery-id'] === hook.id);
      expect(received.map((r) => r.status)).toEqual([503, 503, 204]);
      expect(new Set(received.map((r) => r.body)).size).toBe(1); // the same body and delivery id every time
      rx.respond(() => 204);
    }, 30_000);

    it('a refused delivery is failed with its error, listed for admins, and delivered once when an admin retries it', async () => {
      const union = await call('post', '/api/v1/unions', { name: `UNISON ${tag()}` }, 201);
      await call('put', `/api/v1/forums/${forumP.id}/unions/${union.id}`, undefined, 200);
      const r = await call('post', `/api/v1/forums/${forumP.id}/representations`, { unionId: union.id, subject: 'Pay protection', body: 'How long is pay protected?' }, 201);
      rx.respond((req) => (req.url === '/all' ? 410 : 204));
      await call('post', `/api/v1/representations/${r.id}/response`, { version: r.version, response: 'Three years', reasons: 'As the policy says' }, 200);
      const rows = await settled(await eventOf(r.id, DomainEventType.RepresentationAnswered));
      const hook = rows.find((x) => x.channel === 'webhook')!;
      expect(hook.status).toBe('failed');
      expect(rows.filter((x) => x.channel !== 'webhook').every((x) => x.status === 'sent')).toBe(true);

      const list = await ctx.api.get('/api/v1/admin/deliveries?status=failed&channel=webhook', { headers: users.admin.headers });
      expect(list.statusCode).toBe(200);
      const item = list.body.items.find((i: { id: string }) => i.id === hook.id);
      expect(item).toMatchObject({ status: 'failed', attempts: 1, lastError: 'webhook answered 410', channel: 'webhook', eventType: 'representation.answered', address: `${rx.url}/all` });

      const notFailed = rows.find((x) => x.channel === 'email')!;
      const conflict = await ctx.api.post(`/api/v1/admin/deliveries/${notFailed.id}/retry`, undefined, { headers: users.admin.headers });
      expectErrorShape(conflict, 409);
      expectErrorShape(await ctx.api.post(`/api/v1/admin/deliveries/${hook.id}/retry`, undefined, { headers: users.hr1.headers }), 403);
      expectErrorShape(await ctx.api.post(`/api/v1/admin/deliveries/9f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a6b/retry`, undefined, { headers: users.admin.headers }), 404);

      rx.respond(() => 204);
      const retried = await ctx.api.post(`/api/v1/admin/deliveries/${hook.id}/retry`, undefined, { headers: users.admin.headers });
      expect(retried.statusCode).toBe(202);
      expect(retried.body).toMatchObject({ id: hook.id, status: 'queued' });
      const done = await eventually(() => ctx.api.get(`/api/v1/admin/deliveries/${hook.id}`, { headers: users.admin.headers }), (res) => res.body.status === 'sent');
      expect(done.body).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(rx.requests.filter((x) => x.headers['x-delivery-id'] === hook.id).map((x) => x.status)).toEqual([410, 204]);
      const audit = await ctx.sql.query(`SELECT actor_id, action FROM audit_log WHERE entity_type = 'notification' AND entity_id = $1`, [hook.id]);
      expect(audit.rows).toEqual([{ actor_id: users.admin.id, action: 'notification.retry' }]);
    }, 30_000);

    it('a delivery that keeps failing is retried with backoff, then failed with its last error after the last attempt', async () => {
      const m = await call('post', `/api/v1/consultations/${consultationP.id}/milestones`, { title: 'Flaky receiver', kind: 'other', dueDate: '2031-01-15', audience: ['hr'] }, 201);
      rx.respond((req) => (req.url === '/all' ? 503 : 204));
      await call('post', `/api/v1/milestones/${m.id}/status`, { version: m.version, status: 'done' }, 200);
      const rows = await settled(await eventOf(m.id, DomainEventType.MilestoneReached), 40_000); // attempts after 1 + 2 + 4 + 8 s of backoff
      const hook = rows.find((r) => r.channel === 'webhook')!;
      expect(hook).toMatchObject({ status: 'failed', attempts: 5 });
      const opts = await ctx.app.get(JobProducer).jobOptions(JobName.DeliverWebhook, hook.id);
      expect(opts).toMatchObject({ attempts: 5, backoff: { type: 'capped-exponential', delay: 1000 } }); // from the configuration
      const received = rx.requests.filter((r) => r.headers['x-delivery-id'] === hook.id);
      expect(received.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      // Exponential backoff: about 1, 2, 4 and 8 s between attempts.
      const gaps = received.slice(1).map((r, i) => r.at - received[i].at);
      gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(1000 * 2 ** i * 0.9));
      expect(gaps[3]).toBeLessThan(8000 * 2);
      const row = await ctx.api.get(`/api/v1/admin/deliveries/${hook.id}`, { headers: users.admin.headers });
      expect(row.body).toMatchObject({ status: 'failed', lastError: 'webhook answered 503', failedAt: expect.any(String) });
      rx.respond(() => 204);
    }, 60_000);

    it('a slow webhook times out and is retried', async () => {
      const m = await call(
        'post',
        `/api/v1/forums/${forumP.id}/meetings`,
        { title: 'Forum #5', startsAt: '2030-12-09T10:00:00Z', endsAt: '2030-12-09T12:00:00Z', location: 'Town Hall, Room 2' },
        201,
      );
      await settled(await eventOf(m.id, DomainEventType.ForumMeetingScheduled));
      rx.respond(() => 204);
      rx.delay(1200); // longer than WEBHOOK_TIMEOUT_MS
      await call('patch', `/api/v1/forum-meetings/${m.id}`, { version: m.version, startsAt: '2030-12-09T14:00:00Z', endsAt: '2030-12-09T16:00:00Z' }, 200);
      const eventId = await eventOf(m.id, DomainEventType.ForumMeetingChanged);
      const error = await eventually(
        async () => (await ctx.sql.query(`SELECT last_error FROM notifications WHERE event_id = $1 AND channel = 'webhook'`, [eventId])).rows[0]?.last_error,
        (e) => typeof e === 'string',
        10_000,
      );
      expect(error).toBe('webhook timed out after 800 ms');
      rx.delay(0);
      const rows = await settled(eventId, 15_000);
      expect(rows.find((r) => r.channel === 'webhook')).toMatchObject({ status: 'sent', attempts: 2 });
    }, 30_000);

    it('the sweeper re-enqueues a delivery whose job was lost', async () => {
      const m = await call('post', `/api/v1/consultations/${consultationOther.id}/milestones`, { title: 'Lost one', kind: 'other', dueDate: '2031-01-20', audience: ['hr'] }, 201);
      await call('post', `/api/v1/milestones/${m.id}/status`, { version: m.version, status: 'done' }, 200);
      const rows = await settled(await eventOf(m.id, DomainEventType.MilestoneReached));
      const email = rows.find((r) => r.channel === 'email')!;
      // As if Redis had lost its job before it ran: the row is back to queued, long ago, with no job.
      await ctx.sql.query(`UPDATE notifications SET status = 'queued', sent_at = NULL, queued_at = now() - interval '1 hour' WHERE id = $1`, [email.id]);
      await ctx.app.get(JobProducer).removeJob(JobName.DeliverEmail, email.id);
      const before = emailsOf([email]).length;
      const result = await ctx.worker!.get(OutboxSweeper).sweep();
      expect(result.requeued).toBeGreaterThanOrEqual(1);
      await eventually(async () => (await ctx.sql.query(`SELECT status FROM notifications WHERE id = $1`, [email.id])).rows[0].status, (s) => s === 'sent');
      expect(emailsOf([email])).toHaveLength(before + 1);
    });

    it("the sweeper leaves alone a stale email row whose batch job is still retrying (it asks about the row's own job, not one named by the row id)", async () => {
      sink.setMode('refuse');
      try {
        const refusedBefore = sink.refused;
        const m = await call('post', `/api/v1/consultations/${consultationOther.id}/milestones`, { title: 'Refused for now', kind: 'other', dueDate: '2031-01-21', audience: ['hr'] }, 201);
        await call('post', `/api/v1/milestones/${m.id}/status`, { version: m.version, status: 'done' }, 200);
        const eventId = await eventOf(m.id, DomainEventType.MilestoneReached);
        await eventually(async () => sink.refused - refusedBefore, (n) => n >= 1, 10_000);
        const emails: { id: string; job_id: string | null }[] = (
          await ctx.sql.query(`SELECT id, job_id FROM notifications WHERE event_id = $1 AND channel = 'email'`, [eventId])
        ).rows;
        expect(emails.length).toBeGreaterThan(0);
        // Each row knows its batch job, which BullMQ holds, retrying (delayed) or about to.
        for (const e of emails) expect(e.job_id).toMatch(/^emails-[0-9a-f]{40}$/);
        const producer = ctx.app.get(JobProducer);
        expect(['delayed', 'waiting', 'active', 'prioritized']).toContain(await producer.jobState(JobName.DeliverEmailBatch, emails[0].job_id!));
        // As if it had been queued for an hour: stale for the sweeper.
        await ctx.sql.query(`UPDATE notifications SET queued_at = now() - interval '1 hour' WHERE id = ANY ($1::uuid[])`, [emails.map((e) => e.id)]);
        const result = await ctx.worker!.get(OutboxSweeper).sweep();
        expect(result.checked).toBeGreaterThanOrEqual(emails.length);
        // Not enqueued again (before the job_id column it was, every NOTIFY_REQUEUE_AFTER_SECONDS, using up the row's attempts early).
        expect(result.requeued).toBe(0);
        const after: { job_id: string; queued_at: Date }[] = (await ctx.sql.query(`SELECT job_id, queued_at FROM notifications WHERE id = ANY ($1::uuid[])`, [emails.map((e) => e.id)])).rows;
        expect(after.map((a) => a.job_id)).toEqual(after.map(() => emails[0].job_id));
        // Looked at again one interval later: its queued_at moved on.
        for (const a of after) expect(Date.now() - a.queued_at.getTime()).toBeLessThan(60_000);
      } finally {
        sink.setMode('accept');
      }
    }, 40_000);
    it('the relay writes each row once, pending, with the job that carries it; the sweeper marks queued a row still waiting on that live job', async () => {
      // The email queue paused: the rows wait on their job, nothing claims them.
      const connection = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
      const emailQueue = new Queue(QueueName.NotifyEmail, { connection, prefix: process.env.REDIS_PREFIX });
      await emailQueue.pause();
      try {
        const m = await call('post', `/api/v1/consultations/${consultationOther.id}/milestones`, { title: 'Waiting its turn', kind: 'other', dueDate: '2031-01-22', audience: ['hr'] }, 201);
        await call('post', `/api/v1/milestones/${m.id}/status`, { version: m.version, status: 'done' }, 200);
        const eventId = await eventOf(m.id, DomainEventType.MilestoneReached);
        const producer = ctx.app.get(JobProducer);
        const emails: { id: string; status: string; job_id: string; queued_at: Date | null; xmin: string }[] = await eventually(
          async () => (await ctx.sql.query(`SELECT id, status, job_id, queued_at, xmin::text AS xmin FROM notifications WHERE event_id = $1 AND channel = 'email'`, [eventId])).rows,
          (r) => r.length > 0,
        );
        // Enqueued under the id each row was written with.
        await eventually(() => producer.jobState(JobName.DeliverEmailBatch, emails[0].job_id), (s) => s !== 'unknown', 5_000, 50);
        const [{ xmin: relayTx }] = (await ctx.sql.query(`SELECT xmin::text AS xmin FROM domain_events WHERE id = $1`, [eventId])).rows;
        for (const e of emails) {
          expect(e).toMatchObject({ status: 'pending', queued_at: null, job_id: expect.stringMatching(/^emails-[0-9a-f]{40}$/) });
          // Written once, by the relay's transaction (the one that marked the event dispatched), and not rewritten since.
          expect(e.xmin).toBe(relayTx);
        }
        const state = await producer.jobState(JobName.DeliverEmailBatch, emails[0].job_id);
        expect(['waiting', 'prioritized']).toContain(state);

        // Stale for the sweeper (pending past its grace): its job is alive, so it is marked queued, not enqueued again.
        await ctx.sql.query(`UPDATE notifications SET created_at = now() - interval '1 minute' WHERE id = ANY ($1::uuid[])`, [emails.map((e) => e.id)]);
        const result = await ctx.worker!.get(OutboxSweeper).sweep();
        expect(result.checked).toBeGreaterThanOrEqual(emails.length);
        expect(result.requeued).toBe(0);
        const after: { status: string; job_id: string }[] = (await ctx.sql.query(`SELECT status, job_id FROM notifications WHERE id = ANY ($1::uuid[])`, [emails.map((e) => e.id)])).rows;
        expect(after).toEqual(emails.map((e) => ({ status: 'queued', job_id: e.job_id })));
      } finally {
        await emailQueue.resume();
        await emailQueue.close();
        connection.disconnect();
      }
    }, 30_000);
  });

  describe('the in-app feed', () => {
    it('lists my notices newest first with my unread count, pages with a cursor, and marks them read', async () => {
      const page1 = await ctx.api.get('/api/v1/me/notifications?limit=2', { headers: users.rep.headers });
      expect(page1.statusCode).toBe(200);
      expect(page1.body.items).toHaveLength(2);
      const total = (await ctx.sql.query(`SELECT count(*)::int AS n FROM notification_feed WHERE user_id = $1`, [users.rep.id])).rows[0].n;
      expect(page1.body.unreadCount).toBe(total);
      expect(page1.body.items[0]).toEqual({
        id: expect.any(String),
        eventType: expect.any(String),
        programmeId: expect.any(String),
        subject: expect.any(String),
        body: expect.any(String),
        createdAt: expect.any(String),
        readAt: null,
      });
      const page2 = await ctx.api.get(`/api/v1/me/notifications?limit=2&cursor=${page1.body.nextCursor}`, { headers: users.rep.headers });
      expect(page2.body.items.map((i: { id: string }) => i.id)).not.toContain(page1.body.items[0].id);

      const read = await ctx.api.post(`/api/v1/me/notifications/${page1.body.items[0].id}/read`, undefined, { headers: users.rep.headers });
      expect(read.statusCode).toBe(200);
      expect(read.body.readAt).toEqual(expect.any(String));
      const unread = await ctx.api.get('/api/v1/me/notifications?unread=true&limit=200', { headers: users.rep.headers });
      expect(unread.body.unreadCount).toBe(total - 1);
      expect(unread.body.items.map((i: { id: string }) => i.id)).not.toContain(page1.body.items[0].id);
      const readOnly = await ctx.api.get('/api/v1/me/notifications?unread=false', { headers: users.rep.headers });
      expect(readOnly.body.items.map((i: { id: string }) => i.id)).toEqual([page1.body.items[0].id]);

      // Someone else's notice is 404, exactly as if it did not exist.
      expectErrorShape(await ctx.api.post(`/api/v1/me/notifications/${page1.body.items[1].id}/read`, undefined, { headers: users.hr1.headers }), 404);

      const all = await ctx.api.post('/api/v1/me/notifications/read-all', undefined, { headers: users.rep.headers });
      expect(all.body).toEqual({ marked: total - 1 });
      expect((await ctx.api.get('/api/v1/me/notifications', { headers: users.rep.headers })).body.unreadCount).toBe(0);
      const audit = await ctx.sql.query(`SELECT action FROM audit_log WHERE actor_id = $1 AND action LIKE 'notification.%' ORDER BY id`, [users.rep.id]);
      expect(audit.rows.map((r) => r.action)).toEqual(['notification.read', 'notification.read_all']);
    });

    it('refuses bad queries with 400 naming the field', async () => {
      const bad = await ctx.api.get('/api/v1/me/notifications?unread=maybe', { headers: users.rep.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details).toEqual([{ field: 'unread', reason: 'must be true or false' }]);
      const limit = await ctx.api.get('/api/v1/me/notifications?limit=0', { headers: users.rep.headers });
      expect(limit.body.details).toEqual([{ field: 'limit', reason: 'must not be less than 1' }]);
      const cursor = await ctx.api.get('/api/v1/me/notifications?cursor=abc', { headers: users.rep.headers });
      expect(cursor.body.details).toEqual([{ field: 'cursor', reason: 'is not a cursor this API gave out' }]);
      expectErrorShape(await ctx.api.post('/api/v1/me/notifications/not-a-uuid/read', undefined, { headers: users.rep.headers }), 400);
    });
  });

  describe('webhook subscriptions (admin)', () => {
    it('validates, shows the secret only once, guards versions and audits every change without the secret', async () => {
      const h = users.admin.headers;
      const bad = await ctx.api.post('/api/v1/admin/webhooks', { name: 'x', url: 'ftp://example.test/hook', eventTypes: ['no.such'] }, { headers: h });
      expectErrorShape(bad, 400);
      expect(bad.body.details).toEqual([
        { field: 'url', reason: 'must be an http(s) URL' },
        { field: 'eventTypes', reason: 'each value must be a known event type' },
      ]);
      const unknownProgramme = await ctx.api.post('/api/v1/admin/webhooks', { name: 'y', url: `${rx.url}/y`, programmeId: '9f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a6b' }, { headers: h });
      expect(unknownProgramme.body.details).toEqual([{ field: 'programmeId', reason: 'is not a programme' }]);
      const dup = await ctx.api.post('/api/v1/admin/webhooks', { name: 'Everything', url: `${rx.url}/z` }, { headers: h });
      expectErrorShape(dup, 409);
      expect(dup.body.details).toEqual([{ field: 'name', reason: 'is already used by another subscription' }]);

      const created = await ctx.api.post('/api/v1/admin/webhooks', { name: `Hook ${tag()}`, url: `${rx.url}/x`, active: false }, { headers: h });
      expect(created.statusCode).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const got = await ctx.api.get(`/api/v1/admin/webhooks/${created.body.id}`, { headers: h });
      expect(got.body).not.toHaveProperty('secret');
      expect((await ctx.api.get('/api/v1/admin/webhooks', { headers: h })).body.every((w: object) => !('secret' in w))).toBe(true);

      const stale = await ctx.api.patch(`/api/v1/admin/webhooks/${created.body.id}`, { version: 99, active: true }, { headers: h });
      expectErrorShape(stale, 409);
      expect(stale.body.details[0].currentVersion).toBe(1);
      const updated = await ctx.api.patch(`/api/v1/admin/webhooks/${created.body.id}`, { version: 1, eventTypes: ['milestone.missed'], programmeId: other.id }, { headers: h });
      expect(updated.body).toMatchObject({ version: 2, eventTypes: ['milestone.missed'], programmeId: other.id, active: false });
      const rotated = await ctx.api.post(`/api/v1/admin/webhooks/${created.body.id}/rotate-secret`, { version: 2 }, { headers: h });
      expect(rotated.body.secret).not.toBe(created.body.secret);
      expect(rotated.body.version).toBe(3);
      expect((await ctx.api.delete(`/api/v1/admin/webhooks/${created.body.id}`, { headers: h })).statusCode).toBe(204);
      expectErrorShape(await ctx.api.get(`/api/v1/admin/webhooks/${created.body.id}`, { headers: h }), 404);

      const audit = await ctx.sql.query(`SELECT action, changes::text AS changes FROM audit_log WHERE entity_type = 'webhook_subscription' AND entity_id = $1 ORDER BY id`, [created.body.id]);
      expect(audit.rows.map((r) => r.action)).toEqual([
        'webhook_subscription.create',
        'webhook_subscription.update',
        'webhook_subscription.rotate_secret',
        'webhook_subscription.delete',
      ]);
      expect(audit.rows.some((r) => (r.changes ?? '').includes('whsec_'))).toBe(false);
    });
  });

  describe('schedules, reminders and the digest', () => {
    it('registers the sweeper and the Europe/London cron schedulers', async () => {
      await ctx.worker!.get(JobSchedules).ensure();
      const producer = ctx.app.get(JobProducer);
      expect(await producer.scheduler(JobName.MilestoneReminders, 'milestone-reminders')).toMatchObject({ pattern: '0 7 * * *', tz: 'Europe/London' });
      expect(await producer.scheduler(JobName.OverdueDigest, 'overdue-digest')).toMatchObject({ pattern: '0 8 * * *', tz: 'Europe/London' });
      expect(await producer.scheduler(JobName.OutboxSweep, 'outbox-sweep')).toMatchObject({ every: 1000 });
    });

    it('emits each milestone reminder once per offset, missed notices for overdue ones, and the HR digest', async () => {
      const [{ t }] = (await ctx.sql.query(`SELECT to_regclass('milestones')::text AS t`)).rows;
      if (!t) {
        console.warn('SKIPPED: milestones table not migrated yet; re-run after the consultations migration is merged');
        return;
      }
      const c = (await ctx.sql.query(
        `INSERT INTO consultations (programme_id, title, kind, status, start_date, planned_end_date, original_end_date, opened_at)
         VALUES ($1, 'Reminder test', 'tupe_information_consultation', 'open', '2017-01-02', '2017-03-31', '2017-03-31', now()) RETURNING id`,
        [p.id],
      )).rows[0].id;
      const milestone = async (title: string, due: string, status = 'pending') =>
        (await ctx.sql.query(
          `INSERT INTO milestones (consultation_id, title, kind, due_date, status, completed_on, audience, owner_user_id)
           VALUES ($1, $2, 'other', $3, $4, $5, '{hr}', $6) RETURNING id`,
          [c, title, due, status, status === 'done' ? due : null, users.mgrA.id],
        )).rows[0].id;
      const in5 = await milestone('Due in five days', '2017-02-15');
      const in20 = await milestone('Due in twenty days', '2017-03-02');
      const late = await milestone('Already late', '2017-02-01');
      await milestone('Done already', '2017-02-12', 'done');

      const reminders = ctx.worker!.get(MilestoneRemindersService);
      expect(await reminders.run('2017-02-10')).toEqual({ upcoming: 1, missed: 1 });
      expect(await reminders.run('2017-02-10')).toEqual({ upcoming: 0, missed: 0 }); // a rerun adds nothing
      expect(await reminders.run('2017-02-14')).toEqual({ upcoming: 1, missed: 0 }); // the 1-day reminder
      const keys = (await ctx.sql.query(`SELECT dedupe_key FROM domain_events WHERE entity_id = ANY ($1) ORDER BY dedupe_key`, [[in5, in20, late]])).rows.map((r) => r.dedupe_key);
      expect(keys).toEqual([`milestone.missed:${late}:2017-02-01`, `milestone.upcoming:${in5}:1d:2017-02-15`, `milestone.upcoming:${in5}:7d:2017-02-15`]);

      const [upcoming] = (await ctx.sql.query(`SELECT id FROM domain_events WHERE dedupe_key = $1`, [`milestone.upcoming:${in5}:7d:2017-02-15`])).rows;
      const rows = await settled(upcoming.id);
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2, users.mgrA].map((u) => u.email).sort());
      expect(emailsOf(rows)[0].subject).toContain('Reminder: Due in five days is due in 5 days (Wednesday 15 February 2017)');

      const digest = ctx.worker!.get(OverdueDigestService);
      expect(await digest.run('2017-02-10')).toEqual({ programmes: 1 });
      expect(await digest.run('2017-02-10')).toEqual({ programmes: 0 });
      const [d] = (await ctx.sql.query(`SELECT id, payload FROM domain_events WHERE dedupe_key = $1`, [`deadlines.overdue:${p.id}:2017-02-10`])).rows;
      expect(d.payload.items).toEqual([expect.objectContaining({ kind: 'milestone', title: 'Already late', dueDate: '2017-02-01', daysOverdue: 9 })]);
      const digestRows = await settled(d.id);
      expect(emailsOf(digestRows).flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2].map((u) => u.email).sort());
    });
  });

  describe('operations', () => {
    it('exports queue depth, failures and delivery latency at /metrics for the token holder', async () => {
      expectErrorShape(await ctx.api.get('/metrics'), 401);
      expectErrorShape(await ctx.api.get('/metrics', { headers: { authorization: 'Bearer wrong-token-xxxxxxxxxxxx' } }), 401);
      // The worker writes its counts once a second: read /metrics until they include every row sent so far (or 15 s pass;
      // the assertions below then say what is missing). A fixed 1.2 s wait lost the race on a loaded machine (97 of 98).
      const sentRows = (await ctx.sql.query(`SELECT count(*)::int AS n FROM notifications WHERE channel = 'email' AND status = 'sent'`)).rows[0].n;
      const sentIn = (text: string) => Number(/^wtt_notification_deliveries_total\{channel="email",outcome="sent"\} (\d+)$/m.exec(text)?.[1]);
      let res = await ctx.api.get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      for (const until = Date.now() + 15_000; !(sentIn(res.text) >= sentRows) && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 250));
        res = await ctx.api.get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      }
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/plain');
      expect(res.text).toMatch(/^wtt_queue_jobs\{queue="notify-email",state="waiting"\} \d+$/m);
      expect(res.text).toMatch(/^wtt_notifications_open\{channel="webhook",status="failed"\} \d+$/m);
      expect(res.text).toMatch(/^wtt_outbox_undispatched_events \d+$/m);
      expect(res.text).toMatch(/^wtt_metrics_source_up\{source="redis"\} 1$/m);
      const sent = sentIn(res.text);
      expect(sentRows).toBeGreaterThan(0);
      expect(sent).toBeGreaterThanOrEqual(sentRows); // every sent row counted (the sweeper test sent one row twice)
      expect(Number(/^wtt_notification_deliveries_total\{channel="email",outcome="retried"\} (\d+)$/m.exec(res.text)?.[1])).toBeGreaterThan(0);
      const count = Number(/^wtt_notification_delivery_latency_seconds_count\{channel="email"\} (\d+)$/m.exec(res.text)?.[1]);
      const inf = Number(/^wtt_notification_delivery_latency_seconds_bucket\{channel="email",le="\+Inf"\} (\d+)$/m.exec(res.text)?.[1]);
      expect(count).toBe(sent);
      expect(inf).toBe(count);
    });

    it('serves the queue dashboard to admins only, checking the token itself', async () => {
      const anonymous = await ctx.api.get('/admin/queues');
      expectErrorShape(anonymous, 401);
      expect(anonymous.headers['www-authenticate']).toContain('Basic realm=');
      expectErrorShape(await ctx.api.get('/admin/queues/api/queues', { headers: { authorization: 'Bearer nonsense' } }), 401);
      const hr = await ctx.api.get('/admin/queues/api/queues', { headers: users.hr1.headers });
      expectErrorShape(hr, 403);
      expect(hr.text).not.toContain('notify-email');

      const page = await ctx.api.get('/admin/queues', { headers: users.admin.headers });
      expect(page.statusCode).toBe(200);
      expect(page.text).toContain('<html');
      const token = await ctx.api.post('/api/v1/me/api-tokens', { name: 'dashboard', expiresInDays: 1 }, { headers: users.admin.headers });
      expect(token.statusCode).toBe(201);
      const basic = `Basic ${Buffer.from(`${users.admin.email}:${token.body.token}`).toString('base64')}`;
      const queues = await ctx.api.get('/admin/queues/api/queues', { headers: { authorization: basic } });
      expect(queues.statusCode).toBe(200);
      expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['notify-email', 'notify-webhook', 'notify-in-app', 'notify-maintenance']));
    });

    // Last: it creates users of every role, who would then be recipients of the events above.
    it('is open to every signed-in role; admin endpoints only to admins', async () => {
      await expectRouteAllows(ctx, 'GET', '/api/v1/me/notifications', [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep]);
      await expectRouteAllows(ctx, 'GET', '/api/v1/admin/deliveries', [Role.Admin]);
      await expectRouteAllows(ctx, 'GET', '/api/v1/admin/webhooks', [Role.Admin]);
    });
  });
});
