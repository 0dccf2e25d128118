import { MigrationInterface, QueryRunner } from 'typeorm';

const ROUTES = `('undecided', 'secondment', 'tupe_transfer', 'cosop_transfer', 'remains_with_council', 'redeployment', 'leaves')`;
const STATES = `('proposed', 'in_consultation', 'agreed', 'letters_issued', 'effective', 'completed', 'on_hold', 'withdrawn')`;
const OPEN_STATES = `('proposed', 'in_consultation', 'agreed', 'letters_issued')`;
const CHECKLIST_ITEMS = ['eli_sent', 'measures_letter_issued', 'one_to_one_held', 'agreement_signed', 'payroll_pension_notified', 'system_access_moved'];

/**
 * The state machine's edges. Kept in the database (the trigger below refuses any other change of
 * state, whoever makes it) and mirrored by CASE_STATE_EDGES in src/cases/case-state.ts; a test
 * checks the two are the same. Leaving on_hold goes back to the state it was held from (or to
 * withdrawn): the trigger enforces that on top of this table.
 */
const EDGES: [string, string][] = [
  ['proposed', 'in_consultation'],
  ['proposed', 'on_hold'],
  ['proposed', 'withdrawn'],
  ['in_consultation', 'agreed'],
  ['in_consultation', 'on_hold'],
  ['in_consultation', 'withdrawn'],
  ['agreed', 'letters_issued'],
  ['agreed', 'in_consultation'],
  ['agreed', 'on_hold'],
  ['agreed', 'withdrawn'],
  ['letters_issued', 'effective'],
  ['letters_issued', 'on_hold'],
  ['letters_issued', 'withdrawn'],
  ['effective', 'completed'],
  ['on_hold', 'proposed'],
  ['on_hold', 'in_consultation'],
  ['on_hold', 'agreed'],
  ['on_hold', 'letters_issued'],
  ['on_hold', 'withdrawn'],
];

/**
 * Transition cases: one per person per programme, its state history, its checklist and its
 * statutory deadlines.
 *
 * Rules the database keeps:
 * - one case per employee per programme; the case's post belongs to the programme;
 * - the state machine (edges above); a case starts as proposed; on_hold remembers where it was;
 * - a case that is agreed or beyond has what its route needs (a transfer: destination, legal
 *   basis, proposed date; a secondment: host, start and end; …), and effective or completed
 *   cases have an actual effective date;
 * - a TUPE or COSOP case cannot become effective until its ELI is recorded as sent, unless an
 *   ELI override (reason, who, when) is recorded;
 * - every case has the six checklist items;
 * - the deadlines are a function of the data, case_deadlines_for(programme?, case?) (and the view
 *   case_deadlines over every case), computed on every read, so they move in the same instant as
 *   any date they hang on, whichever path moves it:
 *     ELI (TUPE/COSOP)         due = transfer date - 28 days (TUPE 2006 reg. 11); the transfer date is
 *                              the actual effective date, else the proposed one;
 *     measures letter (TUPE/COSOP) due = the last day of the consultation covering the case's post;
 *                              with no consultation recorded, the day before the proposed effective
 *                              date (basis and note say so);
 *     secondment review        due = secondment end - 3 calendar months (clamped to the month's end);
 *   done_on comes from the checklist (eli_sent, measures_letter_issued) and secondment_reviewed_on.
 *   Dates are SQL `date` values: exact calendar arithmetic, no time zone involved.
 */
export class CreateTransitionCases1763800410000 implements MigrationInterface {
  name = 'CreateTransitionCases1763800410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE posts ADD CONSTRAINT posts_id_programme_for_cases_key UNIQUE (id, programme_id)`);

    await q.query(`
      CREATE TABLE case_state_edges (
        from_state text NOT NULL CHECK (from_state IN ${STATES}),
        to_state text NOT NULL CHECK (to_state IN ${STATES}),
        PRIMARY KEY (from_state, to_state)
      )`);
    await q.query(`INSERT INTO case_state_edges (from_state, to_state) VALUES ${EDGES.map(([f, t]) => `('${f}', '${t}')`).join(', ')}`);

