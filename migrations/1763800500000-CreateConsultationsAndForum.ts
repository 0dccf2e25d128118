import { MigrationInterface, QueryRunner } from 'typeorm';

const MILESTONE_KINDS = `('consultation_start', 'consultation_end', 'hr1_notice', 'measures_letter', 'employee_liability_information',
  'governance_decision', 'forum', 'go_live', 'other')`;
const AUDIENCES = `ARRAY['forum', 'hr', 'managers', 'affected_staff']::text[]`;

/**
 * Consultations and the joint trade union forum.
 *
 * - collective_redundancy_rules: TULRCA 1992 s.188 / s.193 as versioned data. Each version is the
 *   full set of bands applying from a date; rows are append-only, so a later change in the law is
 *   a new version and never rewrites the deadline of a consultation that began under an older one.
 * - consultations carry the deadlines derived when they were created or opened (minimum period,
 *   minimum end date, HR1 due date) and which rule version they came from; the database refuses an
 *   end date before the minimum whatever path writes it.
 * - consultation_posts: the posts a consultation covers. Cases are covered through their posts
 *   (transition_cases.post_id): no join table to cases, so this migration does not depend on when
 *   the cases migration runs.
 * - milestones, forums, unions, forum_unions, forum_members, forum_meetings, forum_actions,
 *   representations, calendar_feeds.
 *
 * Union membership of staff is never stored: forum_members holds only the representatives who sit
 * on a forum, in that role.
 */
