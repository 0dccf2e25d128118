import { Module } from '@nestjs/common';
import { CasesModule } from '../../cases/cases.module';
import { DocumentsModule } from '../documents.module';
import { CaseDocumentsPage } from './case-documents.page';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { EliPage } from './eli.page';

/** The pages of letters (issue 15): a case's letters, a document, issuing it. */
@Module({
  imports: [DocumentsModule, CasesModule, EstablishmentModule],
  controllers: [CaseDocumentsPage, EliPage],
})
export class DocumentsPagesModule {}
