import { Body, Controller, Get, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { AppConfig } from '../../config/app-config';
import { InjectRedis } from '../../redis/redis.module';
import { formFields } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { ImportResult } from '../dto/import.dto';
import { PostsImportService, UploadedSheet } from '../posts-import.service';
import { ProgrammesService } from '../programmes.service';
import { readUpload } from '../upload';
import { UuidParam } from '../../common/http/uuid-param';

/**
 * Between the dry run and "Import N posts" the file waits in Redis for PENDING_SECONDS, under a
 * random key that only this session holds (and that names the user and programme), so the HR
 * officer does not choose the file twice and every API instance can finish the import.
 */
const PENDING_SECONDS = 30 * 60;

interface Pending {
  userId: string;
  programmeId: string;
  filename: string;
  result: ImportResult;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The dry-run file waiting for "Import N posts": its Redis key, and for which programme. */
    pendingImport?: { key: string; programmeId: string };
  }
}

const UPLOAD_LABELS = { file: 'The file' };

/** Import posts from a spreadsheet as a page: upload, the dry run's result, then "Import N posts". */
@ApiExcludeController()
@Controller()
export class ImportPages {
  constructor(
    private readonly importer: PostsImportService,
    private readonly programmes: ProgrammesService,
    private readonly config: AppConfig,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  @Get('programmes/:id/import')
  @Roles(Role.Admin, Role.HrOfficer)
  async form(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    await this.renderUpload(req, reply, programme, {});
  }

  /** The upload (multipart: the CSRF token is in the action's query string). A dry run, never a write. */
  @Post('programmes/:id/import')
  @Roles(Role.Admin, Role.HrOfficer)
  async upload(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    let file: UploadedSheet;
    let result: ImportResult;
    try {
      file = await readUpload(req, this.importer.maxBytes);
      result = await this.importer.import(user, id, file, true);
    } catch (err) {
      const errors = formErrors(err, UPLOAD_LABELS, { file: 'file' });
      const said = errors.fields.file?.text ?? '';
      const plain =
        errors.status === HttpStatus.PAYLOAD_TOO_LARGE
          ? `The file must be smaller than ${Math.round(this.importer.maxBytes / 1024 / 1024)} MiB`
          : /is required|is empty|multipart/.test(said)
            ? 'Select a CSV or XLSX file with the posts to import'
            : undefined;
      if (plain) {
        errors.fields.file = { text: plain };
        errors.errorList = [{ text: plain, href: '#file' }];
      }
      return this.renderUpload(req, reply, programme, { errors });
    }
    if (!result.valid) return this.renderUpload(req, reply, programme, { errors: rowErrors(result), result, filename: file.filename }, HttpStatus.UNPROCESSABLE_ENTITY);

    await this.dropPending(req);
    const key = `${this.config.REDIS_PREFIX}:page-import:${user.id}:${randomBytes(18).toString('base64url')}`;
    const pending: Pending = { userId: user.id, programmeId: id, filename: file.filename, result };
    await this.redis.multi().hset(key, { meta: JSON.stringify(pending), file: file.buffer }).expire(key, PENDING_SECONDS).exec();
    req.session.set('pendingImport', { key, programmeId: id });
    await redirectTo(req, reply, `/programmes/${id}/import/confirm`);
  }

  @Get('programmes/:id/import/confirm')
  @Roles(Role.Admin, Role.HrOfficer)
  async review(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    const pending = await this.pending(req, user, id);
    if (!pending) return redirectTo(req, reply, `/programmes/${id}/import`, { kind: 'important', text: 'Upload the file again: it was not kept for more than 30 minutes.' });
    await renderPage(req, reply, 'establishment/views/import-confirm.njk', {
      pageTitle: `Import posts into ${programme.name}`,
      programme,
      filename: pending.meta.filename,
      result: pending.meta.result,
      toImport: pending.meta.result.created + pending.meta.result.updated,
    });
  }

  @Post('programmes/:id/import/confirm')
  @Roles(Role.Admin, Role.HrOfficer)
  async commit(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    formFields(body); // only the CSRF token
    const programme = await this.programmes.get(user, id);
    const pending = await this.pending(req, user, id);
    if (!pending) return redirectTo(req, reply, `/programmes/${id}/import`, { kind: 'important', text: 'Upload the file again: it was not kept for more than 30 minutes.' });
    let result: ImportResult;
    try {
      result = await this.importer.import(user, id, { buffer: pending.file, filename: pending.meta.filename }, false);
    } catch (err) {
      // Row errors now (the establishment changed since the dry run): 422 with the same errors.
      const extra = err instanceof ApiException ? (err.extra as { errors?: ImportResult['errors']; errorCount?: number } | undefined) : undefined;
      const errors = formErrors(err, UPLOAD_LABELS, { file: 'file' });
      const rows = extra?.errors?.length ? rowErrors({ errors: extra.errors, errorCount: extra.errorCount ?? extra.errors.length } as ImportResult) : errors;
      await this.dropPending(req);
      return this.renderUpload(req, reply, programme, { errors: rows, filename: pending.meta.filename }, rows.status);
    }
    await this.dropPending(req);
    const n = result.created + result.updated;
    await redirectTo(req, reply, `/programmes/${id}/import`, {
      kind: 'success',
      text: `Imported ${n} ${n === 1 ? 'post' : 'posts'} from ${pending.meta.filename}: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged`,
    });
  }

  private async renderUpload(
    req: FastifyRequest,
    reply: FastifyReply,
    programme: { id: string; name: string },
    model: { errors?: FormErrors; result?: ImportResult; filename?: string },
    status?: number,
  ): Promise<void> {
    await renderPage(
      req,
      reply,
      'establishment/views/import.njk',
      { pageTitle: `Import posts into ${programme.name}`, programme, maxMiB: Math.round(this.importer.maxBytes / 1024 / 1024), ...model },
      status ?? model.errors?.status ?? HttpStatus.OK,
    );
  }

  /** The file this session's dry run kept for this user and programme, if it is still there. */
  private async pending(req: FastifyRequest, user: AuthUser, programmeId: string): Promise<{ meta: Pending; file: Buffer } | undefined> {
    const ref = req.session.get('pendingImport');
    if (!ref || ref.programmeId !== programmeId || !ref.key.startsWith(`${this.config.REDIS_PREFIX}:page-import:${user.id}:`)) return undefined;
    const [meta, file] = await Promise.all([this.redis.hget(ref.key, 'meta'), this.redis.hgetBuffer(ref.key, 'file')]);
    if (!meta || !file) return undefined;
    const parsed = JSON.parse(meta) as Pending;
    if (parsed.userId !== user.id || parsed.programmeId !== programmeId) return undefined;
    return { meta: parsed, file };
  }

  private async dropPending(req: FastifyRequest): Promise<void> {
    const ref = req.session.get('pendingImport');
    if (ref) await this.redis.del(ref.key);
    req.session.set('pendingImport', undefined);
  }
}

/** The dry run's row errors as the GOV.UK error summary: row, column and message, each linking to the file field. */
function rowErrors(result: Pick<ImportResult, 'errors' | 'errorCount'>): FormErrors {
  const errorList = result.errors.map((e) => ({ text: e.row > 0 ? `Row ${e.row}, column “${e.column}”: ${e.message}` : `${e.column === 'file' ? 'The file' : `Column “${e.column}”`}: ${e.message}`, href: '#file' }));
  if (result.errorCount > result.errors.length) errorList.push({ text: `And ${result.errorCount - result.errors.length} more errors`, href: '#file' });
  const n = result.errorCount;
  return {
    errorList,
    fields: { file: { text: `The file has ${n} ${n === 1 ? 'error' : 'errors'}: nothing was imported. Correct ${n === 1 ? 'it' : 'them'} and upload the file again.` } },
    stale: false,
    status: HttpStatus.UNPROCESSABLE_ENTITY,
  };
}
