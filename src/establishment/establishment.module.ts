import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Grade } from './entities/grade.entity';
import { Organisation } from './entities/organisation.entity';
import { PostScopeHistory } from './entities/post-scope-history.entity';
import { Post } from './entities/post.entity';
import { Programme } from './entities/programme.entity';
import { ScopeProposal } from './entities/scope-proposal.entity';
import { ThematicArea } from './entities/thematic-area.entity';
import { GradesController } from './grades.controller';
import { ImportsController } from './imports/imports.controller';
import { ImportsService } from './imports/imports.service';
import { GradesService } from './grades.service';
import { MatrixService } from './matrix.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';
import { PostsExportService } from './posts-export.service';
import { PostsImportService } from './posts-import.service';
import { PostsController } from './posts.controller';
import { PostsService } from './posts.service';
import { ProgrammesController } from './programmes.controller';
import { ProgrammesService } from './programmes.service';
import { ReportSlots } from './report-slots';
import { ScopeProposalsController } from './scope-proposals.controller';
import { ScopeProposalsService } from './scope-proposals.service';
import { ThematicAreasController } from './thematic-areas.controller';
import { ThematicAreasService } from './thematic-areas.service';

/**
 * The establishment: organisations, programmes, grades, thematic areas, posts, scope decisions
 * and proposals, the matrix report, and posts in and out as spreadsheets.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Organisation, Programme, Grade, ThematicArea, Post, PostScopeHistory, ScopeProposal])],
  controllers: [OrganisationsController, ProgrammesController, GradesController, ThematicAreasController, PostsController, ScopeProposalsController, ImportsController],
  providers: [OrganisationsService, ProgrammesService, GradesService, ThematicAreasService, PostsService, ScopeProposalsService, MatrixService, PostsImportService, PostsExportService, ReportSlots, ImportsService],
  exports: [ProgrammesService, PostsService, MatrixService, ScopeProposalsService, OrganisationsService, ThematicAreasService, GradesService, PostsImportService, PostsExportService, ImportsService],
})
export class EstablishmentModule {}
