import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { BulkService } from './bulk.service';
import { CasesService } from './cases.service';
import { BulkCommitDto, BulkCommitResponse, BulkPreviewDto, BulkPreviewResponse, GoLiveCommitDto, GoLiveMoveDto, GoLiveMoveResponse } from './dto/bulk.dto';
import { CasePage, CaseResponse, CreateCaseDto, ListCasesQuery } from './dto/case.dto';
import { PipelineQuery, PipelineResponse } from './dto/pipeline.dto';
import { PipelineService } from './pipeline.service';
import { GradeMappingsService } from './grade-mappings.service';
import { GradeMappingResponse, SetGradeMappingsDto } from './dto/grade-mapping.dto';

const uuid = () => new ParseUUIDPipe({ version: '4' });

/** A programme's cases: list, open, bulk actions, pipeline. */
@ApiTags('cases')
@Controller('programmes/:id')
export class ProgrammeCasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly bulk: BulkService,
    private readonly pipelines: PipelineService,
    private readonly gradeMappings: GradeMappingsService,
  ) {}

  @Get('grade-mappings')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: "The programme's grade mapping (old grade -> grade on the destination's scale), shown on its cases" })
  @ApiOkResponse({ type: [GradeMappingResponse] })
  async listGradeMappings(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<GradeMappingResponse[]> {
    return this.gradeMappings.list(user, id);
  }

  @Put('grade-mappings')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Set the grade mapping (replaces it): from a source organisation grade to a destination grade (e.g. council G7 -> AfC Band 7)' })
  @ApiOkResponse({ type: [GradeMappingResponse] })
  async setGradeMappings(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: SetGradeMappingsDto): Promise<GradeMappingResponse[]> {
    return this.gradeMappings.set(user, id, dto);
  }

  @Get('cases')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: "The programme's cases (a manager: those of their thematic areas), by post reference" })
  @ApiOkResponse({ type: CasePage })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async list(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Query() q: ListCasesQuery): Promise<CasePage> {
    return this.cases.list(user, id, q);
  }

  @Post('cases')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Open the case of a person holding a post of the programme (one per person per programme)' })
  @ApiCreatedResponse({ type: CaseResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The person already has a case in this programme' })
  async create(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: CreateCaseDto): Promise<CaseResponse> {
    return this.cases.create(user, id, dto);
  }

  @Post('cases/bulk/preview')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Preview a bulk action: exactly what each matched case would change, and which cases block it' })
  @ApiOkResponse({ type: BulkPreviewResponse })
  async preview(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: BulkPreviewDto): Promise<BulkPreviewResponse> {
    return this.bulk.preview(user, id, dto);
  }

  @Post('cases/bulk/commit')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Commit a previewed bulk action, all or nothing (409 if anything moved since the preview)' })
  @ApiOkResponse({ type: BulkCommitResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async commit(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: BulkCommitDto): Promise<BulkCommitResponse> {
    return this.bulk.commit(user, id, dto);
  }

  @Post('go-live/preview')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: "Preview moving the programme's go-live date: the cases planned for it, what each would change, and their deadlines" })
  @ApiOkResponse({ type: GoLiveMoveResponse })
  async previewGoLive(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: GoLiveMoveDto): Promise<GoLiveMoveResponse> {
    return this.bulk.moveGoLive(user, id, dto);
  }

  @Post('go-live/commit')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Commit a previewed go-live move: the programme and its cases, all or nothing (409 if anything moved since the preview)' })
  @ApiOkResponse({ type: GoLiveMoveResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async commitGoLive(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: GoLiveCommitDto): Promise<GoLiveMoveResponse> {
    return this.bulk.moveGoLive(user, id, { goLiveDate: dto.goLiveDate }, dto.previewToken);
  }

  @Get('pipeline')
  @Roles(...ALL_ROLES)
  @ApiOperation({
    summary: 'Cases and FTE by route x state, upcoming effective dates, overdue deadlines (JSON, or CSV with ?format=csv)',
    description: 'Trade union reps get counts only, any count under 5 shown as "<5". Managers see their thematic areas.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: PipelineResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async pipeline(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid()) id: string,
    @Query() q: PipelineQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PipelineResponse | string> {
    const p = await this.pipelines.pipeline(user, id, q.asOf);
    if (q.format !== 'csv') return p;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="pipeline-${id}-${p.asOf}.csv"`);
    return this.pipelines.toCsv(p);
  }
}
