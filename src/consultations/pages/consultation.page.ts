import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ProgrammesService } from '../../establishment/programmes.service';
import { UuidParam } from '../../common/http/uuid-param';
import { ForumService } from '../../forum/forum.service';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { isStaff, MANAGE_ROLES, READ_ROLES } from '../../common/access/programme-access';
import { ConsultationStatusService } from '../consultation-status.service';
import { ConsultationsService } from '../consultations.service';
import { ConsultationResponse, CreateConsultationDto, UpdateConsultationDto } from '../dto/consultation.dto';
import { CONSULTATION_KIND_LABELS, ConsultationKind, ConsultationStatus } from '../entities/consultation.entity';
import { milestoneTag, PHASE_TAGS, STATUS_TAGS } from './consultation-view';
import { Fields, int, isStale, mergeErrors, pageErrors, partsOf, readDate, staleErrors, text } from '../../web/page-forms';

const LABELS = {
  programmeId: 'Programme',
  title: 'Title',
  description: 'Description',
  kind: 'Kind of consultation',
  startDate: 'Start date',
  plannedEndDate: 'Planned end date',
  establishment: 'Establishment',
  proposedDismissals: 'Proposed dismissals',
  firstDismissalDate: 'First dismissal date',
  firstNoticeDate: 'First notice of dismissal date',
};
const IDS = { startDate: 'startDate-day', plannedEndDate: 'plannedEndDate-day', firstDismissalDate: 'firstDismissalDate-day', firstNoticeDate: 'firstNoticeDate-day', kind: 'kind' };
/** The consultation form's fields, as the DTOs name them (still to be validated). */
type ConsultationForm = {
  programmeId?: string;
  title?: string;
  description?: string;
  kind?: string;
  startDate?: string;
  plannedEndDate?: string;
  establishment?: string;
  proposedDismissals?: number | string;
  firstDismissalDate?: string;
  firstNoticeDate?: string;
};
const KINDS = Object.values(ConsultationKind).map((k) => ({ value: k, text: CONSULTATION_KIND_LABELS[k] }));

/** The statutory outcome of a consultation, in words, for the banner after a change. */
function statutoryText(c: ConsultationResponse): string {
  if (c.kind !== ConsultationKind.CollectiveRedundancy) return '';
  if (!c.minimumPeriodDays) return ' No statutory consultation period applies to this number of proposed dismissals.';
  return ` Consultation must begin at least ${c.minimumPeriodDays} days before the first dismissal takes effect (TULRCA s.188)${c.hr1DueDate ? `; HR1 due by ${c.hr1DueDate}` : ''}.`;
}

/**
 * The consultation as pages: the list, the reps' status view (as at the session's date), and HR's
 * forms to plan and change a consultation. Every model comes from the role's response DTOs.
 */
@ApiExcludeController()
@Controller()
export class ConsultationPages {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly statusView: ConsultationStatusService,
    private readonly forums: ForumService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('consultations')
  @Roles(...READ_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const asOf = viewAsOf(req);
    const rows = await this.consultations.list(user, {});
    const items = await Promise.all(
      rows.map(async (c) => {
        const s = await this.statusView.status(user, c.id, asOf);
        return { id: c.id, title: c.title, kindLabel: s.consultation.kindLabel, startDate: c.startDate, plannedEndDate: c.plannedEndDate, phaseLabel: s.phaseLabel, phaseTag: PHASE_TAGS[s.phase] };
      }),
    );
    const programmes = await this.programmes.list(user);
    const forums = (await Promise.all(programmes.map((p) => this.forums.forProgramme(p.id)))).flatMap((f) => (f ? [{ id: f.id, title: f.title }] : []));
    await renderPage(req, reply, 'consultations/views/list.njk', { pageTitle: 'Consultation', items, forums, canManage: isStaff(user) });
  }

