import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = `('draft', 'shared', 'proposed', 'approved', 'merged', 'discarded')`;
const SCOPES = `('in_scope', 'out_of_scope', 'under_review', 'later_phase')`;

/**
 * The edges of a scenario's life. Kept here (a trigger refuses any other change of status,
 * whoever makes it) and mirrored by SCENARIO_STATUS_EDGES in src/scenarios/scenario-status.ts; an
 * integration test checks the two are the same.
 */
export const SCENARIO_EDGES: [string, string][] = [
  ['draft', 'shared'],
  ['draft', 'proposed'],
  ['draft', 'discarded'],
  ['shared', 'draft'],
  ['shared', 'proposed'],
  ['shared', 'discarded'],
  ['proposed', 'approved'],
  ['proposed', 'draft'],
  ['proposed', 'discarded'],
  ['approved', 'merged'],
  ['approved', 'proposed'],
  ['approved', 'discarded'],
];

/**
 * Scope scenarios (issue 16): a named set of proposed changes to a programme's posts on top of the
 * live establishment, compared and, once approved, merged in one transaction.
 *
 * Rules the database keeps:
 * - the status machine (edges above); a scenario starts as a draft; merged and discarded are final;
 *   approved and merged scenarios say who approved (and merged) and when;
 * - one change per post per scenario; a change to a live post records the post's version when it
 *   was made (base_version, for conflict detection) and changes at least one thing; a new post has
 *   everything a post needs; every change has a reason;
 * - the scenario's matrix is scenario_matrix_counts(programme, scenario): the live
 *   establishment_matrix_counts() overlaid with scenario_matrix_delta() (each changed post's live
 *   contribution taken out, its proposed one put in), so its cost is the live matrix plus the changes.
 * posts.destination_organisation_id: where a post goes when it is not the programme's destination
 * (e.g. the Local Care Organisation); set by a merged scenario.
 */
export class CreateScopeScenarios1764400000000 implements MigrationInterface {
  name = 'CreateScopeScenarios1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE posts ADD COLUMN destination_organisation_id uuid REFERENCES organisations(id)`);

    await q.query(`
      CREATE TABLE scenario_status_edges (
        from_status text NOT NULL CHECK (from_status IN ${STATUSES}),
        to_status text NOT NULL CHECK (to_status IN ${STATUSES}),
        PRIMARY KEY (from_status, to_status)
      )`);
    await q.query(`INSERT INTO scenario_status_edges (from_status, to_status) VALUES ${SCENARIO_EDGES.map(([f, t]) => `('${f}', '${t}')`).join(', ')}`);

    await q.query(`
      CREATE TABLE scenarios (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        description text CHECK (char_length(description) <= 2000),
        author_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ${STATUSES}),
        status_reason text CHECK (char_length(status_reason) <= 2000),
        approved_by uuid REFERENCES users(id),
        approved_at timestamptz,
        merged_by uuid REFERENCES users(id),
        merged_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT scenarios_programme_name_key UNIQUE (programme_id, name),
        CONSTRAINT scenarios_approved_whole CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
        CONSTRAINT scenarios_approved_has_approver CHECK (status NOT IN ('approved', 'merged') OR approved_at IS NOT NULL),
        CONSTRAINT scenarios_merged_whole CHECK ((status = 'merged') = (merged_at IS NOT NULL) AND (merged_at IS NULL) = (merged_by IS NULL))
      )`);
    await q.query(`CREATE INDEX scenarios_programme_idx ON scenarios (programme_id, created_at DESC)`);

    await q.query(`
      CREATE FUNCTION scenarios_guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a scenario starts as a draft, not %', NEW.status
              USING ERRCODE = 'check_violation', CONSTRAINT = 'scenarios_status_machine', TABLE = 'scenarios';
          END IF;
          RETURN NEW;
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status
           AND NOT EXISTS (SELECT 1 FROM scenario_status_edges WHERE from_status = OLD.status AND to_status = NEW.status) THEN
          RAISE EXCEPTION 'a scenario cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'scenarios_status_machine', TABLE = 'scenarios';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER scenarios_guard_status BEFORE INSERT OR UPDATE OF status ON scenarios FOR EACH ROW EXECUTE FUNCTION scenarios_guard_status()`);