    await q.query(`
      CREATE TABLE transition_cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        employee_id uuid NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
        post_id uuid NOT NULL,
        route text NOT NULL DEFAULT 'undecided' CHECK (route IN ${ROUTES}),
        state text NOT NULL DEFAULT 'proposed' CHECK (state IN ${STATES}),
        held_from_state text CHECK (held_from_state IN ${OPEN_STATES}),
        proposed_effective_date date,
        actual_effective_date date,
        host_organisation_id uuid REFERENCES organisations(id),
        secondment_start_date date,
        secondment_end_date date,
        secondment_review_date date,
        secondment_reviewed_on date,
        recharge_percent numeric(5,2) CHECK (recharge_percent BETWEEN 0 AND 100),
        stays_in_lgps boolean,
        destination_organisation_id uuid REFERENCES organisations(id),
        destination_post_id uuid REFERENCES posts(id) ON DELETE SET NULL,
        new_grade_id uuid REFERENCES grades(id),
        legal_basis text CHECK (legal_basis IN ('tupe_2006', 'cosop', 'statutory_transfer_scheme', 'other')),
        legal_advice_reference text CHECK (char_length(legal_advice_reference) BETWEEN 1 AND 500),
        current_pension_scheme text CHECK (current_pension_scheme IN ('lgps', 'nhs_pension_scheme', 'none')),
        pension_arrangement text CHECK (pension_arrangement IN ('lgps_continued', 'nhs_pension_scheme', 'broadly_comparable_scheme', 'no_scheme', 'to_be_agreed')),
        pay_protection_until date,
        eli_override_reason text CHECK (char_length(eli_override_reason) BETWEEN 10 AND 2000),
        eli_override_by uuid REFERENCES users(id),
        eli_override_at timestamptz,
        notes text CHECK (char_length(notes) <= 4000),
        created_by uuid REFERENCES users(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transition_cases_one_per_person UNIQUE (programme_id, employee_id),
        CONSTRAINT transition_cases_post_fk FOREIGN KEY (post_id, programme_id) REFERENCES posts(id, programme_id) ON DELETE CASCADE,
        CONSTRAINT transition_cases_on_hold_remembers CHECK ((state = 'on_hold') = (held_from_state IS NOT NULL)),
        CONSTRAINT transition_cases_effective_has_date CHECK (state NOT IN ('effective', 'completed') OR actual_effective_date IS NOT NULL),
        CONSTRAINT transition_cases_route_decided CHECK (
          route <> 'undecided' OR state = 'withdrawn' OR coalesce(held_from_state, state) IN ('proposed', 'in_consultation')),
        CONSTRAINT transition_cases_transfer_complete CHECK (
          route NOT IN ('tupe_transfer', 'cosop_transfer') OR coalesce(held_from_state, state) IN ('proposed', 'in_consultation', 'withdrawn')
          OR (destination_organisation_id IS NOT NULL AND legal_basis IS NOT NULL AND proposed_effective_date IS NOT NULL)),
        CONSTRAINT transition_cases_secondment_complete CHECK (
          route <> 'secondment' OR coalesce(held_from_state, state) IN ('proposed', 'in_consultation', 'withdrawn')
          OR (host_organisation_id IS NOT NULL AND secondment_start_date IS NOT NULL AND secondment_end_date IS NOT NULL)),
        CONSTRAINT transition_cases_redeployment_complete CHECK (
          route <> 'redeployment' OR coalesce(held_from_state, state) IN ('proposed', 'in_consultation', 'withdrawn')
          OR (destination_post_id IS NOT NULL AND proposed_effective_date IS NOT NULL)),
        CONSTRAINT transition_cases_leaving_complete CHECK (
          route <> 'leaves' OR coalesce(held_from_state, state) IN ('proposed', 'in_consultation', 'withdrawn') OR proposed_effective_date IS NOT NULL),
        CONSTRAINT transition_cases_secondment_dates CHECK (
          secondment_end_date IS NULL OR secondment_start_date IS NULL OR secondment_end_date > secondment_start_date),
        CONSTRAINT transition_cases_review_dates CHECK (
          secondment_review_date IS NULL OR ((secondment_start_date IS NULL OR secondment_review_date >= secondment_start_date)
            AND (secondment_end_date IS NULL OR secondment_review_date <= secondment_end_date))),
        CONSTRAINT transition_cases_legal_basis_on_advice CHECK (legal_basis IS NULL OR legal_advice_reference IS NOT NULL),
        CONSTRAINT transition_cases_not_own_destination CHECK (destination_post_id IS NULL OR destination_post_id <> post_id),
        CONSTRAINT transition_cases_eli_override_whole CHECK (
          (eli_override_reason IS NULL) = (eli_override_at IS NULL) AND (eli_override_at IS NULL OR eli_override_by IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX transition_cases_pipeline_idx ON transition_cases (programme_id, route, state)`);
    await q.query(`CREATE INDEX transition_cases_employee_idx ON transition_cases (employee_id)`);
    await q.query(`CREATE INDEX transition_cases_post_idx ON transition_cases (post_id)`);
    await q.query(`CREATE INDEX transition_cases_destination_post_idx ON transition_cases (destination_post_id) WHERE destination_post_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE case_transitions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES transition_cases(id) ON DELETE CASCADE,
        from_state text CHECK (from_state IN ${STATES}),
        to_state text NOT NULL CHECK (to_state IN ${STATES}),
        note text CHECK (char_length(note) <= 2000),
        actor_id uuid REFERENCES users(id),
        actor_label text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (from_state IS DISTINCT FROM to_state)
      )`);
    await q.query(`CREATE INDEX case_transitions_case_idx ON case_transitions (case_id, id)`);

