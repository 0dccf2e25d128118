import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { addDays } from '../../src/common/dates';
import { OutboxService } from '../../src/events/outbox.service';
import { OverdueDigestService } from '../../src/notifications/overdue-digest.service';
import { RunningRedis, startRedis } from '../support/servers';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { eventually, startTestApp, TestContext } from '../support/test-app';

/**
 * Notifications when things break, with the worker as a real child process (its own Redis
 * here, so the test can kill and restart it): a worker killed with SIGKILL in the middle of
 * a batch, a worker stopped with SIGTERM, Redis restarted with its data lost, and a Redis
 * that may evict keys.
 */

const ROOT = join(__dirname, '..', '..');
const HR_OFFICERS = 25;

interface Worker {
  child: ChildProcess;
  output: () => string;
  /** Exit code, or the signal that ended it. */
  exited: Promise<number | string | null>;
}

/** Start `jobs/main.ts` as its own process (TypeScript through @swc-node/register) and wait until it takes jobs. */
async function spawnWorker(env: Record<string, string> = {}, opts: { waitReady?: boolean } = {}): Promise<Worker> {
  let out = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'jobs/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const worker = { child, output: () => out, exited };
  if (opts.waitReady !== false) {
    const ready = await eventually(async () => out, (o) => o.includes('worker started') || child.exitCode !== null, 60_000, 100);
    if (!ready.includes('worker started')) throw new Error(`worker did not start:\n${out.slice(-3000)}`);
  }
  return worker;
}

