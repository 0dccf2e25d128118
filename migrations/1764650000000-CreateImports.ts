import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20: posts imports run in the worker. `imports` is one upload and its progress (queued →
 * validating → merging → done | failed), its result or its error (the API's error shape, row errors
 * in details), who sent it and when. `import_chunks` holds the uploaded file in 1 MiB pieces until
 * the job has read it: PostgreSQL is the one store every API instance and every worker already share
 * (no shared volume needed), and the upload commits or vanishes with its `imports` row. The chunks
 * are written before their imports row (the foreign key is checked at commit), and stored EXTERNAL (uncompressed, out of line): compressing them would cost CPU on both sides
 * and they are deleted when the job ends.
 */
export class CreateImports1764650000000 implements MigrationInterface {
  name = 'CreateImports1764650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        dry_run boolean NOT NULL DEFAULT false,
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
        format text CHECK (format IN ('csv', 'xlsx')),
        bytes_total bigint NOT NULL CHECK (bytes_total > 0),
        bytes_read bigint NOT NULL DEFAULT 0 CHECK (bytes_read >= 0 AND bytes_read <= bytes_total),
        rows_read integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'validating', 'merging', 'done', 'failed')),
        result jsonb,
        error jsonb,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT imports_finished_when_ended CHECK ((status IN ('done', 'failed')) = (finished_at IS NOT NULL)),
        CONSTRAINT imports_done_has_result CHECK (status <> 'done' OR result IS NOT NULL),
        CONSTRAINT imports_failed_has_error CHECK (status <> 'failed' OR error IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX imports_programme_created ON imports (programme_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE import_chunks (
        import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
    await q.query(`ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_chunks`);
    await q.query(`DROP TABLE imports`);
  }
}
