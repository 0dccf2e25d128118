import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDomainEvents1763800250000 implements MigrationInterface {
  name = 'CreateDomainEvents1763800250000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE domain_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        programme_id uuid REFERENCES programmes(id) ON DELETE CASCADE,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        dedupe_key text NOT NULL,
        actor_id uuid REFERENCES users(id),
        request_id text,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        dispatched_at timestamptz,
        CONSTRAINT domain_events_dedupe_key UNIQUE (dedupe_key)
      )`);
    await q.query(`CREATE INDEX domain_events_undispatched_idx ON domain_events (occurred_at) WHERE dispatched_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE domain_events`);
  }
}
