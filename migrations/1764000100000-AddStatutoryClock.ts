import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The statutory clock (issue 13). The rules themselves live in TypeScript (src/statutory/rules.ts):
 * the deadlines of a case are computed there from the case's own data, so this migration removes the
 * SQL copy of them (case_deadlines_for and the case_deadlines view) and adds what the rules need:
 *
 * - organisations.bank_holiday_division: whose bank holidays decide "send by" (GOV.UK divisions);
 * - programmes.reg13_information_days: TUPE reg. 13 information at least this many days before the
 *   transfer (default 30);
 * - transition_cases.consultation_id: the consultation that covers the case, an explicit link (never
 *   "the latest consultation on its posts"), in the same programme;
 * - transition_cases.reg13_override_*: a recorded, audited override to let a transfer take effect
 *   while the reg. 13 information (the measures letter) is not recorded as given; the state trigger
 *   now refuses effective without it, as it does for ELI;
 * - consultations.first_notice_date (s.193: HR1 before the first notice of dismissal) and
 *   aggregated_dismissals (s.188(1): the number the band was chosen on, adding up proposals at one
 *   establishment); the "minimum length" constraint goes: s.188 is a start-by rule and a
 *   consultation may close earlier;
 * - milestones may be derived from the s.188(4) disclosure date;
 * - programme_grade_mappings: a programme's council grade -> destination grade (e.g. AfC band).
 */
