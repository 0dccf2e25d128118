import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stored file's bytes are either in the row (store 'postgres', bytea, as before) or in an
 * S3-compatible bucket (store 's3'), under a content-addressed key `<prefix>/sha256/<hash>` that
 * ends in the row's own SHA-256; then content is NULL. Existing rows are 'postgres' (a column
 * default adds no UPDATE, so the immutability trigger, which stays, is not touched).
 */
export class KeepStoredFilesInObjectStore1764670000000 implements MigrationInterface {
  name = 'KeepStoredFilesInObjectStore1764670000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE stored_files
        ADD COLUMN store text NOT NULL DEFAULT 'postgres' CONSTRAINT stored_files_store CHECK (store IN ('postgres', 's3')),
        ADD COLUMN object_key text CONSTRAINT stored_files_object_key CHECK (char_length(object_key) BETWEEN 71 AND 1024),
        ALTER COLUMN content DROP NOT NULL,
        DROP CONSTRAINT stored_files_size`);
    await q.query(`
      ALTER TABLE stored_files ADD CONSTRAINT stored_files_bytes CHECK (
        (store = 'postgres' AND content IS NOT NULL AND object_key IS NULL AND octet_length(content) = size_bytes)
        OR (store = 's3' AND content IS NULL AND object_key IS NOT NULL AND right(object_key, 71) = 'sha256/' || sha256)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Refuses (NOT NULL, CHECK) while files are kept in S3: their bytes are not in the database.
    await q.query(`ALTER TABLE stored_files DROP CONSTRAINT stored_files_bytes`);
    await q.query(`
      ALTER TABLE stored_files
        ALTER COLUMN content SET NOT NULL,
        ADD CONSTRAINT stored_files_size CHECK (octet_length(content) = size_bytes),
        DROP COLUMN object_key,
        DROP COLUMN store`);
  }
}
