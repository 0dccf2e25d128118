import { issueCaseLetter } from '../support/documents';
import { Role } from '../../src/common/access/role.enum';
import { addDays, todayInLondon } from '../../src/common/dates';
import { createUser, TestUser } from '../support/auth';
import { createEstablishment, createHolder, TestEstablishment } from '../support/factories/cases-factory';
import { ReceivedMail, SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { eventually, startTestApp, TestContext } from '../support/test-app';

/**
 * Notices written from the events the real producers emit (the API, then the outbox, the relay,
 * the worker and SMTP): each says what happened at its own moment, in words, with a link from
 * PUBLIC_BASE_URL; a meeting's email carries the calendar invitation with the feed's UID.
 */

const BASE = 'https://tracker.council.example';
const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');

describe('notices say what happened, from the real producers', () => {
  let ctx: TestContext;
  let sink: SmtpSink;
  let est: TestEstablishment;
  let hr: TestUser;
  let rep: TestUser;
  const today = todayInLondon();

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx = await startTestApp({
      worker: true,
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Transition tracker <notices@council.example>', PUBLIC_BASE_URL: BASE, OUTBOX_POLL_MS: '50' },
    });
    est = await createEstablishment(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer);
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: est.programmeId, thematicAreaId: null }] });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await sink?.close();
  });

  /** The emails sent to `address` for the events of `entityId`, oldest event first, once all are sent. */
  async function mailsFor(entityId: string, address: string, count: number): Promise<ReceivedMail[]> {
    const rows = await eventually(
      async () =>
        (
          await ctx.sql.query(
            `SELECT n.id, n.status FROM notifications n JOIN domain_events e ON e.id = n.event_id
             WHERE e.entity_id = $1 AND n.channel = 'email' AND n.address = $2 ORDER BY e.occurred_at, e.id`,
            [entityId, address.toLowerCase()],
          )
        ).rows as { id: string; status: string }[],
      (r) => r.length === count && r.every((n) => n.status === 'sent'),
      20_000,
    );
    return rows.map((r) => {
      const m = sink.messages.find((x) => x.notificationId === r.id);
      if (!m) throw new Error(`no message at the SMTP server for notification ${r.id}`);
      return m;
    });
  }

  it('a case moved through five states by the API gives five notices, each naming its own from and to states', async () => {
    const holder = await createHolder(ctx.sql, est);
    const opened = await ctx.api.post(
      `/api/v1/programmes/${est.programmeId}/cases`,
      { employeeId: holder.employee.id, postId: holder.postId, route: 'tupe_transfer', legalBasis: 'tupe_2006', legalAdviceReference: 'LS/2016/1187', destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' },
      { headers: hr.headers },
    );
    expect(opened.statusCode).toBe(201);
    let c = opened.body;
    const steps = ['in_consultation', 'on_hold', 'in_consultation', 'agreed', 'letters_issued'];
    for (const to of steps) {
      // "Letters issued" needs the case's letter issued first (issue 15), through the real API.
      if (to === 'letters_issued') await issueCaseLetter(ctx, hr, c.id);
      const res = await ctx.api.post(`/api/v1/cases/${c.id}/transitions`, { to, version: c.version }, { headers: hr.headers });
      expect(res.statusCode).toBe(200);
      c = res.body;
    }

    const mails = await mailsFor(c.id, hr.email, 5);
    const post = `${c.post.reference} ${c.post.title}`;
    expect(mails.map((m) => m.subject.replace(/^\[[^\]]+\] /, '').replace(/ \(.*$/, ''))).toEqual([
      `Case moved from proposed to in consultation: ${post}`,
      `Case moved from in consultation to on hold: ${post}`,
      `Case moved from on hold to in consultation: ${post}`,
      `Case moved from in consultation to agreed: ${post}`,
      `Case moved from agreed to letters issued: ${post}`,
    ]);
    const pairs = [['Proposed', 'In consultation'], ['In consultation', 'On hold'], ['On hold', 'In consultation'], ['In consultation', 'Agreed'], ['Agreed', 'Letters issued']];
    mails.forEach((m, i) => {
      expect(m.text).toContain(`Was: ${pairs[i][0]}\nNow: ${pairs[i][1]}`);
      expect(m.text).toContain('Route: TUPE transfer');
      expect(m.text).toContain(`View the case: ${BASE}/cases/${c.id}`);
      expect(m.text).not.toMatch(/in_consultation|letters_issued|on_hold|tupe_transfer/);
      expect(m.messageId).toBe(`<${m.notificationId}@council.example>`);
    });
  }, 60_000);

  it('a meeting scheduled by the API invites the forum with METHOD:REQUEST and the calendar feed’s UID; one recorded after it took place is not "scheduled"', async () => {
    const consultation = await ctx.api.post(
      '/api/v1/consultations',
      { programmeId: est.programmeId, title: 'Transfer to the CCG', kind: 'tupe_information_consultation', startDate: today, plannedEndDate: addDays(today, 60) },
      { headers: hr.headers },
    );
    expect(consultation.statusCode).toBe(201);
    const forum = await ctx.api.post('/api/v1/forums', { programmeId: est.programmeId, title: 'Joint Trade Union Forum' }, { headers: hr.headers });
    expect(forum.statusCode).toBe(201);
    const member = await ctx.api.post(
      `/api/v1/forums/${forum.body.id}/members`,
      { side: 'management', displayName: 'Morgan Mgmtsurname', email: 'morgan.m@council.example', roleTitle: 'Head of HR' },
      { headers: hr.headers },
    );
    expect(member.statusCode).toBe(201);

    const day = addDays(today, 14);
    const meeting = await ctx.api.post(
      `/api/v1/forums/${forum.body.id}/meetings`,
      { title: 'Forum: measures', location: 'Committee Room 6, Town Hall Extension', startsAt: `${day}T10:00:00Z`, endsAt: `${day}T12:00:00Z`, consultationId: consultation.body.id },
      { headers: hr.headers },
    );
    expect(meeting.statusCode).toBe(201);

    const [invite] = await mailsFor(meeting.body.id, 'morgan.m@council.example', 1);
    expect(invite.subject).toContain('Forum meeting scheduled: Forum: measures');
    expect(invite.text).toContain('Start time: ');
    expect(invite.text).toContain(`View the meeting: ${BASE}/meetings/${meeting.body.id}`);
    expect(invite.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const ics = unfold(invite.calendar ?? '');
    expect(ics).toMatch(/^METHOD:REQUEST$/m);

    // The same UID as the rep's calendar feed gives the meeting, so Outlook keeps one event.
    const feed = await ctx.api.post(`/api/v1/consultations/${consultation.body.id}/calendar-feed`, undefined, { headers: rep.headers });
    expect(feed.statusCode).toBe(201);
    const feedText = unfold((await ctx.api.get(new URL(feed.body.url).pathname)).text);
    const feedUid = feedText.split('BEGIN:VEVENT').find((e) => e.includes('SUMMARY:Forum: measures'))?.match(/^UID:(.+)$/m)?.[1];
    expect(feedUid).toBeDefined();
    expect(ics).toContain(`UID:${feedUid}`);

    const past = addDays(today, -3);
    const recorded = await ctx.api.post(
      `/api/v1/forums/${forum.body.id}/meetings`,
      { title: 'Forum: last week', location: 'Town Hall', startsAt: `${past}T10:00:00Z`, endsAt: `${past}T12:00:00Z` },
      { headers: hr.headers },
    );
    expect(recorded.statusCode).toBe(201);
    const [late] = await mailsFor(recorded.body.id, 'morgan.m@council.example', 1);
    expect(late.subject).toContain('Forum meeting recorded: Forum: last week');
    expect(`${late.subject}\n${late.text}`).not.toMatch(/scheduled/i);
    expect(late.calendar).toBeNull();
  }, 60_000);
});
