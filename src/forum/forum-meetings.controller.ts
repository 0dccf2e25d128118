import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ErrorResponse } from '../common/errors/api-error';
import { MANAGE_ROLES, notFound, READ_ROLES } from '../common/access/programme-access';
import {
  ActionResponse,
  CancelMeetingDto,
  CreateActionDto,
  CreateMeetingDto,
  ListActionsQuery,
  ListMeetingsQuery,
  MeetingResponse,
  MeetingVersionDto,
  MinutesDto,
  UpdateActionDto,
  UpdateMeetingDto,
} from './dto/meeting.dto';
import { ForumMeetingsService } from './forum-meetings.service';
import { ForumService } from './forum.service';

const uuid = new ParseUUIDPipe({ version: '4' });

export class MeetingDetailResponse extends MeetingResponse {
  @ApiProperty({ type: [ActionResponse] }) actions: ActionResponse[];
}

@ApiTags('forum')
@Controller()
export class ForumMeetingsController {
  constructor(
    private readonly forums: ForumService,
    private readonly meetings: ForumMeetingsService,
  ) {}

  @Get('forums/:id/meetings')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Meetings of the forum, oldest first' })
  @ApiOkResponse({ type: [MeetingResponse] })
  async list(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() q: ListMeetingsQuery): Promise<MeetingResponse[]> {
    const forum = await this.forums.get(user, id);
    return (await this.meetings.list(forum.id, q)).map((m) => MeetingResponse.from(m, user));
  }

  @Post('forums/:id/meetings')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Schedule a meeting (notifies the forum)' })
  @ApiCreatedResponse({ type: MeetingResponse })
  async create(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CreateMeetingDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.create(id, dto), user);
  }

  @Get('forum-meetings/:id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'A meeting with its agenda, papers, published minutes and actions' })
  @ApiOkResponse({ type: MeetingDetailResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<MeetingDetailResponse> {
    const m = await this.meetings.get(id);
    if (!m) throw notFound('Meeting');
    await this.visibleForum(user, m.forumId, 'Meeting');
    return { ...MeetingResponse.from(m, user), actions: (await this.meetings.meetingActions(id)).map(ActionResponse.from) };
  }

  @Patch('forum-meetings/:id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change a scheduled meeting (a new time, place or title notifies the forum)' })
  @ApiOkResponse({ type: MeetingResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async update(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: UpdateMeetingDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.update(id, dto), user);
  }

  @Post('forum-meetings/:id/cancel')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a scheduled meeting, with the reason (notifies the forum)' })
  @ApiOkResponse({ type: MeetingResponse })
  async cancel(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CancelMeetingDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.cancel(id, dto), user);
  }

  @Post('forum-meetings/:id/held')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the meeting took place' })
  @ApiOkResponse({ type: MeetingResponse })
  async held(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: MeetingVersionDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.markHeld(id, dto.version), user);
  }

  @Put('forum-meetings/:id/minutes')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Write or redraft the minutes of a held meeting (unpublished drafts are seen by HR and admins only)' })
  @ApiOkResponse({ type: MeetingResponse })
  async minutes(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: MinutesDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.setMinutes(id, dto), user);
  }

  @Post('forum-meetings/:id/minutes/publish')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish the minutes (final; notifies the forum)' })
  @ApiOkResponse({ type: MeetingResponse })
  async publish(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: MeetingVersionDto): Promise<MeetingResponse> {
    return MeetingResponse.from(await this.meetings.publishMinutes(id, dto.version), user);
  }

  @Post('forum-meetings/:id/actions')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Record an action agreed at the meeting, with its owner and due date' })
  @ApiCreatedResponse({ type: ActionResponse })
  async createAction(@Param('id', uuid) id: string, @Body() dto: CreateActionDto): Promise<ActionResponse> {
    return ActionResponse.from(await this.meetings.createAction(id, dto));
  }

  @Get('forums/:id/actions')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Actions of all the forum’s meetings, by due date' })
  @ApiOkResponse({ type: [ActionResponse] })
  async actions(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() q: ListActionsQuery): Promise<ActionResponse[]> {
    const forum = await this.forums.get(user, id);
    return (await this.meetings.actions(forum.id, q.status)).map(ActionResponse.from);
  }

  @Patch('forum-actions/:id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change an action or its status (open, done, dropped)' })
  @ApiOkResponse({ type: ActionResponse })
  async updateAction(@Param('id', uuid) id: string, @Body() dto: UpdateActionDto): Promise<ActionResponse> {
    return ActionResponse.from(await this.meetings.updateAction(id, dto));
  }

  /** The meeting's forum must be visible to the caller; else the meeting is 404 too. */
  private async visibleForum(user: AuthUser, forumId: string, what: string): Promise<void> {
    await this.forums.get(user, forumId).catch(() => {
      throw notFound(what);
    });
  }
}
