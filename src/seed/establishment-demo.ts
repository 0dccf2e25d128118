import type { EntityManager } from 'typeorm';
import { DEMO_PROGRAMME_NAME } from './demo-constants';
import type { SeedContext, SeedStep } from './seed-step';

/**
 * The demo establishment: Manchester's Single Commissioning Function (Executive report of
 * 19 October 2016). Manchester City Council and the three Manchester CCGs are the sources, the
 * merged Manchester CCG the destination (go-live 1 April 2017), the Local Care Organisation a
 * possible later destination. The council's commissioning function: 72 posts, 66.2 FTE, in twelve
 * thematic areas, three of them out of scope. The report's table is garbled in its text form;
 * the per-grade totals (2, 5, 2, 10, 3, 6, 31, 13 for >G12 … G5) and the areas' scope are kept
 * exactly, the spread of posts across areas is a plausible reading of it. Holders are invented.
 *
 * The demo is a snapshot before go-live: the programme is in consultation, the three CCGs are to
 * be disestablished and the merged CCG is `proposed` (it exists only from 1 April 2017, once NHS
 * England approves the merger).
 */

export const DEMO_ORGANISATIONS = [
  { short: 'MCC', name: 'Manchester City Council', kind: 'council', status: 'active', successor: null },
  { short: 'NMCCG', name: 'NHS North Manchester CCG', kind: 'ccg', status: 'to_be_disestablished', successor: 'MCCG' },
  { short: 'CMCCG', name: 'NHS Central Manchester CCG', kind: 'ccg', status: 'to_be_disestablished', successor: 'MCCG' },
  { short: 'SMCCG', name: 'NHS South Manchester CCG', kind: 'ccg', status: 'to_be_disestablished', successor: 'MCCG' },
  { short: 'MCCG', name: 'NHS Manchester CCG', kind: 'merged_ccg', status: 'proposed', successor: null },
  { short: 'LCO', name: 'Manchester Local Care Organisation', kind: 'local_care_organisation', status: 'proposed', successor: null },
] as const;

/** The council's grade scale: G1–G12 and senior management grades, counted as '>G12' in reports. */
const COUNCIL_GRADES: [code: string, rank: number, group: string, min: number, max: number][] = [
  ['G1', 1, 'G1', 15014, 15246],
  ['G2', 2, 'G2', 15507, 16191],
  ['G3', 3, 'G3', 16481, 17772],
  ['G4', 4, 'G4', 18070, 19939],
  ['G5', 5, 'G5', 20456, 22434],
  ['G6', 6, 'G6', 22937, 24964],
  ['G7', 7, 'G7', 25694, 28203],
  ['G8', 8, 'G8', 28936, 31846],
  ['G9', 9, 'G9', 32778, 35662],
  ['G10', 10, 'G10', 36571, 39880],
  ['G11', 11, 'G11', 40750, 44472],
  ['G12', 12, 'G12', 45522, 50170],
  ['SMG1', 13, '>G12', 54786, 62050],
  ['SMG2', 14, '>G12', 65000, 75000],
  ['SMG3', 15, '>G12', 78000, 92000],
];

/** NHS Agenda for Change bands (2016/17), the merged CCG's scale: a different scale, not comparable to council grades. */
const AFC_BANDS: [code: string, rank: number, min: number, max: number][] = [
  ['Band 2', 2, 15251, 17978],
  ['Band 3', 3, 16968, 19715],
  ['Band 4', 4, 19409, 22683],
  ['Band 5', 5, 21909, 28462],
  ['Band 6', 6, 26302, 35225],
  ['Band 7', 7, 31383, 41373],
  ['Band 8a', 8, 40028, 48034],
  ['Band 8b', 9, 46625, 57640],
  ['Band 8c', 10, 56104, 69168],
  ['Band 8d', 11, 67247, 82900],
  ['Band 9', 12, 80810, 99437],
];

type ScopeValue = 'in_scope' | 'out_of_scope';

