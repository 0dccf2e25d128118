import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Letters, the ELI schedule and the consultation evidence pack (issue 15).
 *
 * - stored_files: every file the product makes or is given (templates, DOCX, PDF, XLSX, ZIP), with
 *   its SHA-256; bytes in PostgreSQL (bytea). A stored file never changes (UPDATE refused); it can
 *   be deleted only while nothing refers to it (the foreign keys restrict).
 * - document_templates: versions of each kind's DOCX template; a version never changes.
 * - documents: a letter generated from one template version and the data (JSON) it was made
 *   from. A draft (preview) may get its PDF and be discarded; once issued it is immutable (the
 *   trigger refuses UPDATE and DELETE) and a case or consultation has one issued document of a
 *   kind at most (partial unique indexes), so issuing twice gives one document.
 * - eli_releases (+ eli_release_cases): each release of the ELI schedule to the transferee, draft
 *   (anonymised) or final (named), its version, file and recipient. Append-only.
 * - evidence_packs: a consultation's evidence pack as built by the worker, with its progress.
 */
export class CreateDocuments1764300000000 implements MigrationInterface {
  name = 'CreateDocuments1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION documents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows cannot be changed (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001', CONSTRAINT = TG_TABLE_NAME || '_immutable';
      END $$`);

    await q.query(`
      CREATE TABLE stored_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        media_type text NOT NULL CHECK (char_length(media_type) BETWEEN 3 AND 200),
        filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 200),
        size_bytes integer NOT NULL CHECK (size_bytes >= 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stored_files_size CHECK (octet_length(content) = size_bytes)
      )`);
    await q.query(`CREATE TRIGGER stored_files_immutable BEFORE UPDATE ON stored_files FOR EACH ROW EXECUTE FUNCTION documents_refuse_change()`);

    await q.query(`
      CREATE TABLE document_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('reg13_information', 'measures_letter', 'secondment_agreement', 'transfer_letter', 'eli_cover_letter')),
        version integer NOT NULL CHECK (version >= 1),
        file_id uuid NOT NULL REFERENCES stored_files(id) ON DELETE RESTRICT,
        fields text[] NOT NULL,
        note text CHECK (char_length(note) <= 500),
        uploaded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        uploaded_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT document_templates_kind_version_key UNIQUE (kind, version)
      )`);
    await q.query(`CREATE TRIGGER document_templates_immutable BEFORE UPDATE OR DELETE ON document_templates FOR EACH ROW EXECUTE FUNCTION documents_refuse_change()`);

    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE RESTRICT,
        case_id uuid REFERENCES transition_cases(id) ON DELETE RESTRICT,
        consultation_id uuid REFERENCES consultations(id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN ('reg13_information', 'measures_letter', 'secondment_agreement', 'transfer_letter', 'eli_cover_letter')),
        template_id uuid NOT NULL REFERENCES document_templates(id) ON DELETE RESTRICT,
        template_version integer NOT NULL,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
        data jsonb NOT NULL,
        docx_file_id uuid NOT NULL REFERENCES stored_files(id) ON DELETE RESTRICT,
        pdf_file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        pdf_status text NOT NULL DEFAULT 'pending' CHECK (pdf_status IN ('pending', 'ready', 'failed')),
        pdf_error text CHECK (char_length(pdf_error) <= 2000),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        issued_at timestamptz,
        issued_by uuid REFERENCES users(id) ON DELETE SET NULL,
        issued_by_label text,
        delivery text CHECK (delivery IN ('email', 'handed_over')),
        recipients jsonb,
        CONSTRAINT documents_subject CHECK (
          (kind IN ('secondment_agreement', 'transfer_letter') AND case_id IS NOT NULL)
          OR (kind IN ('reg13_information', 'measures_letter') AND consultation_id IS NOT NULL AND case_id IS NULL)
          OR (kind = 'eli_cover_letter' AND case_id IS NULL)),
        CONSTRAINT documents_pdf_ready CHECK ((pdf_status = 'ready') = (pdf_file_id IS NOT NULL)),
        CONSTRAINT documents_issued CHECK (
          (issued_at IS NULL AND issued_by_label IS NULL AND delivery IS NULL AND recipients IS NULL)
          OR (issued_at IS NOT NULL AND issued_by_label IS NOT NULL AND delivery IS NOT NULL AND recipients IS NOT NULL AND pdf_status = 'ready')),
        CONSTRAINT documents_template_version_fk FOREIGN KEY (kind, template_version) REFERENCES document_templates(kind, version)
      )`);
    await q.query(`CREATE UNIQUE INDEX documents_issued_once_per_case ON documents (case_id, kind) WHERE issued_at IS NOT NULL AND case_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX documents_issued_once_per_consultation ON documents (consultation_id, kind) WHERE issued_at IS NOT NULL AND case_id IS NULL AND kind <> 'eli_cover_letter'`);
    await q.query(`CREATE INDEX documents_programme_idx ON documents (programme_id, issued_at)`);
    await q.query(`CREATE INDEX documents_case_idx ON documents (case_id) WHERE case_id IS NOT NULL`);
    await q.query(`CREATE INDEX documents_consultation_idx ON documents (consultation_id) WHERE consultation_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION documents_issued_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.issued_at IS NOT NULL THEN
          RAISE EXCEPTION 'an issued document cannot be changed (%)', TG_OP USING ERRCODE = 'P0001', CONSTRAINT = 'documents_issued_immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER documents_issued_immutable BEFORE UPDATE OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION documents_issued_immutable()`);

    await q.query(`
      CREATE TABLE eli_releases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_id uuid NOT NULL REFERENCES programmes(id) ON DELETE RESTRICT,
        version integer NOT NULL CHECK (version >= 1),
        kind text NOT NULL CHECK (kind IN ('draft', 'final')),
        file_id uuid NOT NULL REFERENCES stored_files(id) ON DELETE RESTRICT,
        cover_document_id uuid REFERENCES documents(id) ON DELETE RESTRICT,
        recipient_organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
        recipient_name text NOT NULL CHECK (char_length(recipient_name) BETWEEN 1 AND 200),
        recipient_email text CHECK (char_length(recipient_email) <= 320),
        released_on date NOT NULL,
        released_by uuid REFERENCES users(id) ON DELETE SET NULL,
        released_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT eli_releases_programme_version_key UNIQUE (programme_id, version)
      )`);
    await q.query(`CREATE TRIGGER eli_releases_immutable BEFORE UPDATE OR DELETE ON eli_releases FOR EACH ROW EXECUTE FUNCTION documents_refuse_change()`);
    await q.query(`
      CREATE TABLE eli_release_cases (
        release_id uuid NOT NULL REFERENCES eli_releases(id) ON DELETE RESTRICT,
        case_id uuid NOT NULL REFERENCES transition_cases(id) ON DELETE RESTRICT,
        staff_reference text NOT NULL,
        PRIMARY KEY (release_id, case_id)
      )`);
    await q.query(`CREATE INDEX eli_release_cases_case_idx ON eli_release_cases (case_id)`);
    await q.query(`CREATE TRIGGER eli_release_cases_immutable BEFORE UPDATE OR DELETE ON eli_release_cases FOR EACH ROW EXECUTE FUNCTION documents_refuse_change()`);

    await q.query(`
      CREATE TABLE evidence_packs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consultation_id uuid NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
        variant text NOT NULL CHECK (variant IN ('full', 'rep')),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'ready', 'failed')),
        progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        step text,
        pdf_file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        zip_file_id uuid REFERENCES stored_files(id) ON DELETE RESTRICT,
        error text CHECK (char_length(error) <= 2000),
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        requested_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT evidence_packs_ready CHECK ((status = 'ready') = (pdf_file_id IS NOT NULL AND zip_file_id IS NOT NULL AND finished_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX evidence_packs_consultation_idx ON evidence_packs (consultation_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_packs`);
    await q.query(`DROP TABLE eli_release_cases`);
    await q.query(`DROP TABLE eli_releases`);
    await q.query(`DROP TABLE documents`);
    await q.query(`DROP FUNCTION documents_issued_immutable()`);
    await q.query(`DROP TABLE document_templates`);
    await q.query(`DROP TABLE stored_files`);
    await q.query(`DROP FUNCTION documents_refuse_change()`);
  }
}
