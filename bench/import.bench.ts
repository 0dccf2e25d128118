/**
 * Issue 20: a posts import of BENCH_IMPORT_ROWS rows (default 1,000,000) through the product —
 * multipart upload to POST /api/v1/programmes/:id/imports, stored in import_chunks, the posts.import
 * job in a real worker process, polled until done — against psql `\copy` of the same file into a
 * staging table plus the same staging → posts INSERT … SELECT, on the same database, interleaved
 * (the order swapped every run). Also the API's resident memory (RSS, /proc) before the first
 * import and after each, and the API's event-loop delay during the upload (GET /health/live
 * latency sampled every 50 ms while it runs).
 *
 *   make bench-import                       # BENCH_IMPORT_ROWS=1000000 BENCH_IMPORT_RUNS=1 BENCH_POSTS=10000
 *   BENCH_IMPORT_ROWS=100000 make bench-import
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
const ROWS = env('BENCH_IMPORT_ROWS', 1_000_000);
const RUNS = env('BENCH_IMPORT_RUNS', 1);
const POSTS = env('BENCH_POSTS', 10_000);

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(1));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = benchOutDir();
  log(`import ${ROWS} rows × ${RUNS} runs over ${POSTS} existing posts; load ${load()}`);
  const bench = await startBenchServers();
  const { dbUrl, pgVersion, redis } = bench;
  try {
    const data = await generatePosts(dbUrl, { posts: POSTS, programmes: 1, log });
    const programmeId = data.programmeIds[0];
    const sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const password = await createBenchHr(sql);
    await sql.query('VACUUM ANALYZE');

    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const common = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl,
      REDIS_URL: redis.url,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      THROTTLE_LIMIT: '100000000',
      IMPORT_MAX_ROWS: String(Math.max(1_000_000, ROWS)),
      IMPORT_MAX_BYTES: String(1024 * 1024 * 1024),
    };
    const apiProc = bench.process(spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], { env: { ...common, PORT: String(apiPort) }, stdio: ['ignore', 'inherit', 'inherit'] }));
    bench.process(spawn(process.execPath, [join(root, 'dist', 'jobs', 'main.js')], { env: common, stdio: ['ignore', 'inherit', 'inherit'] }));
    await waitUp(`${api}/health/ready`, apiProc, 90_000);
    const auth = await signInBearer(api, 'hr@bench.example', password);

    // The file: the header and ROWS rows, streamed to disk (never one string of it all).
    const header = POST_COLUMNS.map((c) => c.key).join(',');
    const csvPath = bench.tempFile(join(outDir, `import-${ROWS}.csv`));
    const parts: string[] = [`${header}\r\n`];
    for (let i = 0; i < ROWS; i++) {
      const grade = data.councilGradeCodes[3 + (i % 10)];
      parts.push(`IMP-${String(i).padStart(7, '0')},"Imported post ${i}, bench",${data.councilShort},${BENCH_AREAS[i % 12]},${grade},${i % 9 === 0 ? '0.5' : '1'},${i % 7 === 0 ? 'vacant' : 'filled'},,\r\n`);
    }
    const csv = Buffer.from(parts.join(''));
    parts.length = 0;
    writeFileSync(csvPath, csv);
    log(`file: ${(csv.length / 1024 / 1024).toFixed(1)} MiB`);
    const scriptPath = bench.tempFile(join(outDir, `import-${randomBytes(4).toString('hex')}.sql`));
    writeFileSync(scriptPath, psqlImportScript(csvPath, programmeId, { defaultScopeReason: 'Default scope of the thematic area' }));
    const clean = () => deleteImported(sql);
    const timeIt = async (fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const loadBefore = load();
    const rss: string[] = [`before: ${fmt(rssMiB(apiProc.pid!))} MiB`];
    const apiMs: number[] = [];
    const uploadMs: number[] = [];
    const psqlMs: number[] = [];
    const liveMs: number[] = [];
    const viaPsql = async () => {
      await clean();
      psqlMs.push(await timeIt(() => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-f', scriptPath])));
      const n = Number((await sql.query(`SELECT count(*) FROM posts WHERE reference LIKE 'IMP-%'`)).rows[0].count);
      if (n !== ROWS) throw new Error(`psql loaded ${n} rows`);
    };
    const viaApi = async () => {
      await clean();
      let final: { status: string; result?: { created: number }; error?: unknown } = { status: 'queued' };
      // The API's event loop while the file streams in: /health/live every 50 ms.
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const t = Date.now();
          await fetch(`${api}/health/live`).catch(() => undefined);
          liveMs.push(Date.now() - t);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      apiMs.push(
        await timeIt(async () => {
          const t = Date.now();
          const form = new FormData();
          form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
          const r = await fetch(`${api}/api/v1/programmes/${programmeId}/imports`, { method: 'POST', body: form, headers: auth });
          const body = (await r.json()) as { id: string };
          uploadMs.push(Date.now() - t);
          sampling = false;
          if (r.status !== 202) throw new Error(`upload: ${r.status} ${JSON.stringify(body).slice(0, 500)}`);
          const location = r.headers.get('location')!;
          while (final.status !== 'done' && final.status !== 'failed') {
            await new Promise((res) => setTimeout(res, 100));
            final = (await (await fetch(`${api}${new URL(location).pathname}`, { headers: auth })).json()) as typeof final;
          }
        }),
      );
      sampling = false;
      await sampler;
      if (final.status !== 'done' || final.result?.created !== ROWS) throw new Error(`import: ${JSON.stringify(final).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 2000));
      rss.push(`after run ${apiMs.length}: ${fmt(rssMiB(apiProc.pid!))} MiB`);
    };
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        await viaApi();
        await viaPsql();
      } else {
        await viaPsql();
        await viaApi();
      }
      log(`  run ${i + 1}: API ${fmt(apiMs[i])} ms (upload ${fmt(uploadMs[i])} ms), psql ${fmt(psqlMs[i])} ms; API RSS ${rss[rss.length - 1]}`);
    }
    await clean();
    await sql.end();
    const ratio = median(apiMs) / median(psqlMs);
    const live = [...liveMs].sort((a, b) => a - b);
    const cpu = cpus();
    const report = `### Import run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

Command: \`${process.env.BENCH_COMMAND ?? 'make bench-import'}\` (BENCH_IMPORT_ROWS=${ROWS}, BENCH_IMPORT_RUNS=${RUNS}, BENCH_POSTS=${POSTS}); file ${(csv.length / 1024 / 1024).toFixed(1)} MiB

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}, PostgreSQL ${pgVersion} (throwaway server, fsync off); API, worker, PostgreSQL and psql on the same machine, shared with other work.

| measure | product | baseline | ratio | target | load before → after |
|---|---|---|---|---|---|
| import ${ROWS.toLocaleString('en-GB')} rows (median of ${RUNS}) | upload + job until done ${fmt(median(apiMs))} ms (upload alone ${fmt(median(uploadMs))} ms) | psql \\copy + insert ${fmt(median(psqlMs))} ms | ${ratio.toFixed(2)}× | ≤ 1.5× — ${ratio <= 1.5 ? 'met' : '**missed**'} | ${loadBefore} → ${load()} |
| API /health/live while the file uploads | median ${live[Math.floor(live.length / 2)] ?? 0} ms, max ${live[live.length - 1] ?? 0} ms (${live.length} samples) | | | event loop free | |
| API resident memory (RSS) | ${rss.join('; ')} | | | | |
`;
    writeReport('import', report);
  } finally {
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
