import type { Provider } from '@nestjs/common';
import { AppConfig, loadConfig } from '../config/app-config';
import { DOCUMENT_STORE, DocumentStore, PostgresDocumentStore, useS3ReaderForProcess } from './document-store';
import { S3DocumentStore, s3OptionsFrom } from './s3-document-store';

const stores = new WeakMap<AppConfig, DocumentStore>();

/**
 * The document store DOCUMENT_STORE names, one per configuration (one S3 client per process).
 * New files go where the setting says; every file is read from where its row says, so with
 * DOCUMENT_STORE=postgres and an S3 bucket still configured, files written to S3 earlier stay
 * readable too.
 */
export function documentStoreFor(config: AppConfig): DocumentStore {
  let store = stores.get(config);
  if (!store) {
    const options = s3OptionsFrom(config);
    // loadConfig refuses DOCUMENT_STORE=s3 without S3_BUCKET.
    const s3 = options ? new S3DocumentStore(options) : undefined;
    if (s3) useS3ReaderForProcess(s3);
    store = config.DOCUMENT_STORE === 's3' ? s3! : new PostgresDocumentStore(s3);
    stores.set(config, store);
  }
  return store;
}

/** The DOCUMENT_STORE provider (DocumentStoreModule): `@Inject(DOCUMENT_STORE) store: DocumentStore`. */
export const documentStoreProvider: Provider = { provide: DOCUMENT_STORE, useFactory: documentStoreFor, inject: [AppConfig] };

/**
 * For processes without the Nest container (the seed): the store the environment configures.
 * Without DOCUMENT_STORE or S3_BUCKET set this is PostgreSQL and reads no other setting.
 */
export function documentStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DocumentStore {
  if (!env.DOCUMENT_STORE && !env.S3_BUCKET) return new PostgresDocumentStore();
  return documentStoreFor(loadConfig(env));
}
