import { HttpStatus } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ApiException } from '../common/errors/api-error';

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
 * transaction of the change it belongs to, so a failed operation leaves no file row behind.
 * PostgresDocumentStore keeps the bytes in the row (bytea), so `make up` needs nothing more;
 * S3DocumentStore (s3-document-store.ts) keeps them in an S3-compatible bucket. Each row says which
 * (`store`), and reading goes by the row, so files stay readable when DOCUMENT_STORE changes.
 * Get the configured one with documentStoreFor (configured-store.ts) or the DOCUMENT_STORE provider.
 */
export interface DocumentStore {
  save(em: EntityManager, file: StoredFileInput): Promise<StoredFile>;
  load(em: EntityManager, id: string): Promise<StoredFile | null>;
}

/** A stored_files row as the stores read it. */
export interface StoredFileRow {
  id: string;
  media_type: string;
  filename: string;
  size_bytes: number;
  sha256: string;
  store: 'postgres' | 's3';
  object_key: string | null;
  content: Buffer | null;
}

export async function readStoredFileRow(em: EntityManager, id: string): Promise<StoredFileRow | null> {
  const [row]: StoredFileRow[] = await em.query(
    `SELECT id, media_type, filename, size_bytes, sha256, store, object_key, content FROM stored_files WHERE id = $1`,
    [id],
  );
  return row ?? null;
}

/** Reads the bytes of rows kept in S3 (S3DocumentStore), for a store that writes elsewhere. */
export interface StoredObjectReader {
  readObject(row: StoredFileRow): Promise<Buffer>;
}

/**
 * The stored bytes are not those the row describes, or cannot be read where the row says they are:
 * a fault of the deployment, never served. Names the file; 502 (the bytes came from the store, not
 * from us), in the one error shape.
 */
export class StoredFileUnreadable extends ApiException {
  constructor(row: Pick<StoredFileRow, 'id' | 'filename'>, reason: string) {
    super(HttpStatus.BAD_GATEWAY, `Stored file ${row.id} (${row.filename}) ${reason}: it is not served`, [{ field: 'file', reason }]);
  }
}

/**
 * The process's S3 reader, set by documentStoreFor when a bucket is configured, so that any
 * PostgresDocumentStore (one made with `new` included) reads a row kept in S3 from the bucket.
 */
let processS3Reader: StoredObjectReader | undefined;
export function useS3ReaderForProcess(reader: StoredObjectReader): void {
  processS3Reader = reader;
}

export class PostgresDocumentStore implements DocumentStore {
  /** `s3`: reads the rows kept in S3 (written while DOCUMENT_STORE=s3); default: the process's (configured-store.ts). */
  constructor(private readonly s3?: StoredObjectReader) {}

  async save(em: EntityManager, file: StoredFileInput): Promise<StoredFile> {
    const hash = sha256(file.bytes);
    const [row]: { id: string }[] = await em.query(
      `INSERT INTO stored_files (media_type, filename, size_bytes, sha256, store, content) VALUES ($1, $2, $3, $4, 'postgres', $5) RETURNING id`,
      [file.mediaType, file.filename, file.bytes.length, hash, file.bytes],
    );
    return { ...file, id: row.id, sha256: hash };
  }

  async load(em: EntityManager, id: string): Promise<StoredFile | null> {
    const row = await readStoredFileRow(em, id);
    if (!row) return null;
    if (row.store === 'postgres') return fileOf(row, row.content!);
    const s3 = this.s3 ?? processS3Reader;
    if (!s3) throw new StoredFileUnreadable(row, 'is kept in S3 but no S3 bucket is configured (S3_BUCKET)');
    return fileOf(row, await s3.readObject(row));
  }
}

export function fileOf(row: StoredFileRow, bytes: Buffer): StoredFile {
  return { id: row.id, mediaType: row.media_type, filename: row.filename, sha256: row.sha256, bytes };
}

export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');
