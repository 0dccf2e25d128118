import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { isStaff, MANAGE_ROLES, notFound, READ_ROLES } from '../../common/access/programme-access';
import { ConsultationsService } from '../../consultations/consultations.service';
import { Fields, int, isStale, mergeErrors, pageErrors, readDate, staleErrors, text } from '../../web/page-forms';
import { londonInstant } from '../../web/page-forms';
import { UuidParam } from '../../common/http/uuid-param';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { ActionResponse, CreateActionDto, CreateMeetingDto, MeetingResponse, MeetingVersionDto, MinutesDto } from '../dto/meeting.dto';
import { ForumResponse } from '../dto/forum.dto';
import { ForumMeetingStatus } from '../entities/forum-meeting.entity';
import { ForumMeetingsService } from '../forum-meetings.service';
import { ForumService } from '../forum.service';
import { forumNav } from './forum.page';

const MEETING_LABELS = { title: 'Title', startsAt: 'Start time', endsAt: 'End time', location: 'Location', agenda: 'Agenda', papers: 'Papers', consultationId: 'Consultation', date: 'Date' };
const MEETING_IDS = { date: 'date-day', startsAt: 'startTime', endsAt: 'endTime' };
const ACTION_LABELS = { description: 'Action', owner: 'Owner', dueDate: 'Due date' };

export const MEETING_TAGS: Record<ForumMeetingStatus, { text: string; classes: string }> = {
  [ForumMeetingStatus.Scheduled]: { text: 'Scheduled', classes: 'govuk-tag--blue' },
  [ForumMeetingStatus.Held]: { text: 'Held', classes: 'govuk-tag--green' },
  [ForumMeetingStatus.Cancelled]: { text: 'Cancelled', classes: 'govuk-tag--grey' },
};

/** "Title" or "Title | https://…", one paper a line. */
function papersOf(v: string | undefined): { title: string; url?: string }[] {
  return (v ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [title, url] = l.split('|').map((s) => s.trim());
      return url ? { title, url } : { title };
    });
}

/** Forum meetings: the list, one meeting (agenda, papers, minutes once published, actions), and HR's scheduling, minutes and actions. */
@ApiExcludeController()
@Controller()
export class MeetingPages {
  constructor(
    private readonly forums: ForumService,
    private readonly meetings: ForumMeetingsService,
    private readonly consultations: ConsultationsService,
  ) {}

  @Get('forum/:id/meetings')
  @Roles(...READ_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const forum = await this.forum(user, id);
    const rows = (await this.meetings.list(id, {})).map((m) => MeetingResponse.from(m, user));
    await renderPage(req, reply, 'forum/views/meetings.njk', {
      pageTitle: `Meetings: ${forum.title}`,
      forum,
      nav: forumNav(id, 'meetings'),
      meetings: rows.reverse().map((m) => ({ ...m, tag: MEETING_TAGS[m.status] })),
      canManage: isStaff(user),
    });
  }

