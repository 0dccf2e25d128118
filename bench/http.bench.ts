/**
 * HTTP bench (issue 20; not a timed test). Starts a throwaway PostgreSQL and Redis, migrates,
 * generates N posts (bench/generate-posts.ts, default 1,000,000), starts the real API process
 * (dist/src/main.js) and the bare baseline (dist/bench/bare-server.js: Fastify + pg, the same JSON),
 * then, each product run next to its baseline run, alternately (P B, B P, P B …):
 *
 *  1. GET /api/v1/posts?limit=50 at 16 and 64 connections vs the bare handler (target ≥ 0.7× req/s, p99 ≤ 1.5×);
 *  2. GET /health/live vs bare Fastify (target ≥ 0.5×);
 *  3. 64 connections on the matrix for BENCH_MATRIX_SECONDS (60): 5xx other than 503 with Retry-After (target 0);
 *  4. an import of BENCH_IMPORT_ROWS (1,000,000) rows through the API vs psql \copy of the same file
 *     into the same table (through a staging table, as the file names organisations, areas and grades).
 *
 *   make bench-http                                           # the full run
 *   BENCH_POSTS=100000 BENCH_IMPORT_ROWS=100000 BENCH_SECONDS=5 BENCH_ROUNDS=2 BENCH_MATRIX_SECONDS=15 make bench-http
 *   BENCH_MATRIX_SECONDS=0 BENCH_IMPORT_ROWS=0 make bench-http     # the list and /health/live only
 *   BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" …    # node options for the API process (a CPU profile)
 *
 * Prints a markdown report (with the machine's load average around each part) and writes it to bench/out/http-<time>.md.
 */
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { POST_COLUMNS } from '../src/establishment/post-columns';
import { freePort } from '../test/support/servers';
import { benchEnv as env, benchOutDir, createBenchHr, loadAverage as load, log, median, repoRoot, signInBearer, startBenchServers, waitUp, writeReport } from './bench-db';
import { BENCH_AREAS, generatePosts } from './generate-posts';
import { deleteImported, psqlImportScript } from './psql-import';

const run = promisify(execFile);
const POSTS = env('BENCH_POSTS', 1_000_000);
const SECONDS = env('BENCH_SECONDS', 10);
const ROUNDS = env('BENCH_ROUNDS', 3);
const MATRIX_SECONDS = env('BENCH_MATRIX_SECONDS', 60);
const IMPORT_ROWS = env('BENCH_IMPORT_ROWS', 1_000_000);
const IMPORT_RUNS = env('BENCH_IMPORT_RUNS', 1);

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(1));

