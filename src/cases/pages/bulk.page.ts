import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { takeFlash } from '../../common/http/web-session';
import { ProgrammesService } from '../../establishment/programmes.service';
import { UuidParam } from '../../common/http/uuid-param';
import { formFields } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { BULK_LIMIT, BulkService } from '../bulk.service';
import { CaseSearchService } from '../case-search.service';
import { CASE_ROUTES, CASE_STATES, CaseRoute, CaseState } from '../case-state';
import { BulkActionDto, BulkActionKind, BulkPreviewResponse } from '../dto/bulk.dto';
import { readCaseSearch } from './cases-list.page';
import { FIELD_LABELS, LABELS, ROUTE_LABELS, STATE_LABELS } from '../case-labels';
import { dateFromParts, isUuid, listOf, oneOf, QueryValues } from './page-helpers';

const KIND_LABELS: Record<BulkActionKind, string> = {
  [BulkActionKind.SetRoute]: 'Route',
  [BulkActionKind.SetDestination]: 'Destination organisation',
  [BulkActionKind.SetEffectiveDate]: 'Proposed effective date',
  [BulkActionKind.SetState]: 'State',
};

const BULK_DONE_TITLE = 'Bulk change made';

interface ActionValues {
  kind?: string;
  route?: string;
  destinationOrganisationId?: string;
  state?: string;
  note?: string;
  effectiveDate?: { day: string; month: string; year: string };
}

/** The action chosen on the "what to change" page, as the DTO the service takes, or the errors to show. */
function readAction(q: Record<string, unknown>): { action?: BulkActionDto; errors?: FormErrors; values: ActionValues } {
  const kind = oneOf(q, 'kind');
  const date = dateFromParts(q, 'effectiveDate');
  const values: ActionValues = { kind, route: oneOf(q, 'route'), destinationOrganisationId: oneOf(q, 'destinationOrganisationId'), state: oneOf(q, 'state'), note: oneOf(q, 'note'), effectiveDate: date.values };
  const error = (field: string, text: string, href = field): { errors: FormErrors; values: ActionValues } => ({
    errors: { errorList: [{ text, href: `#${href}` }], fields: { [field]: { text } }, stale: false, status: 400 },
    values,
  });
  switch (kind) {
    case BulkActionKind.SetRoute:
      if (!values.route || !CASE_ROUTES.includes(values.route as CaseRoute)) return error('route', 'Select the route');
      return { action: { kind, route: values.route as CaseRoute }, values };
    case BulkActionKind.SetDestination:
      if (!values.destinationOrganisationId || !isUuid(values.destinationOrganisationId)) return error('destinationOrganisationId', 'Select the destination organisation');
      return { action: { kind, destinationOrganisationId: values.destinationOrganisationId }, values };
    case BulkActionKind.SetEffectiveDate:
      if (!date.iso) return error('effectiveDate', date.error ? `The proposed effective date ${date.error}` : 'Enter the proposed effective date', 'effectiveDate-day');
      return { action: { kind, proposedEffectiveDate: date.iso }, values };
    case BulkActionKind.SetState:
      if (!values.state || !CASE_STATES.includes(values.state as CaseState)) return error('state', 'Select the state');
      if (values.note && values.note.length > 2000) return error('note', 'The note must be 2000 characters or fewer');
      return { action: { kind, state: values.state as CaseState, ...(values.note ? { note: values.note } : {}) }, values };
    default:
      return error('kind', 'Select what to change', 'kind');
  }
}

/** The action as query/form values (hidden fields of the next step). */
function actionFields(a: ActionValues): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const push = (name: string, value?: string) => value && out.push({ name, value });
  push('kind', a.kind);
  if (a.kind === BulkActionKind.SetRoute) push('route', a.route);
  if (a.kind === BulkActionKind.SetDestination) push('destinationOrganisationId', a.destinationOrganisationId);
  if (a.kind === BulkActionKind.SetEffectiveDate) {
    push('effectiveDate-day', a.effectiveDate?.day);
    push('effectiveDate-month', a.effectiveDate?.month);
    push('effectiveDate-year', a.effectiveDate?.year);
  }
  if (a.kind === BulkActionKind.SetState) {
    push('state', a.state);
    push('note', a.note);
  }
  return out;
}

/**
 * Bulk changes for HR: choose the cases on the list (checkboxes, or every case matching the
 * filters), choose what to set, then "Check your answers" shows exactly what will change for each
 * case (BulkService.preview runs the very change and rolls it back), then the commit applies it all
 * or nothing; if the cases moved since the preview, the preview is shown again with a message.
 */
