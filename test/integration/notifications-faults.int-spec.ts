import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/access/role.enum';
import { addDays } from '../../src/common/dates';
import { OverdueDigestService } from '../../src/notifications/overdue-digest.service';
import { OutboxService } from '../../src/events/outbox.service';
import { OutboxRelayService } from '../../src/notifications/outbox-relay.service';
import { createUser, TestUser } from '../support/auth';
import { RunningRedis, startRedis } from '../support/servers';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { startTcpProxy } from '../support/tcp-proxy';
import { eventually, expectErrorShape, startTestApp, TestApi, TestContext } from '../support/test-app';

/**
 * Under faults (issue 18), quick ones: a hung Redis (SIGSTOP of this file's own redis-server)
 * does not hold requests; PostgreSQL unreachable answers 503 with Retry-After; the relay's
 * "mark queued" cannot deadlock with a delivery's "mark sent"; a "mark sent" that fails for a
 * transient reason is retried, not answered with a resend. The long run is `make faults`.
 */

const HR_OFFICERS = 3;
/** How long Redis stays frozen (the 15 s): a request that waited for Redis would answer only after it. */
const FREEZE_MS = 15_000;

describe('under faults: hung Redis, PostgreSQL away, deadlocks, a failed "mark sent"', () => {
  let ctx: TestContext;
  let redis: RunningRedis;
  let sink: SmtpSink;
  let programmeId: string;
  let hr: TestUser;
  let admin: TestUser;

  /** A digest from the real producer (OverdueDigestService), a new day each time so each is a new event. */
  let digestDay = 0;
  const emitDigest = async (): Promise<string> => {
    const day = addDays('2017-02-10', digestDay++);
    const digest = new OverdueDigestService(ctx.app.get(DataSource), ctx.app.get(OutboxService));
    expect(await digest.run(day)).toEqual({ programmes: 1 });
    const { rows } = await ctx.sql.query(`SELECT id FROM domain_events WHERE dedupe_key = $1`, [`deadlines.overdue:${programmeId}:${day}`]);
    return rows[0].id as string;
  };

  const emailRows = async (eventId: string) =>
    (
      await ctx.sql.query(
        `SELECT id, status, attempts, possibly_delivered, attempt_started_at FROM notifications WHERE event_id = $1 AND channel = 'email' ORDER BY id`,
        [eventId],
      )
    ).rows as { id: string; status: string; attempts: number; possibly_delivered: number; attempt_started_at: Date | null }[];

  beforeAll(async () => {
    redis = await startRedis(); // this file's own redis-server: it is frozen below
    sink = await startSmtpSink();
    ctx = await startTestApp({
      redisUrl: redis.url,
      worker: true,
      env: { SMTP_URL: sink.url, OUTBOX_POLL_MS: '100', OUTBOX_SWEEP_EVERY_MS: '60000', NOTIFY_REQUEUE_AFTER_SECONDS: '300', REDIS_COMMAND_TIMEOUT_MS: '300' },
    });
    const t = randomBytes(4).toString('hex');
    const org = (await ctx.sql.query(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [`CCG ${t}`])).rows[0].id;
    programmeId = (await ctx.sql.query(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [`Programme ${t}`, org]))
      .rows[0].id;
    // One open consultation with a milestone long overdue: every day's digest lists it.
    const consultation = (
      await ctx.sql.query(
        `INSERT INTO consultations (programme_id, title, kind, start_date, planned_end_date, original_end_date)
         VALUES ($1, 'Transfer to the CCG', 'tupe_information_consultation', '2016-12-01', '2017-03-31', '2017-03-31') RETURNING id`,
        [programmeId],
      )
    ).rows[0].id;
    await ctx.sql.query(`INSERT INTO milestones (consultation_id, title, kind, due_date) VALUES ($1, 'Measures letter to the unions', 'measures_letter', '2017-01-20')`, [consultation]);
    hr = await createUser(ctx, Role.HrOfficer);
    admin = await createUser(ctx, Role.Admin);
    for (let i = 1; i < HR_OFFICERS; i++) await createUser(ctx, Role.HrOfficer);
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    await sink?.close();
    await redis?.stop();
  });

  it('with Redis frozen (SIGSTOP) for 15 s, authenticated reads and sign-in answer while it is frozen; readiness names Redis; the limiter counts what it let through', async () => {
    const probe = new Redis(redis.url);
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))![1]);
    probe.disconnect();
    expect((await ctx.api.get('/api/v1/me', { headers: hr.headers })).statusCode).toBe(200);

    process.kill(pid, 'SIGSTOP');
    let frozen = true;
    const thaw = new Promise<void>((resolve) =>
      setTimeout(() => {
        frozen = false;
        process.kill(pid, 'SIGCONT');
        resolve();
      }, FREEZE_MS),
    );
    const smokeRows = async () => Number((await ctx.sql.query(`SELECT count(*)::int AS n FROM smoke_jobs`)).rows[0].n);
    const smokeBefore = await smokeRows();
    try {
      const answered: { status: number; whileFrozen: boolean }[] = [];
      const timed = async <R extends { statusCode: number }>(p: Promise<R>): Promise<R> => {
        const res = await p;
        answered.push({ status: res.statusCode, whileFrozen: frozen });
        return res;
      };
      // The first request pays one command timeout; the breaker then skips Redis for the rest.
      await timed(ctx.api.get('/api/v1/me', { headers: hr.headers }));
      await Promise.all([1, 2, 3].map(() => timed(ctx.api.get('/api/v1/me', { headers: hr.headers }))));
      // Other authenticated reads (lists, a record, the in-app feed): each answers while Redis is frozen, not when it thaws.
      const reads = ['/api/v1/programmes', `/api/v1/programmes/${programmeId}`, '/api/v1/organisations', '/api/v1/me/notifications'];
      for (const url of reads) await timed(ctx.api.get(url, { headers: hr.headers }));
      await timed(ctx.api.post('/api/v1/auth/sign-in', { email: hr.email, password: hr.password }));
      const ready = await ctx.api.get('/health/ready');
      answered.push({ status: ready.statusCode, whileFrozen: frozen });
      // The job producer's own connection (queue calls): /metrics, the smoke endpoint and the queue dashboard answer too.
      const metrics = await timed(ctx.api.get('/metrics'));
      const smoke = await timed(ctx.api.post('/api/v1/system/smoke-jobs', { message: 'while frozen' }, { headers: admin.headers }));
      const dashboard = await timed(ctx.api.get('/admin/queues/api/queues', { headers: admin.headers }));
      expect(answered).toEqual([
        { status: 200, whileFrozen: true },
        { status: 200, whileFrozen: true },
        { status: 200, whileFrozen: true },
        { status: 200, whileFrozen: true },
        ...reads.map(() => ({ status: 200, whileFrozen: true })),
        { status: 200, whileFrozen: true },
        { status: 503, whileFrozen: true },
        { status: 200, whileFrozen: true },
        { status: 503, whileFrozen: true },
        { status: 503, whileFrozen: true },
      ]);
      expectErrorShape(ready, 503);
      expect(ready.body.details).toEqual([expect.objectContaining({ field: 'redis' })]);
      expect(metrics.text).toMatch(/wtt_metrics_source_up\{source="redis"\} 0/);
      expect(metrics.text).toMatch(/wtt_metrics_source_up\{source="postgres"\} 1/);
      for (const res of [smoke, dashboard]) {
        expectErrorShape(res, 503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body.details).toEqual([{ field: 'queue', reason: 'is unreachable', retryAfterSeconds: 5 }]);
      }
      expect(await smokeRows()).toBe(smokeBefore); // the refused smoke job left nothing behind
    } finally {
      await thaw;
    }
    const after = await eventually(() => ctx.api.get('/health/ready'), (r) => r.statusCode === 200, 10_000, 200);
    expect(after.statusCode).toBe(200);
    expect(after.body.info.redis.degraded).toMatch(/went on without Redis/);
    const metrics = await ctx.api.get('/metrics');
    const failOpen = /wtt_redis_fail_open_total\{source="rate_limit"\} (\d+)/.exec(metrics.text);
    expect(Number(failOpen?.[1])).toBeGreaterThanOrEqual(4);
    expect(metrics.text).toMatch(/wtt_metrics_source_up\{source="redis"\} 1/);
    const smoke = await ctx.api.post('/api/v1/system/smoke-jobs', { message: 'thawed' }, { headers: admin.headers });
    expect(smoke.statusCode).toBe(202);
    expect((await ctx.api.get('/admin/queues/api/queues', { headers: admin.headers })).statusCode).toBe(200);
  }, 60_000);

  it('with PostgreSQL unreachable, requests get 503 in the error shape with Retry-After, and readiness says the database is unreachable, not migrations pending', async () => {
    const pgPort = Number(new URL(ctx.db.url).port);
    const proxy = await startTcpProxy(pgPort); // in front of PostgreSQL
    const direct = process.env.DATABASE_URL!;
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    process.env.DATABASE_URL = viaProxy.toString();
    const app = await ctx.startAnotherApi();
    process.env.DATABASE_URL = direct;
    const api = new TestApi(app);
    try {
      expect((await api.get('/api/v1/me', { headers: hr.headers })).statusCode).toBe(200);
      await proxy.pause(); // connections dropped, new ones refused
      const stopped = [
        await api.get('/api/v1/me', { headers: hr.headers }),
        await api.get('/api/v1/me', { headers: hr.headers }),
        await api.get('/api/v1/programmes', { headers: hr.headers }),
        await api.post('/api/v1/organisations', { name: `Refused ${randomBytes(3).toString('hex')}`, kind: 'merged_ccg' }, { headers: admin.headers }),
      ];
      for (const res of stopped) {
        expectErrorShape(res, 503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body.details).toEqual([{ field: 'database', reason: 'is unreachable', retryAfterSeconds: 5 }]);
      }
      // A page: the service-unavailable page (GOV.UK pattern), 503 with Retry-After, nothing of the request but its id.
      const page = await api.get('/', { headers: { ...hr.headers, accept: 'text/html' } });
      expect(page.statusCode).toBe(503);
      expect(page.headers['retry-after']).toBe('5');
      expect(String(page.headers['content-type'])).toMatch(/text\/html/);
      expect(page.text).toMatch(/<h1 class="govuk-heading-l">Sorry, the service is unavailable<\/h1>/);
      expect(page.text).toContain('Try again later.');
      expect(page.headers['x-request-id']).toEqual(expect.any(String));
      expect(page.text).toContain(`<code>${String(page.headers['x-request-id'])}</code>`);
      expect(page.text).not.toMatch(/database|unreachable|ECONNREFUSED|Internal server error/i);
      const ready = await api.get('/health/ready');
      expectErrorShape(ready, 503);
      expect(ready.body.message).toBe('Not ready: database unreachable');
      expect(ready.body.details).toEqual(
        expect.arrayContaining([
          { field: 'database', reason: 'down: unreachable' },
          { field: 'migrations', reason: 'down: not checked: database unreachable' },
        ]),
      );
      await proxy.resume();
      const back = await eventually(() => api.get('/api/v1/me', { headers: hr.headers }), (r) => r.statusCode === 200, 10_000, 200);
      expect(back.statusCode).toBe(200);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('the relay\'s "mark queued" and a delivery\'s "mark sent" taking the same rows in opposite orders do not deadlock', async () => {
    sink.setMode('hold'); // the deliveries stop at the mail server: their rows stay unsent
    const event = await emitDigest();
    const rows = await eventually(() => emailRows(event), (r) => r.length === HR_OFFICERS, 20_000, 100);
    const [a, b] = rows;
    const relay = ctx.worker!.get(OutboxRelayService);
    // The old interleaving: "mark sent" of a batch holding B and about to take A, while the relay marks [A, B] queued.
    const tx = new Client({ connectionString: ctx.db.adminUrl });
    await tx.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(`UPDATE notifications SET last_error = last_error WHERE id = $1`, [b.id]);
      // Before the fix the relay locked A and waited for B (held here until COMMIT), and the UPDATE of A below then waited
      // for the relay: "deadlock detected". Now it must finish while B is held: it marks A and skips B.
      const relayDone = await Promise.race([relay.markQueued([{ id: a.id }, { id: b.id }]).then(() => 'done'), new Promise((r) => setTimeout(() => r('waited for a lock'), 10_000))]);
      expect(relayDone).toBe('done');
      const oursDone = await tx.query(`UPDATE notifications SET last_error = last_error WHERE id = $1`, [a.id]).then(() => 'done');
      expect(oursDone).toBe('done');
      await tx.query('COMMIT');
    } finally {
      await tx.end();
    }
    const after = await emailRows(event);
    expect(after.find((r) => r.id === a.id)!.status).toBe('queued');
    // B was locked: skipped, not waited for (it is still as its claim left it, pending).
    expect(after.find((r) => r.id === b.id)!.status).toBe('pending');
    sink.release();
    const sent = await eventually(() => emailRows(event), (r) => r.every((x) => x.status === 'sent'), 20_000, 100);
    expect(sent.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
  }, 60_000);

  it('a delivery whose "mark sent" fails for a transient reason (its connection terminated) is recorded on retry, without a resend', async () => {
    sink.setMode('hold');
    const before = sink.messages.length;
    const event = await emitDigest();
    const rows = await eventually(() => emailRows(event), (r) => r.length === HR_OFFICERS, 20_000, 100);
    await eventually(async () => sink.held(), (n) => n >= HR_OFFICERS, 20_000, 50);
    const ids = rows.map((r) => r.id);
    const lock = new Client({ connectionString: ctx.db.adminUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query(`SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) FOR UPDATE`, [ids]);
    sink.release(); // the mail server accepts; each "mark sent" now waits for our lock
    const waiting = await eventually(
      async () =>
        (
          await ctx.sql.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%status = ''sent''%' AND pid <> pg_backend_pid()`,
          )
        ).rows as { pid: number }[],
      (r) => r.length >= 1,
      20_000,
      50,
    );
    expect(waiting.length).toBeGreaterThanOrEqual(1);
    // Kill the connection of every waiting "mark sent": each fails with 57P01 (terminating connection due to administrator command).
    for (const { pid } of waiting) await ctx.sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 300));
    await lock.query('COMMIT');
    await lock.end();

    const sent = await eventually(() => emailRows(event), (r) => r.every((x) => x.status === 'sent'), 30_000, 100);
    expect(sent.map((r) => ({ status: r.status, attempts: r.attempts, possibly: r.possibly_delivered, started: r.attempt_started_at }))).toEqual(
      ids.map(() => ({ status: 'sent', attempts: 1, possibly: 0, started: null })),
    );
    await new Promise((r) => setTimeout(r, 1000)); // nothing more arrives
    const received = sink.messages.slice(before).map((m) => m.notificationId);
    expect(received.filter((id) => id && ids.includes(id)).sort()).toEqual([...ids].sort());
  }, 90_000);
});
