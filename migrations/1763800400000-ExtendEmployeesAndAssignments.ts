import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People: what an employee record needs for a transition (contract, contracted FTE, start and
 * continuous service dates, pension scheme, and what TUPE reg. 11 employee liability information
 * needs), and the rules the database keeps about them:
 *
 * - post_assignments never put more FTE on a post than the post has, nor more on a person than
 *   their contracted FTE, at any date; one person is never assigned twice to one post at once.
 *   A constraint trigger checks every insert and update (an INSERT by hand fails too). It first
 *   locks the employee and the post rows (FOR NO KEY UPDATE: it queues writers of the same post or
 *   person without blocking foreign-key checks), so of two concurrent inserts the second waits for
 *   the first to commit and then counts its row: they cannot both pass. (The app runs READ
 *   COMMITTED; under REPEATABLE READ the second would not see the first's row, so do not write
 *   assignments at that level.) Lowering a post's FTE or a person's contracted FTE below what is
 *   assigned is refused the same way.
 * - continuity of service is never reset: once recorded, continuous_service_date can move earlier
 *   (recognising more service) but never later and never back to unknown, whatever moves,
 *   transfers or re-engagements happen; and it is never after the employee's start date.
 */
export class ExtendEmployeesAndAssignments1763800400000 implements MigrationInterface {
  name = 'ExtendEmployeesAndAssignments1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE employees
        ADD COLUMN employer_organisation_id uuid REFERENCES organisations(id),
        ADD COLUMN contract_type text NOT NULL DEFAULT 'permanent'
          CONSTRAINT employees_contract_type_check CHECK (contract_type IN ('permanent', 'fixed_term', 'temporary', 'casual')),
        ADD COLUMN contract_ends_on date,
        ADD COLUMN contracted_fte numeric(3,2) NOT NULL DEFAULT 1.00
          CONSTRAINT employees_contracted_fte_check CHECK (contracted_fte > 0 AND contracted_fte <= 1),
        ADD COLUMN start_date date,
        ADD COLUMN continuous_service_date date,
        ADD COLUMN pension_scheme text
          CONSTRAINT employees_pension_scheme_check CHECK (pension_scheme IN ('lgps', 'nhs_pension_scheme', 'none')),
        ADD COLUMN date_of_birth date,
        ADD COLUMN annual_pay numeric(10,2) CONSTRAINT employees_annual_pay_check CHECK (annual_pay >= 0),
        ADD COLUMN weekly_hours numeric(4,2) CONSTRAINT employees_weekly_hours_check CHECK (weekly_hours > 0 AND weekly_hours <= 60),
        ADD COLUMN notice_period_weeks integer CONSTRAINT employees_notice_period_check CHECK (notice_period_weeks BETWEEN 0 AND 52),
        ADD COLUMN eli_disciplinary_grievance text CONSTRAINT employees_eli_dg_len CHECK (char_length(eli_disciplinary_grievance) <= 4000),
        ADD COLUMN eli_claims text CONSTRAINT employees_eli_claims_len CHECK (char_length(eli_claims) <= 4000),
        ADD COLUMN eli_collective_agreements text CONSTRAINT employees_eli_ca_len CHECK (char_length(eli_collective_agreements) <= 4000),
        ADD CONSTRAINT employees_continuity_not_after_start
          CHECK (continuous_service_date IS NULL OR start_date IS NULL OR continuous_service_date <= start_date),
        ADD CONSTRAINT employees_contract_end_check
          CHECK (contract_ends_on IS NULL OR (contract_type IN ('fixed_term', 'temporary') AND (start_date IS NULL OR contract_ends_on >= start_date))),
        ADD CONSTRAINT employees_date_of_birth_check CHECK (date_of_birth IS NULL OR date_of_birth >= DATE '1900-01-01')`);
    await q.query(`CREATE INDEX employees_name_idx ON employees (lower(last_name), lower(first_name), id)`);

    await q.query(`
      CREATE FUNCTION employees_continuity_never_reset() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.continuous_service_date IS NOT NULL
           AND (NEW.continuous_service_date IS NULL OR NEW.continuous_service_date > OLD.continuous_service_date) THEN
          RAISE EXCEPTION 'continuity of service is never reset: continuous_service_date cannot move from % to %',
            OLD.continuous_service_date, coalesce(NEW.continuous_service_date::text, 'unknown')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'employees_continuity_never_reset', TABLE = 'employees';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER employees_continuity_never_reset BEFORE UPDATE OF continuous_service_date ON employees
      FOR EACH ROW EXECUTE FUNCTION employees_continuity_never_reset()`);

    await q.query(`
      ALTER TABLE post_assignments
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX post_assignments_post_dates_idx ON post_assignments (post_id, starts_on)`);

    // The first date within [p_from, p_to] (p_to NULL: open-ended) on which the assignments of a
    // post (p_post) or of a person (p_employee) add up to more than p_cap FTE. The load only rises
    // where an assignment starts, so checking p_from and every start inside the range is enough.
    await q.query(`
      CREATE FUNCTION post_assignments_first_overload(p_post uuid, p_employee uuid, p_from date, p_to date, p_cap numeric)
      RETURNS TABLE (day date, total numeric) LANGUAGE sql STABLE AS $$
        WITH mine AS (
          SELECT a.starts_on, a.ends_on, a.fte FROM post_assignments a
          WHERE (p_post IS NULL OR a.post_id = p_post) AND (p_employee IS NULL OR a.employee_id = p_employee)
        ), days AS (
          SELECT p_from AS day
          UNION
          SELECT m.starts_on FROM mine m WHERE m.starts_on > p_from AND (p_to IS NULL OR m.starts_on <= p_to)
        )
        SELECT d.day, sum(m.fte) FROM days d
        JOIN mine m ON m.starts_on <= d.day AND (m.ends_on IS NULL OR m.ends_on >= d.day)
        GROUP BY d.day HAVING sum(m.fte) > p_cap
        ORDER BY d.day LIMIT 1
      $$`);

    await q.query(`
      CREATE FUNCTION post_assignments_check_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cur post_assignments%ROWTYPE;
        post_cap numeric;
        person_cap numeric;
        bad record;
      BEGIN
        -- Constraint triggers run after the statement: check the row as it is now.
        SELECT * INTO cur FROM post_assignments WHERE id = NEW.id;
        IF NOT FOUND THEN RETURN NULL; END IF;
        -- Queue writers of the same person, then of the same post (always in this order).
        SELECT contracted_fte INTO person_cap FROM employees WHERE id = cur.employee_id FOR NO KEY UPDATE;
        SELECT fte INTO post_cap FROM posts WHERE id = cur.post_id FOR NO KEY UPDATE;

