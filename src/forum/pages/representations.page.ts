import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { isStaff, MANAGE_ROLES, notFound, READ_ROLES, REPRESENT_ROLES } from '../../common/access/programme-access';
import { ConsultationsService } from '../../consultations/consultations.service';
import { int, isStale, londonInstant, mergeErrors, pageErrors, readDate, staleErrors, text } from '../../web/page-forms';
import { UuidParam } from '../../common/http/uuid-param';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { ForumMemberResponse, ForumResponse } from '../dto/forum.dto';
import { CreateRepresentationDto, RepresentationResponse, RespondToRepresentationDto } from '../dto/representation.dto';
import { ForumSide } from '../entities/forum-member.entity';
import { Representation, RepresentationStatus } from '../entities/representation.entity';
import { ForumService } from '../forum.service';
import { RepresentationsService } from '../representations.service';
import { forumNav } from './forum.page';

const LABELS = { subject: 'Subject', body: 'Representation', unionId: 'Union', consultationId: 'Consultation', receivedAt: 'Date received', response: 'Response', reasons: 'Reasons' };
const IDS = { receivedAt: 'receivedAt-day' };

export const REPRESENTATION_TAGS: Record<RepresentationStatus, { text: string; classes: string }> = {
  [RepresentationStatus.AwaitingResponse]: { text: 'Awaiting response', classes: 'govuk-tag--yellow' },
  [RepresentationStatus.Answered]: { text: 'Answered', classes: 'govuk-tag--green' },
};

/** Representations made at the forum and the employer's reasoned responses; a rep records one, HR responds. */
@ApiExcludeController()
@Controller()
export class RepresentationPages {
  constructor(
    private readonly forums: ForumService,
    private readonly representations: RepresentationsService,
    private readonly consultations: ConsultationsService,
  ) {}

  @Get('forum/:id/representations')
  @Roles(...READ_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const forum = await this.forum(user, id);
    const rows = await this.responses(await this.representations.list(id, {}), user);
    await renderPage(req, reply, 'forum/views/representations.njk', {
      pageTitle: `Representations: ${forum.title}`,
      forum,
      nav: forumNav(id, 'representations'),
      awaiting: rows.filter((r) => r.status === RepresentationStatus.AwaitingResponse),
      answered: rows.filter((r) => r.status === RepresentationStatus.Answered),
      canRepresent: REPRESENT_ROLES.includes(user.role),
    });
  }

