/**
 * The fault suite (`make faults`, not part of `make test`): a storm of forum notices through the
 * real worker processes to a real SMTP sink that counts messages by X-WTT-Notification-Id, while
 * it SIGKILLs a worker FAULTS_KILLS times, restarts Redis with its data (AOF on, SHUTDOWN) and
 * without (SIGKILL, files removed, FAULTS_REDIS_DOWN_S outage), restarts PostgreSQL (pg_ctl
 * restart -m fast: "the database system is shutting down"), and stops the SMTP sink for
 * FAULTS_SMTP_DOWN_S. Then it waits for every row to be sent and prints: emails lost, duplicated
 * (and whether each duplicate is explained by a SIGKILL and recorded as "possibly delivered"),
 * and recovery times. Figures: docs/faults.md.
 *
 *   make faults                                            # FAULTS_EMAILS=20000 FAULTS_KILLS=20
 *   FAULTS_EMAILS=6000 FAULTS_KILLS=5 node -r @swc-node/register bench/faults/faults.ts
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/migrate';
import { hashPassword } from '../../src/users/password';
import { freePort, startPostgres } from '../../test/support/servers';
import { SmtpSink, startSmtpSink } from '../../test/support/smtp-sink';

const num = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const EMAILS = num('FAULTS_EMAILS', 20_000);
const KILLS = num('FAULTS_KILLS', 20);
const RECIPIENTS = 301;
/** Meetings of the fault phases; the fault-free baseline phase adds a fifth of this on top. */
const EVENTS = Math.ceil(EMAILS / RECIPIENTS);
const TOTAL = EVENTS * RECIPIENTS;
/** A phase's meetings (the fault-free baseline's, and each fault's but the last, which takes the rest). */
const PER_PHASE = Math.max(1, Math.ceil(EVENTS / 5));
const ALL_EVENTS = EVENTS + PER_PHASE;
const REDIS_DOWN_S = num('FAULTS_REDIS_DOWN_S', 20);
const SMTP_DOWN_S = num('FAULTS_SMTP_DOWN_S', 60);
const ROOT = resolve(__dirname, '..', '..');
const log = (l: string) => console.log(`[faults ${new Date().toISOString().slice(11, 19)}] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** redis-server with AOF on, so a SHUTDOWN keeps the data and a SIGKILL plus removing its files loses it. */
async function startRedisAof() {
  const port = await freePort();
  const dir = join(tmpdir(), `wtt-faults-redis-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (;;) {
      const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        if ((await r.ping()) === 'PONG') break;
      } catch {
        /* not yet */
      } finally {
        r.disconnect();
      }
      await sleep(50);
    }
  };
  const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** SHUTDOWN (AOF rewritten and synced), down for `ms`, started again: the data is kept. */
    restartKeepingData: async (ms: number) => {
      const r = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      await r.call('SHUTDOWN').catch(() => undefined);
      r.disconnect();
      await exited(child!);
      await sleep(ms);
      await launch();
    },
    /** SIGKILL, its files removed, down for `ms`, started again: empty. */
    restartLosingData: async (ms: number) => {
      child!.kill('SIGKILL');
      await exited(child!);
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
      await sleep(ms);
      await launch();
    },
    stop: async () => {
      child?.kill('SIGKILL');
      if (child) await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * pg_ctl as the postgres user, without blocking this process (the SMTP sink runs in it). Its
 * output is ignored, not piped: the server it starts would hold a pipe open for good.
 */
async function pgCtl(dataDir: string, args: string[]): Promise<void> {
  const bin = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0];
  const asPostgres = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  const child = spawn(join('/usr/lib/postgresql', bin, 'bin', 'pg_ctl'), ['-D', dataDir, '-w', ...args], { stdio: 'ignore', ...asPostgres });
  const code = await new Promise<number | null>((r, reject) => child.once('exit', r).once('error', reject));
  if (code !== 0) throw new Error(`pg_ctl ${args[0]} exited with ${code}`);
}

interface Proc {
  child: ChildProcess;
  out: () => string;
}

