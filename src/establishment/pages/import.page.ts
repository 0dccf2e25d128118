import { Controller, Get, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { UuidParam } from '../../common/http/uuid-param';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { ImportRowError } from '../dto/import.dto';
import { errorReportCsv } from '../imports/error-report';
import { ImportStatusResponse } from '../imports/import-status.dto';
import { ImportsService } from '../imports/imports.service';
import { ProgrammesService } from '../programmes.service';

const UPLOAD_LABELS = { file: 'The file' };

/** Row errors listed on the page; the rest are in the downloadable error report. */
export const PAGE_ERRORS = 25;

const PHASES: Record<ImportStatusResponse['status'], string> = {
  queued: 'Waiting to start',
  validating: 'Checking the rows',
  merging: 'Saving the posts',
  done: 'Imported',
  failed: 'Not imported',
};

/**
 * Import posts from a spreadsheet as pages: upload (streamed into storage, never parsed in the
 * request), then the import's own page: progress while the worker checks and merges it (a
 * "Refresh" link; no script needed), then what was created and updated, or the GOV.UK error
 * summary with the first row errors and the whole error report as CSV. All or nothing.
 */
@ApiExcludeController()
@Controller()
export class ImportPages {
  constructor(
    private readonly imports: ImportsService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('programmes/:id/import')
  @Roles(Role.Admin, Role.HrOfficer)
  async form(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    await this.renderUpload(req, reply, programme, {});
  }

  /** The upload (multipart: the CSRF token is in the action's query string), stored and queued; then its page. */
  @Post('programmes/:id/import')
  @Roles(Role.Admin, Role.HrOfficer)
  async upload(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    let imp: ImportStatusResponse;
    try {
      imp = await this.imports.receive(user, id, req, false);
    } catch (err) {
      const errors = formErrors(err, UPLOAD_LABELS, { file: 'file' });
      const said = errors.fields.file?.text ?? '';
      const plain =
        errors.status === HttpStatus.PAYLOAD_TOO_LARGE
          ? `The file must be smaller than ${Math.round(this.imports.maxBytes / 1024 / 1024)} MiB`
          : /is required|is empty|multipart/.test(said)
            ? 'Select a CSV or XLSX file with the posts to import'
            : undefined;
      if (plain) {
        errors.fields.file = { text: plain };
        errors.errorList = [{ text: plain, href: '#file' }];
      }
      return this.renderUpload(req, reply, programme, { errors });
    }
    await redirectTo(req, reply, `/programmes/${id}/imports/${imp.id}`);
  }

  @Get('programmes/:id/imports/:importId')
  @Roles(Role.Admin, Role.HrOfficer)
  async status(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('importId') importId: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    const imp = await this.imports.get(id, importId);
    const running = imp.status !== 'done' && imp.status !== 'failed';
    let errors: FormErrors | undefined;
    let errorCount = 0;
    if (imp.status === 'failed') {
      const report = await this.imports.rowErrors(id, importId);
      errorCount = report.errorCount;
      errors = report.errors.length
        ? rowErrors(report.errors, report.errorCount)
        : { errorList: [{ text: importFailure(imp), href: '#upload-again' }], fields: {}, stale: false, status: HttpStatus.OK };
    }
    await renderPage(
      req,
      reply,
      'establishment/views/import-status.njk',
      {
        pageTitle: `${PHASES[imp.status]}: ${imp.fileName}`,
        programme,
        imp,
        phase: PHASES[imp.status],
        running,
        errors,
        errorCount,
        listed: Math.min(errorCount, PAGE_ERRORS),
        rowsRead: imp.rowsRead.toLocaleString('en-GB'),
      },
      HttpStatus.OK,
    );
  }

  /** The whole error report (every row error kept) as CSV. */
  @Get('programmes/:id/imports/:importId/errors.csv')
  @Roles(Role.Admin, Role.HrOfficer)
  async errorsCsv(@Res() reply: FastifyReply, @UuidParam('id') id: string, @UuidParam('importId') importId: string): Promise<void> {
    const report = await this.imports.rowErrors(id, importId);
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="import-errors-${importId.slice(0, 8)}.csv"`)
      .send(errorReportCsv(report.errors));
  }

  private async renderUpload(req: FastifyRequest, reply: FastifyReply, programme: { id: string; name: string }, model: { errors?: FormErrors }, status?: number): Promise<void> {
    await renderPage(
      req,
      reply,
      'establishment/views/import.njk',
      { pageTitle: `Import posts into ${programme.name}`, programme, maxMiB: Math.round(this.imports.maxBytes / 1024 / 1024), ...model },
      status ?? model.errors?.status ?? HttpStatus.OK,
    );
  }
}

/** A failure that is not about rows (too many rows, not CSV, the queue): its message as the page says it. */
function importFailure(imp: ImportStatusResponse): string {
  const d = imp.error?.details?.[0];
  if (d?.field === 'file') return `${imp.error!.message}: the file ${d.reason}`;
  return imp.error?.message ?? 'The import could not be completed';
}

/** The first PAGE_ERRORS row errors as the GOV.UK error summary: row, column and message. */
function rowErrors(errors: ImportRowError[], errorCount: number): FormErrors {
  const errorList = errors
    .slice(0, PAGE_ERRORS)
    .map((e) => ({ text: e.row > 0 ? `Row ${e.row}, column “${e.column}”: ${e.message}` : `${e.column === 'file' ? 'The file' : `Column “${e.column}”`}: ${e.message}`, href: '#error-report' }));
  if (errorCount > errorList.length) errorList.push({ text: `And ${errorCount - errorList.length} more errors: download the error report`, href: '#error-report' });
  return { errorList, fields: {}, stale: false, status: HttpStatus.OK };
}