@ApiExcludeController()
@Controller('programmes/:id/cases/bulk')
export class BulkPage {
  constructor(
    private readonly bulk: BulkService,
    private readonly search: CaseSearchService,
    private readonly programmes: ProgrammesService,
  ) {}

  /** Step 1: what to change, for the cases chosen on the list. */
  @Get()
  @Roles(Role.Admin, Role.HrOfficer)
  async choose(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string, @Query() q: QueryValues): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    let caseIds = listOf(q, 'caseIds').filter(isUuid);
    if (oneOf(q, 'select') === 'all') {
      const all = await this.search.matchingIds(user, programmeId, readCaseSearch(q), viewAsOf(req), BULK_LIMIT + 1);
      if (all.total > BULK_LIMIT) {
        return redirectTo(req, reply, `/programmes/${programmeId}/cases`, { kind: 'important', text: `The filters match ${all.total} cases: change at most ${BULK_LIMIT} at once. Narrow the filters.` });
      }
      caseIds = all.ids;
    }
    if (!caseIds.length) {
      return redirectTo(req, reply, `/programmes/${programmeId}/cases`, { kind: 'important', text: 'Select at least one case to change, or choose to change all the matching cases.' });
    }
    // One question a page: what to change (radios), then its new value. (No conditional reveals:
    // GOV.UK Frontend's sets aria-expanded on radios, which axe refuses as WCAG 4.1.2.)
    const kind = oneOf(q, 'kind');
    if (oneOf(q, 'asked') === 'kind' && !kind) {
      return this.renderChoose(req, reply, user, programme, caseIds, { values: {}, errors: readAction({}).errors }, 400);
    }
    await this.renderChoose(req, reply, user, programme, caseIds, { values: kind ? { ...readAction(q).values, kind } : {} });
  }

  /** Step 2: check your answers (the preview). GET: it changes nothing. */
  @Get('check')
  @Roles(Role.Admin, Role.HrOfficer)
  async check(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string, @Query() q: QueryValues): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    const caseIds = listOf(q, 'caseIds').filter(isUuid).slice(0, BULK_LIMIT);
    if (!caseIds.length) return redirectTo(req, reply, `/programmes/${programmeId}/cases`, { kind: 'important', text: 'Select at least one case to change.' });
    const read = readAction(q);
    if (!read.action) return this.renderChoose(req, reply, user, programme, caseIds, { values: read.values, errors: read.errors }, 400);
    await this.renderCheck(req, reply, user, programme, caseIds, read.values, read.action);
  }

  /** Step 3: commit, all or nothing. */
  @Post('commit')
  @Roles(Role.Admin, Role.HrOfficer)
  async commit(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string, @Body() body: unknown): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    const fields = formFields(body);
    const caseIds = listOf(fields, 'caseIds').filter(isUuid).slice(0, BULK_LIMIT);
    const read = readAction(fields);
    const token = oneOf(fields, 'previewToken') ?? '';
    if (!caseIds.length || !read.action) return redirectTo(req, reply, `/programmes/${programmeId}/cases`, { kind: 'important', text: 'Choose the cases and what to change again.' });
    let result;
    try {
      result = await this.bulk.commit(user, programmeId, { filter: { caseIds }, action: read.action, previewToken: token });
    } catch (err) {
      const errors = formErrors(err);
      const stale = /preview/i.test(errors.errorList.map((e) => e.text).join(' ')) || errors.stale;
      const text = stale
        ? 'The cases changed since you checked them, so nothing was changed. Check what will change now, then confirm again.'
        : 'Nothing was changed: ' + errors.errorList.map((e) => e.text).join('; ');
      return this.renderCheck(req, reply, user, programme, caseIds, read.values, read.action, { errorList: [{ text, href: '#changes' }], fields: {}, stale, status: 409 }, 409);
    }
    await redirectTo(req, reply, `/programmes/${programmeId}/cases/bulk/done`, {
      kind: 'success',
      title: BULK_DONE_TITLE,
      text: `${result.changes.length} ${result.changes.length === 1 ? 'case' : 'cases'} changed${result.unchanged.length ? `; ${result.unchanged.length} already as chosen` : ''}`,
    });
  }

  /** Step 4: the confirmation panel (from the commit's banner; without one, back to the list). */
  @Get('done')
  @Roles(Role.Admin, Role.HrOfficer)
  async done(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    const flash = takeFlash(req);
    const panel = flash.find((f) => f.title === BULK_DONE_TITLE);
    if (!panel) return reply.redirect(`/programmes/${programmeId}/cases`, 303);
    await renderPage(req, reply, 'cases/views/bulk-done.njk', {
      pageTitle: BULK_DONE_TITLE,
      panel: panel.text,
      flash: flash.filter((f) => f !== panel),
      programme: { id: programme.id, name: programme.name },
    });
  }

  private async renderChoose(
    req: FastifyRequest,
    reply: FastifyReply,
    _user: AuthUser,
    programme: { id: string; name: string },
    caseIds: string[],
    extra: { values?: ActionValues; errors?: FormErrors },
    status = 200,
  ) {
    const organisations = await this.search.organisations();
    await renderPage(
      req,
      reply,
      'cases/views/bulk-choose.njk',
      {
        pageTitle: extra.values?.kind && (KIND_LABELS as Record<string, string>)[extra.values.kind] ? `New ${KIND_LABELS[extra.values.kind as BulkActionKind].toLowerCase()}` : 'What do you want to change?',
        step: extra.values?.kind && (KIND_LABELS as Record<string, string>)[extra.values.kind] ? 'value' : 'kind',
        programme: { id: programme.id, name: programme.name },
        caseIds,
        values: extra.values ?? {},
        errors: extra.errors,
        routes: CASE_ROUTES.map((r) => ({ value: r, text: ROUTE_LABELS[r] })),
        states: CASE_STATES.map((s) => ({ value: s, text: STATE_LABELS[s] })),
        organisations: organisations.map((o) => ({ value: o.id, text: o.name })),
        kinds: KIND_LABELS,
      },
      status,
    );
  }

  private async renderCheck(
    req: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    programme: { id: string; name: string },
    caseIds: string[],
    values: ActionValues,
    action: BulkActionDto,
    errors?: FormErrors,
    status = 200,
  ) {
    let preview: BulkPreviewResponse;
    try {
      preview = await this.bulk.preview(user, programme.id, { filter: { caseIds }, action });
    } catch (err) {
      const e = formErrors(err);
      return this.renderChoose(req, reply, user, programme, caseIds, { values, errors: e }, e.status);
    }
    const orgName = new Map((await this.search.organisations()).map((o) => [o.id, o.name]));
    const show = (field: string, v: unknown): string => {
      if (v === null || v === undefined || v === '') return 'Not set';
      if (field === 'route') return ROUTE_LABELS[v as CaseRoute] ?? String(v);
      if (field === 'state' || field === 'heldFromState') return STATE_LABELS[v as CaseState] ?? String(v);
      if (/OrganisationId$/.test(field)) return orgName.get(String(v)) ?? String(v);
      return String(v);
    };
    const deadlineText = (v: unknown) => (typeof v === 'string' ? v.split(' ')[0] : null);
    const changes = preview.changes.map((c) => ({
      caseId: c.caseId,
      href: `/cases/${c.caseId}`,
      postReference: c.postReference,
      fields: Object.entries(c.changes).map(([field, ch]) => ({ field, label: FIELD_LABELS[field] ?? field, raw: ch.to === null ? '' : String(ch.to), from: show(field, ch.from), to: show(field, ch.to), date: /Date$/.test(field) })),
      deadlines: Object.entries(c.deadlines).map(([kind, ch]) => ({ kind, label: FIELD_LABELS[kind] ?? kind, from: deadlineText(ch.from), to: deadlineText(ch.to) })),
    }));
    const actionText =
      action.kind === BulkActionKind.SetRoute
        ? ROUTE_LABELS[action.route!]
        : action.kind === BulkActionKind.SetDestination
          ? (orgName.get(action.destinationOrganisationId!) ?? '')
          : action.kind === BulkActionKind.SetEffectiveDate
            ? action.proposedEffectiveDate!
            : STATE_LABELS[action.state!];
    const q = new URLSearchParams();
    for (const id of caseIds) q.append('caseIds', id);
    for (const f of actionFields(values)) q.append(f.name, f.value);
    await renderPage(
      req,
      reply,
      'cases/views/bulk-check.njk',
      {
        pageTitle: 'Check your answers before changing the cases',
        programme: { id: programme.id, name: programme.name },
        preview,
        changes,
        blocked: preview.blocked,
        kindLabel: KIND_LABELS[action.kind],
        actionText,
        actionIsDate: action.kind === BulkActionKind.SetEffectiveDate,
        note: action.note,
        caseIds,
        hidden: actionFields(values),
        changeHref: `/programmes/${programme.id}/cases/bulk?${q.toString()}`,
        changeKindHref: `/programmes/${programme.id}/cases/bulk?${caseIds.map((id) => `caseIds=${id}`).join('&')}`,
        errors,
        labels: LABELS,
      },
      status,
    );
  }
}
