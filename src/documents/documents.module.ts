import { DocumentStoreModule } from './document-store.module';
import { Module, OnModuleInit } from '@nestjs/common';
import { CaseTransitionChecks } from '../cases/case-transition-checks';
import { CasesModule } from '../cases/cases.module';
import { missingCaseLetter } from './case-letter-guard';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { EliController } from './eli/eli.controller';
import { EliService } from './eli/eli.service';
import { EvidencePacksController } from './evidence/evidence-packs.controller';
import { EvidencePacksService } from './evidence/evidence-packs.service';
import { DocumentRegisterController } from './register.controller';
import { DocumentRegisterService } from './register.service';

/** Letters and their register (issue 15). The PDFs are made by the worker (DocumentsWorkerModule). */
@Module({
  imports: [CasesModule, DocumentStoreModule],
  controllers: [DocumentsController, EliController, EvidencePacksController, DocumentRegisterController],
  providers: [DocumentsService, EliService, EvidencePacksService, DocumentRegisterService],
  exports: [DocumentsService, EliService, EvidencePacksService, DocumentRegisterService],
})
export class DocumentsModule implements OnModuleInit {
  constructor(private readonly caseChecks: CaseTransitionChecks) {}

  /** "Letters issued" means the case's letter (secondment agreement, transfer letter) was issued. */
  onModuleInit(): void {
    this.caseChecks.register('documents:letter-issued', async (em, move) => {
      if (move.toState !== 'letters_issued') return null;
      const missing = await missingCaseLetter(em, move.caseId, move.route);
      if (!missing) return null;
      return {
        message: `The case cannot move to letters issued before its ${missing.replace(/_/g, ' ')} is issued`,
        details: [{ field: `documents.${missing}`, reason: "must be issued first (generate it, then issue it, on the case's documents)" }],
      };
    });
  }
}