export class CreateConsultationsAndForum1763800500000 implements MigrationInterface {
  name = 'CreateConsultationsAndForum1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE collective_redundancy_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        applies_from date NOT NULL,
        min_dismissals integer NOT NULL CHECK (min_dismissals >= 1),
        max_dismissals integer CHECK (max_dismissals IS NULL OR max_dismissals >= min_dismissals),
        minimum_period_days integer NOT NULL CHECK (minimum_period_days BETWEEN 1 AND 365),
        hr1_days_before integer NOT NULL CHECK (hr1_days_before BETWEEN 1 AND 365),
        citation text NOT NULL CHECK (char_length(citation) BETWEEN 1 AND 500),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT collective_redundancy_rules_band_key UNIQUE (applies_from, min_dismissals)
      )`);
    await q.query(`
      CREATE FUNCTION collective_redundancy_rules_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'collective_redundancy_rules is append-only (% refused): add a new version instead', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER collective_redundancy_rules_no_update_delete BEFORE UPDATE OR DELETE ON collective_redundancy_rules
      FOR EACH ROW EXECUTE FUNCTION collective_redundancy_rules_append_only()`);
    await q.query(`
      CREATE TRIGGER collective_redundancy_rules_no_truncate BEFORE TRUNCATE ON collective_redundancy_rules
      FOR EACH STATEMENT EXECUTE FUNCTION collective_redundancy_rules_append_only()`);
    // The law as it stands, and as it stood before 6 April 2013 (90 days for 100 or more), so
    // consultations recorded from before then keep their own deadlines.
    await q.query(`
      INSERT INTO collective_redundancy_rules (applies_from, min_dismissals, max_dismissals, minimum_period_days, hr1_days_before, citation) VALUES
        ('1995-10-26', 20, 99, 30, 30, 'TULRCA 1992 s.188(1A)(b) and s.193(2)(b), as amended by SI 1995/2587'),
        ('1995-10-26', 100, NULL, 90, 90, 'TULRCA 1992 s.188(1A)(a) and s.193(2)(a), as amended by SI 1995/2587'),
        ('2013-04-06', 20, 99, 30, 30, 'TULRCA 1992 s.188(1A)(b) and s.193(2)(b)'),
        ('2013-04-06', 100, NULL, 45, 45, 'TULRCA 1992 s.188(1A)(a) and s.193(2)(a), as amended by SI 2013/763')`);

    await q.query(`
      CREATE TABLE consultations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        description text CHECK (char_length(description) <= 4000),
        kind text NOT NULL CHECK (kind IN ('tupe_information_consultation', 'collective_redundancy', 'informal_engagement')),
        status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'open', 'extended', 'closed')),
        start_date date NOT NULL,
        planned_end_date date NOT NULL,
        original_end_date date NOT NULL,
        establishment text CHECK (char_length(establishment) BETWEEN 1 AND 200),
        proposed_dismissals integer CHECK (proposed_dismissals BETWEEN 0 AND 1000000),
        first_dismissal_date date,
        rules_applied_from date,
        rule_id uuid REFERENCES collective_redundancy_rules(id),
        minimum_period_days integer CHECK (minimum_period_days > 0),
        minimum_end_date date,
        hr1_due_date date,
        extension_reason text CHECK (char_length(extension_reason) BETWEEN 1 AND 2000),
        opened_at timestamptz,
        closed_on date,
        closing_summary text CHECK (char_length(closing_summary) BETWEEN 1 AND 4000),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT consultations_id_programme_key UNIQUE (id, programme_id),
        CONSTRAINT consultations_end_after_start CHECK (planned_end_date >= start_date AND original_end_date >= start_date),
        CONSTRAINT consultations_dismissals_only_for_collective_redundancy
          CHECK ((kind = 'collective_redundancy') = (proposed_dismissals IS NOT NULL)),
        CONSTRAINT consultations_rules_only_for_collective_redundancy
          CHECK ((kind = 'collective_redundancy') = (rules_applied_from IS NOT NULL)),
        CONSTRAINT consultations_rule_consistent
          CHECK ((rule_id IS NULL) = (minimum_period_days IS NULL)
             AND (minimum_period_days IS NULL) = (minimum_end_date IS NULL)
             AND (minimum_end_date IS NULL) = (hr1_due_date IS NULL)),
        CONSTRAINT consultations_minimum_period CHECK (minimum_end_date IS NULL OR planned_end_date >= minimum_end_date),
        CONSTRAINT consultations_first_dismissal_after_end CHECK (first_dismissal_date IS NULL OR first_dismissal_date > planned_end_date),
        CONSTRAINT consultations_closed CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
        CONSTRAINT consultations_closed_after_start CHECK (closed_on IS NULL OR closed_on >= start_date),
        CONSTRAINT consultations_opened CHECK ((status = 'planned') = (opened_at IS NULL)),
        CONSTRAINT consultations_extended CHECK (status <> 'extended' OR (planned_end_date > original_end_date AND extension_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX consultations_programme_idx ON consultations (programme_id, start_date)`);

    await q.query(`
      CREATE TABLE consultation_posts (
        consultation_id uuid NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
        post_id uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consultation_id, post_id)
      )`);
    await q.query(`CREATE INDEX consultation_posts_post_idx ON consultation_posts (post_id)`);
    await q.query(`
      CREATE FUNCTION consultation_posts_same_programme() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM consultations c JOIN posts p ON p.programme_id = c.programme_id
                       WHERE c.id = NEW.consultation_id AND p.id = NEW.post_id) THEN
          RAISE EXCEPTION 'post % is not in the programme of consultation %', NEW.post_id, NEW.consultation_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'consultation_posts_same_programme';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER consultation_posts_same_programme BEFORE INSERT OR UPDATE ON consultation_posts
      FOR EACH ROW EXECUTE FUNCTION consultation_posts_same_programme()`);

    await q.query(`
      CREATE TABLE milestones (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consultation_id uuid NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        description text CHECK (char_length(description) <= 4000),
        kind text NOT NULL CHECK (kind IN ${MILESTONE_KINDS}),
        due_date date NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'missed', 'cancelled')),
        completed_on date,
        owner_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        reminder_offsets integer[] NOT NULL DEFAULT '{14,7,1}',
        audience text[] NOT NULL DEFAULT '{forum,hr}',
        derived_from text CHECK (derived_from IN ('planned_end_date', 'hr1_due_date')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT milestones_completed CHECK ((status = 'done') = (completed_on IS NOT NULL)),
        CONSTRAINT milestones_reminder_offsets CHECK (
          cardinality(reminder_offsets) <= 10 AND array_position(reminder_offsets, NULL) IS NULL
          AND 0 <= ALL (reminder_offsets) AND 365 >= ALL (reminder_offsets)),
        CONSTRAINT milestones_audience CHECK (
          cardinality(audience) >= 1 AND array_position(audience, NULL) IS NULL AND audience <@ ${AUDIENCES}),
        CONSTRAINT milestones_one_per_derived_date UNIQUE (consultation_id, derived_from)
      )`);
    await q.query(`CREATE INDEX milestones_consultation_idx ON milestones (consultation_id, due_date)`);
    // The reminder scheduler reads pending milestones by due date.
    await q.query(`CREATE INDEX milestones_pending_due_idx ON milestones (due_date) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE forums (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        terms_of_reference text CHECK (char_length(terms_of_reference) <= 20000),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT forums_programme_key UNIQUE (programme_id)
      )`);

    await q.query(`
      CREATE TABLE unions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        description text CHECK (char_length(description) <= 500),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX unions_name_key ON unions (lower(name))`);

    await q.query(`
      CREATE TABLE forum_unions (
        forum_id uuid NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
        union_id uuid NOT NULL REFERENCES unions(id),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (forum_id, union_id)
      )`);

    await q.query(`
      CREATE TABLE forum_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        forum_id uuid NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
        union_id uuid,
        side text NOT NULL CHECK (side IN ('union', 'management')),
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
        email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$' AND char_length(email) <= 254),
        role_title text CHECK (char_length(role_title) BETWEEN 1 AND 200),
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        left_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT forum_members_union_side CHECK ((side = 'union') = (union_id IS NOT NULL)),
        CONSTRAINT forum_members_union_fk FOREIGN KEY (forum_id, union_id) REFERENCES forum_unions(forum_id, union_id),
        CONSTRAINT forum_members_email_key UNIQUE (forum_id, email),
        CONSTRAINT forum_members_user_key UNIQUE (forum_id, user_id),
        CONSTRAINT forum_members_id_forum_union_key UNIQUE (id, forum_id, union_id)
      )`);
    await q.query(`CREATE INDEX forum_members_user_idx ON forum_members (user_id) WHERE user_id IS NOT NULL`);

    // A meeting or representation about a consultation must be about one of its own programme.
    await q.query(`
      CREATE FUNCTION forum_consultation_same_programme() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.consultation_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM consultations c JOIN forums f ON f.programme_id = c.programme_id
          WHERE c.id = NEW.consultation_id AND f.id = NEW.forum_id) THEN
          RAISE EXCEPTION 'consultation % is not in the programme of forum %', NEW.consultation_id, NEW.forum_id
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_consultation_same_programme';
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`
      CREATE TABLE forum_meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        forum_id uuid NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
        consultation_id uuid REFERENCES consultations(id) ON DELETE SET NULL,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        location text NOT NULL CHECK (char_length(location) BETWEEN 1 AND 300),
        agenda text CHECK (char_length(agenda) <= 20000),
        papers jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(papers) = 'array'),
        minutes text CHECK (char_length(minutes) <= 100000),
        minutes_published_at timestamptz,
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled')),
        cancellation_reason text CHECK (char_length(cancellation_reason) BETWEEN 1 AND 2000),
        sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT forum_meetings_times CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '24 hours'),
        CONSTRAINT forum_meetings_minutes_published CHECK (minutes_published_at IS NULL OR (minutes IS NOT NULL AND status = 'held')),
        CONSTRAINT forum_meetings_cancelled CHECK ((status = 'cancelled') = (cancellation_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX forum_meetings_forum_idx ON forum_meetings (forum_id, starts_at)`);
    await q.query(`CREATE INDEX forum_meetings_consultation_idx ON forum_meetings (consultation_id) WHERE consultation_id IS NOT NULL`);
    await q.query(`
      CREATE TRIGGER forum_meetings_consultation_same_programme BEFORE INSERT OR UPDATE OF forum_id, consultation_id ON forum_meetings
      FOR EACH ROW EXECUTE FUNCTION forum_consultation_same_programme()`);

    await q.query(`
      CREATE TABLE forum_actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL REFERENCES forum_meetings(id) ON DELETE CASCADE,
        description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 2000),
        owner text NOT NULL CHECK (char_length(owner) BETWEEN 1 AND 200),
        due_date date NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
        completed_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT forum_actions_completed CHECK ((status = 'done') = (completed_on IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX forum_actions_meeting_idx ON forum_actions (meeting_id)`);
    await q.query(`CREATE INDEX forum_actions_open_idx ON forum_actions (due_date) WHERE status = 'open'`);

    await q.query(`
      CREATE TABLE representations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        forum_id uuid NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
        consultation_id uuid REFERENCES consultations(id) ON DELETE CASCADE,
        union_id uuid NOT NULL,
        made_by_member_id uuid,
        received_at timestamptz NOT NULL,
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 20000),
        status text NOT NULL DEFAULT 'awaiting_response' CHECK (status IN ('awaiting_response', 'answered')),
        response text CHECK (char_length(response) BETWEEN 1 AND 20000),
        response_reasons text CHECK (char_length(response_reasons) BETWEEN 1 AND 20000),
        responded_at timestamptz,
        responded_by uuid REFERENCES users(id),
        recorded_by uuid REFERENCES users(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT representations_union_fk FOREIGN KEY (forum_id, union_id) REFERENCES forum_unions(forum_id, union_id),
        CONSTRAINT representations_member_fk FOREIGN KEY (made_by_member_id, forum_id, union_id)
          REFERENCES forum_members(id, forum_id, union_id),
        CONSTRAINT representations_answered CHECK (
          (status = 'answered') = (response IS NOT NULL AND response_reasons IS NOT NULL AND responded_at IS NOT NULL)
          AND (status = 'answered' OR (response IS NULL AND response_reasons IS NULL AND responded_at IS NULL AND responded_by IS NULL))),
        CONSTRAINT representations_response_after_receipt CHECK (responded_at IS NULL OR responded_at >= received_at)
      )`);
    await q.query(`CREATE INDEX representations_forum_idx ON representations (forum_id, received_at DESC)`);
    await q.query(`CREATE INDEX representations_consultation_idx ON representations (consultation_id) WHERE consultation_id IS NOT NULL`);
    await q.query(`
      CREATE TRIGGER representations_consultation_same_programme BEFORE INSERT OR UPDATE OF forum_id, consultation_id ON representations
      FOR EACH ROW EXECUTE FUNCTION forum_consultation_same_programme()`);

    // Only a hash of the secret is kept; the URL with the secret is shown once.
    await q.query(`
      CREATE TABLE calendar_feeds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        consultation_id uuid NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash),
        CONSTRAINT calendar_feeds_revoked_after_created CHECK (revoked_at IS NULL OR revoked_at >= created_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX calendar_feeds_one_active_key ON calendar_feeds (user_id, consultation_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'calendar_feeds',
      'representations',
      'forum_actions',
      'forum_meetings',
      'forum_members',
      'forum_unions',
      'unions',
      'forums',
      'milestones',
      'consultation_posts',
      'consultations',
      'collective_redundancy_rules',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP FUNCTION forum_consultation_same_programme()`);
    await q.query(`DROP FUNCTION consultation_posts_same_programme()`);
    await q.query(`DROP FUNCTION collective_redundancy_rules_append_only()`);
  }
}
