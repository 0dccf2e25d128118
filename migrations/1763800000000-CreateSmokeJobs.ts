import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSmokeJobs1763800000000 implements MigrationInterface {
  name = 'CreateSmokeJobs1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE smoke_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status text NOT NULL CHECK (status IN ('queued', 'processed')),
        message text CHECK (char_length(message) <= 200),
        processed_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CHECK ((status = 'processed') = (processed_at IS NOT NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE smoke_jobs`);
  }
}
