/**
 * Bench data: N posts (default 1,000,000) for P programmes (default 1: the matrix bench is "a
 * matrix over 1,000,000 posts"), each with twelve thematic areas, posts of two organisations on
 * two grade scales (a council's G1–G12 and senior grades, 80%; an NHS body's Agenda for Change
 * bands, 20%), a realistic spread of FTE, establishment status and scope. Inserted by SQL in
 * batches, through every index, constraint and trigger the product has.
 *
 *   node dist/bench/generate-posts.js --database-url postgres://… [--posts 1000000] [--programmes 1]
 */
import { Client } from 'pg';

export interface GeneratedData {
  programmeIds: string[];
  /** per programme: area name -> id */
  areaNames: string[];
  councilId: string;
  councilShort: string;
  nhsId: string;
  councilGradeCodes: string[];
}

const COUNCIL_GRADES: [string, number, string][] = [
  ...Array.from({ length: 12 }, (_, i): [string, number, string] => [`G${i + 1}`, i + 1, `G${i + 1}`]),
  ['SMG1', 13, '>G12'],
  ['SMG2', 14, '>G12'],
  ['SMG3', 15, '>G12'],
];
const AFC_BANDS = ['Band 2', 'Band 3', 'Band 4', 'Band 5', 'Band 6', 'Band 7', 'Band 8a', 'Band 8b', 'Band 8c', 'Band 8d', 'Band 9'];
export const BENCH_AREAS = [
  'Adult Social Care', 'Children and Families', 'Learning Disability', 'Mental Health', 'Older People', 'Public Health',
  'Quality and Compliance', 'Integration', 'Strategy', 'Voluntary Sector', 'Homelessness', 'Primary Care',
];

export async function generatePosts(url: string, opts: { posts: number; programmes: number; log?: (l: string) => void }): Promise<GeneratedData> {
  const log = opts.log ?? (() => undefined);
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const org = async (name: string, short: string, kind: string) =>
      (await c.query(`INSERT INTO organisations (name, short_name, kind, status) VALUES ($1, $2, $3, 'active') RETURNING id`, [name, short, kind])).rows[0].id as string;
    const councilId = await org('Bench City Council', 'BCC', 'council');
    const nhsId = await org('Bench Community Trust', 'BCT', 'other');
    const destId = await org('Bench Integrated Care Board', 'BICB', 'merged_ccg');
    const councilGrades: string[] = [];
    for (const [code, rank, group] of COUNCIL_GRADES) {
      councilGrades.push((await c.query(`INSERT INTO grades (organisation_id, code, rank, report_group) VALUES ($1, $2, $3, $4) RETURNING id`, [councilId, code, rank, group])).rows[0].id);
    }
    const nhsGrades: string[] = [];
    for (const [i, code] of AFC_BANDS.entries()) {
      nhsGrades.push((await c.query(`INSERT INTO grades (organisation_id, code, rank, report_group) VALUES ($1, $2, $3, $2) RETURNING id`, [nhsId, code, i + 2])).rows[0].id);
    }
    const programmeIds: string[] = [];
    const areaIds: string[] = []; // programme p, area a at p * 12 + a
    const areaScopes: string[] = [];
    for (let p = 0; p < opts.programmes; p++) {
      const id = (
        await c.query(`INSERT INTO programmes (name, destination_organisation_id, go_live_date, status) VALUES ($1, $2, '2030-04-01', 'planning') RETURNING id`, [
          `Bench programme ${p + 1}`,
          destId,
        ])
      ).rows[0].id as string;
      programmeIds.push(id);
      await c.query(`INSERT INTO programme_source_organisations VALUES ($1, $2), ($1, $3)`, [id, councilId, nhsId]);
      for (const [a, name] of BENCH_AREAS.entries()) {
        const scope = a % 4 === 3 ? 'out_of_scope' : 'in_scope';
        areaIds.push((await c.query(`INSERT INTO thematic_areas (programme_id, name, default_scope, sort_order) VALUES ($1, $2, $3, $4) RETURNING id`, [id, name, scope, a])).rows[0].id);
        areaScopes.push(scope);
      }
    }

    const BATCH = 100_000;
    const started = Date.now();
    for (let from = 0; from < opts.posts; from += BATCH) {
      const to = Math.min(opts.posts, from + BATCH) - 1;
      // Post i: programme i % P; area by a hash of i; 1 in 5 on the NHS scale; council grades skewed to G7.
      await c.query(
        `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status,
                            scope, scope_reason, scope_decided_at)
         SELECT ($1::uuid[])[1 + s.p],
                ($2::uuid[])[1 + s.p * 12 + s.a],
                CASE WHEN s.nhs THEN $4::uuid ELSE $3::uuid END,
                CASE WHEN s.nhs THEN ($7::uuid[])[1 + (s.i * 31) % 11]
                     ELSE ($6::uuid[])[(ARRAY[4,5,6,6,7,7,7,7,7,8,8,9,10,11,12,13,14])[1 + (s.i * 13) % 17]] END,
                CASE WHEN s.nhs THEN 'BCT-' ELSE 'BCC-' END || lpad(s.i::text, 8, '0'),
                'Bench post ' || s.i,
                CASE WHEN s.i % 11 = 0 THEN 0.5 WHEN s.i % 17 = 0 THEN 0.6 WHEN s.i % 23 = 0 THEN 0.8 ELSE 1 END,
                CASE WHEN s.i % 100 = 0 THEN 'deleted' WHEN s.i % 50 = 1 THEN 'frozen' WHEN s.i % 8 = 0 THEN 'vacant' ELSE 'filled' END,
                CASE WHEN s.i % 97 = 0 THEN 'under_review' WHEN s.i % 89 = 0 THEN 'later_phase' ELSE ($8::text[])[1 + s.p * 12 + s.a] END,
                'Bench', now()
         FROM (SELECT i, i % $5 AS p, ((hashint4(i)::bigint & 2147483647) % 12)::int AS a, i % 5 = 0 AS nhs
               FROM generate_series($9::int, $10::int) i) s`,
        [programmeIds, areaIds, councilId, nhsId, opts.programmes, councilGrades, nhsGrades, areaScopes, from, to],
      );
      log(`  generated ${to + 1} posts (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await c.query('VACUUM ANALYZE posts');
    await c.query('VACUUM ANALYZE post_scope_history');
    return { programmeIds, areaNames: BENCH_AREAS, councilId, councilShort: 'BCC', nhsId, councilGradeCodes: COUNCIL_GRADES.map((g) => g[0]) };
  } finally {
    await c.end();
  }
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (require.main === module) {
  const url = arg('database-url', process.env.DATABASE_URL);
  if (!url) {
    console.error('usage: generate-posts --database-url postgres://… [--posts 1000000] [--programmes 1]');
    process.exit(64);
  }
  generatePosts(url, { posts: Number(arg('posts', '1000000')), programmes: Number(arg('programmes', '1')), log: (l) => console.log(l) }).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
