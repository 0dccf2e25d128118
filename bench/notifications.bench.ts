/**
 * Notifications bench (not a timed test): deliveries per second for BENCH_EMAILS emails
 * (default 10,000) through the real path — domain events in the outbox, the relay's fan-out
 * into notifications rows, BullMQ, the email delivery processor, SMTP to a local sink in its
 * own process, the row marked sent — next to BullMQ's own throughput for the same number of
 * no-op jobs on the same machine, Redis and worker concurrency, as a ratio.
 * Target (issue 20): at least 3,000 emails per second end to end from one worker process, each
 * row recorded once (checked: every row sent, on one attempt; every message distinct at the sink).
 * The no-op baseline and the email runs are interleaved (BENCH_ROUNDS rounds, default 2), and each
 * ratio is to the no-op run of the same round. Email rows go out in batch jobs of up to 100 (one
 * notice's recipients), so the ratio can exceed 1.
 *
 *   make bench-notifications                      # compiled (dist/), as in production
 *   BENCH_EMAILS=20000 BENCH_WORKERS=1 make bench-notifications   # the issue's figure (SMTP pool: the product default)
 *   node -r @swc-node/register bench/notifications.bench.ts     # straight from the sources
 *
 * BENCH_WORKER_NODE_ARGS adds node options to the worker processes (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof" to profile them).
 *
 * Starts a throwaway PostgreSQL and Redis (test/support/servers.ts: PostgreSQL with fsync off),
 * migrates, seeds one programme whose forum has BENCH_RECIPIENTS members without accounts
 * (email only), and emits BENCH_EMAILS / BENCH_RECIPIENTS milestone events for the forum. The
 * worker runs as the real process (dist/jobs/main.js, or jobs/main.ts when this file runs from
 * the sources), once per count in BENCH_WORKERS (default "1,2": one worker process, then two).
 * Writes bench/out/notifications-<time>.md and prints it.
 */
import { ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { workerConcurrency } from '../jobs/worker-host.service';
import { AppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/migrate';
import { QueueName } from '../src/queue/queue.contract';
import { forumMilestoneUpcoming } from '../test/support/factories/milestone-upcoming';
import { startPostgres, startRedis } from '../test/support/servers';

const num = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const EMAILS = num('BENCH_EMAILS', 10_000);
const RECIPIENTS = num('BENCH_RECIPIENTS', 100);
const EVENTS = Math.ceil(EMAILS / RECIPIENTS);
const TOTAL = EVENTS * RECIPIENTS;
/** The product's default pool unless SMTP_POOL_SIZE says otherwise. */
const POOL = num('SMTP_POOL_SIZE', new AppConfig().SMTP_POOL_SIZE);
const EMAIL_CONCURRENCY = num('EMAIL_JOB_CONCURRENCY', 0);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
/** Rounds of (BullMQ no-op, then the email run for each worker count), interleaved so each ratio compares runs made at the same moment. */
const ROUNDS = num('BENCH_ROUNDS', 2);
/** WorkerHost runs the email queue with this concurrency; the baseline uses the same. */
const CONCURRENCY = workerConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: POOL, EMAIL_JOB_CONCURRENCY: EMAIL_CONCURRENCY });
/** Compiled (dist/bench/*.js, `make bench-notifications`) or run from the sources through @swc-node/register. */
const COMPILED = __filename.endsWith('.js');
const ROOT = COMPILED ? resolve(__dirname, '..', '..') : resolve(__dirname, '..');
const TS = COMPILED ? [] : ['-r', '@swc-node/register'];
const WORKER_MAIN = COMPILED ? join(__dirname, '..', 'jobs', 'main.js') : 'jobs/main.ts';
const COMMAND = process.env.BENCH_COMMAND ?? (COMPILED ? 'node dist/bench/notifications.bench.js' : 'node -r @swc-node/register bench/notifications.bench.ts');
const STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1';
/** The SMTP server: smtp-server (Node, the tests' sink) or, with BENCH_SINK=postfix, Postfix's smtp-sink. */
const SINK = process.env.BENCH_SINK === 'postfix' ? 'postfix' : 'smtp-server';
const log = (l: string) => console.log(`[bench] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Busy and total CPU jiffies of the whole machine (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
}

/** CPU seconds a process has used (/proc/<pid>/stat utime + stime). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of a process and of its children: the live ones, and those it has reaped (cutime + cstime). */
function treeCpu(pid: number): number {
  let total = 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(f[1]) === pid) total += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // (gone meanwhile)
    }
  }
  return total;
}

/** PostgreSQL's postmaster (first line of postmaster.pid) and Redis's process id (INFO server). */
async function serverPids(dataDir: string, redisUrl: string): Promise<{ postgres: number; redis: number }> {
  const postgres = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const r = new Redis(redisUrl);
  const info = await r.info('server');
  r.disconnect();
  return { postgres, redis: Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0) };
}

interface SinkProcess {
  port: number;
  pid: number;
  ask<T>(msg: string): Promise<T>;
  stop(): void;
}

async function startSinkProcess(): Promise<SinkProcess> {
  const child = fork(join(__dirname, `notifications-smtp-sink.${COMPILED ? 'js' : 'ts'}`), [], { execArgv: TS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
  return {
    port,
    pid: child.pid!,
    ask: <T>(msg: string) =>
      new Promise<T>((r) => {
        child.once('message', (m) => r(m as T));
        child.send(msg);
      }),
    stop: () => child.send('stop'),
  };
}

/**
 * BENCH_SINK=postfix: Postfix's `smtp-sink`, the C test server Postfix's own tools use for this
 * (one event-driven process, PIPELINING offered), so the mail server takes a smaller share of the
 * two cores the product is measured on. The binary comes from Debian's postfix package, unpacked
 * under .data/ (not installed: no mail system is configured or started). Each message is appended
 * to one dump file in memory (/dev/shm); the count reads the X-WTT-Notification-Id headers back
 * from it, so the check "every message once at the server" holds for this server too.
 */
async function startPostfixSink(): Promise<SinkProcess> {
  const dir = join(ROOT, '.data', 'postfix-sink');
  const bin = join(dir, 'usr', 'sbin', 'smtp-sink');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const get = () => spawnSync('apt-get', ['download', 'postfix'], { cwd: dir, stdio: 'inherit' }).status === 0;
    if (!get() && !(spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' }).status === 0 && get())) throw new Error('could not download the postfix package for smtp-sink');
    const deb = readdirSync(dir).find((f) => f.startsWith('postfix_') && f.endsWith('.deb'))!;
    if (spawnSync('dpkg', ['-x', join(dir, deb), dir], { stdio: 'inherit' }).status !== 0) throw new Error('could not unpack the postfix package');
  }
  const port = 20000 + Math.floor(Math.random() * 20000);
  // As root, smtp-sink runs as nobody: its dump goes in a folder anyone may write (it stops at a dump it cannot write).
  const dumpDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wtt-smtp-sink-'));
  chmodSync(dumpDir, 0o777);
  const dump = join(dumpDir, 'messages');
  const root = process.getuid?.() === 0;
  const child = spawn(bin, [...(root ? ['-u', 'nobody'] : []), '-D', dump, '-m', '1000', `127.0.0.1:${port}`, '1000'], {
    env: { ...process.env, LD_LIBRARY_PATH: join(dir, 'usr', 'lib', 'postfix') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = netConnect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error('smtp-sink did not start');
    await sleep(50);
  }
  const count = () => {
    const ids = [...(existsSync(dump) ? readFileSync(dump, 'latin1') : '').matchAll(/^X-WTT-Notification-Id: *(\S+)/gim)].map((m) => m[1]);
    return { count: ids.length, distinct: new Set(ids).size, cpuMs: Math.round(processCpu(child.pid!) * 1000) };
  };
  return {
    port,
    pid: child.pid!,
    ask: async <T>(msg: string) => {
      if (msg === 'reset') {
        if (existsSync(dump)) writeFileSync(dump, '');
        return { reset: true } as T;
      }
      return count() as T;
    },
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dumpDir, { recursive: true, force: true });
    },
  };
}

/** The real worker process, started as in production (from the sources: TypeScript loaded by @swc-node/register). */
async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  let out = '';
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...TS, WORKER_MAIN], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20000)));
  const until = Date.now() + 90_000;
  while (!out.includes('worker started')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`worker did not start:\n${out}`);
    await sleep(100);
  }
  return child;
}

/** BullMQ alone: a worker doing nothing at CONCURRENCY, n jobs added in bulk; from the first add to the last completion. */
async function bullmqNoop(redisUrl: string, n: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `noop${randomBytes(3).toString('hex')}`;
  const queue = new Queue('bench-noop', { connection, prefix });
  let done = 0;
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  const worker = new Worker('bench-noop', async (_job: Job) => undefined, { connection: workerConnection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => {
    if (++done === n) resolveDone();
  });
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return n / seconds;
}

interface EmailRun {
  workers: number;
  rate: number;
  seconds: number;
  relaySeconds: number;
  deliveryRate: number;
  sent: number;
  failed: number;
  maxAttempts: number;
  received: number;
  distinct: number;
  workerCpu: number;
  sinkCpu: number;
  machineBusy: number;
  /** CPU seconds of PostgreSQL (all its processes) and Redis during the run. */
  postgresCpu: number;
  redisCpu: number;
  /** CPU seconds of the whole machine during the run. */
  machineCpuSeconds: number;
  pgPerDelivery: number;
}

async function emailRun(sql: Client, sink: SinkProcess, programme: string, workers: number, env: Record<string, string>, servers: { postgres: number; redis: number }): Promise<EmailRun> {
  await sql.query('TRUNCATE notification_feed, notifications, domain_events');
  await sink.ask('reset');
  const procs: ChildProcess[] = [];
  for (let i = 0; i < workers; i++) procs.push(await startWorkerProcess(env));
  await sleep(1000);
  const commits = async () => Number((await sql.query(`SELECT xact_commit::float8 AS c FROM pg_stat_database WHERE datname = current_database()`)).rows[0].c);
  if (STATEMENTS) await sql.query('SELECT pg_stat_statements_reset()');
  const commitsBefore = await commits();
  const sinkBefore = await sink.ask<{ cpuMs: number }>('count');
  const cpuBefore = procs.map((p) => processCpu(p.pid!));
  const machineBefore = machineCpu();
  const serversBefore = { postgres: treeCpu(servers.postgres), redis: treeCpu(servers.redis) };

  const t0 = Date.now();
  await sql.query('BEGIN');
  for (let i = 0; i < EVENTS; i++) {
    await sql.query(
      `INSERT INTO domain_events (type, programme_id, entity_type, entity_id, payload, dedupe_key)
       VALUES ('milestone.upcoming', $1, 'milestone', gen_random_uuid()::text, $2, gen_random_uuid()::text)`,
      [programme, JSON.stringify(forumMilestoneUpcoming(i))],
    );
  }
  await sql.query('COMMIT');
  // Polled slowly (a count over the table costs PostgreSQL CPU the product is being measured for); the times come from the rows.
  for (;;) {
    // Done: every event fanned out (its rows are written in the same transaction) and no row open. EXISTS stops at the
    // first open row it meets, so the poll costs PostgreSQL next to nothing until the very end (a count over the whole
    // table every 20 ms took 5.8 s of statement time in a 20,000-email run; this, 0.13 s).
    const [{ open }] = (
      await sql.query(
        `SELECT (EXISTS (SELECT 1 FROM domain_events WHERE dispatched_at IS NULL) OR EXISTS (SELECT 1 FROM notifications WHERE status IN ('pending', 'queued')))::int AS open`,
      )
    ).rows;
    if (open === 0) break;
    await sleep(250);
  }
  const [times] = (
    await sql.query(
      `SELECT extract(epoch FROM max(coalesce(sent_at, failed_at)))::float8 * 1000 AS done_at, extract(epoch FROM max(created_at))::float8 * 1000 AS relayed_at FROM notifications`,
    )
  ).rows as { done_at: number; relayed_at: number }[];
  const seconds = (times.done_at - t0) / 1000;
  const relayedAt = times.relayed_at;
  const machineAfter = machineCpu();
  const serversAfter = { postgres: treeCpu(servers.postgres), redis: treeCpu(servers.redis) };
  const workerCpu = procs.reduce((a, p, i) => a + processCpu(p.pid!) - cpuBefore[i], 0);
  const commitsAfter = await commits();
  if (STATEMENTS) {
    const top = await sql.query(
      `SELECT round(total_exec_time)::int AS ms, round(total_plan_time)::int AS plan_ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 130) AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 12`,
    );
    const size = (await sql.query(`SELECT round(avg(pg_column_size(n.*)))::int AS row_bytes, pg_size_pretty(pg_total_relation_size('notifications')) AS table_size FROM notifications n`)).rows[0];
    log(`  notifications: ${size.row_bytes} bytes a row on average, ${size.table_size} with its indexes and TOAST`);
    for (const t of top.rows as { ms: number; plan_ms: number; calls: number; rows: number; query: string }[]) {
      log(`  pg ${String(t.ms).padStart(6)} ms + plan ${String(t.plan_ms).padStart(5)} ms ${String(t.calls).padStart(6)} calls ${String(t.rows).padStart(7)} rows  ${t.query}`);
    }
  }
  const [db] = (
    await sql.query(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              extract(epoch FROM max(sent_at) - min(created_at))::float8 AS delivery_seconds, max(attempts)::int AS max_attempts
       FROM notifications`,
    )
  ).rows;
  await sleep(300);
  const received = await sink.ask<{ count: number; distinct: number; cpuMs: number }>('count');
  for (const p of procs) {
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));
  }
  return {
    workers,
    rate: TOTAL / seconds,
    seconds,
    relaySeconds: (relayedAt - t0) / 1000,
    deliveryRate: db.sent / db.delivery_seconds,
    sent: db.sent,
    failed: db.failed,
    maxAttempts: db.max_attempts,
    received: received.count,
    distinct: received.distinct,
    workerCpu,
    sinkCpu: (received.cpuMs - sinkBefore.cpuMs) / 1000,
    machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    postgresCpu: serversAfter.postgres - serversBefore.postgres,
    redisCpu: serversAfter.redis - serversBefore.redis,
    machineCpuSeconds: (machineAfter.busy - machineBefore.busy) / 100,
    pgPerDelivery: (commitsAfter - commitsBefore) / TOTAL,
  };
}

