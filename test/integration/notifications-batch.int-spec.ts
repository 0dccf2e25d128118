import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainEventType } from '../../src/events/domain-event';
import { OutboxService } from '../../src/events/outbox.service';
import { forumMilestoneUpcoming } from '../support/factories/milestone-upcoming';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { eventually, startTestApp, TestContext } from '../support/test-app';

/**
 * Issue 20: email rows go out in batch jobs (a notice's recipients in one BullMQ job, over one SMTP
 * connection), each row still recorded on its own. Real PostgreSQL, Redis, worker and SMTP server;
 * between the worker and the server a TCP proxy the test can cut mid-batch.
 */

const MEMBERS = 150;

describe('notifications: email rows in batch jobs', () => {
  let ctx: TestContext;
  let sink: SmtpSink;
  /** Between the worker and the SMTP sink: `cut()` mid-batch, `pause()` for a server that cannot be reached. */
  let proxy: TcpProxy;
  let programmeId: string;
  let n = 0;

  /** A milestone.upcoming for the forum (the real producer: OutboxService, as MilestoneRemindersService emits it). */
  const emitUpcoming = async (): Promise<string> => {
    const i = n++;
    const payload = forumMilestoneUpcoming(i);
    const id = await ctx.app
      .get(DataSource)
      .transaction((em) =>
        ctx.app.get(OutboxService).emit(em, { type: DomainEventType.MilestoneUpcoming, programmeId, entityType: 'milestone', entityId: payload.milestoneId, payload }),
      );
    return id!;
  };

  const rowsOf = async (eventId: string) =>
    (
      await ctx.sql.query(
        `SELECT id, status, attempts, possibly_delivered, attempt_started_at, last_error FROM notifications WHERE event_id = $1 AND channel = 'email' ORDER BY id`,
        [eventId],
      )
    ).rows as { id: string; status: string; attempts: number; possibly_delivered: number; attempt_started_at: Date | null; last_error: string | null }[];

  beforeAll(async () => {
    sink = await startSmtpSink();
    proxy = await startTcpProxy(sink.port);
    ctx = await startTestApp({
      worker: true,
      env: { SMTP_URL: `smtp://127.0.0.1:${proxy.port}`, SMTP_POOL_SIZE: '1', OUTBOX_POLL_MS: '50', NOTIFY_RETRY_BASE_MS: '200', OUTBOX_SWEEP_EVERY_MS: '60000' },
    });
    const t = randomBytes(4).toString('hex');
    const one = async (text: string, params: unknown[] = []) => (await ctx.sql.query(text, params)).rows[0].id as string;
    const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [`CCG ${t}`]);
    programmeId = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [`Batch ${t}`, ccg]);
    const forum = await one(`INSERT INTO forums (programme_id, title) VALUES ($1, 'Forum') RETURNING id`, [programmeId]);
    const union = await one(`INSERT INTO unions (name) VALUES ($1) RETURNING id`, [`Union ${t}`]);
    await ctx.sql.query(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forum, union]);
    await ctx.sql.query(
      `INSERT INTO forum_members (forum_id, union_id, side, display_name, email)
       SELECT $1, $2, 'union', 'Rep ' || g, 'rep' || g || '-' || $4 || '@union.example' FROM generate_series(1, $3) g`,
      [forum, union, MEMBERS, t],
    );
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    await proxy?.close();
    await sink?.close();
  });

  it("delivers a notice's recipients in batch jobs of up to 100, each message once with its own Message-ID, each row sent once", async () => {
    const before = proxy.connections();
    const eventId = await emitUpcoming();
    const rows = await eventually(() => rowsOf(eventId), (r) => r.length === MEMBERS && r.every((x) => x.status === 'sent'), 20_000);
    expect(rows.every((r) => r.attempts === 1 && r.possibly_delivered === 0 && r.attempt_started_at === null)).toBe(true);
    const ids = new Set(rows.map((r) => r.id));
    const mails = sink.messages.filter((m) => m.notificationId && ids.has(m.notificationId));
    expect(mails).toHaveLength(MEMBERS);
    expect(new Set(mails.map((m) => m.notificationId)).size).toBe(MEMBERS);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(MEMBERS);
    for (const m of mails) expect(m.messageId).toBe(`<${m.notificationId}@wtt.invalid>`);
    // 150 rows: two jobs (100 + 50) over one SMTP connection (pool of 1), kept and reused.
    expect(proxy.connections() - before).toBeLessThanOrEqual(1);
  }, 30_000);

  it('a batch whose SMTP connection drops mid-batch sends the rest over a new one, once each, and records each accepted message once', async () => {
    const start = sink.messages.length;
    const connectionsBefore = proxy.connections();
    sink.setMode('hold'); // messages are read but not acknowledged: the batch stops at the first one
    const eventId = await emitUpcoming();
    await eventually(
      () => Promise.resolve(sink.held()),
      (h) => h === 1,
      20_000,
    );
    // The server has the message's data but has not said 250: cut the connection now.
    proxy.cut();
    // The server sees its client gone and drops the message it held, as a real server would.
    await eventually(
      () => Promise.resolve(sink.held()),
      (h) => h === 0,
      10_000,
    );
    sink.setMode('accept');
    const rows = await eventually(() => rowsOf(eventId), (r) => r.length === MEMBERS && r.every((x) => x.status === 'sent'), 30_000);
    const ids = new Set(rows.map((r) => r.id));
    const mails = sink.messages.slice(start).filter((m) => m.notificationId && ids.has(m.notificationId));
    // Every row reached the server exactly once (the cut message was dropped by it, then resent once).
    expect(mails).toHaveLength(MEMBERS);
    expect(new Set(mails.map((m) => m.notificationId)).size).toBe(MEMBERS);
    // One row was caught by the cut: its attempt failed mid-message (possibly delivered, so counted), then it was sent.
    const cut = rows.filter((r) => r.attempts > 1);
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ attempts: 2, possibly_delivered: 1, last_error: null });
    // Every other row: sent on its first attempt, nothing counted.
    expect(rows.filter((r) => r.attempts === 1 && r.possibly_delivered === 0)).toHaveLength(MEMBERS - 1);
    // No attempt left open: the next chunk, claimed while the cut one was on the wire, was handed back unused (else it waits out its lease).
    expect(rows.every((r) => r.attempt_started_at === null)).toBe(true);
    expect(proxy.connections()).toBeGreaterThan(connectionsBefore);
  }, 60_000);

  it('an SMTP server that cannot be reached fails the batch before anything is claimed; the rows are sent once when it is back', async () => {
    await proxy.pause();
    const eventId = await emitUpcoming();
    const failing = await eventually(() => rowsOf(eventId), (r) => r.length === MEMBERS && r.every((x) => x.attempts >= 1), 20_000);
    // Nothing was sent, so nothing is "possibly delivered" and no attempt is left open.
    expect(failing.every((r) => r.status !== 'sent' && r.possibly_delivered === 0 && r.attempt_started_at === null && r.last_error)).toBe(true);
    await proxy.resume();
    const rows = await eventually(() => rowsOf(eventId), (r) => r.every((x) => x.status === 'sent'), 30_000);
    const ids = new Set(rows.map((r) => r.id));
    const mails = sink.messages.filter((m) => m.notificationId && ids.has(m.notificationId));
    expect(mails).toHaveLength(MEMBERS);
    expect(rows.every((r) => r.possibly_delivered === 0)).toBe(true);
  }, 60_000);
});
