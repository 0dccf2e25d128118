import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ErrorResponse } from '../../common/errors/api-error';
import { EliBuildAccepted, EliBuildResponse, EliOverviewResponse, EliReleaseResponse, RecordEliReleaseDto, RequestEliBuildDto } from './dto/eli.dto';
import { EliService } from './eli.service';

const uuid = () => new ParseUUIDPipe({ version: '4' });

/** The ELI schedule of a programme and its releases to the transferee (issue 15): admins and HR officers only. */
@ApiTags('documents')
@Controller('programmes/:id/eli')
@Roles(Role.Admin, Role.HrOfficer)
@ApiForbiddenResponse({ type: ErrorResponse, description: 'Managers and trade union reps' })
@ApiNotFoundResponse({ type: ErrorResponse })
export class EliController {
  constructor(private readonly eli: EliService) {}

  @Get()
  @ApiOperation({ summary: 'The releases of the programme’s ELI (version, kind, recipient, SHA-256) and its builds' })
  @ApiOkResponse({ type: EliOverviewResponse })
  overview(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<EliOverviewResponse> {
    return this.eli.overview(user, id);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Ask for a new draft (anonymised) or final (named) ELI schedule; the worker makes the XLSX' })
  @ApiAcceptedResponse({ type: EliBuildAccepted })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'A case given is not a secondment or transfer of the programme' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'No case to cover' })
  requestBuild(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: RequestEliBuildDto): Promise<EliBuildAccepted> {
    return this.eli.requestBuild(user, id, dto);
  }

  @Get('builds/:buildId')
  @ApiOperation({ summary: 'One build: queued, ready (with its SHA-256) or failed' })
  @ApiOkResponse({ type: EliBuildResponse })
  async build(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Param('buildId', uuid()) buildId: string): Promise<EliBuildResponse> {
    const b = await this.eli.build(user, id, buildId);
    await this.eli.ensureQueued(b);
    return b;
  }

  @Get('builds/:buildId/download')
  @ApiOperation({ summary: 'The XLSX of a build, to check before releasing it; audited' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: 'The XLSX' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not made yet' })
  async buildFile(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Param('buildId', uuid()) buildId: string): Promise<StreamableFile> {
    const f = await this.eli.buildFile(user, id, buildId);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${f.name}"` });
  }

  @Post('releases')
  @ApiOperation({ summary: 'Record that a ready build was released to the transferee’s named contact (version N; immutable)' })
  @ApiCreatedResponse({ type: EliReleaseResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The build is not ready, or was released already' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'No such build in the programme' })
  release(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: RecordEliReleaseDto): Promise<EliReleaseResponse> {
    return this.eli.release(user, id, dto);
  }

  @Get(':releaseId/download')
  @ApiOperation({ summary: 'The XLSX released; audited' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: 'The XLSX' })
  async download(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Param('releaseId', uuid()) releaseId: string): Promise<StreamableFile> {
    const f = await this.eli.releaseFile(user, id, releaseId);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${f.name}"` });
  }
}