export const DEMO_AREAS: { name: string; code: string; scope: ScopeValue; note: string | null }[] = [
  { name: "Children's Commissioning", code: 'CC', scope: 'out_of_scope', note: "Commissioning for children's social care: to be considered later" },
  { name: "Children's Placement Team", code: 'CPT', scope: 'out_of_scope', note: "Children's placements: to be considered later with children's social care" },
  { name: 'Head of Commissioning (Interim)', code: 'HOC', scope: 'in_scope', note: null },
  { name: 'Homelessness', code: 'HOM', scope: 'out_of_scope', note: 'Homelessness commissioning: to be considered later' },
  { name: 'Learning Disability', code: 'LD', scope: 'in_scope', note: null },
  { name: 'Mental Health', code: 'MH', scope: 'in_scope', note: null },
  { name: 'Older People and Physical Disability', code: 'OPPD', scope: 'in_scope', note: 'Some activities may later move to the Local Care Organisation' },
  { name: 'Public Health Commissioning', code: 'PHC', scope: 'in_scope', note: null },
  { name: 'Quality Performance and Compliance', code: 'QPC', scope: 'in_scope', note: null },
  { name: 'Specialist Commissioning & Integration', code: 'SCI', scope: 'in_scope', note: 'Some activities may later move to the Local Care Organisation' },
  { name: 'Strategic Commissioning Lead', code: 'SCL', scope: 'in_scope', note: null },
  { name: 'VCS', code: 'VCS', scope: 'in_scope', note: 'Voluntary and community sector commissioning' },
];

type Status = 'filled' | 'vacant' | 'frozen';
interface PostSpec {
  area: string; // area code
  grade: string;
  title: string;
  fte: string;
  status: Status;
}

const p = (area: string, grade: string, title: string, fte = '1.00', status: Status = 'filled'): PostSpec => ({ area, grade, title, fte, status });
const many = (n: number, area: string, grade: string, title: string, variants: Record<number, { fte?: string; status?: Status }> = {}): PostSpec[] =>
  Array.from({ length: n }, (_, i) => p(area, grade, title, variants[i]?.fte ?? '1.00', variants[i]?.status ?? 'filled'));

/** 72 posts: per grade 2, 5, 2, 10, 3, 6, 31, 13 (>G12 … G5); 58 full-time, 8 at 0.5, 3 at 0.6, 3 at 0.8 = 66.2 FTE. */
export const DEMO_POSTS: PostSpec[] = [
  // Children's Commissioning (9)
  p('CC', 'G12', "Strategic Lead, Children's Commissioning"),
  p('CC', 'G10', 'Commissioning Manager, Early Help'),
  p('CC', 'G10', "Commissioning Manager, Children's Health"),
  p('CC', 'G8', "Commissioning Officer, Children's Services"),
  ...many(4, 'CC', 'G7', "Commissioning Officer, Children's Services", { 1: { fte: '0.60' }, 3: { status: 'vacant' } }),
  p('CC', 'G5', 'Commissioning Support Officer'),
  // Children's Placement Team (10)
  p('CPT', 'G10', 'Placements Manager'),
  ...many(5, 'CPT', 'G7', 'Placement Officer', { 2: { fte: '0.80' }, 4: { status: 'vacant' } }),
  ...many(4, 'CPT', 'G5', 'Placement Support Officer', { 0: { fte: '0.50' }, 3: { fte: '0.50' } }),
  // Head of Commissioning (Interim) (1)
  p('HOC', 'SMG2', 'Head of Commissioning (Interim)'),
  // Homelessness (4)
  p('HOM', 'G11', 'Lead Commissioner, Homelessness'),
  p('HOM', 'G9', 'Senior Commissioning Officer, Homelessness', '0.80'),
  p('HOM', 'G7', 'Commissioning Officer, Homelessness'),
  p('HOM', 'G5', 'Commissioning Support Officer', '1.00', 'frozen'),
  // Learning Disability (5)
  p('LD', 'G12', 'Strategic Commissioning Manager, Learning Disability'),
  p('LD', 'G10', 'Commissioning Manager, Learning Disability'),
  p('LD', 'G8', 'Commissioning Officer, Learning Disability'),
  ...many(2, 'LD', 'G7', 'Commissioning Officer, Learning Disability', { 0: { fte: '0.60' }, 1: { status: 'vacant' } }),
  // Mental Health (3)
  p('MH', 'G12', 'Strategic Commissioning Manager, Mental Health'),
  p('MH', 'G10', 'Commissioning Manager, Mental Health'),
  p('MH', 'G8', 'Commissioning Officer, Mental Health', '0.80'),
  // Older People and Physical Disability (3)
  p('OPPD', 'G12', 'Strategic Commissioning Manager, Older People and Physical Disability'),
  p('OPPD', 'G10', 'Commissioning Manager, Older People'),
  p('OPPD', 'G7', 'Commissioning Officer, Physical Disability'),
  // Public Health Commissioning (5)
  p('PHC', 'G12', 'Public Health Commissioning Manager'),
  p('PHC', 'G10', 'Commissioning Manager, Sexual Health'),
  p('PHC', 'G9', 'Senior Commissioning Officer, Substance Misuse', '1.00', 'vacant'),
  p('PHC', 'G8', 'Commissioning Officer, Public Health'),
  p('PHC', 'G5', 'Commissioning Support Officer', '0.60'),
  // Quality Performance and Compliance (26)
  p('QPC', 'G10', 'Quality and Performance Manager'),
  p('QPC', 'G9', 'Senior Contracts Officer'),
  p('QPC', 'G8', 'Compliance Lead'),
  ...many(17, 'QPC', 'G7', 'Contracts and Quality Officer', {
    2: { fte: '0.50' },
    5: { status: 'vacant' },
    7: { fte: '0.50' },
    10: { fte: '0.50' },
    12: { status: 'vacant' },
    15: { fte: '0.50' },
  }),
  ...many(6, 'QPC', 'G5', 'Contracts Support Officer', { 1: { fte: '0.50' }, 3: { status: 'vacant' }, 4: { fte: '0.50' } }),
  // Specialist Commissioning & Integration (3)
  p('SCI', 'G11', 'Lead Commissioner, Integration'),
  p('SCI', 'G10', 'Integration Programme Manager'),
  p('SCI', 'G8', 'Commissioning Officer, Integration'),
  // Strategic Commissioning Lead (1)
  p('SCL', 'SMG1', 'Strategic Commissioning Lead'),
  // VCS (2)
  p('VCS', 'G10', 'VCS Commissioning Manager'),
  p('VCS', 'G7', 'VCS Grants Officer', '1.00', 'vacant'),
];

