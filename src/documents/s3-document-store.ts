import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ServiceUnavailableError } from '../common/errors/service-unavailable';
import type { AppConfig } from '../config/app-config';
import {
  DocumentStore,
  fileOf,
  readStoredFileRow,
  sha256,
  StoredFile,
  StoredFileInput,
  StoredFileRow,
  StoredFileUnreadable,
  StoredObjectReader,
} from './document-store';

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function s3OptionsFrom(config: AppConfig): S3StoreOptions | undefined {
  if (!config.S3_BUCKET) return undefined;
  return {
    bucket: config.S3_BUCKET,
    prefix: config.S3_PREFIX,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } : undefined,
  };
}

const log = new Logger('S3DocumentStore');

/** Seconds a client is told to wait when the bucket cannot be reached. */
const S3_RETRY_AFTER_SECONDS = 10;

/**
 * Document bytes in an S3-compatible bucket, content-addressed: `<prefix>/sha256/<hash>`.
 *
 * save uploads the object first, then inserts the stored_files row (store 's3', the key, no
 * content) in the caller's transaction. A transaction that rolls back after the upload leaves at
 * most an object no row names, which the same content later reuses (same key, same bytes); never
 * a row without its bytes. Objects are never deleted by the product.
 *
 * load reads by the row: bytea rows (written before DOCUMENT_STORE=s3) from the row, S3 rows from
 * the bucket, whose bytes must match the row's SHA-256 and size or the file is refused.
 */
export class S3DocumentStore implements DocumentStore, StoredObjectReader {
  readonly client: S3Client;

  constructor(readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's default
      // aws-chunked CRC trailers. Integrity is Content-MD5 on upload and SHA-256 on every read.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  keyFor(hash: string): string {
    return `${this.options.prefix}/sha256/${hash}`;
  }

  async save(em: EntityManager, file: StoredFileInput): Promise<StoredFile> {
    const hash = sha256(file.bytes);
    const key = this.keyFor(hash);
    await this.call('store', file.filename, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: file.bytes,
          ContentLength: file.bytes.length,
          ContentMD5: createHash('md5').update(file.bytes).digest('base64'),
          ContentType: 'application/octet-stream',
          Metadata: { sha256: hash },
        }),
      ),
    );
    const [row]: { id: string }[] = await em.query(
      `INSERT INTO stored_files (media_type, filename, size_bytes, sha256, store, object_key, content) VALUES ($1, $2, $3, $4, 's3', $5, NULL) RETURNING id`,
      [file.mediaType, file.filename, file.bytes.length, hash, key],
    );
    return { ...file, id: row.id, sha256: hash };
  }

  async load(em: EntityManager, id: string): Promise<StoredFile | null> {
    const row = await readStoredFileRow(em, id);
    if (!row) return null;
    return fileOf(row, row.store === 'postgres' ? row.content! : await this.readObject(row));
  }

  async readObject(row: StoredFileRow): Promise<Buffer> {
    let bytes: Buffer;
    try {
      const res = await this.call('read', row.filename, () => this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: row.object_key! })));
      bytes = Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404)) {
        throw new StoredFileUnreadable(row, `is missing from the S3 bucket (${row.object_key})`);
      }
      throw err;
    }
    if (bytes.length !== Number(row.size_bytes) || sha256(bytes) !== row.sha256) {
      throw new StoredFileUnreadable(row, `does not match its SHA-256 in the S3 bucket (${row.object_key})`);
    }
    return bytes;
  }

  /** An unreachable or failing bucket is a 503 (retry later, the reason in the log); a missing object on a read is left to the caller. */
  private async call<T>(what: 'store' | 'read', filename: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (what === 'read' && err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404)) throw err;
      log.error(`S3 ${what} of ${filename} in bucket ${this.options.bucket} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      throw new ServiceUnavailableError(`The document store could not ${what} ${filename}`, S3_RETRY_AFTER_SECONDS, 'documentStore', 'is unreachable or refused the request: retry later');
    }
  }
}
