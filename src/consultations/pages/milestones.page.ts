import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { UuidParam } from '../../common/http/uuid-param';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { MANAGE_ROLES } from '../../common/access/programme-access';
import { ConsultationStatusService } from '../consultation-status.service';
import { ConsultationsService } from '../consultations.service';
import { CreateMilestoneDto, MilestoneResponse, UpdateMilestoneDto } from '../dto/milestone.dto';
import { DEFAULT_REMINDER_OFFSETS, MilestoneAudience, MilestoneKind } from '../entities/milestone.entity';
import { MilestonesService } from '../milestones.service';
import { milestoneTag } from './consultation-view';
import { Fields, int, isStale, list, mergeErrors, pageErrors, partsOf, readDate, staleErrors, text } from '../../web/page-forms';

const KIND_LABELS: Record<MilestoneKind, string> = {
  [MilestoneKind.ConsultationStart]: 'Consultation starts',
  [MilestoneKind.ConsultationEnd]: 'Consultation ends',
  [MilestoneKind.Hr1Notice]: 'HR1 notice (TULRCA s.193)',
  [MilestoneKind.MeasuresLetter]: 'Measures letter (TUPE reg. 13)',
  [MilestoneKind.EmployeeLiabilityInformation]: 'Employee liability information (TUPE reg. 11)',
  [MilestoneKind.GovernanceDecision]: 'Governance decision',
  [MilestoneKind.Forum]: 'Joint TU forum',
  [MilestoneKind.GoLive]: 'Go-live',
  [MilestoneKind.Other]: 'Other',
};
const AUDIENCE_LABELS: Record<MilestoneAudience, string> = {
  [MilestoneAudience.Forum]: 'The joint trade union forum',
  [MilestoneAudience.Hr]: 'HR',
  [MilestoneAudience.Managers]: 'Managers',
  [MilestoneAudience.AffectedStaff]: 'Affected staff',
};
const LABELS = { title: 'Title', kind: 'Kind', dueDate: 'Due date', reminderOffsets: 'Reminders', audience: 'Who is told', description: 'Description' };
const IDS = { dueDate: 'dueDate-day', kind: 'kind', audience: 'audience' };

/** The milestone form's fields, as the DTOs name them (still to be validated). */
type MilestoneForm = {
  title?: string;
  description?: string;
  kind?: string;
  dueDate?: string;
  reminderOffsets?: number[];
  audience: string[];
};

/** "14, 7, 1" → [14, 7, 1]; null when it is not a list of whole numbers. */
function offsets(v: string | undefined): number[] | null | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(/[\s,]+/).filter(Boolean);
  if (!parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  return parts.map(Number);
}