/** Lines in any worker's output that name a deadlock or a database going away (counted over the whole run). */
const watched = { deadlocks: 0, dbShutdown: 0 };

function spawnNode(script: string, env: Record<string, string>): Proc {
  let out = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const take = (c: Buffer) => {
    const text = c.toString();
    watched.deadlocks += text.split('deadlock detected').length - 1;
    watched.dbShutdown += text.split('the database system is shutting down').length - 1;
    out = (out + text).slice(-50_000);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return { child, out: () => out };
}

async function startWorker(env: Record<string, string>): Promise<Proc> {
  const w = spawnNode('jobs/main.ts', env);
  const until = Date.now() + 120_000;
  while (!w.out().includes('worker started')) {
    if (w.child.exitCode !== null || Date.now() > until) throw new Error(`worker did not start:\n${w.out().slice(-3000)}`);
    await sleep(100);
  }
  return w;
}

/** The real API process (src/main.ts): the storm's meetings are scheduled through it, as an HR officer would. */
async function startApi(env: Record<string, string>): Promise<Proc & { base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = spawnNode('src/main.ts', { ...env, PORT: String(port), THROTTLE_LIMIT: '10000000', ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600), JWT_SECRET: randomBytes(32).toString('hex') });
  const until = Date.now() + 120_000;
  for (;;) {
    if (api.child.exitCode !== null || Date.now() > until) throw new Error(`the API did not start:\n${api.out().slice(-3000)}`);
    try {
      if ((await fetch(`${base}/health/live`)).ok) return { ...api, base };
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
}

/** One phase of the run: the meetings it scheduled are titled `Faults <key> <n>`, so its events (and their rows) are found by the title the product put in them. */
interface Phase {
  key: string;
  scheduled: number;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  log(`${TOTAL} emails under faults (${EVENTS} forum meetings scheduled through the API x ${RECIPIENTS} members; ${PER_PHASE} more first with no fault, the baseline), ${KILLS} worker SIGKILLs, Redis restarts with and without data, a PostgreSQL restart, SMTP down ${SMTP_DOWN_S} s; load ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`);
  const pg = await startPostgres();
  const redis = await startRedisAof();
  const smtpPort = await freePort();
  let sink: SmtpSink = await startSmtpSink({ parse: false, port: smtpPort });
  const sinks: SmtpSink[] = [sink];
  /** Copies received per X-WTT-Notification-Id, and the moment the last copy was accepted. */
  const received = () => {
    const byId = new Map<string, { n: number; last: number }>();
    for (const s of sinks)
      for (const m of s.messages) {
        if (!m.notificationId) continue;
        const r = byId.get(m.notificationId) ?? { n: 0, last: 0 };
        byId.set(m.notificationId, { n: r.n + 1, last: Math.max(r.last, m.receivedAt) });
      }
    return byId;
  };
  const workers: Proc[] = [];
  let api: (Proc & { base: string }) | undefined;
  const inFlightAtKills = new Set<string>();
  const figures: [string, string][] = [];
  const apiAnswers = { created: 0, unavailable503: 0, other5xx: 0, networkErrors: 0 };
  let sql: Client | undefined;
  try {
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE wtt_faults');
    await admin.end();
    const dbUrl = new URL(pg.url);
    dbUrl.pathname = '/wtt_faults';
    await runMigrations(dbUrl.toString());
    const connect = async () => {
      for (;;) {
        const c = new Client({ connectionString: dbUrl.toString() });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return c;
        } catch {
          await sleep(200);
        }
      }
    };
    sql = await connect();
    const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => {
      for (;;) {
        try {
          return (await sql!.query(text, params)).rows as T[];
        } catch {
          await sql!.end().catch(() => undefined);
          sql = await connect(); // PostgreSQL restarting: this script waits too
        }
      }
    };
    const one = async (text: string, params: unknown[] = []) => (await q<{ id: string }>(text, params))[0].id;
    // The setting (not events): an HR officer with a password, a forum of 301 members (300 reps by
    // email, the HR officer by account, who also gets the in-app notice).
    const password = `faults-${randomBytes(8).toString('hex')}`;
    const hrEmail = 'hr.faults@council.example';
    const hr = await one(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, 'Faults HR officer', 'hr_officer', $2) RETURNING id`, [hrEmail, await hashPassword(password)]);
    const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ('Faults CCG', 'merged_ccg', 'proposed') RETURNING id`);
    const programme = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ('Faults programme', $1, '2017-04-01') RETURNING id`, [ccg]);
    const forum = await one(`INSERT INTO forums (programme_id, title) VALUES ($1, 'Faults forum') RETURNING id`, [programme]);
    const union = await one(`INSERT INTO unions (name) VALUES ('Faults union') RETURNING id`);
    await q(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forum, union]);
    await q(
      `INSERT INTO forum_members (forum_id, union_id, side, display_name, email)
       SELECT $1, $2, 'union', 'Rep ' || g, 'rep' || g || '@union.example' FROM generate_series(1, $3) g`,
      [forum, union, RECIPIENTS - 1],
    );
    await q(`INSERT INTO forum_members (forum_id, side, display_name, email, user_id) VALUES ($1, 'management', 'Faults HR officer', $2, $3)`, [forum, hrEmail, hr]);
    /** Rows one meeting notice makes: an email per member, and the HR officer's in-app item. */
    const ROWS_PER_EVENT = RECIPIENTS + 1;

    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'faults',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_POOL_SIZE: '5',
      OUTBOX_POLL_MS: '50',
      NOTIFY_RETRY_BASE_MS: process.env.NOTIFY_RETRY_BASE_MS ?? '2000',
    };
    api = await startApi({ ...env, LOG_LEVEL: 'warn' });
    const signIn = await fetch(`${api.base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: hrEmail, password }) });
    if (!signIn.ok) throw new Error(`sign-in as the HR officer failed: ${signIn.status} ${await signIn.text()}`);
    const token = ((await signIn.json()) as { accessToken: string }).accessToken;
    workers.push(await startWorker(env), await startWorker(env));

    /** Schedule n meetings through the API (POST /forums/:id/meetings), waiting out a 503 or a dropped connection as a client would. */
    let scheduled = 0;
    const schedule = async (phase: Phase, n: number) => {
      for (let i = 0; i < n && scheduled < ALL_EVENTS; i++, scheduled++) {
        const day = new Date(Date.UTC(2017, 0, 9) + scheduled * 86_400_000).toISOString().slice(0, 10);
        const body = JSON.stringify({ title: `Faults ${phase.key} ${phase.scheduled + 1}`, startsAt: `${day}T10:00:00Z`, endsAt: `${day}T12:00:00Z`, location: 'Committee Room 6, Town Hall Extension, Manchester' });
        for (;;) {
          let res: Response;
          try {
            res = await fetch(`${api!.base}/api/v1/forums/${forum}/meetings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
          } catch {
            apiAnswers.networkErrors++;
            await sleep(500);
            continue;
          }
          const text = await res.text();
          if (res.status === 201) {
            apiAnswers.created++;
            phase.scheduled++;
            break;
          }
          if (res.status === 503) apiAnswers.unavailable503++;
          else if (res.status >= 500) apiAnswers.other5xx++;
          else throw new Error(`scheduling a meeting answered ${res.status}: ${text}`);
          await sleep(500);
        }
      }
    };

    /** The phase's own events, their rows, how many of those are not sent, and their ids. */
    const phaseState = async (phase: Phase) => {
      const [r] = await q<{ events: number; undispatched: number; rows: number; unsent: number; last_sent: Date | null }>(
        `SELECT count(DISTINCT e.id)::int AS events, count(DISTINCT e.id) FILTER (WHERE e.dispatched_at IS NULL)::int AS undispatched,
                count(n.id)::int AS rows, count(n.id) FILTER (WHERE n.status <> 'sent')::int AS unsent, max(n.sent_at) AS last_sent
         FROM domain_events e LEFT JOIN notifications n ON n.event_id = e.id
         WHERE e.type = 'forum_meeting.scheduled' AND e.payload->>'title' LIKE $1`,
        [`Faults ${phase.key} %`],
      );
      return r;
    };
    /**
     * Wait until every event the phase produced is relayed into its rows and every row is sent,
     * then record, from `since` (the fault's end): the last email of the phase's events at the
     * sink, and the last row of them recorded sent; with how much of the phase was still to do at
     * `since` (`openAtSince`, measured by the caller at that moment).
     */
    const settle = async (phase: Phase, label: string, since: number, openAtSince: string, limitS = 900) => {
      for (;;) {
        const s = await phaseState(phase);
        if (s.events >= phase.scheduled && s.undispatched === 0 && s.rows === s.events * ROWS_PER_EVENT && s.unsent === 0) {
          const ids = new Set((await q<{ id: string }>(`SELECT n.id FROM notifications n JOIN domain_events e ON e.id = n.event_id WHERE n.channel = 'email' AND e.type = 'forum_meeting.scheduled' AND e.payload->>'title' LIKE $1`, [`Faults ${phase.key} %`])).map((r) => r.id));
          let lastAtSink = 0;
          let firstAfter = Infinity;
          let after = 0;
          for (const s of sinks)
            for (const m of s.messages) {
              if (!m.notificationId || !ids.has(m.notificationId)) continue;
              lastAtSink = Math.max(lastAtSink, m.receivedAt);
              if (m.receivedAt >= since) {
                after++;
                firstAfter = Math.min(firstAfter, m.receivedAt);
              }
            }
          const sinkS = (lastAtSink - since) / 1000;
          const sentS = ((s.last_sent?.getTime() ?? since) - since) / 1000;
          // How the rest went out: how soon the first came, and at what rate (against the fault-free phase's).
          const pace = after ? `; ${after} of its emails came after that moment, the first ${((firstAfter - since) / 1000).toFixed(1)} s after it, ${(after / Math.max(0.001, sinkS)).toFixed(0)} emails/s` : '';
          figures.push([label, `last email at the sink ${sinkS.toFixed(1)} s, last row sent ${sentS.toFixed(1)} s (its ${s.events} events, ${ids.size} emails; at that moment ${openAtSince}${pace})`]);
          log(`${label}: last email at the sink after ${sinkS.toFixed(1)} s`);
          return;
        }
        if ((Date.now() - since) / 1000 > limitS) {
          figures.push([label, `not done after ${limitS} s (${s.events} of ${phase.scheduled} events, ${s.undispatched} not relayed, ${s.rows} rows, ${s.unsent} not sent)`]);
          log(`${label}: NOT DONE after ${limitS} s`);
          return;
        }
        await sleep(100);
      }
    };
    /** What of the phase is still to do now: events not relayed yet, rows not sent. */
    const openNow = async (phase: Phase) => {
      const s = await phaseState(phase);
      return `${s.undispatched} of its events not yet relayed, ${s.unsent} of its rows not sent`;
    };

    const perPhase = PER_PHASE;
    const t0 = Date.now();

    // 0. The baseline: a phase's worth of meetings with no fault, measured the same way (from the last one scheduled).
    log('phase 0: no fault (baseline)');
    const calm: Phase = { key: 'no-fault', scheduled: 0 };
    await schedule(calm, perPhase);
    const calmAt = Date.now();
    await settle(calm, 'No fault (baseline): last meeting scheduled → phase done', calmAt, await openNow(calm));

    // 1. SIGKILLs while the storm runs: one of the two workers, started again at once. Each kill
    //    lands while emails are going out (some of the newly scheduled meeting's sent, not all), or
    //    the worker would die idle: at the batch path's rate a meeting's 301 emails take well under a second.
    log(`phase 1: ${KILLS} SIGKILLs`);
    const kills: Phase = { key: 'kills', scheduled: 0 };
    let lastKill = Date.now();
    let idleKills = 0;
    for (let k = 0; k < KILLS; k++) {
      const before = await phaseState(kills);
      const sentBefore = before.rows - before.unsent;
      await schedule(kills, Math.max(1, Math.floor(((k + 1) * perPhase) / KILLS) - Math.floor((k * perPhase) / KILLS)));
      const until = Date.now() + 10_000;
      for (;;) {
        const now = await phaseState(kills);
        if (now.rows - now.unsent >= sentBefore + 20 && now.unsent > 0) break;
        if (Date.now() > until) {
          idleKills++;
          break;
        }
        await sleep(10);
      }
      const victim = workers.shift()!;
      victim.child.kill('SIGKILL');
      await new Promise((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r(null) : victim.child.once('exit', r)));
      lastKill = Date.now();
      // What the dead worker may have had in flight: attempts started and not recorded (an upper bound: the other worker's count too).
      for (const r of await q<{ id: string }>(`SELECT id FROM notifications WHERE attempt_started_at IS NOT NULL AND status <> 'sent'`)) inFlightAtKills.add(r.id);
      workers.push(await startWorker(env));
    }
    figures.push(['SIGKILLs that found no email going out (waited 10 s for one)', `${idleKills} of ${KILLS}`]);
    await settle(kills, 'SIGKILLs: last kill → phase done', lastKill, 'after the last kill');

    // 2. Redis restarted with its data.
    log('phase 2: Redis restart with its data');
    const redisKept: Phase = { key: 'redis-kept', scheduled: 0 };
    await schedule(redisKept, perPhase);
    await sleep(1500);
    await redis.restartKeepingData(5000);
    const redisKeptBack = Date.now();
    await settle(redisKept, 'Redis restart with data: back → phase done', redisKeptBack, await openNow(redisKept));

    // 3. Redis lost its data (killed, files removed) during a storm.
    log(`phase 3: Redis down ${REDIS_DOWN_S} s, back empty`);
    const redisLost: Phase = { key: 'redis-lost', scheduled: 0 };
    await schedule(redisLost, Math.ceil(perPhase / 2));
    await sleep(1000);
    const redisDown = redis.restartLosingData(REDIS_DOWN_S * 1000);
    await sleep(1000);
    await schedule(redisLost, Math.floor(perPhase / 2)); // scheduled (and relayed into rows) while Redis is away
    await redisDown;
    const redisLostBack = Date.now();
    await settle(redisLost, 'Redis back without data: back → phase done', redisLostBack, await openNow(redisLost));

    // 4. PostgreSQL restarted mid-storm.
    log('phase 4: PostgreSQL restart');
    const pgPhase: Phase = { key: 'pg-restart', scheduled: 0 };
    await schedule(pgPhase, perPhase);
    await sleep(1000);
    const pgAt = Date.now();
    await pgCtl(pg.dataDir, ['restart', '-m', 'fast', '-o', `-p ${pg.port} -c listen_addresses=127.0.0.1 -k ${resolve(pg.dataDir, '..')} -c max_connections=300 -c fsync=off`]);
    const pgBack = Date.now();
    log(`PostgreSQL restarted in ${((pgBack - pgAt) / 1000).toFixed(1)} s`);
    await settle(pgPhase, 'PostgreSQL restart: back → phase done', pgBack, await openNow(pgPhase));

    // 5. The SMTP server away for SMTP_DOWN_S.
    log(`phase 5: SMTP down ${SMTP_DOWN_S} s`);
    const smtpPhase: Phase = { key: 'smtp-down', scheduled: 0 };
    await schedule(smtpPhase, ALL_EVENTS);
    await sleep(1000);
    await sink.close();
    await sleep(SMTP_DOWN_S * 1000);
    sink = await startSmtpSink({ parse: false, port: smtpPort });
    sinks.push(sink);
    const smtpBack = Date.now();
    await settle(smtpPhase, 'SMTP back → phase done', smtpBack, await openNow(smtpPhase));

    await sleep(5000); // anything late would arrive now
    const copies = received();
    const rows = await q<{ id: string; status: string; channel: string; possibly_delivered: number }>(`SELECT id, status, channel, possibly_delivered FROM notifications`);
    const [ev] = await q<{ events: number; undispatched: number }>(`SELECT count(*)::int AS events, count(*) FILTER (WHERE dispatched_at IS NULL)::int AS undispatched FROM domain_events`);
    const emails = rows.filter((r) => r.channel === 'email');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const lost = emails.filter((r) => !copies.has(r.id));
    const duplicated = [...copies].filter(([, r]) => r.n > 1).map(([id]) => id);
    const unexplained = duplicated.filter((id) => !inFlightAtKills.has(id));
    const unrecorded = duplicated.filter((id) => (byId.get(id)?.possibly_delivered ?? 0) === 0);
    const possibly = rows.filter((r) => r.possibly_delivered > 0).length;
    const loadAtEnd = loadavg();
    const summary: [string, string][] = [
      ['meetings scheduled through the API (events)', `${ev.events} (${ev.undispatched} not relayed)`],
      ['emails (rows)', `${emails.length} of ${ev.events * RECIPIENTS} (${TOTAL} under faults asked, at least one meeting per SIGKILL, ${PER_PHASE * RECIPIENTS} more in the baseline)`],
      ['rows sent / not sent (email and in-app)', `${rows.filter((r) => r.status === 'sent').length} / ${rows.filter((r) => r.status !== 'sent').length}`],
      ['lost (email row never reached the SMTP server)', String(lost.length)],
      ['duplicated (reached it more than once)', String(duplicated.length)],
      ['… of them not in flight at a SIGKILL (deadlock, database restart, other)', String(unexplained.length)],
      ['… of them not recorded "possibly delivered"', String(unrecorded.length)],
      ['rows recorded "possibly delivered"', String(possibly)],
      ['attempts in flight at the kills (upper bound)', String(inFlightAtKills.size)],
      ['worker log lines "deadlock detected" / "the database system is shutting down"', `${watched.deadlocks} / ${watched.dbShutdown}`],
      ['API answers to the storm: 201 / 503 / other 5xx / connection errors', `${apiAnswers.created} / ${apiAnswers.unavailable503} / ${apiAnswers.other5xx} / ${apiAnswers.networkErrors}`],
      ...figures,
      ['whole run', `${((Date.now() - t0) / 1000).toFixed(0)} s on ${cpus().length} cores`],
      ['load average (1, 5, 15 min) at the start / at the end', `${loadAtStart.map((l) => l.toFixed(1)).join(', ')} / ${loadAtEnd.map((l) => l.toFixed(1)).join(', ')}`],
    ];
    const report = [
      `### Fault suite (${startedAt.toISOString().slice(0, 16).replace('T', ', ')} UTC, commit ${commit})`,
      '',
      `Run: \`FAULTS_EMAILS=${EMAILS} FAULTS_KILLS=${KILLS} FAULTS_REDIS_DOWN_S=${REDIS_DOWN_S} FAULTS_SMTP_DOWN_S=${SMTP_DOWN_S} NOTIFY_RETRY_BASE_MS=${env.NOTIFY_RETRY_BASE_MS} make faults\`; the API process and two worker processes, SMTP pool 5 each.`,
      '',
      '| measure | value |',
      '|---|---|',
      ...summary.map(([k, v]) => `| ${k} | ${v} |`),
      '',
    ].join('\n');
    const out = join(ROOT, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `faults-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`), report);
    console.log(`\n${report}`);
    // A storm that produced fewer rows than it should (events refused or never relayed) is a failure, not "0 lost".
    const short = ev.events < ALL_EVENTS || ev.undispatched > 0 || emails.length < ev.events * RECIPIENTS;
    if (short) log(`FAILED: ${ev.events} of ${ALL_EVENTS} meetings, ${ev.undispatched} not relayed, ${emails.length} of ${ev.events * RECIPIENTS} email rows: the storm did not go through`);
    if (lost.length || unexplained.length || unrecorded.length || short || apiAnswers.other5xx) process.exitCode = 1;
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    api?.child.kill('SIGKILL');
    await sql?.end().catch(() => undefined);
    for (const s of sinks) await s.close().catch(() => undefined);
    await redis.stop();
    await pgCtl(pg.dataDir, ['stop', '-m', 'immediate']).catch(() => undefined);
    await pg.stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