    await q.query(`
      CREATE TABLE scenario_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scenario_id uuid NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('change', 'create', 'delete')),
        post_id uuid REFERENCES posts(id) ON DELETE CASCADE,
        base_version integer,
        scope text CHECK (scope IN ${SCOPES}),
        thematic_area_id uuid REFERENCES thematic_areas(id) ON DELETE CASCADE,
        grade_id uuid REFERENCES grades(id),
        fte numeric(3,2) CHECK (fte > 0 AND fte <= 1),
        destination_organisation_id uuid REFERENCES organisations(id),
        organisation_id uuid REFERENCES organisations(id),
        reference text CHECK (char_length(reference) BETWEEN 1 AND 50),
        title text CHECK (char_length(title) BETWEEN 1 AND 200),
        reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT scenario_changes_one_per_post UNIQUE (scenario_id, post_id),
        CONSTRAINT scenario_changes_one_new_reference UNIQUE (scenario_id, reference),
        CONSTRAINT scenario_changes_live_post CHECK (kind = 'create' OR (post_id IS NOT NULL AND base_version IS NOT NULL AND reference IS NULL AND title IS NULL AND organisation_id IS NULL)),
        CONSTRAINT scenario_changes_new_post CHECK (kind <> 'create' OR (post_id IS NULL AND base_version IS NULL AND reference IS NOT NULL AND title IS NOT NULL
          AND organisation_id IS NOT NULL AND thematic_area_id IS NOT NULL AND grade_id IS NOT NULL AND fte IS NOT NULL AND scope IS NOT NULL)),
        CONSTRAINT scenario_changes_changes_something CHECK (kind <> 'change' OR num_nonnulls(scope, thematic_area_id, grade_id, fte, destination_organisation_id) > 0),
        CONSTRAINT scenario_changes_delete_only CHECK (kind <> 'delete' OR num_nonnulls(scope, thematic_area_id, grade_id, fte, destination_organisation_id) = 0)
      )`);
    await q.query(`CREATE INDEX scenario_changes_scenario_idx ON scenario_changes (scenario_id, created_at, id)`);
    await q.query(`CREATE INDEX scenario_changes_post_idx ON scenario_changes (post_id) WHERE post_id IS NOT NULL`);

    // The scenario's difference from the live matrix, in the matrix's grouping: minus each changed
    // (or deleted) live post's contribution, plus the proposed one of each changed or new post.
    // O(changes): it never reads the posts it does not change.
    await q.query(`
      CREATE FUNCTION scenario_matrix_delta(p_programme uuid, p_scenario uuid)
      RETURNS TABLE (thematic_area_id uuid, grade_id uuid, scope text, fte numeric, posts integer)
      LANGUAGE sql STABLE
      AS $$
        SELECT x.thematic_area_id, x.grade_id, x.scope, x.fte, sum(x.n)::int
        FROM (
          SELECT p.thematic_area_id, p.grade_id, p.scope, p.fte, -1 AS n
          FROM scenario_changes c JOIN posts p ON p.id = c.post_id
          WHERE c.scenario_id = p_scenario AND p.programme_id = p_programme AND p.establishment_status <> 'deleted'
          UNION ALL
          SELECT coalesce(c.thematic_area_id, p.thematic_area_id), coalesce(c.grade_id, p.grade_id), coalesce(c.scope, p.scope), coalesce(c.fte, p.fte), 1
          FROM scenario_changes c LEFT JOIN posts p ON p.id = c.post_id
          WHERE c.scenario_id = p_scenario AND c.kind <> 'delete'
            AND (c.kind = 'create' OR (p.programme_id = p_programme AND p.establishment_status <> 'deleted'))
        ) x
        GROUP BY x.thematic_area_id, x.grade_id, x.scope, x.fte
        HAVING sum(x.n) <> 0
      $$`);
    // The matrix as the scenario would make it: the live counts (establishment_matrix_counts(), the
    // function the live matrix uses) overlaid with the delta.
    await q.query(`
      CREATE FUNCTION scenario_matrix_counts(p_programme uuid, p_scenario uuid)
      RETURNS TABLE (thematic_area_id uuid, grade_id uuid, scope text, fte numeric, posts integer)
      LANGUAGE sql STABLE
      AS $$
        SELECT x.thematic_area_id, x.grade_id, x.scope, x.fte, sum(x.posts)::int
        FROM (
          SELECT * FROM establishment_matrix_counts(p_programme)
          UNION ALL
          SELECT * FROM scenario_matrix_delta(p_programme, p_scenario)
        ) x
        GROUP BY x.thematic_area_id, x.grade_id, x.scope, x.fte
        HAVING sum(x.posts) <> 0
      $$`);
    // The runtime reads and writes scenarios (default privileges); the edges are the schema's.
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON scenario_status_edges FROM wtt_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION scenario_matrix_counts(uuid, uuid)`);
    await q.query(`DROP FUNCTION scenario_matrix_delta(uuid, uuid)`);
    await q.query(`DROP TABLE scenario_changes`);
    await q.query(`DROP TRIGGER scenarios_guard_status ON scenarios`);
    await q.query(`DROP FUNCTION scenarios_guard_status()`);
    await q.query(`DROP TABLE scenarios`);
    await q.query(`DROP TABLE scenario_status_edges`);
    await q.query(`ALTER TABLE posts DROP COLUMN destination_organisation_id`);
  }
}
