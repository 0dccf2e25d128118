import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ELI schedule (issue 15): a build is one XLSX the worker makes (draft: anonymised; final:
 * named) for a fixed set of cases chosen when HR asks for it; a release records that one build
 * was given to the transferee (eli_releases, append-only since 1764300000000), with the cases it
 * covers (eli_release_cases). A build is released once at most (eli_releases.build_id unique), and
 * the release's kind is the build's (a composite foreign key), so a draft can never be recorded
 * as the final.
 */
export class CreateEliBuilds1764600000000 implements MigrationInterface {
  name = 'CreateEliBuilds1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE eli_builds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN ('draft', 'final')),
        case_ids uuid[] NOT NULL CHECK (cardinality(case_ids) >= 1),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'ready', 'failed')),
        file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        rows integer CHECK (rows >= 0),
        error text CHECK (char_length(error) <= 2000),
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        requested_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT eli_builds_ready CHECK ((status = 'ready') = (file_id IS NOT NULL AND finished_at IS NOT NULL AND rows IS NOT NULL)),
        CONSTRAINT eli_builds_id_kind_key UNIQUE (id, kind)
      )`);
    await q.query(`CREATE INDEX eli_builds_programme_idx ON eli_builds (programme_id, created_at DESC)`);
    // A ready build never changes (its file is what may be released).
    await q.query(`
      CREATE FUNCTION eli_builds_ready_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'ready' AND current_setting('wtt.demo_reload', true) IS DISTINCT FROM 'on' THEN
          RAISE EXCEPTION 'a ready ELI build cannot be changed (%)', TG_OP USING ERRCODE = 'P0001', CONSTRAINT = 'eli_builds_ready_immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER eli_builds_ready_immutable BEFORE UPDATE OR DELETE ON eli_builds FOR EACH ROW EXECUTE FUNCTION eli_builds_ready_immutable()`);

    // eli_releases has no rows yet (nothing wrote it before this migration), so the column can be NOT NULL.
    await q.query(`ALTER TABLE eli_releases ADD COLUMN build_id uuid NOT NULL, ADD COLUMN sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')`);
    await q.query(`ALTER TABLE eli_releases ADD CONSTRAINT eli_releases_build_key UNIQUE (build_id)`);
    await q.query(`ALTER TABLE eli_releases ADD CONSTRAINT eli_releases_build_fk FOREIGN KEY (build_id, kind) REFERENCES eli_builds(id, kind) ON DELETE RESTRICT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE eli_releases DROP CONSTRAINT eli_releases_build_fk, DROP CONSTRAINT eli_releases_build_key, DROP COLUMN sha256, DROP COLUMN build_id`);
    await q.query(`DROP TABLE eli_builds`);
    await q.query(`DROP FUNCTION eli_builds_ready_immutable()`);
  }
}
