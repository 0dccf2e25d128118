import { Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { readUpload } from '../../establishment/upload';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { DOCUMENT_KINDS, DocumentKind, KIND_FIELDS, KIND_SUBJECT, KIND_TITLE } from '../document-kinds';
import { DocumentsService, TEMPLATE_MAX_BYTES } from '../documents.service';
import type { TemplateVersionResponse } from '../dto/document.dto';
import { FIELD_USE_LABEL, templateFieldUses } from './templates-fields';

const SUBJECT_LABEL = { case: 'One person’s case', consultation: 'A consultation (to the union representatives)', programme: 'A programme’s ELI release' };

function kindOf(value: string): DocumentKind {
  if (!DOCUMENT_KINDS.includes(value as DocumentKind)) throw new NotFoundException('Template not found');
  return value as DocumentKind;
}

/**
 * The 422 of a refused upload as the GOV.UK error summary: every problem the API names (`file`,
 * `part:word/document.xml`, `tag:employee.niNumber`), each linked to the file input.
 */
export function uploadErrors(err: unknown): FormErrors {
  const base = formErrors(err, { file: 'The file' }, { file: 'file' });
  if (!(err instanceof ApiException) || !err.details?.length) return base;
  const errorList = err.details.map((d) => {
    const reason = d.reason.replace(/ \(fields: .*\)$/, '');
    const text = d.field.startsWith('tag:')
      ? `The field {${d.field.slice(4)}} ${reason}`
      : d.field.startsWith('part:')
        ? `The part ${d.field.slice(5)} of the file: ${reason}`
        : /^[A-Z]/.test(reason)
          ? reason
          : `The file ${reason}`;
    return { text, href: '#file' };
  });
  const plain = /is required|is empty|multipart/.test(errorList[0].text) ? 'Select the new version of the template (a .docx file)' : undefined;
  if (plain) errorList.splice(0, errorList.length, { text: plain, href: '#file' });
  return { ...base, errorList, fields: { file: { text: errorList.length === 1 ? errorList[0].text : `${errorList[0].text} (and ${errorList.length - 1} more, listed above)` } } };
}

/**
 * The letter templates (issue 15), HR officers and admins: each kind with its current version;
 * a kind's versions, the fields its current version uses beside those the product supplies;
 * upload a new version (checked as the API does: a refusal is the error summary naming the field
 * or part, nothing kept); download any version. Templates are the product's, not a programme's.
 */
@ApiExcludeController()
@Controller()
@Roles(Role.Admin, Role.HrOfficer)
export class TemplatesPage {
  constructor(private readonly documents: DocumentsService) {}

  @Get('document-templates')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const all = await this.documents.templates();
    const kinds = DOCUMENT_KINDS.map((kind) => {
      const versions = all.filter((t) => t.kind === kind);
      return { kind, title: KIND_TITLE[kind], current: versions.find((t) => t.current) ?? null, count: versions.length };
    });
    await renderPage(req, reply, 'documents/views/templates.njk', { pageTitle: 'Letter templates', kinds });
  }

  @Get('document-templates/:kind')
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('kind') kindParam: string): Promise<void> {
    await this.renderKind(req, reply, kindOf(kindParam));
  }

  /** The upload (multipart: the CSRF token is in the action's query string). The service checks it first and keeps nothing it refuses. */
  @Post('document-templates/:kind')
  async upload(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Param('kind') kindParam: string): Promise<void> {
    const kind = kindOf(kindParam);
    let created: TemplateVersionResponse;
    try {
      const file = await readUpload(req, TEMPLATE_MAX_BYTES);
      created = await this.documents.uploadTemplate(user, kind, file);
    } catch (err) {
      const errors = uploadErrors(err);
      return this.renderKind(req, reply, kind, errors);
    }
    await redirectTo(req, reply, `/document-templates/${kind}`, {
      kind: 'success',
      text: `Version ${created.version} of the ${KIND_TITLE[kind].toLowerCase()} template uploaded: new documents use it; documents already issued keep their own`,
    });
  }

  @Get('document-templates/:kind/:version/file')
  async file(@Res() reply: FastifyReply, @Param('kind') kindParam: string, @Param('version', ParseIntPipe) version: number): Promise<void> {
    const kind = kindOf(kindParam);
    const f = await this.documents.templateFile(kind, version);
    await reply.header('content-type', f.mediaType).header('content-disposition', `attachment; filename="${kind}-v${version}.docx"`).send(f.bytes);
  }

  private async renderKind(req: FastifyRequest, reply: FastifyReply, kind: DocumentKind, errors?: FormErrors): Promise<void> {
    const versions = (await this.documents.templates()).filter((t) => t.kind === kind);
    const current = versions.find((t) => t.current) ?? null;
    const uses = current ? templateFieldUses(kind, (await this.documents.templateFile(kind, current.version)).bytes) : [];
    const used = new Set(uses.map((u) => u.field));
    await renderPage(
      req,
      reply,
      'documents/views/template.njk',
      {
        pageTitle: `${KIND_TITLE[kind]} template`,
        kind,
        title: KIND_TITLE[kind],
        subject: SUBJECT_LABEL[KIND_SUBJECT[kind]],
        versions,
        current,
        uses: uses.map((u) => ({ field: u.field, how: u.uses.map((x) => FIELD_USE_LABEL[x]).join('; '), supplied: KIND_FIELDS[kind].includes(u.field) })),
        supplied: KIND_FIELDS[kind].map((f) => ({ field: f, used: used.has(f) })),
        maxMiB: Math.round(TEMPLATE_MAX_BYTES / 1024 / 1024),
        errors,
      },
      errors?.status ?? 200,
    );
  }
}
