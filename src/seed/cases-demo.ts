import type { EntityManager } from 'typeorm';
import type { SeedContext, SeedStep } from './seed-step';

/**
 * Demo transition cases: one for each holder of an in-scope filled post of the demo programme
 * (created by the establishment step, which sets ctx.demo.programmeId), in a spread of routes and
 * states, so the pipeline, deadlines and checklist have something to show. Go-live is 1 April
 * 2017: most people move then, by secondment (the report's first step) or TUPE transfer; a few
 * stay with the council, are redeployed or leave.
 *
 * Cases are walked through the state machine one step at a time (the database checks each step),
 * with dated history. No domain events are written: this is history, not news to notify.
 * Missing ELI particulars of the holders (date of birth, pay, hours, notice) are filled with
 * invented values so that "ELI sent" can be recorded where a case has got that far.
 */

const GO_LIVE = '2017-04-01';
const SEED_ACTOR = 'seed (demo data)';

/** When each step was taken (the history reads like the 2016-17 timetable). */
const STEP_DATES: Record<string, string> = {
  proposed: '2016-11-07T10:00:00Z',
  in_consultation: '2016-12-05T10:00:00Z',
  on_hold: '2017-01-09T10:00:00Z',
  agreed: '2017-01-23T10:00:00Z',
  withdrawn: '2017-01-30T10:00:00Z',
  letters_issued: '2017-02-06T10:00:00Z',
  effective: '2017-04-01T08:00:00Z',
  completed: '2017-05-02T10:00:00Z',
};

interface Scenario {
  route: string;
  /** States after proposed, in order. */
  path: string[];
  /** Checklist items done, with the date. */
  done?: Record<string, string>;
  note?: string;
}

const TO_LETTERS = ['in_consultation', 'agreed', 'letters_issued'];
const TRANSFER_DONE = { one_to_one_held: '2016-12-14', measures_letter_issued: '2017-01-20', eli_sent: '2017-02-24' };

/** Cycled over the holders in post reference order. */
const SCENARIOS: Scenario[] = [
  { route: 'secondment', path: [...TO_LETTERS, 'effective'], done: { one_to_one_held: '2016-12-12', agreement_signed: '2017-02-20', payroll_pension_notified: '2017-03-10' } },
  { route: 'tupe_transfer', path: [...TO_LETTERS, 'effective', 'completed'], done: { ...TRANSFER_DONE, agreement_signed: '2017-03-01', payroll_pension_notified: '2017-03-08', system_access_moved: '2017-04-03' } },
  { route: 'tupe_transfer', path: TO_LETTERS, done: TRANSFER_DONE },
  { route: 'secondment', path: TO_LETTERS, done: { one_to_one_held: '2016-12-15' } },
  { route: 'tupe_transfer', path: ['in_consultation', 'agreed'], done: { one_to_one_held: '2016-12-19' } },
  { route: 'secondment', path: ['in_consultation'] },
  { route: 'cosop_transfer', path: ['in_consultation'], note: 'Public Health commissioning: COSOP on legal advice' },
  { route: 'tupe_transfer', path: [] },
  { route: 'remains_with_council', path: ['in_consultation', 'agreed'], done: { one_to_one_held: '2016-12-13' } },
  { route: 'tupe_transfer', path: ['in_consultation', 'on_hold'], note: 'On hold pending a job evaluation appeal' },
  { route: 'secondment', path: [...TO_LETTERS, 'effective'], done: { one_to_one_held: '2016-12-16', agreement_signed: '2017-02-27' } },
  { route: 'redeployment', path: [], note: 'Redeployment being explored' },
  { route: 'undecided', path: [] },
  { route: 'tupe_transfer', path: [...TO_LETTERS, 'effective'], done: { ...TRANSFER_DONE, agreement_signed: '2017-03-02' } },
  { route: 'leaves', path: ['in_consultation', 'withdrawn'], note: 'Decided to stay: case withdrawn' },
  { route: 'secondment', path: ['in_consultation', 'agreed'] },
];

interface Holder {
  employeeId: string;
  postId: string;
  reference: string;
  areaName: string;
}

async function fillEliParticulars(em: EntityManager, employeeIds: string[]): Promise<void> {
  // Invented but plausible: pay at the middle of the grade, hours by FTE, notice by seniority.
  await em.query(
    `UPDATE employees e SET
       date_of_birth = coalesce(e.date_of_birth, DATE '1962-01-15' + ((x.n * 397) % 9000)::int),
       annual_pay = coalesce(e.annual_pay, round(coalesce((g.pay_min + g.pay_max) / 2, 30000) * x.fte, 2)),
       weekly_hours = coalesce(e.weekly_hours, round(37 * x.fte, 2)),
       notice_period_weeks = coalesce(e.notice_period_weeks, CASE WHEN g.rank >= 12 THEN 12 ELSE 4 END),
       pension_scheme = coalesce(e.pension_scheme, 'lgps'),
       start_date = coalesce(e.start_date, x.starts_on),
       continuous_service_date = coalesce(e.continuous_service_date, e.start_date, x.starts_on),
       updated_at = now()
     FROM (
       SELECT a.employee_id, a.post_id, a.fte, a.starts_on, row_number() OVER (ORDER BY a.employee_id) AS n
       FROM post_assignments a WHERE a.employee_id = ANY($1::uuid[]) AND a.ends_on IS NULL
     ) x
     JOIN posts p ON p.id = x.post_id JOIN grades g ON g.id = p.grade_id
     WHERE e.id = x.employee_id`,
    [employeeIds],
  );
}

