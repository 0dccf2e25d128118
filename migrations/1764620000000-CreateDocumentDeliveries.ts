import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: the email of an issued document, one row per recipient (the employee; for the reg. 13
 * information each of the forum's union members), written in the issuing transaction and sent by
 * the worker (job document.email, jobId = `doc-email-<id>`). "Sent" carries when and the SMTP
 * Message-ID; a delivery is recorded once, whatever the retries.
 */
export class CreateDocumentDeliveries1764620000000 implements MigrationInterface {
  name = 'CreateDocumentDeliveries1764620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        recipient_name text NOT NULL CHECK (char_length(recipient_name) BETWEEN 1 AND 200),
        recipient_role text NOT NULL CHECK (char_length(recipient_role) BETWEEN 1 AND 200),
        address text NOT NULL CHECK (char_length(address) BETWEEN 3 AND 320),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        message_id text CHECK (char_length(message_id) <= 998),
        sent_at timestamptz,
        last_error text CHECK (char_length(last_error) <= 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT document_deliveries_once UNIQUE (document_id, address),
        CONSTRAINT document_deliveries_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL AND message_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX document_deliveries_unsent ON document_deliveries (created_at) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_deliveries`);
  }
}
