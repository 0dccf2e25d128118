/**
 * Matrix page bench (not a timed test): the server's time to render the establishment matrix as a
 * page, next to the JSON API's time for the same matrix, and the same aggregate SQL through psql.
 * Starts a throwaway PostgreSQL and Redis, migrates, generates N posts (default 100,000), starts
 * the built API process (dist/src/main.js), signs in once through the API (bearer) and once through
 * the sign-in page (session cookie), then requests, interleaved run by run:
 *
 *   A  GET /api/v1/programmes/:id/establishment          (JSON, bearer token)
 *   B  GET /programmes/:id/establishment                 (HTML page, session cookie)
 *   C  MATRIX_SQL through psql                            (the raw baseline)
 *
 * Target (issue 10): B at most 1.5x A.
 *
 *   make bench-matrix-page                  # 100,000 posts
 *   BENCH_POSTS=1000000 make bench-matrix-page
 *
 * Env: BENCH_POSTS (100000), BENCH_RUNS (30). Writes bench/out/matrix-page-<time>.md.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { MATRIX_SQL } from '../src/establishment/matrix.service';
import { freePort } from '../test/support/servers';
import { benchEnv as env, benchOutDir, createBenchHr, log, median, repoRoot, signInBearer, startBenchServers, waitUp, writeReport } from './bench-db';
import { generatePosts } from './generate-posts';

const run = promisify(execFile);
const POSTS = env('BENCH_POSTS', 100_000);
const RUNS = env('BENCH_RUNS', 30);
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Sign in through the sign-in page as a browser would: the form's CSRF token, then the session cookie. */
async function pageSession(base: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${base}/sign-in`);
  const cookie = (form.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`page sign-in: ${res.status}`);
  return (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = benchOutDir();
  const bench = await startBenchServers();
  const { dbUrl, redis } = bench;
  try {
    log(`generating ${POSTS.toLocaleString('en-GB')} posts …`);
    const data = await generatePosts(dbUrl, { posts: POSTS, programmes: 1, log });
    const programmeId = data.programmeIds[0];
    const sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const password = await createBenchHr(sql);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = bench.process(
      spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
        env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: dbUrl, REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'warn', THROTTLE_LIMIT: '1000000', JWT_SECRET: randomBytes(32).toString('hex') },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    await waitUp(`${base}/health/ready`, api);
    const bearer = await signInBearer(base, 'hr@bench.example', password);
    const cookie = await pageSession(base, 'hr@bench.example', password);
    const fetchOk = async (path: string, headers: Record<string, string>) => {
      const r = await fetch(`${base}${path}`, { headers });
      const body = await r.text();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${body.slice(0, 300)}`);
      return body;
    };
    const apiPath = `/api/v1/programmes/${programmeId}/establishment`;
    const pagePath = `/programmes/${programmeId}/establishment`;
    const html = await fetchOk(pagePath, { cookie });
    if (!html.includes('Posts and FTE by thematic area and grade')) throw new Error('the page is not the matrix page');
    const psqlScript = bench.tempFile(join(outDir, `matrix-${randomBytes(4).toString('hex')}.sql`));
    writeFileSync(psqlScript, `\\timing on\n${MATRIX_SQL.replace('$1', `'${programmeId}'`)};\n`);
    const psqlOnce = async () => {
      const { stdout } = await run('psql', ['-X', '-q', '-d', dbUrl, '-f', psqlScript], { maxBuffer: 16 * 1024 * 1024 });
      return Number(/Time: ([\d.]+) ms/.exec(stdout)?.[1]);
    };
    for (let i = 0; i < 3; i++) {
      await fetchOk(apiPath, bearer);
      await fetchOk(pagePath, { cookie });
      await psqlOnce();
    }
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Alternate the order each run, so neither side always goes first.
      if (r % 2) {
        b.push(await timed(() => fetchOk(pagePath, { cookie })));
        a.push(await timed(() => fetchOk(apiPath, bearer)));
      } else {
        a.push(await timed(() => fetchOk(apiPath, bearer)));
        b.push(await timed(() => fetchOk(pagePath, { cookie })));
      }
      c.push(await psqlOnce());
    }
    const ratio = median(b) / median(a);
    const cpu = cpus();
    const report = `### Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.
Posts: ${POSTS.toLocaleString('en-GB')} in one programme; ${RUNS} runs each, interleaved (order alternating), after 3 warm-ups. Command: \`${process.env.BENCH_COMMAND ?? 'node dist/bench/matrix-page.bench.js'}\`.

| what | median | ratio |
|---|---|---|
| C. psql: \`MATRIX_SQL\` (server time, \`\\timing\`) | ${ms(median(c))} | baseline |
| A. JSON API \`GET /api/v1/programmes/:id/establishment\` | ${ms(median(a))} | ${(median(a) / median(c)).toFixed(2)}× psql |
| B. matrix page \`GET /programmes/:id/establishment\` (HTML, ${Math.round(html.length / 1024)} KiB) | ${ms(median(b))} | **${ratio.toFixed(2)}× the JSON API** (target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'NOT met'}) |
`;
    writeReport('matrix-page', report);
    await sql.end();
  } finally {
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