  @Get('forum/:id/representations/new')
  @Roles(...REPRESENT_ROLES)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query('consultationId') consultationId?: string): Promise<void> {
    const forum = await this.forum(user, id);
    await this.renderForm(req, reply, user, forum, { consultationId: consultationId ?? '' });
  }

  @Post('forum/:id/representations/new')
  @Roles(...REPRESENT_ROLES)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const forumEntity = await this.forums.get(user, id);
    const forum = ForumResponse.from(forumEntity, await this.forums.unionsOf(id));
    const f = formFields(body);
    const staff = isStaff(user);
    const received = staff ? readDate(f, 'receivedAt', 'the date it was received', false) : { value: undefined, error: undefined };
    const own = pageErrors(
      {
        unionId: staff && !text(f, 'unionId') ? 'Select the union making the representation' : undefined,
        subject: !text(f, 'subject') ? 'Enter the subject' : undefined,
        body: !text(f, 'body') ? 'Enter the representation' : undefined,
        receivedAt: received.error,
      },
      IDS,
    );
    const form = await readForm(
      CreateRepresentationDto,
      {
        subject: text(f, 'subject'),
        body: text(f, 'body'),
        consultationId: text(f, 'consultationId'),
        unionId: staff ? text(f, 'unionId') : undefined,
        receivedAt: received.value ? (londonInstant(received.value, '12:00') ?? undefined) : undefined,
      },
      LABELS,
    );
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, user, forum, f, errors, 400);
    try {
      const r = await this.representations.create(user, forumEntity, form.value);
      await redirectTo(req, reply, `/representations/${r.id}`, { kind: 'success', text: `Representation recorded: ${r.subject}. It is awaiting the employer’s response.` });
    } catch (err) {
      const e = formErrors(err, LABELS, IDS);
      return this.renderForm(req, reply, user, forum, f, e, e.status);
    }
  }

  @Get('representations/:id')
  @Roles(...READ_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderOne(req, reply, user, id);
  }

  @Post('representations/:id/respond')
  @Roles(...MANAGE_ROLES)
  async respond(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.visible(user, id);
    const f = formFields(body);
    const own = pageErrors({ response: !text(f, 'response') ? 'Enter the response' : undefined, reasons: !text(f, 'reasons') ? 'Enter the reasons for the response' : undefined });
    const form = await readForm(RespondToRepresentationDto, { response: text(f, 'response'), reasons: text(f, 'reasons'), version: int(text(f, 'version')) }, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderOne(req, reply, user, id, { errors, values: f }, 400);
    try {
      await this.representations.respond(user, id, form.value);
      await redirectTo(req, reply, `/representations/${id}`, { kind: 'success', text: 'Response recorded: the forum has been told.' });
    } catch (err) {
      const e = formErrors(err, LABELS);
      return this.renderOne(req, reply, user, id, { errors: isStale(e) ? staleErrors(e, 'representation') : e, values: isStale(e) ? {} : f }, e.status);
    }
  }

  // --- internals ------------------------------------------------------------------------

  private async visible(user: AuthUser, id: string): Promise<Representation> {
    const r = await this.representations.get(id);
    if (!r) throw notFound('Representation');
    await this.forums.get(user, r.forumId).catch(() => {
      throw notFound('Representation');
    });
    return r;
  }

  private async renderOne(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
    const [r] = await this.responses([await this.visible(user, id)], user);
    const forum = await this.forum(user, r.forumId);
    const consultation = r.consultationId ? await this.consultations.get(user, r.consultationId).catch(() => null) : null;
    await renderPage(
      req,
      reply,
      'forum/views/representation.njk',
      {
        pageTitle: r.subject,
        r,
        tag: REPRESENTATION_TAGS[r.status],
        forum,
        consultation: consultation ? { id: consultation.id, title: consultation.title } : null,
        canRespond: isStaff(user) && r.status === RepresentationStatus.AwaitingResponse,
        values: {},
        ...extra,
      },
      status,
    );
  }

  private async responses(rows: Representation[], user: AuthUser): Promise<(RepresentationResponse & { tag: { text: string; classes: string } })[]> {
    const names = await this.forums.unionNames(rows.map((r) => r.unionId));
    return rows.map((r) => ({ ...RepresentationResponse.from(r, names.get(r.unionId) ?? '', user), tag: REPRESENTATION_TAGS[r.status] }));
  }

  private async forum(user: AuthUser, id: string): Promise<ForumResponse> {
    const f = await this.forums.get(user, id);
    return ForumResponse.from(f, await this.forums.unionsOf(f.id));
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, user: AuthUser, forum: ForumResponse, values: Record<string, unknown>, errors?: FormErrors, status = 200): Promise<void> {
    const consultations = await this.consultations.list(user, { programmeId: forum.programmeId });
    let seat: ForumMemberResponse | null = null;
    if (user.role === Role.TuRep) {
      const members = await this.forums.members(forum.id);
      const names = await this.forums.unionNames(members.flatMap((m) => (m.unionId ? [m.unionId] : [])));
      seat = members.map((m) => ForumMemberResponse.from(m, m.unionId ? (names.get(m.unionId) ?? null) : null, user)).find((m) => m.isYou && m.side === ForumSide.Union && !m.leftOn) ?? null;
    }
    await renderPage(
      req,
      reply,
      'forum/views/representation-form.njk',
      {
        pageTitle: 'Record a representation',
        forum,
        values,
        errors,
        isRep: user.role === Role.TuRep,
        seat,
        unions: [{ value: '', text: 'Select a union' }, ...forum.unions.map((u) => ({ value: u.id, text: u.unionName }))],
        consultations: [{ value: '', text: 'The forum in general' }, ...consultations.map((c) => ({ value: c.id, text: c.title }))],
      },
      status,
    );
  }
}
