import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core of the establishment: organisations, programmes, grades, thematic
 * areas, posts, employees and their assignments to posts. Feature migrations
 * (scope history and proposals, case details, consultations) build on it.
 */
export class CreateEstablishmentCore1763800200000 implements MigrationInterface {
  name = 'CreateEstablishmentCore1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        short_name text CHECK (char_length(short_name) BETWEEN 1 AND 50),
        kind text NOT NULL CHECK (kind IN ('council', 'ccg', 'merged_ccg', 'local_care_organisation', 'other')),
        status text NOT NULL CHECK (status IN ('active', 'to_be_disestablished', 'disestablished', 'proposed')),
        successor_id uuid REFERENCES organisations(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organisations_name_key UNIQUE (name),
        CHECK (successor_id IS NULL OR successor_id <> id)
      )`);

    await q.query(`
      CREATE TABLE programmes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        description text,
        destination_organisation_id uuid NOT NULL REFERENCES organisations(id),
        go_live_date date NOT NULL,
        status text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'consultation', 'implementation', 'live', 'closed')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT programmes_name_key UNIQUE (name)
      )`);

    await q.query(`
      CREATE TABLE programme_source_organisations (
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        PRIMARY KEY (programme_id, organisation_id)
      )`);

    // Grade scales are per organisation (council G1-G12 and senior grades; NHS bands elsewhere).
    // report_group is the column a grade is counted under in reports (senior grades: '>G12').
    await q.query(`
      CREATE TABLE grades (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        code text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 20),
        name text,
        rank integer NOT NULL,
        report_group text,
        pay_min numeric(10,2) CHECK (pay_min >= 0),
        pay_max numeric(10,2),
        CONSTRAINT grades_org_code_key UNIQUE (organisation_id, code),
        CONSTRAINT grades_id_org_key UNIQUE (id, organisation_id),
        CHECK (pay_max IS NULL OR pay_min IS NULL OR pay_max >= pay_min)
      )`);

    await q.query(`
      CREATE TABLE thematic_areas (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        default_scope text NOT NULL CHECK (default_scope IN ('in_scope', 'out_of_scope', 'under_review', 'later_phase')),
        scope_note text,
        sort_order integer NOT NULL DEFAULT 0,
        CONSTRAINT thematic_areas_programme_name_key UNIQUE (programme_id, name),
        CONSTRAINT thematic_areas_id_programme_key UNIQUE (id, programme_id)
      )`);

    await q.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL,
        thematic_area_id uuid NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        grade_id uuid NOT NULL,
        reference text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 50),
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        fte numeric(3,2) NOT NULL CHECK (fte > 0 AND fte <= 1),
        establishment_status text NOT NULL CHECK (establishment_status IN ('filled', 'vacant', 'frozen', 'deleted')),
        scope text NOT NULL CHECK (scope IN ('in_scope', 'out_of_scope', 'under_review', 'later_phase')),
        scope_reason text,
        scope_decided_by uuid REFERENCES users(id),
        scope_decided_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT posts_org_reference_key UNIQUE (organisation_id, reference),
        CONSTRAINT posts_area_fk FOREIGN KEY (thematic_area_id, programme_id) REFERENCES thematic_areas(id, programme_id),
        CONSTRAINT posts_grade_fk FOREIGN KEY (grade_id, organisation_id) REFERENCES grades(id, organisation_id),
        CONSTRAINT posts_programme_fk FOREIGN KEY (programme_id) REFERENCES programmes(id)
      )`);
    // Keyset pagination and filters: (programme, reference, id) is the stable order.
    await q.query(`CREATE INDEX posts_programme_order_idx ON posts (programme_id, reference, id)`);
    await q.query(`CREATE INDEX posts_order_idx ON posts (reference, id)`);
    await q.query(`CREATE INDEX posts_area_idx ON posts (thematic_area_id)`);
    await q.query(`CREATE INDEX posts_grade_idx ON posts (grade_id)`);

    await q.query(`
      CREATE TABLE employees (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        staff_number text NOT NULL CHECK (char_length(staff_number) BETWEEN 1 AND 30),
        first_name text NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
        last_name text NOT NULL CHECK (char_length(last_name) BETWEEN 1 AND 100),
        work_email text CHECK (work_email = lower(work_email)),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT employees_staff_number_key UNIQUE (staff_number),
        CONSTRAINT employees_work_email_key UNIQUE (work_email)
      )`);

    // Effective-dated: ends_on NULL means open-ended. The rule that assignments never put more
    // FTE on a post than it has is enforced by the people-and-cases migration.
    await q.query(`
      CREATE TABLE post_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        post_id uuid NOT NULL REFERENCES posts(id),
        employee_id uuid NOT NULL REFERENCES employees(id),
        fte numeric(3,2) NOT NULL CHECK (fte > 0 AND fte <= 1),
        starts_on date NOT NULL,
        ends_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_on IS NULL OR ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX post_assignments_post_idx ON post_assignments (post_id)`);
    await q.query(`CREATE INDEX post_assignments_employee_idx ON post_assignments (employee_id)`);

    await q.query(`ALTER TABLE user_scopes ADD CONSTRAINT user_scopes_programme_fk FOREIGN KEY (programme_id) REFERENCES programmes(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE user_scopes ADD CONSTRAINT user_scopes_area_fk FOREIGN KEY (thematic_area_id, programme_id) REFERENCES thematic_areas(id, programme_id) ON DELETE CASCADE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_scopes DROP CONSTRAINT user_scopes_area_fk`);
    await q.query(`ALTER TABLE user_scopes DROP CONSTRAINT user_scopes_programme_fk`);
    for (const t of ['post_assignments', 'employees', 'posts', 'thematic_areas', 'grades', 'programme_source_organisations', 'programmes', 'organisations']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
