import { Module } from '@nestjs/common';
import { documentStoreProvider } from './configured-store';
import { DOCUMENT_STORE } from './document-store';

/** The configured document store (DOCUMENT_STORE: PostgreSQL or S3), for the API's and the worker's documents modules. */
@Module({
  providers: [documentStoreProvider],
  exports: [DOCUMENT_STORE],
})
export class DocumentStoreModule {}