    await q.query(`
      CREATE TABLE case_checklist_items (
        case_id uuid NOT NULL REFERENCES transition_cases(id) ON DELETE CASCADE,
        item text NOT NULL CHECK (item IN (${CHECKLIST_ITEMS.map((i) => `'${i}'`).join(', ')})),
        done_on date,
        done_by uuid REFERENCES users(id),
        done_by_label text,
        recorded_at timestamptz,
        note text CHECK (char_length(note) <= 2000),
        PRIMARY KEY (case_id, item),
        CHECK ((done_on IS NULL) = (recorded_at IS NULL) AND (done_on IS NULL) = (done_by_label IS NULL))
      )`);

    // --- the state machine and the ELI guard -------------------------------------------------
    await q.query(`
      CREATE FUNCTION transition_cases_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
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
      CREATE TRIGGER transition_cases_guard_state BEFORE INSERT OR UPDATE OF state, held_from_state ON transition_cases
      FOR EACH ROW EXECUTE FUNCTION transition_cases_guard_state()`);

    // --- every case has its checklist ----------------------------------------------------------
    await q.query(`
      CREATE FUNCTION transition_cases_create_checklist() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO case_checklist_items (case_id, item)
        SELECT NEW.id, i FROM unnest(ARRAY[${CHECKLIST_ITEMS.map((i) => `'${i}'`).join(', ')}]) AS i;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER transition_cases_a_create_checklist AFTER INSERT ON transition_cases
      FOR EACH ROW EXECUTE FUNCTION transition_cases_create_checklist()`);

