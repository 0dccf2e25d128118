import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { UuidParam } from '../../common/http/uuid-param';
import { isStaff } from '../../cases/case-access';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, renderPage } from '../../web/page-context';
import { DOCUMENT_KINDS, KIND_TITLE } from '../document-kinds';
import type { RegisterPageResponse } from '../register.dto';
import { RegisterQuery } from '../register.dto';
import { DocumentRegisterService, REP_KINDS } from '../register.service';
import { DELIVERY_LABELS } from './case-documents.page';

const LABELS = { kind: 'Kind', caseId: 'Case', after: 'The page', before: 'The page' };
const DELIVERY_STATUS = { queued: 'Email waiting to be sent', sent: 'Emailed', failed: 'Email failed' } as Record<string, string>;

/**
 * The register of issued documents of a programme (issue 15): what was issued, from which template
 * version, by whom and when, how and to whom it went, its SHA-256; filtered by kind and case
 * (MoJ filter, GET form: works without JavaScript), newest first, keyset pages. A tu_rep sees the
 * reg. 13 information and measures letters only (the service decides: its DTO has no person).
 */
@ApiExcludeController()
@Controller()
@Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
export class RegisterPage {
  constructor(private readonly register: DocumentRegisterService) {}

  /** Letters in the navigation: each programme's register (and, for staff, the templates). */
  @Get('documents')
  async landing(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    await renderPage(req, reply, 'documents/views/registers.njk', { pageTitle: 'Letters and documents', programmes: await this.register.programmes(user), staff: isStaff(user) });
  }

  @Get('programmes/:id/documents')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() query: unknown): Promise<void> {
    const programme = await this.register.programme(user, id);
    const staff = isStaff(user);
    const fields = formFields(query);
    if (fields.caseId === '') delete fields.caseId;
    let errors: FormErrors | undefined;
    let page: RegisterPageResponse = { items: [], total: 0, next: null, previous: null };
    const form = await readForm(RegisterQuery, fields, LABELS);
    if (form.errors) errors = form.errors;
    else {
      try {
        page = await this.register.page(user, id, form.value);
      } catch (err) {
        errors = formErrors(err, LABELS, { kind: 'kind', caseId: 'caseId' });
      }
    }
    const kinds = staff ? DOCUMENT_KINDS : REP_KINDS;
    const chosenKinds = ([] as string[]).concat(fields.kind ?? []);
    const caseId = typeof fields.caseId === 'string' ? fields.caseId : '';
    const cases = staff ? await this.register.caseOptions(user, id) : [];
    const base = `/programmes/${id}/documents`;
    const href = (extra: Record<string, string | string[] | undefined>) => {
      const sp = new URLSearchParams();
      for (const k of chosenKinds) sp.append('kind', k);
      if (caseId) sp.set('caseId', caseId);
      for (const [k, v] of Object.entries(extra)) if (typeof v === 'string') sp.set(k, v);
      const s = sp.toString();
      return s ? `${base}?${s}` : base;
    };
    const without = (kind?: string, dropCase = false) => {
      const sp = new URLSearchParams();
      for (const k of chosenKinds) if (k !== kind) sp.append('kind', k);
      if (caseId && !dropCase) sp.set('caseId', caseId);
      const s = sp.toString();
      return s ? `${base}?${s}` : base;
    };
    const caseText = cases.find((c) => c.id === caseId)?.text;
    const categories = [
      { heading: { text: 'Kind' }, items: chosenKinds.map((k) => ({ text: KIND_TITLE[k as keyof typeof KIND_TITLE] ?? k, href: without(k) })) },
      { heading: { text: 'Case' }, items: caseId ? [{ text: caseText ?? 'A case', href: without(undefined, true) }] : [] },
    ].filter((c) => c.items.length);
    await renderPage(
      req,
      reply,
      'documents/views/register.njk',
      {
        pageTitle: `Register of issued documents – ${programme.name}`,
        programme,
        staff,
        page,
        titles: KIND_TITLE,
        deliveryLabels: DELIVERY_LABELS,
        deliveryStatus: DELIVERY_STATUS,
        kindItems: kinds.map((k) => ({ value: k, text: KIND_TITLE[k], checked: chosenKinds.includes(k) })),
        caseItems: [{ value: '', text: 'Any case', selected: !caseId }, ...cases.map((c) => ({ value: c.id, text: c.text, selected: c.id === caseId }))],
        selectedFilters: categories.length ? { heading: { text: 'Selected filters' }, clearLink: { text: 'Clear filters', href: base }, categories } : null,
        pagination: {
          previous: page.previous ? { href: href({ before: page.previous }) } : undefined,
          next: page.next ? { href: href({ after: page.next }) } : undefined,
        },
        errors,
      },
      errors?.status ?? 200,
    );
  }
}
