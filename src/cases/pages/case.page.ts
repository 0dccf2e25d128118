import { Body, Controller, Get, HttpStatus, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { todayInLondon } from '../../common/dates';
import { UuidParam } from '../../common/http/uuid-param';
import { govDate } from '../../web/filters';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { isStaff } from '../case-access';
import { ChecklistItem, CHECKLIST_ITEMS } from '../case-rules';
import { CASE_STATES, CaseState, OPEN_STATES, TRANSFER_ROUTES } from '../case-state';
import { CasesService } from '../cases.service';
import { CaseResponse, CaseTransitionResponse, ChecklistUpdateDto, EliOverrideDto, TransitionCaseDto } from '../dto/case.dto';
import { CHECKLIST_LABELS, LABELS, MOVE_LABELS, STATE_LABELS } from '../case-labels';
import { dateFromParts, dateParts, staleCaseErrors } from './page-helpers';

interface TimelineItem {
  label: string;
  byline: string | null;
  at: string;
  /** Sort key: an ISO timestamp. */
  sort: string;
  text?: string | null;
  kind: 'state' | 'checklist' | 'override';
}

/** The case's story, newest first: state changes, checklist items done, the ELI override. */
export function caseTimeline(c: CaseResponse, transitions: CaseTransitionResponse[]): TimelineItem[] {
  const items: TimelineItem[] = transitions.map((t) => ({
    kind: 'state',
    label: t.fromState ? `${STATE_LABELS[t.fromState]} to ${STATE_LABELS[t.toState]}` : 'Case opened',
    byline: t.actorLabel,
    at: t.occurredAt,
    sort: t.occurredAt,
    text: t.note ?? null,
  }));
  for (const k of c.checklist) {
    if (k.done && k.recordedAt) {
      items.push({ kind: 'checklist', label: `${CHECKLIST_LABELS[k.item]}`, byline: k.doneByLabel, at: k.recordedAt, sort: k.recordedAt, text: `Done on ${govDate(k.doneOn)}` });
    }
  }
  if (c.eliOverride) {
    items.push({ kind: 'override', label: 'ELI override recorded', byline: c.eliOverride.byLabel, at: c.eliOverride.at, sort: c.eliOverride.at, text: c.eliOverride.reason });
  }
  return items.sort((a, b) => b.sort.localeCompare(a.sort));
}

/** Checklist items: a path segment the service knows, else 404. */
function checklistItem(value: string): ChecklistItem {
  if (!CHECKLIST_ITEMS.includes(value as ChecklistItem)) throw new NotFoundException('No such checklist item');
  return value as ChecklistItem;
}

function targetState(value: string): CaseState {
  if (!CASE_STATES.includes(value as CaseState)) throw new NotFoundException('No such state');
  return value as CaseState;
}

const canOverrideEli = (c: CaseResponse) =>
  TRANSFER_ROUTES.includes(c.route) &&
  [...OPEN_STATES, CaseState.OnHold].includes(c.state) &&
  !c.eliOverride &&
  !c.checklist.find((k) => k.item === ChecklistItem.EliSent)?.done;

/**
 * One case: the person's current and new post, deadlines as a task list, the checklist, the
 * state history as a timeline; and HR's forms: a checklist item, a move to another state (each a
 * confirmation page with a note), the ELI override with its reason. Managers read their areas'
 * cases only (others are 404, as in the API); trade union reps have no case pages (403).
 */
@ApiExcludeController()
@Controller('cases/:id')
export class CasePage {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const asOf = viewAsOf(req);
    const c = await this.cases.get(user, id, asOf);
    const transitions = await this.cases.transitions(user, id);
    const staff = isStaff(user);
    await renderPage(req, reply, 'cases/views/case.njk', {
      pageTitle: `${c.post.reference}: ${c.employee.firstName} ${c.employee.lastName}`,
      c,
      labels: LABELS,
      timeline: caseTimeline(c, transitions),
      canChange: staff && !['completed', 'withdrawn'].includes(c.state),
      canTick: staff,
      canOverride: user.role === Role.HrOfficer && canOverrideEli(c),
      personHref: staff ? `/people/${c.employee.id}` : null,
      moves: staff ? c.allowedTransitions.map((s) => ({ state: s, text: MOVE_LABELS[s], href: `/cases/${c.id}/move/${s}`, warning: s === CaseState.Withdrawn })) : [],
      listHref: `/programmes/${c.programmeId}/cases`,
      eliHref: staff ? `/programmes/${c.programmeId}/eli` : null,
    });
  }

  // ---- the checklist ------------------------------------------------------------------------

  @Get('checklist/:item')
  @Roles(Role.Admin, Role.HrOfficer)
  async checklistForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Param('item') itemParam: string): Promise<void> {
    const item = checklistItem(itemParam);
    const c = await this.cases.get(user, id, viewAsOf(req));
    await this.renderChecklist(req, reply, c, item, {});
  }

  @Post('checklist/:item')
  @Roles(Role.Admin, Role.HrOfficer)
  async checklist(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('item') itemParam: string,
    @Body() body: unknown,
  ): Promise<void> {
    const item = checklistItem(itemParam);
    const fields = formFields(body);
    const undo = (body as Record<string, unknown> | null)?.action === 'undo';
    const date = dateFromParts(fields, 'doneOn');
    const values = { ...fields, doneOn: date.values };
    const again = async (errors: FormErrors, current?: CaseResponse) =>
      this.renderChecklist(req, reply, current ?? (await this.cases.get(user, id, viewAsOf(req))), item, { errors, values: current ? { note: fields.note } : values }, errors.status);
    if (date.error) return again(fieldError('doneOn-day', `The date ${date.error}`));
    if (date.iso && date.iso > todayInLondon()) return again(fieldError('doneOn-day', 'The date must be today or in the past'));
    const form = await readForm(ChecklistUpdateDto, { version: Number(fields.version), done: !undo, ...(date.iso && !undo ? { doneOn: date.iso } : {}), ...(fields.note ? { note: fields.note } : {}) }, { note: 'Note', doneOn: 'The date' });
    if (form.errors) return again(form.errors);
    try {
      await this.cases.setChecklistItem(user, id, item, form.value);
    } catch (err) {
      const errors = formErrors(err, { doneOn: 'The date', note: 'Note', done: 'This item' }, { doneOn: 'doneOn-day', done: 'main-content' });
      if (errors.stale) return again(staleCaseErrors(errors), await this.cases.get(user, id, viewAsOf(req)));
      return again(errors);
    }
    await redirectTo(req, reply, `/cases/${id}#checklist`, { kind: 'success', text: undo ? `${CHECKLIST_LABELS[item]}: recorded as not done` : `${CHECKLIST_LABELS[item]}: recorded as done` });
  }

  private async renderChecklist(req: FastifyRequest, reply: FastifyReply, c: CaseResponse, item: ChecklistItem, extra: { errors?: FormErrors; values?: Record<string, unknown> }, status = 200) {
    const entry = c.checklist.find((k) => k.item === item)!;
    const values = extra.values ?? { doneOn: dateParts(entry.doneOn), note: entry.note ?? '' };
    await renderPage(
      req,
      reply,
      'cases/views/checklist-item.njk',
      { pageTitle: `${CHECKLIST_LABELS[item]} – ${c.post.reference}`, c, item, itemLabel: CHECKLIST_LABELS[item], entry, values, errors: extra.errors, labels: LABELS },
      status,
    );
  }

  // ---- moving to another state --------------------------------------------------------------

  @Get('move/:state')
  @Roles(Role.Admin, Role.HrOfficer)
  async moveForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Param('state') stateParam: string): Promise<void> {
    const to = targetState(stateParam);
    const c = await this.cases.get(user, id, viewAsOf(req));
    if (!c.allowedTransitions.includes(to)) {
      return redirectTo(req, reply, `/cases/${id}`, { kind: 'important', text: `This case is ${STATE_LABELS[c.state].toLowerCase()}: it cannot move to ${STATE_LABELS[to].toLowerCase()} now.` });
    }
    await this.renderMove(req, reply, c, to, {});
  }

  @Post('move/:state')
  @Roles(Role.Admin, Role.HrOfficer)
  async move(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Param('state') stateParam: string,
    @Body() body: unknown,
  ): Promise<void> {
    const to = targetState(stateParam);
    const fields = formFields(body);
    const date = dateFromParts(fields, 'effectiveDate');
    const values = { note: fields.note, effectiveDate: date.values, version: fields.version };
    const again = async (errors: FormErrors, fresh = false) =>
      this.renderMove(req, reply, await this.cases.get(user, id, viewAsOf(req)), to, { errors, values: fresh ? { note: fields.note } : values }, errors.status);
    if (date.error) return again(fieldError('effectiveDate-day', `The effective date ${date.error}`));
    const form = await readForm(
      TransitionCaseDto,
      { to, version: Number(fields.version), ...(fields.note ? { note: fields.note } : {}), ...(date.iso && to === CaseState.Effective ? { effectiveDate: date.iso } : {}) },
      { note: 'Note', effectiveDate: 'The effective date' },
    );
    if (form.errors) return again(form.errors);
    try {
      await this.cases.transition(user, id, form.value);
    } catch (err) {
      const errors = formErrors(err, { note: 'Note', effectiveDate: 'The effective date', to: 'The new state' }, { effectiveDate: 'effectiveDate-day', to: 'main-content', 'checklist': 'main-content', documents: 'main-content' });
      if (errors.stale) return again(staleCaseErrors(errors), true);
      return again(errors);
    }
    await redirectTo(req, reply, `/cases/${id}`, { kind: 'success', text: `The case is now ${STATE_LABELS[to].toLowerCase()}` });
  }

  private async renderMove(req: FastifyRequest, reply: FastifyReply, c: CaseResponse, to: CaseState, extra: { errors?: FormErrors; values?: Record<string, unknown> }, status = 200) {
    const eliMissing = extra.errors?.errorList.some((e) => /ELI/.test(e.text));
    await renderPage(
      req,
      reply,
      'cases/views/move.njk',
      {
        pageTitle: `${MOVE_LABELS[to]} – ${c.post.reference}`,
        c,
        to,
        heading: MOVE_LABELS[to],
        values: extra.values ?? { effectiveDate: dateParts(c.actualEffectiveDate ?? c.proposedEffectiveDate) },
        errors: extra.errors,
        labels: LABELS,
        overrideHref: eliMissing && canOverrideEli(c) ? `/cases/${c.id}/eli-override` : null,
      },
      status,
    );
  }

  // ---- the ELI override ---------------------------------------------------------------------

  @Get('eli-override')
  @Roles(Role.HrOfficer)
  async overrideForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const c = await this.cases.get(user, id, viewAsOf(req));
    await this.renderOverride(req, reply, c, {});
  }

  @Post('eli-override')
  @Roles(Role.HrOfficer)
  async override(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const again = async (errors: FormErrors, fresh = false) =>
      this.renderOverride(req, reply, await this.cases.get(user, id, viewAsOf(req)), { errors, values: fresh ? { reason: fields.reason } : fields }, errors.status);
    if (!fields.reason) return again(fieldError('reason', 'Enter why the transfer may take effect without ELI recorded as sent'));
    const form = await readForm(EliOverrideDto, { version: Number(fields.version), reason: fields.reason }, { reason: 'Reason' });
    if (form.errors) return again(form.errors);
    try {
      await this.cases.overrideEli(user, id, form.value);
    } catch (err) {
      const errors = formErrors(err, { reason: 'Reason' }, { route: 'main-content', state: 'main-content', checklist: 'main-content' });
      if (errors.stale) return again(staleCaseErrors(errors), true);
      return again(errors);
    }
    await redirectTo(req, reply, `/cases/${id}`, { kind: 'success', text: 'ELI override recorded: the transfer may take effect without ELI recorded as sent' });
  }

  private async renderOverride(req: FastifyRequest, reply: FastifyReply, c: CaseResponse, extra: { errors?: FormErrors; values?: Record<string, unknown> }, status: number = HttpStatus.OK) {
    await renderPage(
      req,
      reply,
      'cases/views/eli-override.njk',
      { pageTitle: `ELI override – ${c.post.reference}`, c, values: extra.values ?? {}, errors: extra.errors, labels: LABELS, possible: canOverrideEli(c) },
      status,
    );
  }
}
