import { CaseTransitionChecks } from './case-transition-checks';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BulkService } from './bulk.service';
import { CaseSearchService } from './case-search.service';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';
import { CaseChecklistItem } from './entities/case-checklist-item.entity';
import { CaseTransition } from './entities/case-transition.entity';
import { TransitionCase } from './entities/transition-case.entity';
import { GradeMappingsService } from './grade-mappings.service';
import { PipelineService } from './pipeline.service';
import { ProgrammeCasesController } from './programme-cases.controller';

@Module({
  imports: [TypeOrmModule.forFeature([TransitionCase, CaseTransition, CaseChecklistItem])],
  controllers: [CasesController, ProgrammeCasesController],
  providers: [CasesService, BulkService, PipelineService, GradeMappingsService, CaseSearchService, CaseTransitionChecks],
  exports: [CasesService, BulkService, PipelineService, CaseSearchService, CaseTransitionChecks],
})
export class CasesModule {}
