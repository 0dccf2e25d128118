import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { CasesService } from '../../cases/cases.service';
import { UuidParam } from '../../common/http/uuid-param';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { caseLetterKind, KIND_TITLE } from '../document-kinds';
import { DocumentsService } from '../documents.service';
import { DocumentDetailResponse, IssueDocumentDto } from '../dto/document.dto';

export const DELIVERY_LABELS: Record<string, string> = {
  handed_over: 'Handed over (in person, or sent by HR outside this service)',
  email: 'Send by email, with the PDF attached',
};

const asciiName = (s: string) => s.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 150);

/** Where a document's pages lead back to: its case, or its consultation. */
function backOf(d: DocumentDetailResponse): { href: string; text: string } {
  if (d.caseId) return { href: `/cases/${d.caseId}/documents`, text: 'Back to the case’s letters' };
  if (d.consultationId) return { href: `/consultations/${d.consultationId}`, text: 'Back to the consultation' };
  return { href: `/programmes/${d.programmeId}/documents`, text: 'Back to the register' };
}

/**
 * A case's letters (issue 15): generate a draft from the current template, preview it (download
 * the draft DOCX or, once the worker has made it, the PDF), issue it (a question, then "check your
 * answers", then a confirmation panel), download. HR officers and admins only, as the API.
 */
@ApiExcludeController()
@Controller()
@Roles(Role.Admin, Role.HrOfficer)
export class CaseDocumentsPage {
  constructor(
    private readonly documents: DocumentsService,
    private readonly cases: CasesService,
  ) {}

  @Get('cases/:id/documents')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderList(req, reply, user, id);
  }

  private async renderList(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, errors?: FormErrors): Promise<void> {
    const c = await this.cases.get(user, id, viewAsOf(req));
    const docs = await this.documents.forCase(user, id);
    const kind = caseLetterKind(c.route);
    const issued = kind ? docs.find((d) => d.kind === kind && d.status === 'issued') : undefined;
    const emails = await this.documents.emailDeliveries(docs.filter((d) => d.status === 'issued').map((d) => d.id));
    await renderPage(
      req,
      reply,
      'documents/views/case-documents.njk',
      {
        pageTitle: `Letters – ${c.post.reference}`,
        c,
        docs,
        kind,
        kindTitle: kind ? KIND_TITLE[kind] : null,
        issued,
        titles: KIND_TITLE,
        emails,
        errors,
      },
      errors?.status ?? 200,
    );
  }

  @Post('cases/:id/documents')
  async generate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const c = await this.cases.get(user, id, viewAsOf(req));
    const kind = caseLetterKind(c.route);
    if (!kind) return this.renderList(req, reply, user, id, fieldError('kind', 'This case has no letter until its route is a secondment or a transfer', 409));
    let doc;
    try {
      doc = await this.documents.generateForCase(user, id, kind);
    } catch (err) {
      return this.renderList(req, reply, user, id, formErrors(err, { kind: 'The letter' }, { kind: 'main-content' }));
    }
    await redirectTo(req, reply, `/documents/${doc.id}`, { kind: 'success', text: `${KIND_TITLE[kind]} generated as a draft: check it, then issue it` });
  }

  @Get('documents/:id')
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const d = await this.documents.get(user, id);
    await renderPage(req, reply, 'documents/views/document.njk', {
      pageTitle: d.title,
      d,
      back: backOf(d),
      deliveryLabels: DELIVERY_LABELS,
      emails: d.status === 'issued' ? await this.documents.emailDeliveries([d.id]) : [],
      canIssue: d.status === 'draft' && d.pdfStatus === 'ready',
    });
  }

  /** The DOCX or the PDF (audited by the service, as the API's download). */
  @Get('documents/:id/file')
  async file(@Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query('format') format: unknown): Promise<void> {
    if (format !== 'docx' && format !== 'pdf') throw ApiException.validation([{ field: 'format', reason: 'must be docx or pdf' }]);
    const f = await this.documents.file(user, id, format);
    await reply
      .header('content-type', f.mediaType)
      .header('content-disposition', `attachment; filename="${asciiName(f.title)}.${format}"`)
      .send(f.bytes);
  }

  // ---- issue: the question, check your answers, the confirmation ------------------------

  @Get('documents/:id/issue')
  async issueForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const d = await this.documents.get(user, id);
    if (d.status === 'issued') return redirectTo(req, reply, `/documents/${id}`, { kind: 'important', text: 'This document has been issued already' });
    await this.renderIssue(req, reply, d, {});
  }

  /** The answers: checked with the API's own DTO, then shown back before anything is issued. */
  @Post('documents/:id/issue')
  async issueCheck(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const d = await this.documents.get(user, id);
    const fields = formFields(body);
    if (!fields.delivery) return this.renderIssue(req, reply, d, { values: fields, errors: fieldError('delivery', 'Select how the letter reaches the employee') });
    const form = await readForm(IssueDocumentDto, fields, { delivery: 'How it is delivered', note: 'Note' });
    if (form.errors) return this.renderIssue(req, reply, d, { values: fields, errors: form.errors });
    const recipient = d.caseId ? (await this.cases.get(user, d.caseId, viewAsOf(req))).employee : null;
    await renderPage(req, reply, 'documents/views/issue-check.njk', {
      pageTitle: `Check your answers – ${d.title}`,
      d,
      values: form.value,
      deliveryLabels: DELIVERY_LABELS,
      recipient: recipient ? `${recipient.firstName} ${recipient.lastName} (${recipient.staffNumber})` : 'The forum’s current union members',
    });
  }

  @Post('documents/:id/issue/confirm')
  async issue(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const form = await readForm(IssueDocumentDto, fields, { delivery: 'How it is delivered', note: 'Note' });
    const d = await this.documents.get(user, id);
    if (form.errors) return this.renderIssue(req, reply, d, { values: fields, errors: form.errors });
    let issued;
    try {
      issued = await this.documents.issue(user, id, form.value);
    } catch (err) {
      return this.renderIssue(req, reply, await this.documents.get(user, id), { values: fields, errors: formErrors(err, { delivery: 'How it is delivered' }, { pdfStatus: 'main-content', recipients: 'main-content' }) });
    }
    await renderPage(req, reply, 'documents/views/issued.njk', {
      pageTitle: `${issued.title}: issued`,
      d: issued,
      again: issued.id !== id,
      back: backOf(d),
      caseHref: d.caseId ? `/cases/${d.caseId}` : null,
    });
  }

  private async renderIssue(req: FastifyRequest, reply: FastifyReply, d: DocumentDetailResponse, extra: { values?: Record<string, unknown>; errors?: FormErrors }): Promise<void> {
    await renderPage(
      req,
      reply,
      'documents/views/issue.njk',
      { pageTitle: `Issue – ${d.title}`, d, values: extra.values ?? {}, errors: extra.errors, deliveryLabels: DELIVERY_LABELS, back: { href: `/documents/${d.id}`, text: 'Back to the document' } },
      extra.errors?.status ?? 200,
    );
  }
}
