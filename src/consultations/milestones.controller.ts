import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ErrorResponse } from '../common/errors/api-error';
import { MANAGE_ROLES, READ_ROLES } from '../common/access/programme-access';
import { ConsultationsService } from './consultations.service';
import { CreateMilestoneDto, MilestoneResponse, SetMilestoneStatusDto, UpdateMilestoneDto } from './dto/milestone.dto';
import { MilestonesService } from './milestones.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('consultations')
@Controller()
export class MilestonesController {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly milestones: MilestonesService,
  ) {}

  @Get('consultations/:id/milestones')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Milestones of a consultation by due date (tu_reps: those for the forum or affected staff)' })
  @ApiOkResponse({ type: [MilestoneResponse] })
  async list(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<MilestoneResponse[]> {
    await this.consultations.get(user, id);
    return (await this.milestones.listFor(user, id)).map((m) => MilestoneResponse.from(m, user));
  }

  @Post('consultations/:id/milestones')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Add a milestone (reminders default to 14, 7 and 1 days before; audience to the forum and HR)' })
  @ApiCreatedResponse({ type: MilestoneResponse })
  async create(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CreateMilestoneDto): Promise<MilestoneResponse> {
    return MilestoneResponse.from(await this.milestones.create(id, dto), user);
  }

  @Get('milestones/:id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'A milestone' })
  @ApiOkResponse({ type: MilestoneResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<MilestoneResponse> {
    return MilestoneResponse.from(await this.milestones.get(user, id), user);
  }

  @Patch('milestones/:id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change a milestone (send the version you read)' })
  @ApiOkResponse({ type: MilestoneResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async update(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: UpdateMilestoneDto): Promise<MilestoneResponse> {
    return MilestoneResponse.from(await this.milestones.update(id, dto), user);
  }

  @Post('milestones/:id/status')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a milestone done (reached), missed or cancelled; each notifies its audience' })
  @ApiOkResponse({ type: MilestoneResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not a transition the status allows' })
  async setStatus(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: SetMilestoneStatusDto): Promise<MilestoneResponse> {
    return MilestoneResponse.from(await this.milestones.setStatus(id, dto), user);
  }
}
