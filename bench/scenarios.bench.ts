/**
 * Scenario bench (not a timed test). Starts a throwaway PostgreSQL, migrates, generates N posts
 * (default 1,000,000, bench/generate-posts.ts), makes a scenario of C changes (default 10,000:
 * scope flips on random live posts), then times, interleaved run by run:
 *
 *   live      the live matrix's SQL (MATRIX_SQL: establishment_matrix_counts()), the raw baseline;
 *   scenario  what ScenariosService.matrix() runs for the delta: MATRIX_SQL and SCENARIO_DELTA_SQL
 *             (scenario_matrix_delta()) at once on two connections, as the service's Promise.all does.
 *
 * Target: scenario within 1.5x live. Prints the ratio; writes bench/out/scenarios-<time>.md.
 *
 *   make bench-scenarios                                   # 1,000,000 posts, 10,000 changes
 *   BENCH_POSTS=100000 BENCH_CHANGES=10000 make bench-scenarios
 *   BENCH_EXPLAIN=1 ...                                    # also print EXPLAIN (ANALYZE, BUFFERS) of both
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { MATRIX_SQL } from '../src/establishment/matrix.service';
import { SCENARIO_DELTA_SQL } from '../src/scenarios/scenarios.service';
import { benchEnv as env, benchOutDir, log, median, startBenchServers } from './bench-db';
import { generatePosts } from './generate-posts';

const POSTS = env('BENCH_POSTS', 1_000_000);
const CHANGES = env('BENCH_CHANGES', 10_000);
const RUNS = env('BENCH_RUNS', 20);
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const bench = await startBenchServers({ redis: false });
  const { dbUrl, pgVersion } = bench;
  try {
    const t0 = performance.now();
    const data = await generatePosts(dbUrl, { posts: POSTS, programmes: 1, log });
    log(`generated ${POSTS.toLocaleString('en-GB')} posts in ${ms(performance.now() - t0)}`);
    const a = new Client({ connectionString: dbUrl });
    const b = new Client({ connectionString: dbUrl });
    await Promise.all([a.connect(), b.connect()]);
    const programmeId = data.programmeIds[0];
    const [user] = (await a.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('bench@example.test', 'Bench', 'hr_officer', 'x') RETURNING id`)).rows;
    const [scenario] = (await a.query(`INSERT INTO scenarios (programme_id, name, author_id) VALUES ($1, 'Bench scenario', $2) RETURNING id`, [programmeId, user.id])).rows;
    await a.query(
      `INSERT INTO scenario_changes (scenario_id, kind, post_id, base_version, scope, reason, created_by)
       SELECT $1, 'change', p.id, p.version, CASE WHEN p.scope = 'in_scope' THEN 'later_phase' ELSE 'in_scope' END, 'bench', $2
       FROM posts p WHERE p.programme_id = $3 AND p.establishment_status <> 'deleted' ORDER BY md5(p.id::text) LIMIT $4`,
      [scenario.id, user.id, programmeId, CHANGES],
    );
    await a.query('ANALYZE');
    const load0 = loadavg();
    if (process.env.BENCH_EXPLAIN) {
      for (const [name, sql, params] of [
        ['live', MATRIX_SQL, [programmeId]],
        ['delta', SCENARIO_DELTA_SQL, [programmeId, scenario.id]],
      ] as [string, string, unknown[]][]) {
        const plan = await a.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        log(`EXPLAIN ANALYZE ${name}:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
    }
    const live: number[] = [];
    const scen: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const t1 = performance.now();
      await a.query(MATRIX_SQL, [programmeId]);
      const l = performance.now() - t1;
      const t2 = performance.now();
      await Promise.all([a.query(MATRIX_SQL, [programmeId]), b.query(SCENARIO_DELTA_SQL, [programmeId, scenario.id])]);
      const s = performance.now() - t2;
      if (i >= 2) {
        live.push(l);
        scen.push(s);
      }
    }
    const t3 = performance.now();
    await b.query(SCENARIO_DELTA_SQL, [programmeId, scenario.id]);
    const deltaAlone = performance.now() - t3;
    await Promise.all([a.end(), b.end()]);
    const load1 = loadavg();
    const ratio = median(scen) / median(live);
    const lines = [
      `## Scope scenarios: matrix delta (${new Date().toISOString().slice(0, 10)})`,
      '',
      `\`${process.env.BENCH_COMMAND ?? 'node dist/bench/scenarios.bench.js'}\`, BENCH_POSTS=${POSTS}, BENCH_CHANGES=${CHANGES}, ${RUNS} interleaved runs; PostgreSQL ${pgVersion}, ${cpus().length} cores, Linux ${release()}; load average (1 min) ${load0[0].toFixed(1)} before the runs, ${load1[0].toFixed(1)} after`,
      '',
      '| query | median | ratio to live |',
      '|---|---|---|',
      `| live matrix (MATRIX_SQL, the raw baseline) | ${ms(median(live))} | 1.00 |`,
      `| scenario: live + scenario_matrix_delta() together, as the service runs them | ${ms(median(scen))} | ${ratio.toFixed(2)} |`,
      `| scenario_matrix_delta() alone (${CHANGES.toLocaleString('en-GB')} changes) | ${ms(deltaAlone)} | ${(deltaAlone / median(live)).toFixed(2)} |`,
      '',
      `Target: the scenario within 1.5x the live matrix: ${ratio <= 1.5 ? 'met' : 'NOT met'}.`,
      '',
    ];
    console.log(lines.join('\n'));
    writeFileSync(join(benchOutDir(), `scenarios-${Date.now()}.md`), lines.join('\n'));
  } finally {
    await bench.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
