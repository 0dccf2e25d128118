/**
 * What the benches share: a throwaway PostgreSQL (and Redis) with the bench database created and
 * migrated, the processes and files a bench starts ended and removed at the end, the report written
 * to bench/out, and a few figures (median, load average). Not a timed test: the benches print their
 * ratios; docs/benchmarks.md holds the figures.
 */
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../src/database/migrate';
import { hashPassword } from '../src/users/password';
import { RunningPostgres, RunningRedis, startPostgres, startRedis } from '../test/support/servers';

/** A number from the environment (`BENCH_POSTS=100000`), or `fallback` when unset or empty. */
export const benchEnv = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);

export const log = (line: string): void => console.log(`[bench] ${line}`);

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The machine's load average over 1 / 5 / 15 minutes, as the reports print it. */
export const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

/** The repository: the nearest folder above this file with a package.json (the same from dist/bench and from bench/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** bench/out in the repository (made if missing): reports and the benches' temporary files. */
export function benchOutDir(): string {
  const dir = join(repoRoot(), 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `report` to bench/out/<name>-<time>.md and prints it with the file's path. */
export function writeReport(name: string, report: string): string {
  const out = join(benchOutDir(), `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(out, report);
  console.log(`\n${report}\n(written to ${out})`);
  return out;
}

/** Polls `url` until it answers 2xx; fails at once if `child` (the process serving it) exits. */
export async function waitUp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

export interface BenchServers {
  pg: RunningPostgres;
  /** URL of the bench database, migrated. */
  dbUrl: string;
  /** PostgreSQL's server_version, for the report. */
  pgVersion: string;
  /** Removes the file at stop(); returns its path. */
  tempFile(path: string): string;
  /** Ends the process at stop() (SIGTERM, then waits for it to exit); returns it. */
  process(child: ChildProcess): ChildProcess;
  /** Removes the temporary files, ends the processes, stops Redis and PostgreSQL (their data goes with them). */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL (test/support/servers.ts: fsync off) and, unless `redis: false`,
 * a Redis; creates the database `database` (default wtt_bench) and runs the migrations. If any of
 * that fails, what was started is stopped before the error is thrown.
 */
export function startBenchServers(opts: { redis: false; database?: string }): Promise<BenchServers & { redis: undefined }>;
export function startBenchServers(opts?: { redis?: true; database?: string }): Promise<BenchServers & { redis: RunningRedis }>;
export async function startBenchServers(opts: { redis?: boolean; database?: string } = {}): Promise<BenchServers & { redis: RunningRedis | undefined }> {
  const database = opts.database ?? 'wtt_bench';
  const temps: string[] = [];
  const children: ChildProcess[] = [];
  const pg = await startPostgres();
  let redis: RunningRedis | undefined;
  const stop = async () => {
    for (const t of temps) rmSync(t, { force: true });
    for (const c of children) c.kill('SIGTERM');
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
    await redis?.stop();
    await pg.stop();
  };
  try {
    if (opts.redis !== false) redis = await startRedis();
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version as string;
    await admin.end();
    const url = new URL(pg.url);
    url.pathname = `/${database}`;
    const dbUrl = url.toString();
    await runMigrations(dbUrl);
    return {
      pg,
      redis,
      dbUrl,
      pgVersion,
      tempFile: (path) => {
        temps.push(path);
        return path;
      },
      process: (child) => {
        children.push(child);
        return child;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Adds the user hr@bench.example (hr_officer) with a fresh password, and returns the password. */
export async function createBenchHr(sql: Client): Promise<string> {
  const password = `bench-${randomBytes(8).toString('hex')}`;
  await sql.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('hr@bench.example', 'Bench HR', 'hr_officer', $1)`, [await hashPassword(password)]);
  return password;
}

/** Signs in through the API (POST /api/v1/auth/sign-in) and returns the bearer header. */
export async function signInBearer(base: string, email: string, password: string): Promise<{ authorization: string }> {
  const res = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}
