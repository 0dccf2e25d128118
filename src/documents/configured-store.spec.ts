import type { EntityManager } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { documentStoreFor, documentStoreFromEnv } from './configured-store';
import { PostgresDocumentStore, StoredFileRow, StoredFileUnreadable } from './document-store';
import { S3DocumentStore } from './s3-document-store';

const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', REDIS_URL: 'redis://localhost:6379' };
const s3 = { S3_BUCKET: 'wtt-documents', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'secret-0123456789', S3_PREFIX: 'a/b' };

describe('documentStoreFor', () => {
  const s3Row: StoredFileRow = { id: 'f1', media_type: 'application/pdf', filename: 'letter.pdf', size_bytes: 3, sha256: 'a'.repeat(64), store: 's3', object_key: `documents/sha256/${'a'.repeat(64)}`, content: null };
  const em = (row: StoredFileRow) => ({ query: jest.fn().mockResolvedValue([row]) }) as unknown as EntityManager;

  it('with no bucket configured in the process, a file kept in S3 is refused naming it (502), not returned empty', async () => {
    // First in the file: no documentStoreFor with a bucket has run yet in this process.
    const store = new PostgresDocumentStore();
    const err = await store.load(em(s3Row), 'f1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoredFileUnreadable);
    expect((err as StoredFileUnreadable).getStatus()).toBe(502);
    expect((err as Error).message).toContain('f1 (letter.pdf)');
  });

  it('is PostgreSQL by default, one store per configuration', () => {
    const config = loadConfig({ ...base });
    expect(documentStoreFor(config)).toBeInstanceOf(PostgresDocumentStore);
    expect(documentStoreFor(config)).toBe(documentStoreFor(config));
  });

  it('is S3 with DOCUMENT_STORE=s3, keys under the prefix', () => {
    const store = documentStoreFor(loadConfig({ ...base, ...s3, DOCUMENT_STORE: 's3' }));
    expect(store).toBeInstanceOf(S3DocumentStore);
    expect((store as S3DocumentStore).keyFor('f'.repeat(64))).toBe(`a/b/sha256/${'f'.repeat(64)}`);
  });

  it('the seed keeps PostgreSQL when nothing is configured, reading no other setting', () => {
    expect(documentStoreFromEnv({})).toBeInstanceOf(PostgresDocumentStore);
  });

  it('back on postgres with the bucket still configured, files kept in S3 are read from it', async () => {
    const store = documentStoreFor(loadConfig({ ...base, ...s3 }));
    expect(store).toBeInstanceOf(PostgresDocumentStore);
    const reader = (store as unknown as { s3: S3DocumentStore }).s3;
    expect(reader).toBeInstanceOf(S3DocumentStore);
    const read = jest.spyOn(reader, 'readObject').mockResolvedValue(Buffer.from('pdf'));
    expect((await store.load(em(s3Row), 'f1'))?.bytes.toString()).toBe('pdf');
    expect(read).toHaveBeenCalledWith(s3Row);
    // Any PostgreSQL store of the process (one made with `new` too) now reads S3 rows from the bucket.
    expect((await new PostgresDocumentStore().load(em(s3Row), 'f1'))?.bytes.toString()).toBe('pdf');
  });
});