interface Load {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function cannon(url: string, connections: number, seconds: number, headers: Record<string, string> = {}): Promise<Load> {
  const r = await autocannon({ url, connections, duration: seconds, headers, pipelining: 1 });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Product and baseline alternately, ROUNDS times each, the order swapped every round. */
async function interleaved(label: string, product: () => Promise<Load>, bare: () => Promise<Load>): Promise<{ label: string; p: Load[]; b: Load[]; loadBefore: string; loadAfter: string }> {
  const p: Load[] = [];
  const b: Load[] = [];
  const loadBefore = load();
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      p.push(await product());
      b.push(await bare());
    } else {
      b.push(await bare());
      p.push(await product());
    }
    log(`  ${label} round ${i + 1}: product ${fmt(p[i].rps)} req/s p99 ${p[i].p99} ms, bare ${fmt(b[i].rps)} req/s p99 ${b[i].p99} ms`);
  }
  return { label, p, b, loadBefore, loadAfter: load() };
}

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = benchOutDir();
  log(`posts ${POSTS}, ${SECONDS} s × ${ROUNDS} rounds, matrix ${MATRIX_SECONDS} s, import ${IMPORT_ROWS} rows; load ${load()}`);
  const bench = await startBenchServers();
  const { dbUrl, pgVersion, redis } = bench;
  try {
    log('generating posts …');
    const data = await generatePosts(dbUrl, { posts: POSTS, programmes: 1, log });
    const programmeId = data.programmeIds[0];
    const sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const password = await createBenchHr(sql);
    await sql.query('VACUUM ANALYZE');

    const apiPort = await freePort();
    const barePort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const bare = `http://127.0.0.1:${barePort}`;
    const apiProc = bench.process(
      spawn(process.execPath, [...(process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(root, 'dist', 'src', 'main.js')], {
        env: {
          ...process.env,
          NODE_ENV: 'development',
          DATABASE_URL: dbUrl,
          REDIS_URL: redis.url,
          PORT: String(apiPort),
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
          THROTTLE_LIMIT: '100000000',
          IMPORT_MAX_ROWS: String(Math.max(100_000, IMPORT_ROWS)),
          IMPORT_MAX_BYTES: String(1024 * 1024 * 1024),
          // This part times the synchronous path (in the request); the worker path is bench/import.bench.ts (make bench-import).
          IMPORT_SYNC_MAX_ROWS: String(Math.min(1_000_000, Math.max(100_000, IMPORT_ROWS))),
          IMPORT_SYNC_MAX_BYTES: String(256 * 1024 * 1024),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    const bareProc = bench.process(spawn(process.execPath, [join(root, 'dist', 'bench', 'bare-server.js')], { env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(barePort) }, stdio: ['ignore', 'inherit', 'inherit'] }));
    await waitUp(`${api}/health/ready`, apiProc);
    await waitUp(`${bare}/health/live`, bareProc);
    const auth = await signInBearer(api, 'hr@bench.example', password);

    // The two answer the same bytes (the baseline is fair).
    const mine = await (await fetch(`${api}/api/v1/posts?limit=50`, { headers: auth })).text();
    const theirs = await (await fetch(`${bare}/posts?limit=50`)).text();
    if (mine !== theirs) throw new Error(`the bare handler's JSON differs from the product's:\n${mine.slice(0, 400)}\n${theirs.slice(0, 400)}`);
    log(`list bodies are byte-identical (${mine.length} bytes)`);

    const parts: Awaited<ReturnType<typeof interleaved>>[] = [];
    for (const c of [16, 64]) {
      await cannon(`${api}/api/v1/posts?limit=50`, c, 2, auth); // warm-up
      await cannon(`${bare}/posts?limit=50`, c, 2);
      parts.push(await interleaved(`list, ${c} connections`, () => cannon(`${api}/api/v1/posts?limit=50`, c, SECONDS, auth), () => cannon(`${bare}/posts?limit=50`, c, SECONDS)));
    }
    parts.push(await interleaved('/health/live, 16 connections', () => cannon(`${api}/health/live`, 16, SECONDS), () => cannon(`${bare}/health/live`, 16, SECONDS)));

    // ------------------------------------------------------------ matrix under 64 connections
    let matrixLine = '| 64 connections on the matrix | not run (BENCH_MATRIX_SECONDS=0) | | | | |';
    if (MATRIX_SECONDS > 0) {
      log(`matrix: 64 connections for ${MATRIX_SECONDS} s`);
      const matrixLoadBefore = load();
      const codes = new Map<number, number>();
      let badBusy = 0;
      const m = await autocannon({
        url: `${api}/api/v1/programmes/${programmeId}/establishment`,
        connections: 64,
        duration: MATRIX_SECONDS,
        headers: auth,
        timeout: 60,
        requests: [
          {
            method: 'GET',
            onResponse: (status: number, _body: string, _ctx: unknown, headers: Record<string, string>) => {
              codes.set(status, (codes.get(status) ?? 0) + 1);
              if (status === 503 && !headers['retry-after']) badBusy++;
            },
          },
        ],
      } as autocannon.Options);
      const fiveXx = [...codes.entries()].filter(([s]) => s >= 500).reduce((n, [s, k]) => n + (s === 503 ? 0 : k), 0) + badBusy;
      matrixLine = `| 64 connections on the matrix, ${MATRIX_SECONDS} s | ${[...codes.entries()].sort().map(([s, k]) => `${k} × ${s}`).join(', ')}; ${m.errors} socket errors, ${m.timeouts} timeouts; p99 ${m.latency.p99} ms | **${fiveXx}** 5xx other than 503 + Retry-After | 0 — ${fiveXx === 0 ? 'met' : '**missed**'} | ${matrixLoadBefore} → ${load()} |`;

    }

    // ------------------------------------------------------------ 1,000,000-row import vs psql \copy
    let importLine = '| import | not run (BENCH_IMPORT_ROWS=0) | | | | |';
    if (IMPORT_ROWS > 0) {
      log(`import: ${IMPORT_ROWS} rows`);
      const header = POST_COLUMNS.map((c) => c.key).join(',');
      const lines = [header];
      for (let i = 0; i < IMPORT_ROWS; i++) {
        const grade = data.councilGradeCodes[3 + (i % 10)];
        lines.push(`IMP-${String(i).padStart(7, '0')},"Imported post ${i}, bench",BCC,${BENCH_AREAS[i % 12]},${grade},${i % 9 === 0 ? '0.5' : '1'},${i % 7 === 0 ? 'vacant' : 'filled'},,`);
    }
    const csv = Buffer.from(`${lines.join('\r\n')}\r\n`);
    lines.length = 0;
    const csvPath = bench.tempFile(join(outDir, `http-import-${IMPORT_ROWS}.csv`));
    writeFileSync(csvPath, csv);
    const scriptPath = bench.tempFile(join(outDir, `http-import-${randomBytes(4).toString('hex')}.sql`));
    writeFileSync(scriptPath, psqlImportScript(csvPath, programmeId));
    const clean = () => deleteImported(sql);
    const importLoadBefore = load();
    const apiMs: number[] = [];
    const psqlMs: number[] = [];
    const timeIt = async (fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const viaPsql = async () => {
      await clean();
      psqlMs.push(await timeIt(() => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-f', scriptPath])));
      const n = Number((await sql.query(`SELECT count(*) FROM posts WHERE reference LIKE 'IMP-%'`)).rows[0].count);
      if (n !== IMPORT_ROWS) throw new Error(`psql loaded ${n} rows`);
    };
    const viaApi = async () => {
      await clean();
      let status = 0;
      let body = '';
      apiMs.push(
        await timeIt(async () => {
          const form = new FormData();
          form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
          const r = await fetch(`${api}/api/v1/programmes/${programmeId}/posts/import`, { method: 'POST', body: form, headers: auth });
          status = r.status;
          body = await r.text();
        }),
      );
      if (status !== 200 || (JSON.parse(body) as { created: number }).created !== IMPORT_ROWS) throw new Error(`import: ${status} ${body.slice(0, 500)}`);
    };
    for (let i = 0; i < IMPORT_RUNS; i++) {
      if (i % 2 === 0) {
        await viaApi();
        await viaPsql();
      } else {
        await viaPsql();
        await viaApi();
      }
      log(`  import run ${i + 1}: API ${fmt(apiMs[i])} ms, psql ${fmt(psqlMs[i])} ms`);
    }
    await clean();
    const importRatio = median(apiMs) / median(psqlMs);
    importLine = `| import ${IMPORT_ROWS.toLocaleString('en-GB')} rows (median of ${IMPORT_RUNS}) | API upload ${fmt(median(apiMs))} ms | psql \\copy + insert ${fmt(median(psqlMs))} ms | ${importRatio.toFixed(2)}× | ≤ 1.5× — ${importRatio <= 1.5 ? 'met' : '**missed**'} | ${importLoadBefore} → ${load()} |`;
    }
    await sql.end();

    // ------------------------------------------------------------ report
    const rows = parts.map((x) => {
      const rps = median(x.p.map((l) => l.rps)) / median(x.b.map((l) => l.rps));
      const p99 = median(x.p.map((l) => l.p99)) / median(x.b.map((l) => l.p99));
      const health = x.label.startsWith('/health');
      const target = health ? `≥ 0.5× — ${rps >= 0.5 ? 'met' : '**missed**'}` : `≥ 0.7× — ${rps >= 0.7 ? 'met' : '**missed**'}; p99 ≤ 1.5× — ${p99 <= 1.5 ? 'met' : '**missed**'}`;
      const non2xx = x.p.reduce((n, l) => n + l.non2xx + l.errors, 0);
      return `| ${x.label} | ${fmt(median(x.p.map((l) => l.rps)))} req/s, p99 ${median(x.p.map((l) => l.p99))} ms${non2xx ? ` (${non2xx} non-2xx/errors)` : ''} | ${fmt(median(x.b.map((l) => l.rps)))} req/s, p99 ${median(x.b.map((l) => l.p99))} ms | ${rps.toFixed(2)}× req/s, ${p99.toFixed(2)}× p99 | ${target} | ${x.loadBefore} → ${x.loadAfter} |`;
    });
    const cpu = cpus();
    const report = `### Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

Command: \`${process.env.BENCH_COMMAND ?? 'make bench-http'}\` (BENCH_POSTS=${POSTS}, BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}, BENCH_MATRIX_SECONDS=${MATRIX_SECONDS}, BENCH_IMPORT_ROWS=${IMPORT_ROWS}, BENCH_IMPORT_RUNS=${IMPORT_RUNS})

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}, PostgreSQL ${pgVersion} (throwaway server, fsync off); autocannon, API and bare server on the same machine, shared with other work (load average 1 / 5 / 15 min in the last column).

| measure | product | baseline | ratio | target | load before → after |
|---|---|---|---|---|---|
${rows.join('\n')}
${matrixLine}
${importLine}

Each load figure is the median of ${ROUNDS} runs of ${SECONDS} s, product and bare handler alternately (the order swapped each round); the bare handler's list JSON was checked byte-identical to the product's.
`;
    writeReport('http', report);
  } finally {
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