async function main(): Promise<void> {
  log(`starting PostgreSQL, Redis and the SMTP sink`);
  // BENCH_PG_STATEMENTS=1: pg_stat_statements on, and the statements that cost PostgreSQL most printed after each run.
  const pg = await startPostgres(STATEMENTS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } : {});
  const redis = await startRedis();
  const sink = SINK === 'postfix' ? await startPostfixSink() : await startSinkProcess();
  try {
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE wtt_bench');
    await admin.end();
    const dbUrl = new URL(pg.url);
    dbUrl.pathname = '/wtt_bench';
    await runMigrations(dbUrl.toString());
    if (process.env.BENCH_SETUP_SQL) {
      const c = new Client({ connectionString: dbUrl.toString() });
      await c.connect();
      await c.query(process.env.BENCH_SETUP_SQL);
      await c.end();
    }
    if (STATEMENTS) {
      const c = new Client({ connectionString: dbUrl.toString() });
      await c.connect();
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.end();
    }
    const sql = new Client({ connectionString: dbUrl.toString() });
    await sql.connect();

    // One programme whose forum has RECIPIENTS members without accounts: each event is RECIPIENTS emails and nothing else.
    const one = async (text: string, params: unknown[] = []) => (await sql.query(text, params)).rows[0].id as string;
    const ccg = await one(`INSERT INTO organisations (name, kind, status) VALUES ('Bench CCG', 'merged_ccg', 'proposed') RETURNING id`);
    const programme = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ('Bench programme', $1, '2017-04-01') RETURNING id`, [ccg]);
    const forum = await one(`INSERT INTO forums (programme_id, title) VALUES ($1, 'Bench forum') RETURNING id`, [programme]);
    const union = await one(`INSERT INTO unions (name) VALUES ('Bench union') RETURNING id`);
    await sql.query(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forum, union]);
    await sql.query(
      `INSERT INTO forum_members (forum_id, union_id, side, display_name, email)
       SELECT $1, $2, 'union', 'Rep ' || g, 'rep' || g || '@union.example' FROM generate_series(1, $3) g`,
      [forum, union, RECIPIENTS],
    );

    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'bench',
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      SMTP_POOL_SIZE: String(POOL),
      EMAIL_JOB_CONCURRENCY: String(EMAIL_CONCURRENCY),
      OUTBOX_POLL_MS: '50',
    };
    const servers = await serverPids(pg.dataDir, redis.url);
    const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const runs: (EmailRun & { round: number; noop: number })[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}: BullMQ no-op baseline, ${EMAILS} jobs, concurrency ${CONCURRENCY}`);
      const noop = await bullmqNoop(redis.url, EMAILS);
      log(`  ${noop.toFixed(0)} jobs/s`);
      for (const workers of WORKER_COUNTS) {
        log(`round ${round}: ${EVENTS} events x ${RECIPIENTS} forum members = ${TOTAL} emails, ${workers} worker process(es), SMTP pool ${POOL} each`);
        const r = await emailRun(sql, sink, programme, workers, env, servers);
        log(`  ${r.rate.toFixed(0)} emails/s end to end (${(r.rate / noop).toFixed(2)} x no-op), ${((r.workerCpu * 1000) / TOTAL).toFixed(2)} ms worker CPU per email`);
        runs.push({ ...r, round, noop });
      }
    }
    await sql.end();

    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const ok = (r: EmailRun) => r.sent === TOTAL && r.failed === 0 && r.maxAttempts === 1 && r.received === TOTAL && r.distinct === TOTAL;
    const head = (r: EmailRun & { round: number }) => `round ${r.round}, ${r.workers} worker${r.workers > 1 ? 's' : ''}`;
    const lines = [
      `### Notifications: email deliveries per second (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}; ` +
        `load average (1, 5, 15 min) at the start ${loadStart}, at the end ${load}. ` +
        'PostgreSQL, Redis, the worker process(es), the SMTP sink and this script all on this machine; PostgreSQL with fsync off (test/support/servers.ts).',
      `Run: \`${COMMAND}\` (BENCH_EMAILS=${EMAILS}: ${EVENTS} forum events x ${RECIPIENTS} members, email only; ` +
        `email queue concurrency ${CONCURRENCY}, SMTP pool ${POOL} per worker; the SMTP server ${SINK === 'postfix' ? "Postfix's smtp-sink" : 'smtp-server (Node)'}; ${ROUNDS} rounds, the no-op baseline and the email runs interleaved).`,
      '',
      '| measure | ' + runs.map(head).join(' | ') + ' |',
      '|---|' + runs.map(() => '---|').join(''),
      `| **emails end to end** (outbox → relay → BullMQ → SMTP → row sent) | ${runs.map((r) => `**${r.rate.toFixed(0)}/s** (${TOTAL} in ${r.seconds.toFixed(2)} s)`).join(' | ')} |`,
      `| BullMQ no-op, same round (${EMAILS} jobs, concurrency ${CONCURRENCY}) | ${runs.map((r) => `${r.noop.toFixed(0)} jobs/s`).join(' | ')} |`,
      `| **ratio end to end / no-op** | ${runs.map((r) => `**${(r.rate / r.noop).toFixed(2)}**`).join(' | ')} |`,
      `| target ≥ 3,000 emails/s from one worker | ${runs.map((r) => (r.workers === 1 ? (r.rate >= 3000 ? 'met' : 'not met') : '—')).join(' | ')} |`,
      `| deliveries only (first row written → last sent) | ${runs.map((r) => `${r.deliveryRate.toFixed(0)}/s`).join(' | ')} |`,
      `| relay fan-out (events → ${TOTAL} rows written) | ${runs.map((r) => `${r.relaySeconds.toFixed(2)} s`).join(' | ')} |`,
      `| **worker CPU per email** | ${runs.map((r) => `**${((r.workerCpu * 1000) / TOTAL).toFixed(2)} ms**`).join(' | ')} |`,
      `| SMTP sink CPU per email | ${runs.map((r) => `${((r.sinkCpu * 1000) / TOTAL).toFixed(2)} ms`).join(' | ')} |`,
      `| PostgreSQL CPU per email (all its processes) | ${runs.map((r) => `${((r.postgresCpu * 1000) / TOTAL).toFixed(2)} ms`).join(' | ')} |`,
      `| Redis CPU per email | ${runs.map((r) => `${((r.redisCpu * 1000) / TOTAL).toFixed(2)} ms`).join(' | ')} |`,
      `| rest of the machine per email (this script, the kernel, other users) | ${runs
        .map((r) => `${(((r.machineCpuSeconds - r.workerCpu - r.sinkCpu - r.postgresCpu - r.redisCpu) * 1000) / TOTAL).toFixed(2)} ms`)
        .join(' | ')} |`,
      `| whole machine busy during the run | ${runs.map((r) => `${(r.machineBusy * 100).toFixed(0)} % of ${cpus().length} cores`).join(' | ')} |`,
      `| PostgreSQL transactions per email | ${runs.map((r) => r.pgPerDelivery.toFixed(2)).join(' | ')} |`,
      `| check: rows sent / failed; max attempts | ${runs.map((r) => `${r.sent} / ${r.failed}; ${r.maxAttempts}`).join(' | ')} |`,
      `| check: messages at the SMTP server (distinct ids) | ${runs.map((r) => `${r.received} (${r.distinct})`).join(' | ')} |`,
      `| **check: every row sent once, every message once at the server** | ${runs.map((r) => (ok(r) ? 'ok' : '**FAILED**')).join(' | ')} |`,
      '',
    ];
    if (!runs.every(ok)) process.exitCode = 1;
    const report = lines.join('\n');
    const out = join(ROOT, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    const file = join(out, `notifications-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
    writeFileSync(file, report);
    console.log(`\n${report}`);
    log(`written to ${file}`);
  } finally {
    sink.stop();
    await redis.stop();
    await pg.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
