import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consultation evidence pack as the worker builds it (issue 15): one build makes both copies,
 * HR's full copy and the reps' copy without personal data, each an indexed PDF and a ZIP of the
 * originals. Nothing wrote evidence_packs before, so its `variant` column goes: a build row holds
 * the four files. A ready build has all four; a failed one says why; at most one build of a
 * consultation is queued or running at a time (a second request gets the one under way).
 */
export class ExtendEvidencePacks1764610000000 implements MigrationInterface {
  name = 'ExtendEvidencePacks1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE evidence_packs DROP CONSTRAINT evidence_packs_ready`);
    await q.query(`ALTER TABLE evidence_packs DROP COLUMN variant`);
    await q.query(`
      ALTER TABLE evidence_packs
        ADD COLUMN rep_pdf_file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        ADD COLUMN rep_zip_file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        ADD COLUMN started_at timestamptz,
        ADD COLUMN contents jsonb,
        ADD CONSTRAINT evidence_packs_step_length CHECK (char_length(step) <= 200),
        ADD CONSTRAINT evidence_packs_ready CHECK (
          (status = 'ready') = (pdf_file_id IS NOT NULL AND zip_file_id IS NOT NULL AND rep_pdf_file_id IS NOT NULL AND rep_zip_file_id IS NOT NULL AND finished_at IS NOT NULL AND progress = 100)),
        ADD CONSTRAINT evidence_packs_failed CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX evidence_packs_one_under_way ON evidence_packs (consultation_id) WHERE status IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evidence_packs_one_under_way`);
    await q.query(`ALTER TABLE evidence_packs DROP CONSTRAINT evidence_packs_failed, DROP CONSTRAINT evidence_packs_ready, DROP CONSTRAINT evidence_packs_step_length`);
    await q.query(`ALTER TABLE evidence_packs DROP COLUMN contents, DROP COLUMN started_at, DROP COLUMN rep_zip_file_id, DROP COLUMN rep_pdf_file_id`);
    await q.query(`ALTER TABLE evidence_packs ADD COLUMN variant text NOT NULL DEFAULT 'full' CHECK (variant IN ('full', 'rep'))`);
    await q.query(`ALTER TABLE evidence_packs ADD CONSTRAINT evidence_packs_ready CHECK ((status = 'ready') = (pdf_file_id IS NOT NULL AND zip_file_id IS NOT NULL AND finished_at IS NOT NULL))`);
  }
}
