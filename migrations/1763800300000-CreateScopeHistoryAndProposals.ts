import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPES = `('in_scope', 'out_of_scope', 'under_review', 'later_phase')`;

/**
 * The establishment feature on top of the core tables:
 * - versions on grades and thematic areas (optimistic concurrency, like every other record);
 * - post_scope_history, written by statement-level triggers on posts, so every scope decision is
 *   kept whichever path made it (API, import, or SQL by hand);
 * - scope_proposals: a manager proposes or challenges a post's scope, HR or admin decides;
 * - indexes for keyset pagination under filters and for the establishment matrix.
 */
export class CreateScopeHistoryAndProposals1763800300000 implements MigrationInterface {
  name = 'CreateScopeHistoryAndProposals1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grades ADD COLUMN version integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE thematic_areas ADD COLUMN version integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE posts ADD CONSTRAINT posts_scope_reason_len CHECK (scope_reason IS NULL OR char_length(scope_reason) BETWEEN 1 AND 2000)`);
    await q.query(`ALTER TABLE posts ADD CONSTRAINT posts_scope_decision_check CHECK (scope_decided_by IS NULL OR scope_decided_at IS NOT NULL)`);
    await q.query(`ALTER TABLE programmes ADD CONSTRAINT programmes_description_len CHECK (description IS NULL OR char_length(description) <= 2000)`);
    await q.query(`ALTER TABLE thematic_areas ADD CONSTRAINT thematic_areas_scope_note_len CHECK (scope_note IS NULL OR char_length(scope_note) <= 2000)`);

    // Keyset pagination within a filter: (filter column, reference, id) keeps "page n" as cheap as page 1.
    await q.query(`DROP INDEX posts_area_idx`);
    await q.query(`CREATE INDEX posts_area_order_idx ON posts (thematic_area_id, reference, id)`);
    await q.query(`CREATE INDEX posts_org_order_idx ON posts (organisation_id, reference, id)`);
    // The matrix reads only these columns of a programme's live posts: an index-only scan.
    await q.query(`
      CREATE INDEX posts_matrix_idx ON posts (programme_id, thematic_area_id, grade_id, scope) INCLUDE (fte)
      WHERE establishment_status <> 'deleted'`);

    await q.query(`
      CREATE TABLE post_scope_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        post_id uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        from_scope text CHECK (from_scope IN ${SCOPES}),
        to_scope text NOT NULL CHECK (to_scope IN ${SCOPES}),
        reason text,
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX post_scope_history_post_idx ON post_scope_history (post_id, id)`);

    // Statement-level triggers with transition tables: one INSERT ... SELECT per statement, so a
    // 100,000-row import pays for its history in one pass, not 100,000 trigger calls.
    await q.query(`
      CREATE FUNCTION posts_scope_history_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO post_scope_history (post_id, from_scope, to_scope, reason, decided_by, decided_at)
        SELECT n.id, NULL, n.scope, n.scope_reason, n.scope_decided_by, COALESCE(n.scope_decided_at, n.created_at)
        FROM new_posts n;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION posts_scope_history_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO post_scope_history (post_id, from_scope, to_scope, reason, decided_by, decided_at)
        SELECT n.id, o.scope, n.scope, n.scope_reason, n.scope_decided_by, COALESCE(n.scope_decided_at, clock_timestamp())
        FROM new_posts n JOIN old_posts o ON o.id = n.id
        WHERE n.scope IS DISTINCT FROM o.scope
           OR n.scope_decided_at IS DISTINCT FROM o.scope_decided_at
           OR n.scope_reason IS DISTINCT FROM o.scope_reason;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER posts_scope_history_insert AFTER INSERT ON posts
      REFERENCING NEW TABLE AS new_posts FOR EACH STATEMENT EXECUTE FUNCTION posts_scope_history_on_insert()`);
    await q.query(`
      CREATE TRIGGER posts_scope_history_update AFTER UPDATE ON posts
      REFERENCING OLD TABLE AS old_posts NEW TABLE AS new_posts FOR EACH STATEMENT EXECUTE FUNCTION posts_scope_history_on_update()`);

    await q.query(`
      CREATE TABLE scope_proposals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        post_id uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('proposal', 'challenge')),
        current_scope text NOT NULL CHECK (current_scope IN ${SCOPES}),
        proposed_scope text NOT NULL CHECK (proposed_scope IN ${SCOPES}),
        reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
        proposed_by uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'withdrawn')),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        decision_reason text CHECK (decision_reason IS NULL OR char_length(decision_reason) BETWEEN 1 AND 2000),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (proposed_scope <> current_scope),
        CHECK ((status = 'open') = (decided_at IS NULL)),
        CHECK (status NOT IN ('accepted', 'rejected') OR (decided_by IS NOT NULL AND decision_reason IS NOT NULL))
      )`);
    // One open proposal per post and proposer: a second one is a 409, not a pile of duplicates.
    await q.query(`CREATE UNIQUE INDEX scope_proposals_one_open_key ON scope_proposals (post_id, proposed_by) WHERE status = 'open'`);
    await q.query(`CREATE INDEX scope_proposals_post_idx ON scope_proposals (post_id, created_at DESC)`);
    await q.query(`CREATE INDEX scope_proposals_open_idx ON scope_proposals (created_at, id) WHERE status = 'open'`);

    // Reloading the demo deletes its posts; assignments go with their post.
    await q.query(`ALTER TABLE post_assignments DROP CONSTRAINT post_assignments_post_id_fkey`);
    await q.query(`ALTER TABLE post_assignments ADD CONSTRAINT post_assignments_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE post_assignments DROP CONSTRAINT post_assignments_post_id_fkey`);
    await q.query(`ALTER TABLE post_assignments ADD CONSTRAINT post_assignments_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts(id)`);
    await q.query(`DROP TABLE scope_proposals`);
    await q.query(`DROP TRIGGER posts_scope_history_update ON posts`);
    await q.query(`DROP TRIGGER posts_scope_history_insert ON posts`);
    await q.query(`DROP FUNCTION posts_scope_history_on_update()`);
    await q.query(`DROP FUNCTION posts_scope_history_on_insert()`);
    await q.query(`DROP TABLE post_scope_history`);
    await q.query(`DROP INDEX posts_matrix_idx`);
    await q.query(`DROP INDEX posts_org_order_idx`);
    await q.query(`DROP INDEX posts_area_order_idx`);
    await q.query(`CREATE INDEX posts_area_idx ON posts (thematic_area_id)`);
    await q.query(`ALTER TABLE thematic_areas DROP CONSTRAINT thematic_areas_scope_note_len`);
    await q.query(`ALTER TABLE programmes DROP CONSTRAINT programmes_description_len`);
    await q.query(`ALTER TABLE posts DROP CONSTRAINT posts_scope_decision_check`);
    await q.query(`ALTER TABLE posts DROP CONSTRAINT posts_scope_reason_len`);
    await q.query(`ALTER TABLE thematic_areas DROP COLUMN version`);
    await q.query(`ALTER TABLE grades DROP COLUMN version`);
  }
}
