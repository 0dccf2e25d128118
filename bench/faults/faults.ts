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
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/migrate';
import { freePort, startPostgres } from '../../test/support/servers';
import { SmtpSink, startSmtpSink } from '../../test/support/smtp-sink';

const num = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const EMAILS = num('FAULTS_EMAILS', 20_000);
const KILLS = num('FAULTS_KILLS', 20);
const RECIPIENTS = 301;
const EVENTS = Math.ceil(EMAILS / RECIPIENTS);
const TOTAL = EVENTS * RECIPIENTS;
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

function pgCtl(dataDir: string, args: string[]): void {
  const bin = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0];
  const asPostgres = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  execFileSync(join('/usr/lib/postgresql', bin, 'bin', 'pg_ctl'), ['-D', dataDir, '-w', ...args], { stdio: 'ignore', ...asPostgres });
}

interface WorkerProc {
  child: ChildProcess;
  out: () => string;
}

async function startWorker(env: Record<string, string>): Promise<WorkerProc> {
  let out = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'jobs/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-50_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-50_000)));
  const until = Date.now() + 120_000;
  while (!out.includes('worker started')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`worker did not start:\n${out.slice(-3000)}`);
    await sleep(100);
  }
  return { child, out: () => out };
}

async function main(): Promise<void> {
  log(`${TOTAL} emails (${EVENTS} forum notices x ${RECIPIENTS}), ${KILLS} worker SIGKILLs, Redis restarts with and without data, a PostgreSQL restart, SMTP down ${SMTP_DOWN_S} s`);
  const pg = await startPostgres();
  const redis = await startRedisAof();
  const smtpPort = await freePort();
  const received = new Map<string, number>();
  let sink: SmtpSink = await startSmtpSink({ parse: false, port: smtpPort });
  const sinks: SmtpSink[] = [sink];
  const count = () => {
    received.clear();
    for (const s of sinks) for (const m of s.messages) if (m.notificationId) received.set(m.notificationId, (received.get(m.notificationId) ?? 0) + 1);
  };
  const workers: WorkerProc[] = [];
  const inFlightAtKills = new Set<string>();
  const figures: [string, string][] = [];
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
    const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ('Faults CCG', 'merged_ccg', 'proposed') RETURNING id`);
    const programme = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ('Faults programme', $1, '2017-04-01') RETURNING id`, [ccg]);
    const forum = await one(`INSERT INTO forums (programme_id, title) VALUES ($1, 'Faults forum') RETURNING id`, [programme]);
    const union = await one(`INSERT INTO unions (name) VALUES ('Faults union') RETURNING id`);
    await q(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forum, union]);
    await q(
      `INSERT INTO forum_members (forum_id, union_id, side, display_name, email)
       SELECT $1, $2, 'union', 'Rep ' || g, 'rep' || g || '@union.example' FROM generate_series(1, $3) g`,
      [forum, union, RECIPIENTS],
    );
    let emitted = 0;
    const emit = async (n: number) => {
      for (let i = 0; i < n && emitted < EVENTS; i++, emitted++) {
        await q(
          `INSERT INTO domain_events (type, programme_id, entity_type, entity_id, payload, dedupe_key)
           VALUES ('milestone.upcoming', $1, 'milestone', gen_random_uuid()::text, $2, gen_random_uuid()::text)`,
          [programme, JSON.stringify({ title: `Forum meeting ${emitted}`, dueDate: '2017-03-01', daysLeft: 7, audience: ['forum'] })],
        );
      }
    };
    const unsent = async () => Number((await q<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE status <> 'sent'`))[0].n);
    const allRows = async () => Number((await q<{ n: number }>(`SELECT count(*)::int AS n FROM notifications`))[0].n);
    /** Seconds until every row open now is sent. */
    const drain = async (label: string, since: number, limitS = 600) => {
      const open = (await q<{ id: string }>(`SELECT id FROM notifications WHERE status <> 'sent'`)).map((r) => r.id);
      while (open.length) {
        const left = Number((await q<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE id = ANY ($1::uuid[]) AND status <> 'sent'`, [open]))[0].n);
        if (!left) break;
        if ((Date.now() - since) / 1000 > limitS) {
          figures.push([label, `not drained after ${limitS} s (${left} left)`]);
          return;
        }
        await sleep(100);
      }
      const s = (Date.now() - since) / 1000;
      figures.push([label, `${s.toFixed(1)} s (${open.length} deliveries open at that moment)`]);
      log(`${label}: ${s.toFixed(1)} s`);
    };

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
    workers.push(await startWorker(env), await startWorker(env));
    const perPhase = Math.max(1, Math.ceil(EVENTS / 5));
    const t0 = Date.now();

    // 1. SIGKILLs while the storm runs: one of the two workers, every 3 s, started again at once.
    log(`phase 1: ${KILLS} SIGKILLs`);
    const killsEvents = perPhase;
    for (let k = 0; k < KILLS; k++) {
      if (k % Math.max(1, Math.floor(KILLS / killsEvents)) === 0) await emit(1);
      await sleep(3000);
      const victim = workers.shift()!;
      victim.child.kill('SIGKILL');
      await new Promise((r) => victim.child.once('exit', r));
      // What the dead worker may have had in flight: attempts started and not recorded (an upper bound: the other worker's count too).
      for (const r of await q<{ id: string }>(`SELECT id FROM notifications WHERE attempt_started_at IS NOT NULL AND status <> 'sent'`)) inFlightAtKills.add(r.id);
      workers.push(await startWorker(env));
    }
    await emit(killsEvents - Math.ceil(KILLS / Math.max(1, Math.floor(KILLS / killsEvents))));

    // 2. Redis restarted with its data.
    log('phase 2: Redis restart with its data');
    await emit(perPhase);
    await sleep(1500);
    await redis.restartKeepingData(5000);
    await drain('Redis restart with data: back → every open delivery sent', Date.now());

    // 3. Redis lost its data (killed, files removed) during a storm.
    log(`phase 3: Redis down ${REDIS_DOWN_S} s, back empty`);
    await emit(Math.ceil(perPhase / 2));
    await sleep(1000);
    const redisDown = redis.restartLosingData(REDIS_DOWN_S * 1000);
    await sleep(1000);
    await emit(Math.floor(perPhase / 2)); // relayed into rows while Redis is away
    await redisDown;
    await drain('Redis back without data: back → every open delivery sent', Date.now());

    // 4. PostgreSQL restarted mid-storm.
    log('phase 4: PostgreSQL restart');
    await emit(perPhase);
    await sleep(1000);
    const pgAt = Date.now();
    pgCtl(pg.dataDir, ['restart', '-m', 'fast', '-o', `-p ${pg.port} -c listen_addresses=127.0.0.1 -k ${resolve(pg.dataDir, '..')} -c max_connections=300 -c fsync=off`]);
    await drain('PostgreSQL restart: restart → every open delivery sent', pgAt);

    // 5. The SMTP server away for SMTP_DOWN_S.
    log(`phase 5: SMTP down ${SMTP_DOWN_S} s`);
    await emit(EVENTS);
    await sleep(1000);
    await sink.close();
    await sleep(SMTP_DOWN_S * 1000);
    sink = await startSmtpSink({ parse: false, port: smtpPort });
    sinks.push(sink);
    await drain('SMTP back → every open delivery sent', Date.now());

    const until = Date.now() + 15 * 60_000;
    while ((await allRows()) < TOTAL || (await unsent()) > 0) {
      if (Date.now() > until) break;
      await sleep(500);
    }
    await sleep(5000); // anything late would arrive now
    count();
    const rows = await q<{ id: string; status: string; possibly_delivered: number; attempts: number }>(`SELECT id, status, possibly_delivered, attempts FROM notifications`);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const lost = rows.filter((r) => !received.has(r.id));
    const duplicated = [...received].filter(([, n]) => n > 1).map(([id]) => id);
    const unexplained = duplicated.filter((id) => !inFlightAtKills.has(id));
    const unrecorded = duplicated.filter((id) => (byId.get(id)?.possibly_delivered ?? 0) === 0);
    const possibly = rows.filter((r) => r.possibly_delivered > 0).length;
    const summary: [string, string][] = [
      ['emails (rows)', `${rows.length} of ${TOTAL}`],
      ['rows sent / not sent', `${rows.filter((r) => r.status === 'sent').length} / ${rows.filter((r) => r.status !== 'sent').length}`],
      ['lost (row never reached the SMTP server)', String(lost.length)],
      ['duplicated (reached it more than once)', String(duplicated.length)],
      ['… of them not in flight at a SIGKILL', String(unexplained.length)],
      ['… of them not recorded "possibly delivered"', String(unrecorded.length)],
      ['rows recorded "possibly delivered"', String(possibly)],
      ['attempts in flight at the kills (upper bound)', String(inFlightAtKills.size)],
      ...figures,
      ['whole run', `${((Date.now() - t0) / 1000).toFixed(0)} s on ${cpus().length} cores`],
    ];
    const report = [
      `### Fault suite (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Run: \`FAULTS_EMAILS=${EMAILS} FAULTS_KILLS=${KILLS} FAULTS_REDIS_DOWN_S=${REDIS_DOWN_S} FAULTS_SMTP_DOWN_S=${SMTP_DOWN_S} NOTIFY_RETRY_BASE_MS=${env.NOTIFY_RETRY_BASE_MS} make faults\`; two worker processes, SMTP pool 5 each.`,
      '',
      '| measure | value |',
      '|---|---|',
      ...summary.map(([k, v]) => `| ${k} | ${v} |`),
      '',
    ].join('\n');
    const out = join(ROOT, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), report);
    console.log(`\n${report}`);
    // A storm that produced fewer rows than it should (events refused or never relayed) is a failure, not "0 lost".
    if (rows.length < TOTAL) log(`FAILED: only ${rows.length} of ${TOTAL} notification rows were made: the storm's events were not relayed`);
    if (lost.length || unexplained.length || unrecorded.length || rows.length < TOTAL) process.exitCode = 1;
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    await sql?.end().catch(() => undefined);
    for (const s of sinks) await s.close().catch(() => undefined);
    await redis.stop();
    try {
      pgCtl(pg.dataDir, ['stop', '-m', 'immediate']);
    } catch {
      /* already stopped */
    }
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