        PERFORM 1 FROM post_assignments o
         WHERE o.post_id = cur.post_id AND o.employee_id = cur.employee_id AND o.id <> cur.id
           AND o.starts_on <= coalesce(cur.ends_on, 'infinity'::date) AND coalesce(o.ends_on, 'infinity'::date) >= cur.starts_on;
        IF FOUND THEN
          RAISE EXCEPTION 'the employee already holds this post on some of these dates'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'post_assignments_no_double_booking', TABLE = 'post_assignments';
        END IF;

        SELECT * INTO bad FROM post_assignments_first_overload(cur.post_id, NULL, cur.starts_on, cur.ends_on, post_cap);
        IF FOUND THEN
          RAISE EXCEPTION 'assignments would put % FTE on a post of % FTE on %', bad.total, post_cap, bad.day
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'post_assignments_within_post_fte', TABLE = 'post_assignments';
        END IF;

        SELECT * INTO bad FROM post_assignments_first_overload(NULL, cur.employee_id, cur.starts_on, cur.ends_on, person_cap);
        IF FOUND THEN
          RAISE EXCEPTION 'assignments would give the employee % FTE against a contracted % FTE on %', bad.total, person_cap, bad.day
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'post_assignments_within_contracted_fte', TABLE = 'post_assignments';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER post_assignments_capacity
      AFTER INSERT OR UPDATE OF post_id, employee_id, fte, starts_on, ends_on ON post_assignments
      FOR EACH ROW EXECUTE FUNCTION post_assignments_check_capacity()`);

    await q.query(`
      CREATE FUNCTION posts_fte_covers_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bad record;
      BEGIN
        SELECT * INTO bad FROM post_assignments_first_overload(NEW.id, NULL, '-infinity'::date, NULL, NEW.fte);
        IF FOUND THEN
          RAISE EXCEPTION 'the post has % FTE assigned on %, more than its new % FTE', bad.total, bad.day, NEW.fte
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'post_assignments_within_post_fte', TABLE = 'posts';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER posts_fte_covers_assignments AFTER UPDATE OF fte ON posts
      FOR EACH ROW WHEN (NEW.fte < OLD.fte) EXECUTE FUNCTION posts_fte_covers_assignments()`);

    await q.query(`
      CREATE FUNCTION employees_fte_covers_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bad record;
      BEGIN
        SELECT * INTO bad FROM post_assignments_first_overload(NULL, NEW.id, '-infinity'::date, NULL, NEW.contracted_fte);
        IF FOUND THEN
          RAISE EXCEPTION 'the employee has % FTE assigned on %, more than the new contracted % FTE', bad.total, bad.day, NEW.contracted_fte
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'post_assignments_within_contracted_fte', TABLE = 'employees';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER employees_fte_covers_assignments AFTER UPDATE OF contracted_fte ON employees
      FOR EACH ROW WHEN (NEW.contracted_fte < OLD.contracted_fte) EXECUTE FUNCTION employees_fte_covers_assignments()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER employees_fte_covers_assignments ON employees`);
    await q.query(`DROP FUNCTION employees_fte_covers_assignments()`);
    await q.query(`DROP TRIGGER posts_fte_covers_assignments ON posts`);
    await q.query(`DROP FUNCTION posts_fte_covers_assignments()`);
    await q.query(`DROP TRIGGER post_assignments_capacity ON post_assignments`);
    await q.query(`DROP FUNCTION post_assignments_check_capacity()`);
    await q.query(`DROP FUNCTION post_assignments_first_overload(uuid, uuid, date, date, numeric)`);
    await q.query(`DROP INDEX post_assignments_post_dates_idx`);
    await q.query(`ALTER TABLE post_assignments DROP COLUMN updated_at, DROP COLUMN version`);
    await q.query(`DROP TRIGGER employees_continuity_never_reset ON employees`);
    await q.query(`DROP FUNCTION employees_continuity_never_reset()`);
    await q.query(`DROP INDEX employees_name_idx`);
    await q.query(`
      ALTER TABLE employees
        DROP CONSTRAINT employees_date_of_birth_check,
        DROP CONSTRAINT employees_contract_end_check,
        DROP CONSTRAINT employees_continuity_not_after_start,
        DROP COLUMN eli_collective_agreements, DROP COLUMN eli_claims, DROP COLUMN eli_disciplinary_grievance,
        DROP COLUMN notice_period_weeks, DROP COLUMN weekly_hours, DROP COLUMN annual_pay, DROP COLUMN date_of_birth,
        DROP COLUMN pension_scheme, DROP COLUMN continuous_service_date, DROP COLUMN start_date,
        DROP COLUMN contracted_fte, DROP COLUMN contract_ends_on, DROP COLUMN contract_type, DROP COLUMN employer_organisation_id`);
  }
}