  @Get('consultations/new')
  @Roles(...MANAGE_ROLES)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    await this.renderForm(req, reply, user, null, { kind: ConsultationKind.TupeInformationConsultation });
  }

  @Post('consultations/new')
  @Roles(...MANAGE_ROLES)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const f = formFields(body);
    const { dto, errors: own } = this.fromForm(f, true, true);
    const form = await readForm(CreateConsultationDto, dto, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, user, null, f, errors, 400);
    try {
      const c = await this.consultations.create(form.value);
      const r = ConsultationResponse.from(c, user, (await this.consultations.withRule(c)).rule);
      await redirectTo(req, reply, `/consultations/${c.id}`, { kind: 'success', text: `Consultation planned: ${c.title}.${statutoryText(r)}` });
    } catch (err) {
      const e = formErrors(err, LABELS, IDS);
      return this.renderForm(req, reply, user, null, f, e, e.status);
    }
  }

  @Get('consultations/:id')
  @Roles(...READ_ROLES)
  async status(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const s = await this.statusView.status(user, id, viewAsOf(req));
    const forum = await this.forums.forProgramme(s.consultation.programmeId);
    await renderPage(req, reply, 'consultations/views/status.njk', {
      pageTitle: s.consultation.title,
      s,
      c: s.consultation,
      forumId: forum?.id ?? null,
      phaseTag: PHASE_TAGS[s.phase],
      statusTag: STATUS_TAGS[s.consultation.status],
      milestones: s.milestones.map((m) => ({ ...m, tag: milestoneTag(m) })),
      canManage: isStaff(user),
      isRep: user.role === 'tu_rep',
    });
  }

  @Get('consultations/:id/edit')
  @Roles(...MANAGE_ROLES)
  async editForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const c = ConsultationResponse.from(await this.consultations.get(user, id), user);
    await this.renderForm(req, reply, user, c, this.valuesOf(c));
  }

  @Post('consultations/:id/edit')
  @Roles(...MANAGE_ROLES)
  async update(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const current = ConsultationResponse.from(await this.consultations.get(user, id), user);
    const f = formFields(body);
    const planned = current.status === ConsultationStatus.Planned;
    const { dto, errors: own } = this.fromForm({ ...f, ...(planned ? {} : { kind: current.kind }) }, planned, false);
    const update: Record<string, unknown> = {
      version: int(text(f, 'version')),
      title: dto.title,
      description: dto.description ?? null,
      establishment: dto.establishment ?? null,
      ...(planned ? { kind: dto.kind, startDate: dto.startDate, plannedEndDate: dto.plannedEndDate } : {}),
    };
    if ((planned ? dto.kind : current.kind) === ConsultationKind.CollectiveRedundancy) {
      update.proposedDismissals = dto.proposedDismissals ?? null;
      update.firstDismissalDate = dto.firstDismissalDate ?? null;
      update.firstNoticeDate = dto.firstNoticeDate ?? null;
    }
    const form = await readForm(UpdateConsultationDto, update, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, user, current, f, errors, 400);
    try {
      const c = await this.consultations.update(id, form.value);
      const r = ConsultationResponse.from(c, user, (await this.consultations.withRule(c)).rule);
      await redirectTo(req, reply, `/consultations/${id}`, { kind: 'success', text: `Consultation changed.${statutoryText(r)}` });
    } catch (err) {
      const e = formErrors(err, LABELS, IDS);
      if (isStale(e)) {
        const fresh = ConsultationResponse.from(await this.consultations.get(user, id), user);
        return this.renderForm(req, reply, user, fresh, this.valuesOf(fresh), staleErrors(e, 'consultation'), 409);
      }
      return this.renderForm(req, reply, user, current, f, e, e.status);
    }
  }

  // --- form ------------------------------------------------------------------------------

  private valuesOf(c: ConsultationResponse): Record<string, unknown> {
    return {
      title: c.title,
      description: c.description ?? '',
      kind: c.kind,
      establishment: c.establishment ?? '',
      proposedDismissals: c.proposedDismissals === null ? '' : String(c.proposedDismissals),
      version: String(c.version),
      ...this.partFields('startDate', c.startDate),
      ...this.partFields('plannedEndDate', c.plannedEndDate),
      ...this.partFields('firstDismissalDate', c.firstDismissalDate),
      ...this.partFields('firstNoticeDate', c.firstNoticeDate),
    };
  }

  private partFields(name: string, iso: string | null): Record<string, string> {
    const p = partsOf(iso);
    return { [`${name}-day`]: p.day, [`${name}-month`]: p.month, [`${name}-year`]: p.year };
  }

  /** The form's fields as the DTO's, with the page's own messages for the date inputs. */
  private fromForm(f: Fields, withDates: boolean, withProgramme: boolean): { dto: ConsultationForm; errors?: FormErrors } {
    const kind = text(f, 'kind');
    const cr = kind === ConsultationKind.CollectiveRedundancy;
    const start = withDates ? readDate(f, 'startDate', 'the start date', true) : { value: undefined, error: undefined };
    const end = withDates ? readDate(f, 'plannedEndDate', 'the planned end date', true) : { value: undefined, error: undefined };
    const first = cr ? readDate(f, 'firstDismissalDate', 'the first dismissal date', false) : { value: undefined, error: undefined };
    const notice = cr ? readDate(f, 'firstNoticeDate', 'the first notice of dismissal date', false) : { value: undefined, error: undefined };
    const dto: ConsultationForm = {
      programmeId: text(f, 'programmeId'),
      title: text(f, 'title'),
      description: text(f, 'description'),
      kind,
      startDate: start.value,
      plannedEndDate: end.value,
      establishment: cr ? text(f, 'establishment') : undefined,
      proposedDismissals: cr ? int(text(f, 'proposedDismissals')) : undefined,
      firstDismissalDate: first.value,
      firstNoticeDate: notice.value,
    };
    const errors = pageErrors(
      {
        programmeId: withProgramme && !dto.programmeId ? 'Select the programme' : undefined,
        title: !dto.title ? 'Enter a title' : undefined,
        kind: !kind ? 'Select the kind of consultation' : undefined,
        startDate: start.error,
        plannedEndDate: end.error,
        proposedDismissals: cr && dto.proposedDismissals === undefined ? 'Enter the number of dismissals proposed at the establishment' : cr && typeof dto.proposedDismissals === 'string' ? 'Proposed dismissals must be a whole number, like 25' : undefined,
        firstDismissalDate: first.error,
        firstNoticeDate: notice.error,
      },
      IDS,
    );
    return { dto, errors };
  }

  private async renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    current: ConsultationResponse | null,
    values: Record<string, unknown>,
    errors?: FormErrors,
    status = 200,
  ): Promise<void> {
    const programmes = current ? [] : await this.programmes.list(user);
    await renderPage(
      req,
      reply,
      'consultations/views/form.njk',
      {
        pageTitle: current ? `Change ${current.title}` : 'Plan a consultation',
        current,
        planned: !current || current.status === ConsultationStatus.Planned,
        values,
        errors,
        kinds: KINDS,
        programmes: programmes.map((p) => ({ value: p.id, text: p.name })),
      },
      status,
    );
  }
}