export const casesDemoStep: SeedStep = {
  name: 'transition cases',
  async run(ctx: SeedContext) {
    const { em, log, demo } = ctx;
    const programmeId = demo.programmeId;
    if (!programmeId) {
      log('transition cases: no demo programme (the establishment step sets it); skipped');
      return;
    }
    const [programme]: { destination: string }[] = await em.query(`SELECT destination_organisation_id AS destination FROM programmes WHERE id = $1`, [programmeId]);
    const holders: Holder[] = await em.query(
      `SELECT DISTINCT ON (p.reference, a.employee_id) a.employee_id AS "employeeId", p.id AS "postId", p.reference, ta.name AS "areaName"
       FROM posts p
       JOIN thematic_areas ta ON ta.id = p.thematic_area_id
       JOIN post_assignments a ON a.post_id = p.id AND (a.ends_on IS NULL OR a.ends_on >= $2)
       WHERE p.programme_id = $1 AND p.scope = 'in_scope' AND p.establishment_status = 'filled'
       ORDER BY p.reference, a.employee_id`,
      [programmeId, GO_LIVE],
    );
    const seen = new Set<string>();
    const people = holders.filter((h) => !seen.has(h.employeeId) && seen.add(h.employeeId));
    if (!people.length) {
      log('transition cases: the demo programme has no in-scope holders; skipped');
      return;
    }
    await fillEliParticulars(
      em,
      people.map((h) => h.employeeId),
    );

    // A post of the merged CCG for redeployments, when the establishment has one; the LCO for some secondments.
    const [lco]: { id: string }[] = await em.query(`SELECT id FROM organisations WHERE kind = 'local_care_organisation' ORDER BY name LIMIT 1`);
    const [ccgGrade]: { id: string }[] = await em.query(`SELECT id FROM grades WHERE organisation_id = $1 AND code = 'Band 7' LIMIT 1`, [programme.destination]);

    const counts: Record<string, number> = {};
    for (const [i, h] of people.entries()) {
      const s = SCENARIOS[i % SCENARIOS.length];
      const transfer = s.route === 'tupe_transfer' || s.route === 'cosop_transfer';
      const secondment = s.route === 'secondment';
      const hostIsLco = secondment && lco && /Older People|Specialist/.test(h.areaName);
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO transition_cases (programme_id, employee_id, post_id, route, proposed_effective_date,
           host_organisation_id, secondment_start_date, secondment_end_date, secondment_review_date, recharge_percent, stays_in_lgps,
           destination_organisation_id, new_grade_id, legal_basis, legal_advice_reference, current_pension_scheme, pension_arrangement,
           pay_protection_until, notes, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, e.pension_scheme, $16, $17, $18, $19, $19
         FROM employees e WHERE e.id = $2
         RETURNING id`,
        [
          programmeId,
          h.employeeId,
          h.postId,
          s.route,
          s.route === 'undecided' || s.route === 'remains_with_council' ? null : s.route === 'leaves' ? '2017-03-31' : GO_LIVE,
          secondment ? (hostIsLco ? lco.id : programme.destination) : null,
          secondment ? GO_LIVE : null,
          secondment ? (i % 2 ? '2018-03-31' : '2019-03-31') : null,
          secondment ? (i % 2 ? '2017-12-15' : '2018-12-14') : null,
          secondment ? 100 : null,
          secondment ? true : null,
          transfer ? programme.destination : null,
          transfer && ccgGrade && i % 3 === 0 ? ccgGrade.id : null,
          transfer ? (s.route === 'cosop_transfer' ? 'cosop' : 'tupe_2006') : null,
          transfer ? 'City Solicitor advice CS/2016/0412 (7 November 2016)' : null,
          transfer ? (i % 4 === 0 ? 'nhs_pension_scheme' : 'lgps_continued') : null,
          transfer && i % 5 === 0 ? '2019-03-31' : null,
          s.note ?? null,
          STEP_DATES.proposed,
        ],
      );
      await em.query(
        `INSERT INTO case_transitions (case_id, from_state, to_state, note, actor_label, occurred_at) VALUES ($1, NULL, 'proposed', 'Case opened', $2, $3)`,
        [row.id, SEED_ACTOR, STEP_DATES.proposed],
      );
      for (const [item, on] of Object.entries(s.done ?? {})) {
        await em.query(
          `UPDATE case_checklist_items SET done_on = $3, done_by_label = $4, recorded_at = $3::date + time '16:00' WHERE case_id = $1 AND item = $2`,
          [row.id, item, on, SEED_ACTOR],
        );
      }
      let from = 'proposed';
      for (const to of s.path) {
        await em.query(
          `UPDATE transition_cases SET state = $2, actual_effective_date = CASE WHEN $2 = 'effective' THEN proposed_effective_date ELSE actual_effective_date END,
             version = version + 1, updated_at = $3 WHERE id = $1`,
          [row.id, to, STEP_DATES[to]],
        );
        await em.query(`INSERT INTO case_transitions (case_id, from_state, to_state, actor_label, occurred_at) VALUES ($1, $2, $3, $4, $5)`, [
          row.id,
          from,
          to,
          SEED_ACTOR,
          STEP_DATES[to],
        ]);
        from = to;
      }
      counts[`${s.route}/${from}`] = (counts[`${s.route}/${from}`] ?? 0) + 1;
    }

    await em.query(`INSERT INTO audit_log (actor_label, action, entity_type, entity_id, metadata) VALUES ('seed', 'seed.cases_demo', 'programme', $1, $2)`, [
      programmeId,
      JSON.stringify({ cases: people.length, byRouteAndState: counts }),
    ]);
    log(`Transition cases: ${people.length} (one per in-scope holder) across ${new Set(SCENARIOS.map((s) => s.route)).size} routes and ${new Set(Object.keys(counts).map((k) => k.split('/')[1])).size} states`);
  },
};