/** The promise's value, or 'timeout' after ms (the timer does not outlive the race). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stop(w: Worker | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exited;
}

describe('notifications: a killed worker, a restarted Redis, a graceful stop', () => {
  let ctx: TestContext;
  let redis: RunningRedis;
  let sink: SmtpSink;
  let programmeId: string;
  const workers: Worker[] = [];

  /** `n` overdue digests from the real producer (OverdueDigestService), one per day, each a new event. */
  let digestDay = 0;
  const emitDigest = async (n: number) => {
    const ids: string[] = [];
    const digest = new OverdueDigestService(ctx.app.get(DataSource), ctx.app.get(OutboxService));
    for (let i = 0; i < n; i++) {
      const day = addDays('2017-02-10', digestDay++);
      expect(await digest.run(day)).toEqual({ programmes: 1 });
      const { rows } = await ctx.sql.query(`SELECT id FROM domain_events WHERE dedupe_key = $1`, [`deadlines.overdue:${programmeId}:${day}`]);
      ids.push(rows[0].id);
    }
    return ids;
  };

  const rowsOf = async (eventIds: string[]) =>
    (await ctx.sql.query(`SELECT id, channel, status FROM notifications WHERE event_id = ANY ($1::uuid[])`, [eventIds])).rows as { id: string; channel: string; status: string }[];

  /** Every delivery of these events is sent; each email reached the SMTP server exactly once; each in-app item exists once. */
  async function expectExactlyOnce(eventIds: string[], timeoutMs: number): Promise<void> {
    const rows = await eventually(() => rowsOf(eventIds), (r) => r.length === eventIds.length * HR_OFFICERS * 2 && r.every((x) => x.status === 'sent'), timeoutMs, 200);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const emailIds = rows.filter((r) => r.channel === 'email').map((r) => r.id);
    expect(emailIds).toHaveLength(eventIds.length * HR_OFFICERS);
    await new Promise((r) => setTimeout(r, 300)); // nothing more should arrive
    const received = sink.messages.map((m) => m.notificationId).filter((id): id is string => !!id && emailIds.includes(id));
    const counts = new Map<string, number>();
    for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    expect(counts.size).toBe(emailIds.length);
    const feed = await ctx.sql.query(`SELECT count(*)::int AS n, count(DISTINCT notification_id)::int AS d FROM notification_feed WHERE notification_id = ANY ($1::uuid[])`, [
      rows.filter((r) => r.channel === 'in_app').map((r) => r.id),
    ]);
    expect(feed.rows[0]).toEqual({ n: eventIds.length * HR_OFFICERS, d: eventIds.length * HR_OFFICERS });
  }

  beforeAll(async () => {
    redis = await startRedis();
    sink = await startSmtpSink();
    ctx = await startTestApp({
      redisUrl: redis.url,
      env: { SMTP_URL: sink.url, WEBHOOK_ALLOW_INTERNAL: '127.0.0.0/8', OUTBOX_POLL_MS: '100', OUTBOX_SWEEP_EVERY_MS: '1000', NOTIFY_REQUEUE_AFTER_SECONDS: '2' },
    });
    const t = randomBytes(4).toString('hex');
    const org = (await ctx.sql.query(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [`CCG ${t}`])).rows[0].id;
    programmeId = (await ctx.sql.query(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [`Programme ${t}`, org])).rows[0].id;
    for (let i = 0; i < HR_OFFICERS; i++) {
      await ctx.sql.query(`INSERT INTO users (email, display_name, role) VALUES ($1, $2, 'hr_officer')`, [`hr${i}.${t}@example.test`, `HR ${i}`]);
    }
    // One open consultation with a milestone long overdue: every day's digest lists it.
    const consultation = (
      await ctx.sql.query(
        `INSERT INTO consultations (programme_id, title, kind, start_date, planned_end_date, original_end_date)
         VALUES ($1, 'Transfer to the CCG', 'tupe_information_consultation', '2016-12-01', '2017-03-31', '2017-03-31') RETURNING id`,
        [programmeId],
      )
    ).rows[0].id;
    await ctx.sql.query(`INSERT INTO milestones (consultation_id, title, kind, due_date) VALUES ($1, 'Measures letter to the unions', 'measures_letter', '2017-01-20')`, [consultation]);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await stop(w);
    await ctx?.close();
    await sink?.close();
    await redis?.stop();
  });

  it('a worker killed with SIGKILL in the middle of a batch, and a new one started, ends with every message delivered exactly once', async () => {
    const a = await spawnWorker();
    workers.push(a);
    const events = await emitDigest(4); // 100 emails and 100 in-app items
    await sink.waitFor((m) => m.length >= 20, 30_000);
    // Stop acknowledging mail, so the jobs the worker is running are caught half way (read by the server, not yet accepted).
    sink.setMode('hold');
    await eventually(async () => sink.held(), (n) => n >= 3, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await stop(a, 'SIGKILL');
    const unsent = (await rowsOf(events)).filter((r) => r.status !== 'sent');
    expect(unsent.length).toBeGreaterThan(0); // killed mid-batch
    // The server drops what it never accepted once it sees the dead connections close.
    await eventually(async () => sink.held(), (n) => n === 0, 10_000);
    sink.release();

    const b = await spawnWorker();
    workers.push(b);
    // BullMQ hands the dead worker's running jobs to the new one once their locks expire (stalled-job check, up to ~60 s).
    await expectExactlyOnce(events, 120_000);
    expect(a.output()).toContain('worker started');
  }, 200_000);

  it('Redis restarted mid-run, its data lost, loses nothing: the outbox replays', async () => {
    const running = workers[workers.length - 1];
    expect(running.child.exitCode).toBeNull();
    sink.setMode('refuse');
    const before = await emitDigest(2);
    // Everything is queued in Redis and retrying against the refusing server.
    await eventually(() => rowsOf(before), (r) => r.length === 2 * HR_OFFICERS * 2 && r.filter((x) => x.channel === 'email').every((x) => x.status === 'queued'), 20_000, 100);
    await eventually(async () => sink.refused, (n) => n >= 10, 20_000);

    await redis.kill(); // no persistence: every job and the job schedulers are gone
    const during = await emitDigest(1); // written to the outbox while Redis is down
    await eventually(() => rowsOf(during), (r) => r.length === HR_OFFICERS * 2, 20_000, 100); // relayed to rows, not enqueued
    await redis.restart();
    sink.setMode('accept');

    await expectExactlyOnce([...before, ...during], 90_000);
  }, 150_000);

  it('a worker stopped with SIGTERM finishes the jobs it is running and exits cleanly; the rest wait for the next worker', async () => {
    await stop(workers.pop(), 'SIGKILL'); // start from a fresh worker
    const w = await spawnWorker();
    workers.push(w);
    sink.setMode('hold');
    const events = await emitDigest(2);
    await eventually(async () => sink.held(), (n) => n >= 3, 20_000);
    const running = sink.held();
    w.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    sink.release(); // the running sends complete while the worker is shutting down
    // Nest runs the shutdown hooks, then ends the process with the same signal (not a crash, not a timeout).
    const ended = await within(w.exited, 30_000);
    expect(ended).toBe('SIGTERM');
    expect(w.output()).toContain('worker stopping on SIGTERM');
    // What it was sending when told to stop was delivered and recorded, not abandoned; the rest is still to do.
    const emailRows = (await rowsOf(events)).filter((r) => r.channel === 'email');
    const received = sink.messages.map((m) => m.notificationId).filter((id) => emailRows.some((r) => r.id === id));
    expect(received.length).toBeGreaterThanOrEqual(running);
    expect(emailRows.filter((r) => received.includes(r.id)).map((r) => r.status)).toEqual(received.map(() => 'sent'));
    expect(emailRows.filter((r) => r.status !== 'sent').length).toBeGreaterThan(0);

    const next = await spawnWorker();
    workers.push(next);
    await expectExactlyOnce(events, 60_000);
  }, 150_000);

  it('refuses to start when Redis may evict keys, saying what to change', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const w = await spawnWorker({}, { waitReady: false });
      workers.push(w);
      const code = await within(w.exited, 60_000);
      expect(code).not.toBe(0);
      expect(code).not.toBe('timeout');
      expect(w.output()).toContain('Redis maxmemory-policy is "allkeys-lru": it must be "noeviction"');
      expect(w.output()).not.toContain('worker started');
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  }, 90_000);
});