  @Get('forum/:id/meetings/new')
  @Roles(...MANAGE_ROLES)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query('consultationId') consultationId?: string): Promise<void> {
    const forum = await this.forum(user, id);
    await this.renderForm(req, reply, user, forum, { consultationId: consultationId ?? '', startTime: '10:00', endTime: '12:00' });
  }

  @Post('forum/:id/meetings/new')
  @Roles(...MANAGE_ROLES)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const forum = await this.forum(user, id);
    const f = formFields(body);
    const date = readDate(f, 'date', 'the date of the meeting', true);
    const start = text(f, 'startTime');
    const end = text(f, 'endTime');
    const startsAt = date.value && start ? londonInstant(date.value, start) : null;
    const endsAt = date.value && end ? londonInstant(date.value, end) : null;
    const own = pageErrors(
      {
        title: !text(f, 'title') ? 'Enter a title' : undefined,
        date: date.error,
        startsAt: !start ? 'Enter the start time, like 10:00' : date.value && !startsAt ? 'Enter the start time as hours and minutes, like 10:00' : undefined,
        endsAt: !end ? 'Enter the end time, like 12:00' : date.value && !endsAt ? 'Enter the end time as hours and minutes, like 12:00' : undefined,
        location: !text(f, 'location') ? 'Enter where the meeting is' : undefined,
      },
      MEETING_IDS,
    );
    const form = await readForm(
      CreateMeetingDto,
      { title: text(f, 'title'), startsAt: startsAt ?? undefined, endsAt: endsAt ?? undefined, location: text(f, 'location'), agenda: text(f, 'agenda'), papers: papersOf(text(f, 'papers')), consultationId: text(f, 'consultationId') },
      MEETING_LABELS,
    );
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, user, forum, f, errors, 400);
    try {
      const m = await this.meetings.create(id, form.value);
      await redirectTo(req, reply, `/meetings/${m.id}`, { kind: 'success', text: `Meeting scheduled: the forum has been told of ${m.title}.` });
    } catch (err) {
      const e = formErrors(err, MEETING_LABELS, MEETING_IDS);
      return this.renderForm(req, reply, user, forum, f, e, e.status);
    }
  }

  @Get('meetings/:id')
  @Roles(...READ_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderMeeting(req, reply, user, id);
  }

  @Post('meetings/:id/held')
  @Roles(...MANAGE_ROLES)
  async held(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.visible(user, id);
    const f = formFields(body);
    return this.act(req, reply, user, id, async () => {
      const form = await readForm(MeetingVersionDto, { version: int(text(f, 'version')) });
      await this.meetings.markHeld(id, form.value?.version);
      return 'Recorded that the meeting took place. You can now write the minutes.';
    });
  }

  @Post('meetings/:id/minutes')
  @Roles(...MANAGE_ROLES)
  async minutes(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.visible(user, id);
    const f = formFields(body);
    const form = await readForm(MinutesDto, { minutes: text(f, 'minutes'), version: int(text(f, 'version')) }, { minutes: 'Minutes' });
    if (form.errors) return this.renderMeeting(req, reply, user, id, { minutesErrors: { ...form.errors, errorList: [{ text: 'Enter the minutes', href: '#minutes' }], fields: { minutes: { text: 'Enter the minutes' } } }, values: f }, 400);
    return this.act(req, reply, user, id, async () => {
      await this.meetings.setMinutes(id, form.value);
      return 'Draft minutes saved. Only HR officers and admins see them until you publish them.';
    }, f);
  }

  @Post('meetings/:id/minutes/publish')
  @Roles(...MANAGE_ROLES)
  async publish(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.visible(user, id);
    const f = formFields(body);
    return this.act(req, reply, user, id, async () => {
      await this.meetings.publishMinutes(id, int(text(f, 'version')) as number | undefined);
      return 'Minutes published: the forum has been told.';
    });
  }

  @Post('meetings/:id/actions')
  @Roles(...MANAGE_ROLES)
  async addAction(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.visible(user, id);
    const f = formFields(body);
    const due = readDate(f, 'dueDate', 'the due date', true);
    const own = pageErrors({ description: !text(f, 'description') ? 'Enter the action' : undefined, owner: !text(f, 'owner') ? 'Enter who owns the action (a role or side, not a name)' : undefined, dueDate: due.error }, { dueDate: 'dueDate-day' });
    const form = await readForm(CreateActionDto, { description: text(f, 'description'), owner: text(f, 'owner'), dueDate: due.value }, ACTION_LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderMeeting(req, reply, user, id, { actionErrors: errors, values: f }, 400);
    const value = form.value;
    return this.act(req, reply, user, id, async () => {
      await this.meetings.createAction(id, value);
      return 'Action added.';
    }, f);
  }

  // --- internals --------------------------------------------------------------------

  /** Run a change; a stale version or a wrong state shows the meeting again with the message. */
  private async act(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, change: () => Promise<string>, values?: Fields): Promise<void> {
    try {
      const done = await change();
      await redirectTo(req, reply, `/meetings/${id}`, { kind: 'success', text: done });
    } catch (err) {
      const e = formErrors(err, { ...MEETING_LABELS, ...ACTION_LABELS, minutes: 'Minutes' });
      return this.renderMeeting(req, reply, user, id, { errors: isStale(e) ? staleErrors(e, 'meeting') : e, values: isStale(e) ? undefined : values }, e.status);
    }
  }

  private async visible(user: AuthUser, meetingId: string) {
    const m = await this.meetings.get(meetingId);
    if (!m) throw notFound('Meeting');
    await this.forums.get(user, m.forumId).catch(() => {
      throw notFound('Meeting');
    });
    return m;
  }

  private async renderMeeting(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
    const m = MeetingResponse.from(await this.visible(user, id), user);
    const forum = await this.forum(user, m.forumId);
    const actions = (await this.meetings.meetingActions(id)).map(ActionResponse.from);
    const consultation = m.consultationId ? await this.consultations.get(user, m.consultationId).catch(() => null) : null;
    const minutes = (extra.values as Fields | undefined)?.minutes ?? m.minutes ?? '';
    await renderPage(
      req,
      reply,
      'forum/views/meeting.njk',
      {
        pageTitle: m.title,
        m,
        tag: MEETING_TAGS[m.status],
        forum,
        consultation: consultation ? { id: consultation.id, title: consultation.title } : null,
        actions,
        canManage: isStaff(user),
        canRepresent: user.role === 'tu_rep' || isStaff(user),
        minutesDraft: minutes,
        ...extra,
        values: extra.values ?? {},
      },
      status,
    );
  }

  private async forum(user: AuthUser, id: string): Promise<ForumResponse> {
    const f = await this.forums.get(user, id);
    return ForumResponse.from(f, await this.forums.unionsOf(f.id));
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, user: AuthUser, forum: ForumResponse, values: Record<string, unknown>, errors?: FormErrors, status = 200): Promise<void> {
    const consultations = await this.consultations.list(user, { programmeId: forum.programmeId });
    await renderPage(
      req,
      reply,
      'forum/views/meeting-form.njk',
      {
        pageTitle: 'Schedule a forum meeting',
        forum,
        values,
        errors,
        consultations: [{ value: '', text: 'The forum in general' }, ...consultations.map((c) => ({ value: c.id, text: c.title }))],
      },
      status,
    );
  }
}