export class AddStatutoryClock1764000100000 implements MigrationInterface {
  name = 'AddStatutoryClock1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organisations ADD COLUMN bank_holiday_division text NOT NULL DEFAULT 'england-and-wales'
        CONSTRAINT organisations_bank_holiday_division_check CHECK (bank_holiday_division IN ('england-and-wales', 'scotland', 'northern-ireland'))`);
    await q.query(`
      ALTER TABLE programmes ADD COLUMN reg13_information_days integer NOT NULL DEFAULT 30
        CONSTRAINT programmes_reg13_information_days_check CHECK (reg13_information_days BETWEEN 1 AND 365)`);

    await q.query(`
      ALTER TABLE transition_cases
        ADD COLUMN consultation_id uuid,
        ADD COLUMN reg13_override_reason text CHECK (char_length(reg13_override_reason) BETWEEN 10 AND 2000),
        ADD COLUMN reg13_override_by uuid REFERENCES users(id),
        ADD COLUMN reg13_override_at timestamptz,
        ADD CONSTRAINT transition_cases_consultation_fk FOREIGN KEY (consultation_id, programme_id)
          REFERENCES consultations(id, programme_id) ON DELETE SET NULL (consultation_id),
        ADD CONSTRAINT transition_cases_reg13_override_whole CHECK (
          (reg13_override_reason IS NULL) = (reg13_override_at IS NULL) AND (reg13_override_at IS NULL OR reg13_override_by IS NOT NULL))`);
    await q.query(`CREATE INDEX transition_cases_consultation_idx ON transition_cases (consultation_id) WHERE consultation_id IS NOT NULL`);
    // Existing cases: the earliest TUPE / collective redundancy consultation covering the post that
    // began on or before the case's date (else the earliest covering it), fixed from now on.
    await q.query(`
      UPDATE transition_cases tc SET consultation_id = (
        SELECT k.id FROM consultation_posts cp JOIN consultations k ON k.id = cp.consultation_id
        WHERE cp.post_id = tc.post_id AND k.programme_id = tc.programme_id AND k.kind IN ('tupe_information_consultation', 'collective_redundancy')
        ORDER BY (k.start_date <= coalesce(tc.actual_effective_date, tc.proposed_effective_date, k.start_date)) DESC, k.start_date, k.created_at, k.id
        LIMIT 1)`);

    await q.query(`
      CREATE OR REPLACE FUNCTION transition_cases_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.state <> 'proposed' THEN
            RAISE EXCEPTION 'a case starts as proposed, not %', NEW.state
              USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_state_machine', TABLE = 'transition_cases';
          END IF;
          NEW.held_from_state := NULL;
          RETURN NEW;
        END IF;
        IF NEW.state IS NOT DISTINCT FROM OLD.state THEN
          NEW.held_from_state := OLD.held_from_state;
          RETURN NEW;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM case_state_edges WHERE from_state = OLD.state AND to_state = NEW.state)
           OR (OLD.state = 'on_hold' AND NEW.state <> 'withdrawn' AND NEW.state <> OLD.held_from_state) THEN
          RAISE EXCEPTION 'a case cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_state_machine', TABLE = 'transition_cases';
        END IF;
        NEW.held_from_state := CASE WHEN NEW.state = 'on_hold' THEN OLD.state ELSE NULL END;
        IF NEW.state = 'effective' AND NEW.route IN ('tupe_transfer', 'cosop_transfer') AND NEW.eli_override_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM case_checklist_items WHERE case_id = NEW.id AND item = 'eli_sent' AND done_on IS NOT NULL) THEN
          RAISE EXCEPTION 'a transfer cannot become effective before its ELI is recorded as sent (or an ELI override is recorded)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_eli_before_effective', TABLE = 'transition_cases';
        END IF;
        IF NEW.state = 'effective' AND NEW.route IN ('tupe_transfer', 'cosop_transfer') AND NEW.reg13_override_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM case_checklist_items WHERE case_id = NEW.id AND item = 'measures_letter_issued' AND done_on IS NOT NULL) THEN
          RAISE EXCEPTION 'a transfer cannot become effective while its TUPE reg. 13 information is outstanding (or a reg. 13 override is recorded)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_reg13_before_effective', TABLE = 'transition_cases';
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`DROP VIEW case_deadlines`);
    await q.query(`DROP FUNCTION case_deadlines_for(uuid, uuid)`);

    await q.query(`ALTER TABLE consultations DROP CONSTRAINT consultations_minimum_period`);
    await q.query(`
      ALTER TABLE consultations
        ADD COLUMN first_notice_date date,
        ADD COLUMN aggregated_dismissals integer CHECK (aggregated_dismissals BETWEEN 0 AND 10000000),
        ADD CONSTRAINT consultations_notice_only_for_collective_redundancy CHECK (first_notice_date IS NULL OR kind = 'collective_redundancy'),
        ADD CONSTRAINT consultations_notice_before_dismissal CHECK (first_notice_date IS NULL OR first_dismissal_date IS NULL OR first_notice_date <= first_dismissal_date),
        ADD CONSTRAINT consultations_aggregated_covers_own CHECK (aggregated_dismissals IS NULL OR aggregated_dismissals >= proposed_dismissals)`);

    await q.query(`ALTER TABLE milestones DROP CONSTRAINT milestones_derived_from_check`);
    await q.query(`ALTER TABLE milestones ADD CONSTRAINT milestones_derived_from_check CHECK (derived_from IN ('planned_end_date', 'hr1_due_date', 'disclosure_due_date'))`);

    await q.query(`
      CREATE TABLE programme_grade_mappings (
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        from_grade_id uuid NOT NULL REFERENCES grades(id) ON DELETE CASCADE,
        to_grade_id uuid NOT NULL REFERENCES grades(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme_id, from_grade_id),
        CONSTRAINT programme_grade_mappings_not_same CHECK (from_grade_id <> to_grade_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE programme_grade_mappings`);
    await q.query(`DELETE FROM milestones WHERE derived_from = 'disclosure_due_date'`);
    await q.query(`ALTER TABLE milestones DROP CONSTRAINT milestones_derived_from_check`);
    await q.query(`ALTER TABLE milestones ADD CONSTRAINT milestones_derived_from_check CHECK (derived_from IN ('planned_end_date', 'hr1_due_date'))`);
    await q.query(`
      ALTER TABLE consultations DROP CONSTRAINT consultations_aggregated_covers_own, DROP CONSTRAINT consultations_notice_before_dismissal,
        DROP CONSTRAINT consultations_notice_only_for_collective_redundancy, DROP COLUMN aggregated_dismissals, DROP COLUMN first_notice_date`);
    await q.query(`ALTER TABLE consultations ADD CONSTRAINT consultations_minimum_period CHECK (minimum_end_date IS NULL OR planned_end_date >= minimum_end_date) NOT VALID`);
    // The SQL deadlines function is not restored: the previous release computed ELI there; roll
    // back the application with the schema (re-run 1763800410000's function body if needed).
    await q.query(`
      CREATE FUNCTION case_deadlines_for(p_programme_id uuid DEFAULT NULL, p_case_id uuid DEFAULT NULL)
      RETURNS TABLE (case_id uuid, kind text, due_on date, basis text, note text, done_on date, consultation_id uuid)
      LANGUAGE sql STABLE AS $$
        SELECT tc.id, 'eli'::text, coalesce(tc.actual_effective_date, tc.proposed_effective_date) - 28,
               'transfer_date'::text, 'TUPE 2006 reg. 11'::text,
               (SELECT ci.done_on FROM case_checklist_items ci WHERE ci.case_id = tc.id AND ci.item = 'eli_sent'), NULL::uuid
        FROM transition_cases tc
        WHERE tc.route IN ('tupe_transfer', 'cosop_transfer') AND coalesce(tc.actual_effective_date, tc.proposed_effective_date) IS NOT NULL
          AND (p_programme_id IS NULL OR tc.programme_id = p_programme_id) AND (p_case_id IS NULL OR tc.id = p_case_id) AND tc.state <> 'withdrawn'
      $$`);
    await q.query(`CREATE VIEW case_deadlines AS SELECT * FROM case_deadlines_for(NULL, NULL)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION transition_cases_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.state <> 'proposed' THEN
            RAISE EXCEPTION 'a case starts as proposed, not %', NEW.state
              USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_state_machine', TABLE = 'transition_cases';
          END IF;
          NEW.held_from_state := NULL;
          RETURN NEW;
        END IF;
        IF NEW.state IS NOT DISTINCT FROM OLD.state THEN
          NEW.held_from_state := OLD.held_from_state;
          RETURN NEW;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM case_state_edges WHERE from_state = OLD.state AND to_state = NEW.state)
           OR (OLD.state = 'on_hold' AND NEW.state <> 'withdrawn' AND NEW.state <> OLD.held_from_state) THEN
          RAISE EXCEPTION 'a case cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_state_machine', TABLE = 'transition_cases';
        END IF;
        NEW.held_from_state := CASE WHEN NEW.state = 'on_hold' THEN OLD.state ELSE NULL END;
        IF NEW.state = 'effective' AND NEW.route IN ('tupe_transfer', 'cosop_transfer') AND NEW.eli_override_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM case_checklist_items WHERE case_id = NEW.id AND item = 'eli_sent' AND done_on IS NOT NULL) THEN
          RAISE EXCEPTION 'a transfer cannot become effective before its ELI is recorded as sent (or an ELI override is recorded)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transition_cases_eli_before_effective', TABLE = 'transition_cases';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      ALTER TABLE transition_cases DROP CONSTRAINT transition_cases_reg13_override_whole, DROP CONSTRAINT transition_cases_consultation_fk,
        DROP COLUMN reg13_override_at, DROP COLUMN reg13_override_by, DROP COLUMN reg13_override_reason, DROP COLUMN consultation_id`);
    await q.query(`ALTER TABLE programmes DROP COLUMN reg13_information_days`);
    await q.query(`ALTER TABLE organisations DROP COLUMN bank_holiday_division`);
  }
}
