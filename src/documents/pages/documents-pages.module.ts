import { Module } from '@nestjs/common';
import { CasesModule } from '../../cases/cases.module';
import { DocumentsModule } from '../documents.module';
import { CaseDocumentsPage } from './case-documents.page';
import { TemplatesPage } from './templates.page';
import { RegisterPage } from './register.page';

/** The pages of letters (issue 15): a case's letters, a document, issuing it. */
@Module({
  imports: [DocumentsModule, CasesModule],
  controllers: [CaseDocumentsPage, TemplatesPage, RegisterPage],
})
export class DocumentsPagesModule {}
