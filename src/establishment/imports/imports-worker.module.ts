import { Module } from '@nestjs/common';
import { PostsImportService } from '../posts-import.service';
import { ImportRunner } from './import-runner.service';

/** What the worker needs to run posts imports (issue 20). */
@Module({
  providers: [PostsImportService, ImportRunner],
  exports: [ImportRunner],
})
export class ImportsWorkerModule {}