const FIRST_NAMES = ['Aisha', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Farid', 'Grace', 'Harry', 'Imran', 'Jess', 'Kieran', 'Laura', 'Mohammed', 'Niamh', 'Owen', 'Priya'];
const LAST_NAMES = ['Ahmed', 'Brennan', 'Clarke', 'Dawson', 'Evans', 'Fletcher', 'Gallagher', 'Hussain', 'Iqbal', 'Jones', 'Kowalski', 'Lees', 'McCarthy', 'Nolan', 'Okafor', 'Patel'];

/** An invented person for the i-th filled post (distinct for i < 64). */
export function demoHolder(i: number): { firstName: string; lastName: string; staffNumber: string; email: string; startsOn: string; continuousFrom: string } {
  const firstName = FIRST_NAMES[i % 16];
  const lastName = LAST_NAMES[(i * 5 + Math.floor(i / 16)) % 16];
  const start = new Date(Date.UTC(2004, 0, 5) + ((i * 97) % 4200) * 86_400_000);
  const continuous = new Date(start.getTime() - (i % 3 === 0 ? ((i * 211) % 2000) * 86_400_000 : 0));
  return {
    firstName,
    lastName,
    staffNumber: `MCC${String(104200 + i * 37).padStart(6, '0')}`,
    email: `${firstName}.${lastName}${i >= 64 ? i : ''}@mcc-demo.example`.toLowerCase(),
    startsOn: start.toISOString().slice(0, 10),
    continuousFrom: continuous.toISOString().slice(0, 10),
  };
}

const DECISION_AT = '2016-10-19T12:00:00Z';
const scopeReason = (scope: ScopeValue) =>
  scope === 'in_scope'
    ? 'Executive report, 19 October 2016 (para 4.8): in scope of the Single Commissioning Function'
    : 'Executive report, 19 October 2016 (para 4.8): out of scope, to be considered later';

/**
 * Delete rows of `table` matching `where` (which may use $1) and, first, every row that refers to
 * them through a foreign key, recursively (other features hang cases, consultations … off posts and
 * programmes; this step does not need to know them). SET NULL / SET DEFAULT references are left to
 * the database.
 */
export async function deleteWithDependants(em: EntityManager, table: string, where: string, param: unknown, depth = 0, seen: string[] = []): Promise<void> {
  if (depth > 12) throw new Error(`foreign keys nest too deep below ${table}`);
  const fks: { child: string; child_cols: string[]; parent_cols: string[]; action: string }[] = await em.query(
    `SELECT c.conrelid::regclass::text AS child, c.confdeltype AS action,
            array(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS child_cols,
            array(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS parent_cols
     FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = $1::regclass`,
    [table],
  );
  for (const fk of fks) {
    if (fk.action === 'n' || fk.action === 'd') continue;
    if (fk.child === table || seen.includes(fk.child)) continue; // self-references and cycles: not in the establishment's graph
    const childWhere = `(${fk.child_cols.join(', ')}) IN (SELECT ${fk.parent_cols.join(', ')} FROM ${table} WHERE ${where})`;
    await deleteWithDependants(em, fk.child, childWhere, param, depth + 1, [...seen, table]);
  }
  await em.query(`DELETE FROM ${table} WHERE ${where}`, [param]);
}

async function hasColumns(em: EntityManager, table: string, columns: string[]): Promise<boolean> {
  const rows: { n: number }[] = await em.query(
    `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = ANY($2::text[])`,
    [table, columns],
  );
  return rows[0].n === columns.length;
}

export const establishmentDemoStep: SeedStep = {
  name: 'establishment (Manchester 2017)',
  async run(ctx: SeedContext) {
    const { em, log, demo } = ctx;
    const previous = demo.previousProgrammeId as string | undefined;
    if (previous) {
      await deleteWithDependants(em, 'programmes', 'id = $1::uuid', previous);
      log(`removed the previous demo programme ${previous} and everything that hung off it`);
    }

    // Organisations: upserted by name (an admin may have used them elsewhere); successors after.
    const orgIds: Record<string, string> = {};
    for (const o of DEMO_ORGANISATIONS) {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO organisations (name, short_name, kind, status) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET short_name = EXCLUDED.short_name, kind = EXCLUDED.kind, status = EXCLUDED.status,
           version = organisations.version + 1, updated_at = now()
         RETURNING id`,
        [o.name, o.short, o.kind, o.status],
      );
      orgIds[o.short] = row.id;
    }
    for (const o of DEMO_ORGANISATIONS) {
      await em.query(`UPDATE organisations SET successor_id = $2 WHERE id = $1`, [orgIds[o.short], o.successor ? orgIds[o.successor] : null]);
    }

    const gradeIds: Record<string, Record<string, string>> = { MCC: {}, MCCG: {} };
    for (const [code, rank, group, min, max] of COUNCIL_GRADES) {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO grades (organisation_id, code, name, rank, report_group, pay_min, pay_max) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (organisation_id, code) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank, report_group = EXCLUDED.report_group,
           pay_min = EXCLUDED.pay_min, pay_max = EXCLUDED.pay_max
         RETURNING id`,
        [orgIds.MCC, code, code.startsWith('SMG') ? `Senior management grade ${code.slice(3)}` : `Grade ${code.slice(1)}`, rank, group, min, max],
      );
      gradeIds.MCC[code] = row.id;
    }
    for (const [code, rank, min, max] of AFC_BANDS) {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO grades (organisation_id, code, name, rank, report_group, pay_min, pay_max) VALUES ($1, $2, $3, $4, $2, $5, $6)
         ON CONFLICT (organisation_id, code) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank, report_group = EXCLUDED.report_group,
           pay_min = EXCLUDED.pay_min, pay_max = EXCLUDED.pay_max
         RETURNING id`,
        [orgIds.MCCG, code, `Agenda for Change ${code}`, rank, min, max],
      );
      gradeIds.MCCG[code] = row.id;
    }

    const [programme]: { id: string }[] = await em.query(
      `INSERT INTO programmes (name, description, destination_organisation_id, go_live_date, status)
       VALUES ($1, $2, $3, '2017-04-01', 'consultation') RETURNING id`,
      [
        DEMO_PROGRAMME_NAME,
        'Single Commissioning Function for Manchester: the council and the three Manchester CCGs, merged into one CCG under a ' +
          'section 75 partnership agreement with a pooled budget (Executive report, 19 October 2016). Implementation from 1 April 2017.',
        orgIds.MCCG,
      ],
    );
    const programmeId = programme.id;
    await em.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) SELECT $1, unnest($2::uuid[])`, [
      programmeId,
      [orgIds.MCC, orgIds.NMCCG, orgIds.CMCCG, orgIds.SMCCG],
    ]);

    const areaIds: Record<string, string> = {};
    const areaByCode: Record<string, { id: string; scope: ScopeValue }> = {};
    for (const [i, a] of DEMO_AREAS.entries()) {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO thematic_areas (programme_id, name, default_scope, scope_note, sort_order) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [programmeId, a.name, a.scope, a.note, i + 1],
      );
      areaIds[a.name] = row.id;
      areaByCode[a.code] = { id: row.id, scope: a.scope };
    }

    const counters: Record<string, number> = {};
    const specs = DEMO_POSTS.map((s) => {
      counters[s.area] = (counters[s.area] ?? 0) + 1;
      return { ...s, reference: `MCC-${s.area}-${String(counters[s.area]).padStart(3, '0')}` };
    });
    const posts: { id: string; reference: string }[] = await em.query(
      `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status,
                          scope, scope_reason, scope_decided_at)
       SELECT $1, v.area, $2, v.grade, v.reference, v.title, v.fte, v.status, v.scope, v.reason, $3
       FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::numeric[], $9::text[], $10::text[], $11::text[])
         AS v(area, grade, reference, title, fte, status, scope, reason)
       RETURNING id, reference`,
      [
        programmeId,
        orgIds.MCC,
        DECISION_AT,
        specs.map((s) => areaByCode[s.area].id),
        specs.map((s) => gradeIds.MCC[s.grade]),
        specs.map((s) => s.reference),
        specs.map((s) => s.title),
        specs.map((s) => s.fte),
        specs.map((s) => s.status),
        specs.map((s) => areaByCode[s.area].scope),
        specs.map((s) => scopeReason(areaByCode[s.area].scope)),
      ],
    );
    const postIds = Object.fromEntries(posts.map((r) => [r.reference, r.id]));

    // Invented holders for the filled posts; vacant and frozen posts have none.
    const extended = await hasColumns(em, 'employees', ['employer_organisation_id', 'contracted_fte', 'start_date', 'continuous_service_date', 'pension_scheme']);
    const employeeIds: Record<string, string> = {};
    let n = 0;
    for (const s of specs) {
      if (s.status !== 'filled') continue;
      const h = demoHolder(n++);
      const [emp]: { id: string }[] = extended
        ? await em.query(
            `INSERT INTO employees (staff_number, first_name, last_name, work_email, employer_organisation_id, contracted_fte, start_date,
                                    continuous_service_date, pension_scheme)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'lgps')
             ON CONFLICT (staff_number) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
               work_email = EXCLUDED.work_email, employer_organisation_id = EXCLUDED.employer_organisation_id,
               contracted_fte = GREATEST(employees.contracted_fte, EXCLUDED.contracted_fte), updated_at = now()
             RETURNING id`,
            [h.staffNumber, h.firstName, h.lastName, h.email, orgIds.MCC, s.fte, h.startsOn, h.continuousFrom],
          )
        : await em.query(
            `INSERT INTO employees (staff_number, first_name, last_name, work_email) VALUES ($1, $2, $3, $4)
             ON CONFLICT (staff_number) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
               work_email = EXCLUDED.work_email, updated_at = now()
             RETURNING id`,
            [h.staffNumber, h.firstName, h.lastName, h.email],
          );
      employeeIds[h.staffNumber] = emp.id;
      await em.query(`INSERT INTO post_assignments (post_id, employee_id, fte, starts_on) VALUES ($1, $2, $3, $4)`, [postIds[s.reference], emp.id, s.fte, h.startsOn]);
    }

    await em.query(`INSERT INTO audit_log (actor_label, action, entity_type, entity_id, metadata) VALUES ('seed', 'seed.establishment_demo', 'programme', $1, $2)`, [
      programmeId,
      JSON.stringify({ posts: specs.length, holders: n, replaced: previous ?? null }),
    ]);

    demo.programmeId = programmeId;
    demo.areaIds = areaIds;
    demo.organisationIds = orgIds;
    demo.gradeIds = gradeIds;
    demo.postIds = postIds;
    demo.employeeIds = employeeIds;
    log(`Demo programme "${DEMO_PROGRAMME_NAME}": ${specs.length} posts (66.2 FTE) in ${DEMO_AREAS.length} thematic areas, ${n} holders`);
  },
};
