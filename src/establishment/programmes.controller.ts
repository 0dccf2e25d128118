import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Query, Req, StreamableFile } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { ImportQuery, ImportResult } from './dto/import.dto';
import { EstablishmentMatrixResponse, FormatQuery, SheetFormatQuery } from './dto/matrix.dto';
import { CreateProgrammeDto, ProgrammeResponse, UpdateProgrammeDto } from './dto/programme.dto';
import { CreateThematicAreaDto, ThematicAreaResponse } from './dto/thematic-area.dto';
import { MIME } from './establishment.constants';
import { MatrixService } from './matrix.service';
import { PostsExportService } from './posts-export.service';
import { PostsImportService } from './posts-import.service';
import { ProgrammesService } from './programmes.service';
import { negotiateFormat, slug, toCsv, toXlsx } from './spreadsheet';
import { ThematicAreasService } from './thematic-areas.service';
import { readUpload } from './upload';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: programmes')
@Controller('programmes')
export class ProgrammesController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly areas: ThematicAreasService,
    private readonly matrix: MatrixService,
    private readonly importer: PostsImportService,
    private readonly exporter: PostsExportService,
  ) {}

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The programmes you may see (managers and trade union reps: the ones they are scoped to)' })
  @ApiOkResponse({ type: [ProgrammeResponse] })
  list(@CurrentUser() user: AuthUser): Promise<ProgrammeResponse[]> {
    return this.programmes.list(user);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ProgrammeResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ProgrammeResponse> {
    return this.programmes.get(user, id);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Create a programme (admins)' })
  @ApiCreatedResponse({ type: ProgrammeResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'An organisation does not exist, or the destination is also a source' })
  create(@Body() dto: CreateProgrammeDto): Promise<ProgrammeResponse> {
    return this.programmes.create(dto);
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Change a programme (admins); a stale version gets 409' })
  @ApiOkResponse({ type: ProgrammeResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  update(@UuidParam('id') id: string, @Body() dto: UpdateProgrammeDto): Promise<ProgrammeResponse> {
    return this.programmes.update(id, dto);
  }

  @Get(':id/thematic-areas')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The thematic areas of a programme, in report order' })
  @ApiOkResponse({ type: [ThematicAreaResponse] })
  async listAreas(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ThematicAreaResponse[]> {
    return (await this.areas.list(user, id)).map(ThematicAreaResponse.from);
  }

  @Post(':id/thematic-areas')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Add a thematic area to a programme' })
  @ApiCreatedResponse({ type: ThematicAreaResponse })
  async createArea(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: CreateThematicAreaDto): Promise<ThematicAreaResponse> {
    return ThematicAreaResponse.from(await this.areas.create(user, id, dto));
  }

  @Get(':id/establishment')
  @Roles(...ALL_ROLES)
  @ApiOperation({
    summary: 'The establishment matrix: thematic areas by grade, posts and FTE, totals and scope subtotals',
    description: 'JSON, CSV or XLSX: `?format=json|csv|xlsx`, else the Accept header. Counts only: every role that sees the programme may read it.',
  })
  @ApiProduces(MIME.json, MIME.csv, MIME.xlsx)
  @ApiOkResponse({ type: EstablishmentMatrixResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async establishment(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Query() q: FormatQuery,
    @Headers('accept') accept?: string,
  ): Promise<EstablishmentMatrixResponse | StreamableFile> {
    const format = negotiateFormat(q.format, accept);
    const m = await this.matrix.build(user, id);
    if (format === 'json') return m;
    const filename = `establishment-${slug(m.programmeName)}.${format}`;
    if (format === 'csv') {
      return new StreamableFile(toCsv(this.matrix.toRows(m)), { type: `${MIME.csv}; charset=utf-8`, disposition: `attachment; filename="${filename}"` });
    }
    return new StreamableFile(await toXlsx([this.matrix.toXlsxSheet(m)]), { type: MIME.xlsx, disposition: `attachment; filename="${filename}"` });
  }

  @Post(':id/posts/import')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({
    summary: 'Import posts from a CSV or XLSX file (multipart field `file`)',
    description:
      'Columns as in GET /posts/import-template. `?dryRun=true` validates every row and writes nothing. A real import writes every row or none ' +
      '(422 with the row errors) and is audited as one event. Runs in the request: files over IMPORT_SYNC_MAX_BYTES (default 20 MiB): 413; over IMPORT_SYNC_MAX_ROWS rows (default 100,000): 400. Bigger files: POST /programmes/{id}/imports (the worker).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOkResponse({ type: ImportResult })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'Row errors (real import): errors[] as in a dry run' })
  async importPosts(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() q: ImportQuery, @Req() req: FastifyRequest): Promise<ImportResult> {
    const file = await readUpload(req, this.importer.syncMaxBytes);
    return this.importer.import(user, id, file, q.dryRun === 'true');
  }

  @Get(':id/posts/export')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({
    summary: 'Export the posts of a programme as CSV or XLSX, in the import columns (managers: their areas)',
    description: 'CSV: cells a spreadsheet would run as formulas (starting =, +, -, @) are escaped with a leading apostrophe. XLSX: every cell is written as text or a number, never a formula, so nothing needs escaping.',
  })
  @ApiProduces(MIME.csv, MIME.xlsx)
  async exportPosts(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() q: SheetFormatQuery, @Headers('accept') accept?: string): Promise<StreamableFile> {
    const format = negotiateFormat(q.format, accept, ['csv', 'xlsx']) as 'csv' | 'xlsx';
    return this.exporter.export(user, id, format);
  }
}
