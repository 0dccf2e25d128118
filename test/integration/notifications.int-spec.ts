import { createHmac, randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/access/role.enum';
import { DomainEvent, DomainEventType } from '../../src/events/domain-event';
import { OutboxService } from '../../src/events/outbox.service';
import { JobSchedules } from '../../src/notifications/job-schedules.service';
import { MilestoneRemindersService } from '../../src/notifications/milestone-reminders.service';
import { OutboxSweeper } from '../../src/notifications/outbox-sweeper.service';
import { OverdueDigestService } from '../../src/notifications/overdue-digest.service';
import { JobProducer } from '../../src/queue/job-producer.service';
import { JobName } from '../../src/queue/queue.contract';
import { createUser, expectNoPersonalData, expectRouteAllows, TestUser } from '../support/auth';
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

interface Programme {
  id: string;
  name: string;
  areaA: string;
  areaB: string;
}

async function createProgramme(sql: Client): Promise<Programme> {
  const t = tag();
  const one = async (text: string, params: unknown[]): Promise<string> => (await sql.query(text, params)).rows[0].id;
  const council = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'council', 'active') RETURNING id`, [`Council ${t}`]);
  const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [`CCG ${t}`]);
  const name = `Programme ${t}`;
  const id = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [name, ccg]);
  await sql.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) VALUES ($1, $2)`, [id, council]);
  const area = (n: string) => one(`INSERT INTO thematic_areas (programme_id, name, default_scope) VALUES ($1, $2, 'in_scope') RETURNING id`, [id, n]);
  return { id, name, areaA: await area('Mental Health'), areaB: await area('Learning Disability') };
}

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

  /**
   * TODO(issue 14): these payloads are still written by hand (partial); the events of the real
   * producers are covered by notifications-events.int-spec.ts. Replace each with its producer.
   */
  type LooseEvent = Omit<DomainEvent, 'payload' | 'entityType'> & { entityType: string; payload: Record<string, unknown> };
  const emit = (e: LooseEvent) => ctx.app.get(DataSource).transaction((em) => ctx.app.get(OutboxService).emit(em, e as unknown as DomainEvent));

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
      const eventId = (await emit({
        type: DomainEventType.ConsultationOpened,
        programmeId: p.id,
        entityType: 'consultation',
        entityId: '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a6b',
        payload: { title: 'Single Commissioning Function: TUPE consultation', startDate: '2016-11-01', plannedEndDate: '2017-01-31' },
      }))!;
      const rows = await settled(eventId);
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
      expect(mails[0].text).toContain('Ends: Tuesday 31 January 2017');
      expect(mails[0].html).toContain('<th align="left" style="padding-right:12px">Ends</th><td>Tuesday 31 January 2017</td>');
      expect(mails[0].messageId).toMatch(/^<[0-9a-f-]{36}@council\.example>$/);
      const feed = await ctx.sql.query(`SELECT user_id FROM notification_feed WHERE notification_id = ANY ($1::uuid[])`, [rows.map((r) => r.id)]);
      expect(feed.rows.map((r) => r.user_id).sort()).toEqual(expected.map((u) => u.id).sort());
      expect(hooksOf(rows)).toHaveLength(1);
    });

    it('a forum meeting reaches the forum and HR (not managers), and both matching webhooks with a valid signature', async () => {
      const eventId = (await emit({
        type: DomainEventType.ForumMeetingScheduled,
        programmeId: p.id,
        entityType: 'forum_meeting',
        entityId: '0b8e3e3a-7f4b-4a39-8a3e-1a2b3c4d5e6f',
        payload: { title: 'Joint TU forum #3', startsAt: '2016-12-05T10:00:00Z', endsAt: '2016-12-05T12:00:00Z', location: 'Town Hall, Room 2' },
      }))!;
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
        expect(h.json.text).toContain('When: Mon 5 Dec 2016, 10:00 GMT');
      }
    });

    it('a staff movement reaches HR and the case’s own manager only, names the old and new grade and the destination, and webhooks get no personal data', async () => {
      const eventId = (await emit({
        type: DomainEventType.CaseStateChanged,
        programmeId: p.id,
        entityType: 'transition_case',
        entityId: '5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c6',
        payload: {
          fromState: 'agreed',
          toState: 'letters_issued',
          route: 'tupe_transfer',
          thematicAreaId: p.areaA,
          postReference: 'MH-007',
          postTitle: 'Commissioning Manager',
          oldGrade: 'G9',
          newGrade: 'Band 7',
          destination: 'Manchester CCG',
          effectiveDate: '2017-04-01',
          employeeName: 'Priya Testperson',
          staffNumber: 'S0012345',
        },
      }))!;
      const rows = await settled(eventId);
      const expected = [users.hr1, users.hr2, users.mgrA];
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(rows.some((r) => r.user_id === users.rep.id || r.user_id === users.mgrB.id)).toBe(false);
      for (const m of mails) {
        expect(m.text).toContain('Old grade: G9');
        expect(m.text).toContain('New grade: Band 7');
        expect(m.text).toContain('Destination: Manchester CCG');
        expect(m.subject).toContain('G9 → Band 7, Manchester CCG');
        expect(m.text).toContain('Person: Priya Testperson'); // HR and the manager may see who it is
      }
      const [hook] = hooksOf(rows);
      expect(hook.json.text).toContain('Old grade: G9');
      expect(hook.body).not.toContain('Priya');
      expect(hook.body).not.toContain('S0012345');
      expectNoPersonalData(hook.json, ['Priya Testperson', 'S0012345']);
    });

    it('a staff movement without a new grade says the grade is unchanged', async () => {
      const eventId = (await emit({
        type: DomainEventType.CaseStateChanged,
        programmeId: p.id,
        entityType: 'transition_case',
        entityId: '5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c7',
        payload: { fromState: 'proposed', toState: 'in_consultation', thematicAreaId: p.areaB, oldGrade: 'G7', destination: 'Manchester CCG' },
      }))!;
      const rows = await settled(eventId);
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2, users.mgrB].map((u) => u.email).sort());
      expect(mails[0].text).toContain('New grade: G7 (unchanged)');
    });

    it('a milestone reminder reaches its audience and its owner', async () => {
      const eventId = (await emit({
        type: DomainEventType.MilestoneUpcoming,
        programmeId: p.id,
        entityType: 'milestone',
        entityId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
        payload: { title: 'Measures letter issued', dueDate: '2017-02-01', daysLeft: 7, audience: ['forum', 'managers'], ownerUserId: users.hr1.id },
      }))!;
      const rows = await settled(eventId);
      const expected = [users.rep, users.mgrA, users.mgrB, users.hr1];
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual(expected.map((u) => u.email).sort());
      expect(emailsOf(rows)[0].subject).toBe(`[${p.name}] Reminder: Measures letter issued is due in 7 days (Wednesday 1 February 2017)`);
    });

    it('the overdue digest goes to HR only; people’s names in it stay out of webhooks', async () => {
      const eventId = (await emit({
        type: DomainEventType.DeadlinesOverdue,
        programmeId: p.id,
        entityType: 'programme',
        entityId: p.id,
        payload: {
          date: '2017-02-10',
          items: [{ kind: 'eli', title: 'eli', dueDate: '2017-02-01', daysOverdue: 9, context: 'MH-007 Commissioning Manager', employeeName: 'Priya Testperson' }],
        },
      }))!;
      const rows = await settled(eventId);
      const mails = emailsOf(rows);
      expect(mails.flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2].map((u) => u.email).sort());
      expect(mails[0].text).toContain('- eli (MH-007 Commissioning Manager, Priya Testperson): due Wednesday 1 February 2017, 9 days overdue');
      expect(hooksOf(rows)[0].body).not.toContain('Priya');
    });

    it('a tu_rep’s feed and emails never carry a person’s personal data', async () => {
      const feed = await ctx.api.get('/api/v1/me/notifications?limit=200', { headers: users.rep.headers });
      expect(feed.statusCode).toBe(200);
      expect(feed.body.items.length).toBeGreaterThan(0);
      expect(feed.body.items.some((i: { eventType: string }) => i.eventType === 'case.state_changed')).toBe(false);
      expectNoPersonalData(feed.body, ['Priya', 'S0012345']);
      const repMails = sink.messages.filter((m) => m.to.includes(users.rep.email));
      expect(repMails.length).toBeGreaterThan(0);
      expect(repMails.some((m) => m.raw.includes('Priya'))).toBe(false);
    });

    it('forum members without an account get the forum’s notices by email (when the forum tables exist)', async () => {
      const [{ t }] = (await ctx.sql.query(`SELECT to_regclass('forum_members')::text AS t`)).rows;
      if (!t) {
        console.warn('SKIPPED: forum_members table not migrated yet; re-run after the consultations/forum migration is merged');
        return;
      }
      const forum = (await ctx.sql.query(`INSERT INTO forums (programme_id, title) VALUES ($1, 'Joint TU forum') RETURNING id`, [p.id])).rows[0].id;
      const union = (await ctx.sql.query(`INSERT INTO unions (name) VALUES ($1) RETURNING id`, [`Union ${tag()}`])).rows[0].id;
      await ctx.sql.query(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forum, union]);
      const member = `steward.${tag()}@union.example`;
      const left = `left.${tag()}@union.example`;
      await ctx.sql.query(`INSERT INTO forum_members (forum_id, union_id, side, display_name, email) VALUES ($1, $2, 'union', 'A Steward', $3)`, [forum, union, member]);
      await ctx.sql.query(`INSERT INTO forum_members (forum_id, union_id, side, display_name, email, left_on) VALUES ($1, $2, 'union', 'Gone', $3, '2000-01-01')`, [forum, union, left]);
      await ctx.sql.query(`INSERT INTO forum_members (forum_id, side, display_name, email, user_id) VALUES ($1, 'management', 'HR lead', $2, $3)`, [forum, users.hr1.email, users.hr1.id]);
      const eventId = (await emit({ type: DomainEventType.ForumMeetingCancelled, programmeId: p.id, entityType: 'forum_meeting', entityId: '0b8e3e3a-7f4b-4a39-8a3e-1a2b3c4d5e60', payload: { title: 'Forum #4', cancellationReason: 'Room unavailable' } }))!;
      const rows = await settled(eventId);
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual([users.hr1.email, users.hr2.email, member, users.rep.email].sort());
      expect(rows.filter((r) => r.recipient_key === `email:${member}`).map((r) => r.channel)).toEqual(['email']);
    });

    it('sends each message once even when the event is relayed again', async () => {
      const eventId = (await emit({ type: DomainEventType.ConsultationClosed, programmeId: other.id, entityType: 'consultation', entityId: '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a60', payload: { title: 'Other consultation', closedOn: '2017-03-01' } }))!;
      const rows = await settled(eventId);
      expect(emailsOf(rows).flatMap((m) => m.to).sort()).toEqual([users.hr1, users.hr2, users.mgrOther, users.repOther].map((u) => u.email).sort());
      // Replay: mark the event undispatched; the relay runs again and the unique key keeps one row per delivery.
      await ctx.sql.query(`UPDATE domain_events SET dispatched_at = NULL WHERE id = $1`, [eventId]);
      await settled(eventId);
      await new Promise((r) => setTimeout(r, 500));
      const again = (await ctx.sql.query(`SELECT count(*)::int AS n FROM notifications WHERE event_id = $1`, [eventId])).rows[0].n;
      expect(again).toBe(rows.length);
      expect(emailsOf(rows)).toHaveLength(4);
      // The same event emitted twice with one dedupe key is one event.
      const key = `consultation.closed:${tag()}`;
      const first = await emit({ type: DomainEventType.ConsultationClosed, programmeId: other.id, entityType: 'consultation', entityId: '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a61', payload: {}, dedupeKey: key });
      const second = await emit({ type: DomainEventType.ConsultationClosed, programmeId: other.id, entityType: 'consultation', entityId: '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a61', payload: {}, dedupeKey: key });
      expect(first).toEqual(expect.any(String));
      expect(second).toBeNull();
    });
  });

  describe('failures and retries', () => {
    it('an SMTP server that refuses mail and then recovers ends with every message delivered once', async () => {
      sink.setMode('refuse');
      const refusedBefore = sink.refused;
      const eventId = (await emit({ type: DomainEventType.ConsultationExtended, programmeId: other.id, entityType: 'consultation', entityId: '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a62', payload: { title: 'Extended one', previousEndDate: '2017-01-31', plannedEndDate: '2017-02-28', extensionReason: 'More time for the unions' } }))!;
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
    }, 40_000);

    it('a webhook that answers 5xx then 2xx is delivered once, after retrying', async () => {
      let calls = 0;
      rx.respond((req) => (req.url === '/all' && ++calls <= 2 ? 503 : 204));
      const eventId = (await emit({ type: DomainEventType.ForumMinutesPublished, programmeId: p.id, entityType: 'forum_meeting', entityId: '0b8e3e3a-7f4b-4a39-8a3e-1a2b3c4d5e61', payload: { title: 'Forum #2' } }))!;
      const rows = await settled(eventId, 20_000);
      const hook = rows.find((r) => r.channel === 'webhook')!;
      expect(hook).toMatchObject({ status: 'sent', attempts: 3 });
      const received = rx.requests.filter((r) => r.headers['x-delivery-id'] === hook.id);
      expect(received.map((r) => r.status)).toEqual([503, 503, 204]);
      expect(new Set(received.map((r) => r.body)).size).toBe(1); // the same body and delivery id every time
      rx.respond(() => 204);
    }, 30_000);

    it('a refused delivery is failed with its error, listed for admins, and delivered once when an admin retries it', async () => {
      rx.respond((req) => (req.url === '/all' ? 410 : 204));
      const eventId = (await emit({ type: DomainEventType.RepresentationAnswered, programmeId: p.id, entityType: 'representation', entityId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', payload: { subject: 'Pay protection', unionName: 'UNISON' } }))!;
      const rows = await settled(eventId);
      const hook = rows.find((r) => r.channel === 'webhook')!;
      expect(hook.status).toBe('failed');
      expect(rows.filter((r) => r.channel !== 'webhook').every((r) => r.status === 'sent')).toBe(true);

      const list = await ctx.api.get('/api/v1/admin/deliveries?status=failed&channel=webhook', { headers: users.admin.headers });
      expect(list.statusCode).toBe(200);
      const item = list.body.items.find((i: { id: string }) => i.id === hook.id);
      expect(item).toMatchObject({ status: 'failed', attempts: 1, lastError: 'webhook answered 410', channel: 'webhook', eventType: 'representation.answered', address: `${rx.url}/all` });

      const notFailed = rows.find((r) => r.channel === 'email')!;
      const conflict = await ctx.api.post(`/api/v1/admin/deliveries/${notFailed.id}/retry`, undefined, { headers: users.admin.headers });
      expectErrorShape(conflict, 409);
      expectErrorShape(await ctx.api.post(`/api/v1/admin/deliveries/${hook.id}/retry`, undefined, { headers: users.hr1.headers }), 403);
      expectErrorShape(await ctx.api.post(`/api/v1/admin/deliveries/9f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a6b/retry`, undefined, { headers: users.admin.headers }), 404);

      rx.respond(() => 204);
      const retried = await ctx.api.post(`/api/v1/admin/deliveries/${hook.id}/retry`, undefined, { headers: users.admin.headers });
      expect(retried.statusCode).toBe(202);
      expect(retried.body).toMatchObject({ id: hook.id, status: 'queued' });
      const done = await eventually(() => ctx.api.get(`/api/v1/admin/deliveries/${hook.id}`, { headers: users.admin.headers }), (r) => r.body.status === 'sent');
      expect(done.body).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(rx.requests.filter((r) => r.headers['x-delivery-id'] === hook.id).map((r) => r.status)).toEqual([410, 204]);
      const audit = await ctx.sql.query(`SELECT actor_id, action FROM audit_log WHERE entity_type = 'notification' AND entity_id = $1`, [hook.id]);
      expect(audit.rows).toEqual([{ actor_id: users.admin.id, action: 'notification.retry' }]);
    }, 30_000);

    it('a delivery that keeps failing is retried with backoff, then failed with its last error after the last attempt', async () => {
      rx.respond((req) => (req.url === '/all' ? 503 : 204));
      const eventId = (await emit({ type: DomainEventType.MilestoneReached, programmeId: p.id, entityType: 'milestone', entityId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c81', payload: { title: 'Flaky receiver', audience: ['hr'] } }))!;
      const rows = await settled(eventId, 40_000); // attempts after 1 + 2 + 4 + 8 s of backoff
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
      rx.respond(() => 204);
      rx.delay(1200); // longer than WEBHOOK_TIMEOUT_MS
      const eventId = (await emit({ type: DomainEventType.ForumMeetingChanged, programmeId: p.id, entityType: 'forum_meeting', entityId: '0b8e3e3a-7f4b-4a39-8a3e-1a2b3c4d5e62', payload: { title: 'Forum #5', changes: ['starts_at'] } }))!;
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
      const eventId = (await emit({ type: DomainEventType.MilestoneReached, programmeId: other.id, entityType: 'milestone', entityId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c80', payload: { title: 'Lost one', audience: ['hr'] } }))!;
      const rows = await settled(eventId);
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
      await new Promise((r) => setTimeout(r, 1200)); // the worker writes its counts once a second
      const res = await ctx.api.get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/plain');
      expect(res.text).toMatch(/^wtt_queue_jobs\{queue="notify-email",state="waiting"\} \d+$/m);
      expect(res.text).toMatch(/^wtt_notifications_open\{channel="webhook",status="failed"\} \d+$/m);
      expect(res.text).toMatch(/^wtt_outbox_undispatched_events \d+$/m);
      expect(res.text).toMatch(/^wtt_metrics_source_up\{source="redis"\} 1$/m);
      const sent = Number(/^wtt_notification_deliveries_total\{channel="email",outcome="sent"\} (\d+)$/m.exec(res.text)?.[1]);
      const sentRows = (await ctx.sql.query(`SELECT count(*)::int AS n FROM notifications WHERE channel = 'email' AND status = 'sent'`)).rows[0].n;
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