/** HR's milestones of a consultation: the list, add one, change one (reminder offsets included). */
@ApiExcludeController()
@Controller()
export class MilestonePages {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly milestones: MilestonesService,
    private readonly statusView: ConsultationStatusService,
  ) {}

  @Get('consultations/:id/milestones')
  @Roles(...MANAGE_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const s = await this.statusView.status(user, id, viewAsOf(req));
    const all = (await this.milestones.listFor(user, id)).map((m) => MilestoneResponse.from(m, user));
    const byId = new Map(s.milestones.map((m) => [m.id, m]));
    await renderPage(req, reply, 'consultations/views/milestones.njk', {
      pageTitle: `Milestones: ${s.consultation.title}`,
      c: s.consultation,
      milestones: all.map((m) => ({ ...m, kindLabel: KIND_LABELS[m.kind], audienceLabels: m.audience.map((a) => AUDIENCE_LABELS[a]), tag: milestoneTag(byId.get(m.id) ?? { status: m.status }) })),
    });
  }

  @Get('consultations/:id/milestones/new')
  @Roles(...MANAGE_ROLES)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const c = await this.consultations.get(user, id);
    await this.renderForm(req, reply, { id: c.id, title: c.title }, null, { reminderOffsets: DEFAULT_REMINDER_OFFSETS.join(', '), audience: [MilestoneAudience.Forum, MilestoneAudience.Hr] });
  }

  @Post('consultations/:id/milestones/new')
  @Roles(...MANAGE_ROLES)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const c = await this.consultations.get(user, id);
    const f = formFields(body);
    const { dto, errors: own } = this.fromForm(f, true);
    const form = await readForm(CreateMilestoneDto, dto, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, c, null, f, errors, 400);
    try {
      const m = await this.milestones.create(id, form.value);
      await redirectTo(req, reply, `/consultations/${id}/milestones`, { kind: 'success', text: `Milestone added: ${m.title}` });
    } catch (err) {
      const e = formErrors(err, LABELS, IDS);
      return this.renderForm(req, reply, c, null, f, e, e.status);
    }
  }

  @Get('milestones/:id/edit')
  @Roles(...MANAGE_ROLES)
  async editForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const m = MilestoneResponse.from(await this.milestones.get(user, id), user);
    const c = await this.consultations.get(user, m.consultationId);
    await this.renderForm(req, reply, c, m, this.valuesOf(m));
  }

  @Post('milestones/:id/edit')
  @Roles(...MANAGE_ROLES)
  async update(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const m = MilestoneResponse.from(await this.milestones.get(user, id), user);
    const c = await this.consultations.get(user, m.consultationId);
    const f = formFields(body);
    const { dto, errors: own } = this.fromForm(f, !m.derivedFrom);
    const form = await readForm(UpdateMilestoneDto, { ...dto, version: int(text(f, 'version')), description: dto.description ?? null }, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, c, m, f, errors, 400);
    try {
      const saved = await this.milestones.update(id, form.value);
      await redirectTo(req, reply, `/consultations/${c.id}/milestones`, { kind: 'success', text: `Milestone changed: ${saved.title}` });
    } catch (err) {
      const e = formErrors(err, LABELS, IDS);
      if (isStale(e)) {
        const fresh = MilestoneResponse.from(await this.milestones.get(user, id), user);
        return this.renderForm(req, reply, c, fresh, this.valuesOf(fresh), staleErrors(e, 'milestone'), 409);
      }
      return this.renderForm(req, reply, c, m, f, e, e.status);
    }
  }

  private valuesOf(m: MilestoneResponse): Record<string, unknown> {
    const p = partsOf(m.dueDate);
    return {
      title: m.title,
      description: m.description ?? '',
      kind: m.kind,
      'dueDate-day': p.day,
      'dueDate-month': p.month,
      'dueDate-year': p.year,
      reminderOffsets: m.reminderOffsets.join(', '),
      audience: m.audience,
      version: String(m.version),
    };
  }

  private fromForm(f: Fields, withDate: boolean): { dto: MilestoneForm; errors?: FormErrors } {
    const due = withDate ? readDate(f, 'dueDate', 'the due date', true) : { value: undefined, error: undefined };
    const rem = offsets(text(f, 'reminderOffsets'));
    const dto: MilestoneForm = {
      title: text(f, 'title'),
      description: text(f, 'description'),
      kind: text(f, 'kind'),
      dueDate: due.value,
      reminderOffsets: rem === null ? undefined : (rem ?? []),
      audience: list(f, 'audience'),
    };
    const errors = pageErrors(
      {
        title: !dto.title ? 'Enter a title' : undefined,
        kind: !dto.kind ? 'Select the kind of milestone' : undefined,
        dueDate: due.error,
        reminderOffsets: rem === null ? 'Enter reminders as days before the due date, separated by commas, like 14, 7, 1' : undefined,
        audience: !dto.audience.length ? 'Select who is told' : undefined,
      },
      IDS,
    );
    return { dto, errors };
  }

  private async renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    c: { id: string; title: string },
    current: MilestoneResponse | null,
    values: Record<string, unknown>,
    errors?: FormErrors,
    status = 200,
  ): Promise<void> {
    const audience = Array.isArray(values.audience) ? values.audience : typeof values.audience === 'string' ? [values.audience] : [];
    await renderPage(
      req,
      reply,
      'consultations/views/milestone-form.njk',
      {
        pageTitle: current ? `Change milestone: ${current.title}` : 'Add a milestone',
        c: { id: c.id, title: c.title },
        current,
        values,
        errors,
        kinds: Object.values(MilestoneKind).map((k) => ({ value: k, text: KIND_LABELS[k], selected: values.kind === k })),
        audiences: Object.values(MilestoneAudience).map((a) => ({ value: a, text: AUDIENCE_LABELS[a], checked: audience.includes(a) })),
      },
      status,
    );
  }
}
