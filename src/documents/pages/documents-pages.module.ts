import { Module } from '@nestjs/common';
import { CasesModule } from '../../cases/cases.module';
import { DocumentsModule } from '../documents.module';
import { CaseDocumentsPage } from './case-documents.page';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { EliPage } from './eli.page';
import { EvidencePackPage } from './evidence-pack.page';
import { TemplatesPage } from './templates.page';
import { RegisterPage } from './register.page';

/** The pages of documents (issue 15): a case's letters, issuing them, the ELI schedule, a consultation's evidence pack. */
@Module({
  imports: [DocumentsModule, CasesModule, EstablishmentModule],
  controllers: [CaseDocumentsPage, EliPage, EvidencePackPage, TemplatesPage, RegisterPage],
})
export class DocumentsPagesModule {}
