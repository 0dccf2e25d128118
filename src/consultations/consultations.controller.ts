import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { MANAGE_ROLES, READ_ROLES } from '../common/access/programme-access';
import { ConsultationStatusService } from './consultation-status.service';
import { ConsultationsService } from './consultations.service';
import {
  CloseConsultationDto,
  ConsultationPostResponse,
  ConsultationResponse,
  CreateConsultationDto,
  ExtendConsultationDto,
  ListConsultationsQuery,
  SetConsultationPostsDto,
  StatusQuery,
  TransitionDto,
  UpdateConsultationDto,
} from './dto/consultation.dto';
import { ConsultationStatusResponse } from './dto/consultation-status.dto';
import { Consultation } from './entities/consultation.entity';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('consultations')
@Controller('consultations')
export class ConsultationsController {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly statusView: ConsultationStatusService,
  ) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Consultations of the programmes you can see, latest start first' })
  @ApiOkResponse({ type: [ConsultationResponse] })
  async list(@CurrentUser() user: AuthUser, @Query() q: ListConsultationsQuery): Promise<ConsultationResponse[]> {
    const out: ConsultationResponse[] = [];
    for (const c of await this.consultations.list(user, q)) out.push(await this.response(c, user, q.asOf));
    return out;
  }

  @Post()
  @Roles(...MANAGE_ROLES)
  @ApiOperation({
    summary: 'Plan a consultation',
    description:
      'Collective redundancy (TULRCA s.188): the minimum period comes from proposedDismissals (20-99: 30 days; 100 or more: 45; fewer than 20: none) ' +
      'under the rules in force on the start date; an end date before it is refused with the reason. The HR1 due date is derived too.',
  })
  @ApiCreatedResponse({ type: ConsultationResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'The end date is before the statutory minimum, or another rule is broken' })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateConsultationDto): Promise<ConsultationResponse> {
    return this.response(await this.consultations.create(dto), user);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'A consultation and its statutory deadlines, as of a date (asOf, default today)' })
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() q: StatusQuery): Promise<ConsultationResponse> {
    return this.response(await this.consultations.get(user, id), user, q.asOf);
  }

  @Get(':id/status')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Where the consultation stands (the reps’ view)',
    description:
      'Phase, day N of M, days left, milestones, next forum meeting, open actions, representations awaiting a response, and the affected posts ' +
      'and FTE by grade and by thematic area, with counts under 5 shown as "<5". No personal data.',
  })
  @ApiOkResponse({ type: ConsultationStatusResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async status(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() q: StatusQuery): Promise<ConsultationStatusResponse> {
    return this.statusView.status(user, id, q.asOf);
  }

  @Patch(':id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change a consultation (dates and kind only while planned; send the version you read)' })
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version (the body carries currentVersion) or closed' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async update(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: UpdateConsultationDto): Promise<ConsultationResponse> {
    return this.response(await this.consultations.update(id, dto), user);
  }

  @Post(':id/open')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Open the consultation (on or after its start date); its deadlines are fixed from now on' })
  @ApiOkResponse({ type: ConsultationResponse })
  async open(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: TransitionDto): Promise<ConsultationResponse> {
    return this.response(await this.consultations.open(id, dto), user);
  }

  @Post(':id/extend')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend an open consultation to a later end date, with the reason' })
  @ApiOkResponse({ type: ConsultationResponse })
  async extend(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: ExtendConsultationDto): Promise<ConsultationResponse> {
    return this.response(await this.consultations.extend(id, dto), user);
  }

  @Post(':id/close')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the consultation (not before the statutory minimum period has run)' })
  @ApiOkResponse({ type: ConsultationResponse })
  async close(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CloseConsultationDto): Promise<ConsultationResponse> {
    return this.response(await this.consultations.close(id, dto), user);
  }

  @Get(':id/posts')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: 'The posts the consultation covers (a manager sees their areas’ posts); tu_reps get counts from /status' })
  @ApiOkResponse({ type: [ConsultationPostResponse] })
  async posts(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<ConsultationPostResponse[]> {
    return this.consultations.listPosts(user, id);
  }

  @Put(':id/posts')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Set the posts the consultation covers (replaces the list; the cases on those posts are covered through them)' })
  @ApiOkResponse({ type: [ConsultationPostResponse] })
  async setPosts(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: SetConsultationPostsDto): Promise<ConsultationPostResponse[]> {
    await this.consultations.setPosts(id, dto.postIds);
    return this.consultations.listPosts(user, id);
  }

  private async response(c: Consultation, user: AuthUser, asOf?: string): Promise<ConsultationResponse> {
    const { rule } = await this.consultations.withRule(c);
    return ConsultationResponse.from(c, user, rule, await this.consultations.statutory(c, asOf));
  }
}
