import { Controller, Get, HttpCode, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ErrorResponse } from '../../common/errors/api-error';
import { UuidParam } from '../../common/http/uuid-param';
import { AppConfig } from '../../config/app-config';
import { ImportQuery } from '../dto/import.dto';
import { MIME } from '../establishment.constants';
import { ImportStatusResponse } from './import-status.dto';
import { errorReportCsv } from './error-report';
import { ImportsService } from './imports.service';

/** Posts imports run by the worker: upload (202 + Location), then poll. */
@ApiTags('establishment')
@Controller('programmes')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly config: AppConfig,
  ) {}

  @Post(':id/imports')
  @HttpCode(202)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({
    summary: 'Upload posts (CSV or XLSX, multipart field `file`) to import in the worker',
    description:
      'The file is stored as it arrives and a job imports it: COPY into a staging table, every row checked, one merge, all or nothing. ' +
      'Answers 202 with the import and a Location to poll (GET …/imports/{importId}). `?dryRun=true` checks and writes nothing. ' +
      'Files over IMPORT_MAX_BYTES (default 256 MiB): 413. Over IMPORT_MAX_ROWS rows (default 1,000,000), or any row error: the import fails, ' +
      'its `error` in the one error shape (400, or 422 with each row error a detail).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiAcceptedResponse({ type: ImportStatusResponse })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'The queue is unreachable: nothing was kept' })
  async create(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Query() q: ImportQuery,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportStatusResponse> {
    const imp = await this.imports.receive(user, id, req, q.dryRun === 'true');
    void reply.header('location', `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/programmes/${id}/imports/${imp.id}`);
    return imp;
  }

  @Get(':id/imports/:importId')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'An import: status, progress (rows and bytes read), then its result or its error' })
  @ApiOkResponse({ type: ImportStatusResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@UuidParam('id') id: string, @UuidParam('importId') importId: string): Promise<ImportStatusResponse> {
    return this.imports.get(id, importId);
  }

  @Get(':id/imports/:importId/errors')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'The error report of an import as CSV: row, column, message, related rows' })
  @ApiProduces(MIME.csv)
  @ApiNotFoundResponse({ type: ErrorResponse })
  async errors(@UuidParam('id') id: string, @UuidParam('importId') importId: string): Promise<StreamableFile> {
    const report = await this.imports.rowErrors(id, importId);
    return new StreamableFile(errorReportCsv(report.errors), {
      type: `${MIME.csv}; charset=utf-8`,
      disposition: `attachment; filename="import-errors-${importId.slice(0, 8)}.csv"`,
    });
  }
}
