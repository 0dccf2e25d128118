import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ErrorResponse } from '../../common/errors/api-error';
import { EvidenceFileQuery, EvidencePackResponse, EvidencePackStatusResponse } from './evidence-pack.dto';
import { EvidencePacksService } from './evidence-packs.service';

const uuid = () => new ParseUUIDPipe({ version: '4' });

/** A consultation's evidence pack (issue 15): built by the worker; HR and admins build it; reps download their copy. */
@ApiTags('documents')
@Controller('consultations/:id/evidence-packs')
export class EvidencePacksController {
  constructor(private readonly packs: EvidencePacksService) {}

  @Post()
  @HttpCode(202)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Ask the worker to build the evidence pack (both copies); while a build is under way, that build is returned' })
  @ApiAcceptedResponse({ type: EvidencePackResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  start(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<EvidencePackResponse> {
    return this.packs.start(user, id);
  }

  @Get('latest')
  @Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
  @ApiOperation({ summary: 'The newest build (status, stage, percent, failure) and the newest ready one, with the files the caller may download' })
  @ApiOkResponse({ type: EvidencePackStatusResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  latest(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<EvidencePackStatusResponse> {
    return this.packs.status(user, id);
  }

  @Get(':packId/pdf')
  @Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
  @ApiOperation({ summary: 'The indexed, tagged PDF of a copy (?copy=full|rep); audited' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF', schema: { type: 'string', format: 'binary' } })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'A tu_rep asked for the full copy' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The build is not ready' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async pdf(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Param('packId', uuid()) packId: string, @Query() q: EvidenceFileQuery): Promise<StreamableFile> {
    const f = await this.packs.file(user, id, packId, 'pdf', q.copy);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${f.filename}"` });
  }

  @Get(':packId/zip')
  @Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
  @ApiOperation({ summary: 'The ZIP of the originals of a copy, with manifest.csv of SHA-256 hashes (?copy=full|rep); audited' })
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'The ZIP', schema: { type: 'string', format: 'binary' } })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'A tu_rep asked for the full copy' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The build is not ready' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async zip(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Param('packId', uuid()) packId: string, @Query() q: EvidenceFileQuery): Promise<StreamableFile> {
    const f = await this.packs.file(user, id, packId, 'zip', q.copy);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${f.filename}"` });
  }
}
