import { Global, Module } from '@nestjs/common';
import { DOCUMENT_STORE } from '../documents/document-store';
import { documentStoreProvider } from '../documents/configured-store';
import { AppConfig, loadConfig } from './app-config';

@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => loadConfig() }, documentStoreProvider],
  exports: [AppConfig, DOCUMENT_STORE],
})
export class ConfigModule {}
