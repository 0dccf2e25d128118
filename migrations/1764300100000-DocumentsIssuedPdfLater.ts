import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, continued.
 *
 * - A letter recorded as issued before its PDF was made (the demo's historic letters, handed over
 *   on paper in February 2017) gets its PDF from the worker afterwards: on an issued document the
 *   only change allowed is that one, from no PDF to its PDF (pdf_file_id, pdf_status, pdf_error);
 *   everything else stays refused. Issuing through the API still needs the PDF ready first.
 * - Reloading the demo (`make seed`, one transaction that sets `wtt.demo_reload`) may delete the
 *   demo programme's issued documents and ELI releases; nothing else may.
 */
export class DocumentsIssuedPdfLater1764300100000 implements MigrationInterface {
  name = 'DocumentsIssuedPdfLater1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_issued`);
    await q.query(`
      ALTER TABLE documents ADD CONSTRAINT documents_issued CHECK (
        (issued_at IS NULL AND issued_by_label IS NULL AND delivery IS NULL AND recipients IS NULL)
        OR (issued_at IS NOT NULL AND issued_by_label IS NOT NULL AND delivery IS NOT NULL AND recipients IS NOT NULL AND pdf_status IN ('ready', 'pending')))`);
    await q.query(`
      CREATE OR REPLACE FUNCTION documents_issued_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.issued_at IS NOT NULL THEN
          IF TG_OP = 'DELETE' AND current_setting('wtt.demo_reload', true) = 'on' THEN RETURN OLD; END IF;
          IF TG_OP = 'UPDATE' AND OLD.pdf_file_id IS NULL AND NEW.pdf_file_id IS NOT NULL AND NEW.pdf_status = 'ready'
             AND (to_jsonb(NEW) - ARRAY['pdf_file_id', 'pdf_status', 'pdf_error']) = (to_jsonb(OLD) - ARRAY['pdf_file_id', 'pdf_status', 'pdf_error']) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'an issued document cannot be changed (%)', TG_OP USING ERRCODE = 'P0001', CONSTRAINT = 'documents_issued_immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION documents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('eli_releases', 'eli_release_cases') AND current_setting('wtt.demo_reload', true) = 'on' THEN RETURN OLD; END IF;
        RAISE EXCEPTION '% rows cannot be changed (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001', CONSTRAINT = TG_TABLE_NAME || '_immutable';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION documents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows cannot be changed (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001', CONSTRAINT = TG_TABLE_NAME || '_immutable';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION documents_issued_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.issued_at IS NOT NULL THEN
          RAISE EXCEPTION 'an issued document cannot be changed (%)', TG_OP USING ERRCODE = 'P0001', CONSTRAINT = 'documents_issued_immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_issued`);
    await q.query(`
      ALTER TABLE documents ADD CONSTRAINT documents_issued CHECK (
        (issued_at IS NULL AND issued_by_label IS NULL AND delivery IS NULL AND recipients IS NULL)
        OR (issued_at IS NOT NULL AND issued_by_label IS NOT NULL AND delivery IS NOT NULL AND recipients IS NOT NULL AND pdf_status = 'ready'))`);
  }
}
