import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export interface StoredFileInput {
  bytes: Buffer;
  mediaType: string;
  filename: string;
}

export interface StoredFile extends StoredFileInput {
  id: string;
  sha256: string;
}

export const MEDIA = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
} as const;

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Where document bytes live. Every file is written once (the table refuses UPDATE) inside the
 * transaction of the change it belongs to, so a failed operation leaves no file behind.
 * The default and only store so far keeps the bytes in PostgreSQL (bytea), so `make up` needs
 * nothing more; an S3-compatible store would implement the same two calls (docs/documents.md).
 */
export interface DocumentStore {
  save(em: EntityManager, file: StoredFileInput): Promise<StoredFile>;
  load(em: EntityManager, id: string): Promise<StoredFile | null>;
}

export class PostgresDocumentStore implements DocumentStore {
  async save(em: EntityManager, file: StoredFileInput): Promise<StoredFile> {
    const hash = sha256(file.bytes);
    const [row]: { id: string }[] = await em.query(
      `INSERT INTO stored_files (media_type, filename, size_bytes, sha256, content) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [file.mediaType, file.filename, file.bytes.length, hash, file.bytes],
    );
    return { ...file, id: row.id, sha256: hash };
  }

  async load(em: EntityManager, id: string): Promise<StoredFile | null> {
    const [row]: { id: string; media_type: string; filename: string; sha256: string; content: Buffer }[] = await em.query(
      `SELECT id, media_type, filename, sha256, content FROM stored_files WHERE id = $1`,
      [id],
    );
    return row ? { id: row.id, mediaType: row.media_type, filename: row.filename, sha256: row.sha256, bytes: row.content } : null;
  }
}

export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');
