/**
 * Establishment bench (not a timed test). Starts a throwaway PostgreSQL and Redis, migrates,
 * generates N posts (default 1,000,000), starts the real API process (dist/src/main.js), then:
 *
 *  1. import of IMPORT_ROWS rows (default 100,000) through the product's import path (HTTP
 *     multipart upload, validation, all-or-nothing write, audit) next to `psql \copy` of the same
 *     file into the posts table (through a staging table: the file names organisations, areas and
 *     grades, the table holds ids), as a ratio. Target: at most 2x psql.
 *  2. the establishment matrix over the N posts through the API next to the same SQL run by psql,
 *     as a ratio. Target: at most 1.3x, and under 300 ms.
 *  3. a posts page at depth 900,000 next to the first page. Target: at most 2x.
 *
 *   make bench-establishment                  # 1,000,000 posts
 *   BENCH_POSTS=100000 make bench-establishment
 *
 * Env: BENCH_POSTS, BENCH_PROGRAMMES (1), BENCH_IMPORT_ROWS (100000), BENCH_RUNS (matrix/page runs, 20),
 * BENCH_IMPORT_RUNS (3). Writes a markdown report to bench/out/establishment-<time>.md.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { encodeCursor } from '../src/establishment/cursor';
import { MATRIX_SQL } from '../src/establishment/matrix.service';
import { POST_COLUMNS } from '../src/establishment/post-columns';
import { freePort } from '../test/support/servers';
import { BenchServers, benchEnv as env, benchOutDir, createBenchHr, log, median, repoRoot, signInBearer, startBenchServers, waitUp, writeReport } from './bench-db';
import { BENCH_AREAS, generatePosts } from './generate-posts';
import { deleteImported, psqlImportScript } from './psql-import';

const run = promisify(execFile);
const POSTS = env('BENCH_POSTS', 1_000_000);
const PROGRAMMES = env('BENCH_PROGRAMMES', 1);
const IMPORT_ROWS = env('BENCH_IMPORT_ROWS', 100_000);
const RUNS = env('BENCH_RUNS', 20);
const IMPORT_RUNS = env('BENCH_IMPORT_RUNS', 3);
const DEPTH = Math.min(900_000, Math.max(0, Math.floor(POSTS * 0.9)));

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;

async function psqlTimings(url: string, script: string): Promise<number[]> {
  const { stdout } = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', writeTemp(`\\timing on\n${script}\n`)], { maxBuffer: 64 * 1024 * 1024 });
  return [...stdout.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
}

let outDir = '';
let bench: BenchServers | undefined;
function writeTemp(content: string): string {
  const p = bench!.tempFile(join(outDir, `tmp-${randomBytes(4).toString('hex')}.sql`));
  writeFileSync(p, content);
  return p;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, v];
}

async function main(): Promise<void> {
  const root = repoRoot();
  outDir = benchOutDir();
  log(`posts ${POSTS.toLocaleString('en-GB')}, programmes ${PROGRAMMES}, import rows ${IMPORT_ROWS.toLocaleString('en-GB')}, runs ${RUNS}`);
  const servers = await startBenchServers();
  bench = servers;
  const { dbUrl, pgVersion, redis } = servers;
  try {

    log('generating posts …');
    const [genMs, data] = await timed(() => generatePosts(dbUrl, { posts: POSTS, programmes: PROGRAMMES, log }));
    const programmeId = data.programmeIds[0];
    const sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const matrixPosts = Number((await sql.query(`SELECT count(*) FROM posts WHERE programme_id = $1 AND establishment_status <> 'deleted'`, [programmeId])).rows[0].count);

    const password = await createBenchHr(sql);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = servers.process(spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: dbUrl,
        REDIS_URL: redis.url,
        PORT: String(port),
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        THROTTLE_LIMIT: '1000000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    }));
    await waitUp(`${base}/health/ready`, api);
    const auth = await signInBearer(base, 'hr@bench.example', password);
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`, { headers: auth });
      const body = await r.arrayBuffer();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${Buffer.from(body).toString()}`);
      return body;
    };

    // ---------------------------------------------------------------- 1. import
    log(`import: ${IMPORT_ROWS} rows`);
    const header = POST_COLUMNS.map((c) => c.key).join(',');
    const lines = [header];
    for (let i = 0; i < IMPORT_ROWS; i++) {
      const grade = data.councilGradeCodes[3 + (i % 10)];
      const fte = i % 9 === 0 ? '0.5' : '1';
      lines.push(`IMP-${String(i).padStart(7, '0')},"Imported post ${i}, bench",BCC,${BENCH_AREAS[i % 12]},${grade},${fte},${i % 7 === 0 ? 'vacant' : 'filled'},,`);
    }
    const csvPath = servers.tempFile(join(outDir, `import-${IMPORT_ROWS}.csv`));
    writeFileSync(csvPath, `${lines.join('\r\n')}\r\n`);
    const csv = Buffer.from(`${lines.join('\r\n')}\r\n`);
    const cleanImported = () => deleteImported(sql);
    const psqlImport = psqlImportScript(csvPath, programmeId);
    const psqlScript = writeTemp(psqlImport);
    const importPsql: number[] = [];
    const importApi: number[] = [];
    for (let r = 0; r < IMPORT_RUNS; r++) {
      await cleanImported();
      const [tp] = await timed(() => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-f', psqlScript]));
      const n = Number((await sql.query(`SELECT count(*) FROM posts WHERE reference LIKE 'IMP-%'`)).rows[0].count);
      if (n !== IMPORT_ROWS) throw new Error(`psql loaded ${n} rows`);
      importPsql.push(tp);
      await cleanImported();
      const [ta, res] = await timed(async () => {
        const form = new FormData();
        form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
        const r2 = await fetch(`${base}/api/v1/programmes/${programmeId}/posts/import`, { method: 'POST', body: form, headers: auth });
        return { status: r2.status, body: (await r2.json()) as { created: number } };
      });
      if (res.status !== 200 || res.body.created !== IMPORT_ROWS) throw new Error(`import: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
      importApi.push(ta);
      log(`  run ${r + 1}: psql ${ms(tp)}, API ${ms(ta)}`);
    }
    await cleanImported();
    const importDry: number[] = [];
    for (let r = 0; r < IMPORT_RUNS; r++) {
      const [td] = await timed(async () => {
        const form = new FormData();
        form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
        const r2 = await fetch(`${base}/api/v1/programmes/${programmeId}/posts/import?dryRun=true`, { method: 'POST', body: form, headers: auth });
        return r2.json();
      });
      importDry.push(td);
    }

    // ---------------------------------------------------------------- 2. matrix
    log(`matrix over ${matrixPosts} live posts`);
    for (let i = 0; i < 3; i++) await get(`/api/v1/programmes/${programmeId}/establishment`);
    const matrixApi: number[] = [];
    for (let i = 0; i < RUNS; i++) matrixApi.push((await timed(() => get(`/api/v1/programmes/${programmeId}/establishment`)))[0]);
    const matrixSql = MATRIX_SQL.replace('$1', `'${programmeId}'`);
    const matrixPsqlAll = await psqlTimings(dbUrl, Array.from({ length: RUNS + 3 }, () => `${matrixSql};`).join('\n'));
    const matrixPsql = matrixPsqlAll.slice(3);
    const check = JSON.parse(Buffer.from(await get(`/api/v1/programmes/${programmeId}/establishment`)).toString()) as { totals: { total: { posts: number } } };
    if (check.totals.total.posts !== matrixPosts) throw new Error(`matrix counted ${check.totals.total.posts}, expected ${matrixPosts}`);

    // ---------------------------------------------------------------- 3. deep page
    log(`posts page at depth ${DEPTH}`);
    const pageQuery = `/api/v1/posts?programmeId=${programmeId}&limit=50`;
    const at = (await sql.query(`SELECT reference, id FROM posts WHERE programme_id = $1 AND establishment_status <> 'deleted' ORDER BY reference, id OFFSET $2 LIMIT 1`, [programmeId, DEPTH - 1])).rows[0];
    const deepQuery = `${pageQuery}&cursor=${encodeCursor({ reference: at.reference, id: at.id })}`;
    for (let i = 0; i < 3; i++) {
      await get(pageQuery);
      await get(deepQuery);
    }
    const firstPage: number[] = [];
    const deepPage: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      firstPage.push((await timed(() => get(pageQuery)))[0]);
      deepPage.push((await timed(() => get(deepQuery)))[0]);
    }
    const firstAll: number[] = [];
    const deepAll: number[] = [];
    const at2 = (await sql.query(`SELECT reference, id FROM posts WHERE establishment_status <> 'deleted' ORDER BY reference, id OFFSET $1 LIMIT 1`, [DEPTH - 1])).rows[0];
    const deepAllQuery = `/api/v1/posts?limit=50&cursor=${encodeCursor({ reference: at2.reference, id: at2.id })}`;
    for (let i = 0; i < RUNS; i++) {
      firstAll.push((await timed(() => get('/api/v1/posts?limit=50')))[0]);
      deepAll.push((await timed(() => get(deepAllQuery)))[0]);
    }
    await sql.end();

    // ---------------------------------------------------------------- report
    const ratio = (a: number[], b: number[]) => median(a) / median(b);
    const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
    const importRatio = ratio(importApi, importPsql);
    const matrixRatio = ratio(matrixApi, matrixPsql);
    const pageRatio = ratio(deepPage, firstPage);
    const pageAllRatio = ratio(deepAll, firstAll);
    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (${Math.round(freemem() / 2 ** 30)} GiB free at the end), Linux ${release()}, Node ${process.version}, PostgreSQL ${pgVersion} (throwaway server from test/support/servers.ts: fsync off, shared_buffers 256MB)`;
    const report = `### Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

Command: \`${process.env.BENCH_COMMAND ?? 'make bench-establishment'}\` (BENCH_POSTS=${POSTS}, BENCH_PROGRAMMES=${PROGRAMMES}, BENCH_IMPORT_ROWS=${IMPORT_ROWS}, BENCH_RUNS=${RUNS}, BENCH_IMPORT_RUNS=${IMPORT_RUNS})

Machine: ${machine}

Data: ${POSTS.toLocaleString('en-GB')} posts generated in ${Math.round(genMs / 1000)} s; the matrix programme holds ${matrixPosts.toLocaleString('en-GB')} live posts.

| measure | product | baseline | ratio | target |
|---|---|---|---|---|
| import ${IMPORT_ROWS.toLocaleString('en-GB')} rows (median of ${IMPORT_RUNS}) | API upload ${ms(median(importApi))} | psql \\copy + insert ${ms(median(importPsql))} | ${importRatio.toFixed(2)}× | ≤ 2× — ${verdict(importRatio <= 2)} |
| import dry run (validation only) | ${ms(median(importDry))} | | | |
| matrix (median of ${RUNS}; p95) | API ${ms(median(matrixApi))} (p95 ${ms(p95(matrixApi))}) | same SQL in psql ${ms(median(matrixPsql))} (p95 ${ms(p95(matrixPsql))}) | ${matrixRatio.toFixed(2)}× | ≤ 1.3× — ${verdict(matrixRatio <= 1.3)}; < 300 ms — ${verdict(median(matrixApi) < 300)} |
| posts page at depth ${DEPTH.toLocaleString('en-GB')}, programme filter (median of ${RUNS}) | ${ms(median(deepPage))} | first page ${ms(median(firstPage))} | ${pageRatio.toFixed(2)}× | ≤ 2× — ${verdict(pageRatio <= 2)} |
| posts page at depth ${DEPTH.toLocaleString('en-GB')}, no filter | ${ms(median(deepAll))} | first page ${ms(median(firstAll))} | ${pageAllRatio.toFixed(2)}× | ≤ 2× — ${verdict(pageAllRatio <= 2)} |

Raw (ms): import API [${importApi.map((x) => x.toFixed(0)).join(', ')}], import psql [${importPsql.map((x) => x.toFixed(0)).join(', ')}], matrix API [${matrixApi.map((x) => x.toFixed(1)).join(', ')}], matrix psql [${matrixPsql.map((x) => x.toFixed(1)).join(', ')}].
`;
    writeReport('establishment', report);
  } finally {
    await servers.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