    // --- deadlines, derived from the route, the dates and the consultation ------------------------
    // Computed on every read, never stored: they cannot go stale when a date moves, whichever path
    // (API, bulk action, SQL by hand, or the consultations feature extending a consultation) moves it.
    // The consultation of a case is the latest TUPE information/consultation or collective
    // redundancy consultation covering its post (consultation_posts); its end is the day it closed,
    // else its planned end. plpgsql resolves the consultations tables when it runs, so this does not
    // depend on when the consultations migration runs.
    await q.query(`
      CREATE FUNCTION case_deadlines_for(p_programme_id uuid DEFAULT NULL, p_case_id uuid DEFAULT NULL)
      RETURNS TABLE (case_id uuid, kind text, due_on date, basis text, note text, done_on date, consultation_id uuid)
      LANGUAGE plpgsql STABLE AS $$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
        WITH c AS (
          SELECT tc.id, tc.route, tc.actual_effective_date, tc.proposed_effective_date, tc.secondment_end_date, tc.secondment_reviewed_on,
                 coalesce(tc.actual_effective_date, tc.proposed_effective_date) AS transfer_date,
                 coalesce(tc.proposed_effective_date, tc.actual_effective_date) AS bound_date,
                 cons.ends_on AS consultation_end, cons.id AS cons_id,
                 (SELECT ci.done_on FROM case_checklist_items ci WHERE ci.case_id = tc.id AND ci.item = 'eli_sent') AS eli_done,
                 (SELECT ci.done_on FROM case_checklist_items ci WHERE ci.case_id = tc.id AND ci.item = 'measures_letter_issued') AS letter_done
          FROM transition_cases tc
          LEFT JOIN LATERAL (
            SELECT k.id, coalesce(k.closed_on, k.planned_end_date) AS ends_on
            FROM consultation_posts cp JOIN consultations k ON k.id = cp.consultation_id
            WHERE cp.post_id = tc.post_id AND k.programme_id = tc.programme_id
              AND k.kind IN ('tupe_information_consultation', 'collective_redundancy')
            ORDER BY k.start_date DESC, k.created_at DESC, k.id
            LIMIT 1
          ) cons ON tc.route IN ('tupe_transfer', 'cosop_transfer')
          WHERE (p_programme_id IS NULL OR tc.programme_id = p_programme_id) AND (p_case_id IS NULL OR tc.id = p_case_id) AND tc.state <> 'withdrawn'
        )
        SELECT c.id, 'eli'::text, c.transfer_date - 28,
               CASE WHEN c.actual_effective_date IS NOT NULL THEN 'actual_effective_date' ELSE 'proposed_effective_date' END,
               'TUPE 2006 reg. 11: employee liability information at least 28 days before the transfer on ' || to_char(c.transfer_date, 'YYYY-MM-DD'),
               c.eli_done, NULL::uuid
          FROM c WHERE c.route IN ('tupe_transfer', 'cosop_transfer') AND c.transfer_date IS NOT NULL
        UNION ALL
        SELECT c.id, 'measures_letter'::text, c.consultation_end, 'consultation_end'::text,
               'TUPE 2006 reg. 13: the measures letter reaches the representatives before the consultation ends on ' || to_char(c.consultation_end, 'YYYY-MM-DD'),
               c.letter_done, c.cons_id
          FROM c WHERE c.route IN ('tupe_transfer', 'cosop_transfer') AND c.consultation_end IS NOT NULL
        UNION ALL
        SELECT c.id, 'measures_letter'::text, c.bound_date - 1,
               CASE WHEN c.proposed_effective_date IS NOT NULL THEN 'proposed_effective_date' ELSE 'actual_effective_date' END,
               'No consultation recorded yet, so bounded by the effective date ' || to_char(c.bound_date, 'YYYY-MM-DD') ||
               ': the measures letter must go before the transfer (TUPE 2006 reg. 13)',
               c.letter_done, NULL::uuid
          FROM c WHERE c.route IN ('tupe_transfer', 'cosop_transfer') AND c.consultation_end IS NULL AND c.bound_date IS NOT NULL
        UNION ALL
        SELECT c.id, 'secondment_review'::text, (c.secondment_end_date - interval '3 months')::date, 'secondment_end'::text,
               'Review the secondment three months before it ends on ' || to_char(c.secondment_end_date, 'YYYY-MM-DD'),
               c.secondment_reviewed_on, NULL::uuid
          FROM c WHERE c.route = 'secondment' AND c.secondment_end_date IS NOT NULL;
      END $$`);
    // The same for every case, as a relation: other features (the overdue digest) read case_deadlines.
    await q.query(`CREATE VIEW case_deadlines AS SELECT * FROM case_deadlines_for(NULL, NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW case_deadlines`);
    await q.query(`DROP FUNCTION case_deadlines_for(uuid, uuid)`);
    await q.query(`DROP TABLE case_checklist_items`);
    await q.query(`DROP TABLE case_transitions`);
    await q.query(`DROP TABLE transition_cases`);
    await q.query(`DROP FUNCTION transition_cases_create_checklist()`);
    await q.query(`DROP FUNCTION transition_cases_guard_state()`);
    await q.query(`DROP TABLE case_state_edges`);
    await q.query(`ALTER TABLE posts DROP CONSTRAINT posts_id_programme_for_cases_key`);
  }
}
