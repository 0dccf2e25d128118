/**
 * Start-up bench (issue 20; not a timed test): how long the API process takes from spawn to its
 * first answer on /health/live and to /health/ready, and its resident memory then, against the bare
 * baseline (bench/bare-server.ts: Fastify + pg) started the same way, alternately (API, bare; then
 * bare, API; …) BENCH_RUNS times each (default 5). Both run compiled (dist/), as in production.
 *
 *   make bench-startup                     # BENCH_RUNS=5
 *
 * Starts a throwaway PostgreSQL and Redis (bench/bench-db.ts). The first answer is polled every
 * 10 ms, so each figure is up to 10 ms late. Writes bench/out/startup-<time>.md and prints it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/servers';
import { benchEnv as env, loadAverage as load, log, median, repoRoot, startBenchServers, writeReport } from './bench-db';

const RUNS = env('BENCH_RUNS', 5);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Milliseconds from `t0` until `url` answers 2xx (polled every 10 ms); fails if the process exits. */
async function firstAnswer(url: string, child: ChildProcess, t0: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 60_000) throw new Error(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Start {
  live: number;
  ready: number;
  rss: number;
}

async function startOnce(script: string, envVars: Record<string, string>, readyPath: string): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...envVars, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const live = await firstAnswer(`http://127.0.0.1:${port}/health/live`, child, t0);
    const ready = await firstAnswer(`http://127.0.0.1:${port}${readyPath}`, child, t0);
    return { live, ready, rss: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  const loadStart = load();
  log(`API start-up vs bare Fastify + pg, ${RUNS} runs each, alternately; load ${loadStart}`);
  const bench = await startBenchServers();
  try {
    const api = join(root, 'dist', 'src', 'main.js');
    const bare = join(root, 'dist', 'bench', 'bare-server.js');
    const apiEnv = { NODE_ENV: 'development', DATABASE_URL: bench.dbUrl, REDIS_URL: bench.redis.url, LOG_LEVEL: 'warn' };
    const bareEnv = { DATABASE_URL: bench.dbUrl };
    // One warm-up each (the file system cache), not counted.
    await startOnce(api, apiEnv, '/health/ready');
    await startOnce(bare, bareEnv, '/health/live');
    const apiRuns: Start[] = [];
    const bareRuns: Start[] = [];
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? (['api', 'bare'] as const) : (['bare', 'api'] as const);
      for (const side of order) {
        if (side === 'api') apiRuns.push(await startOnce(api, apiEnv, '/health/ready'));
        else bareRuns.push(await startOnce(bare, bareEnv, '/health/live'));
      }
      const a = apiRuns[apiRuns.length - 1];
      const b = bareRuns[bareRuns.length - 1];
      log(`  run ${i + 1}: API live ${a.live.toFixed(0)} ms, ready ${a.ready.toFixed(0)} ms, RSS ${a.rss.toFixed(0)} MiB; bare ${b.live.toFixed(0)} ms, RSS ${b.rss.toFixed(0)} MiB`);
    }
    const m = (xs: Start[], k: keyof Start) => median(xs.map((x) => x[k]));
    const loadEnd = load();
    const report = [
      `### API start-up (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      '',
      `Command: \`make bench-startup\` (BENCH_RUNS=${RUNS}); PostgreSQL ${bench.pgVersion}; load average ${loadStart} → ${loadEnd}. Medians of ${RUNS} starts each, API and bare server alternately.`,
      '',
      '| measure | API | bare Fastify + pg | ratio |',
      '|---|---|---|---|',
      `| spawn → first 200 on /health/live | ${m(apiRuns, 'live').toFixed(0)} ms | ${m(bareRuns, 'live').toFixed(0)} ms | ${(m(apiRuns, 'live') / m(bareRuns, 'live')).toFixed(2)}× |`,
      `| spawn → /health/ready 200 (database, Redis, migrations checked) | ${m(apiRuns, 'ready').toFixed(0)} ms | | |`,
      `| resident memory then (RSS) | ${m(apiRuns, 'rss').toFixed(0)} MiB | ${m(bareRuns, 'rss').toFixed(0)} MiB | ${(m(apiRuns, 'rss') / m(bareRuns, 'rss')).toFixed(2)}× |`,
      '',
      `Per run (API live / bare live, ms): ${apiRuns.map((a, i) => `${a.live.toFixed(0)} / ${bareRuns[i].live.toFixed(0)}`).join(', ')}.`,
      '',
    ].join('\n');
    writeReport('startup', report);
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
