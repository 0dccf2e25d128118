import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { UuidParam } from '../common/http/uuid-param';
import {
  AddChangeDto,
  AsOfQuery,
  CompareQuery,
  CompareResponse,
  ConflictResponse,
  ConsequencesResponse,
  CreateScenarioDto,
  MergeResponse,
  PeopleAffectedResponse,
  ScenarioChangeResponse,
  ScenarioMatrixResponse,
  ScenarioResponse,
  ScenarioStatusDto,
  ScenarioVersionDto,
} from './dto/scenario.dto';
import { ScenariosService } from './scenarios.service';

const EDITORS = [Role.Admin, Role.HrOfficer, Role.Manager];
const STAFF = [Role.Admin, Role.HrOfficer];

@ApiTags('scope scenarios')
@Controller()
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Get('programmes/:programmeId/scenarios')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: "A programme's scenarios you may see (drafts: only your own; reps: shared ones, as counts)" })
  @ApiOkResponse({ type: [ScenarioResponse] })
  list(@CurrentUser() user: AuthUser, @UuidParam('programmeId') programmeId: string): Promise<ScenarioResponse[]> {
    return this.scenarios.list(user, programmeId);
  }

  @Post('programmes/:programmeId/scenarios')
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Start a scenario (a draft) on top of the live establishment' })
  @ApiCreatedResponse({ type: ScenarioResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The name is taken in the programme' })
  create(@CurrentUser() user: AuthUser, @UuidParam('programmeId') programmeId: string, @Body() dto: CreateScenarioDto): Promise<ScenarioResponse> {
    return this.scenarios.create(user, programmeId, dto);
  }

  @Get('scenarios/compare')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Two or three scenarios side by side: matrix deltas, FTE, people affected, consequences' })
  @ApiOkResponse({ type: CompareResponse })
  compare(@CurrentUser() user: AuthUser, @Query() q: CompareQuery): Promise<CompareResponse> {
    return this.scenarios.compare(user, q.ids, q.asOf);
  }

  @Get('scenarios/:id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ScenarioResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ScenarioResponse> {
    return this.scenarios.get(user, id);
  }

  @Post('scenarios/:id/changes')
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Add a change (to a live post, a new post, or a deletion) with its reason; managers: posts of their areas only' })
  @ApiCreatedResponse({ type: ScenarioChangeResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'A manager, on a post outside their areas' })
  addChange(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: AddChangeDto): Promise<ScenarioChangeResponse> {
    return this.scenarios.addChange(user, id, dto);
  }

  @Delete('scenarios/:id/changes/:changeId')
  @HttpCode(204)
  @Roles(...EDITORS)
  @ApiNoContentResponse()
  removeChange(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('changeId') changeId: string): Promise<void> {
    return this.scenarios.removeChange(user, id, changeId);
  }

  @Post('scenarios/:id/status')
  @HttpCode(200)
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'share, unshare, propose, approve (HR, admin), send_back (HR, admin), discard' })
  @ApiOkResponse({ type: ScenarioResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version, or the move is not open from the status (details: allowed)' })
  move(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: ScenarioStatusDto): Promise<ScenarioResponse> {
    return this.scenarios.move(user, id, dto);
  }

  @Get('scenarios/:id/matrix')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The matrix as it would be, and its difference from today cell by cell (reps: small counts suppressed)' })
  @ApiOkResponse({ type: ScenarioMatrixResponse })
  matrix(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ScenarioMatrixResponse> {
    return this.scenarios.matrix(user, id);
  }

  @Get('scenarios/:id/people')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The people affected and their likely route (reps: counts only)' })
  @ApiOkResponse({ type: PeopleAffectedResponse })
  people(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() q: AsOfQuery): Promise<PeopleAffectedResponse> {
    return this.scenarios.people(user, id, q.asOf);
  }

  @Get('scenarios/:id/consequences')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Proposed dismissals per establishment (s.188 band, start-by date, HR1) and the TUPE deadlines of the transfers it implies' })
  @ApiOkResponse({ type: ConsequencesResponse })
  consequences(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() q: AsOfQuery): Promise<ConsequencesResponse> {
    return this.scenarios.consequences(user, id, q.asOf);
  }

  @Get('scenarios/:id/conflicts')
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Changes whose post changed live since they were made' })
  @ApiOkResponse({ type: [ConflictResponse] })
  conflicts(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ConflictResponse[]> {
    return this.scenarios.conflicts(user, id);
  }

  @Post('scenarios/:id/rebase')
  @HttpCode(200)
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Take the current versions of the posts it changes (an approved scenario goes back to proposed)' })
  @ApiOkResponse({ type: ScenarioResponse })
  rebase(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: ScenarioVersionDto): Promise<ScenarioResponse> {
    return this.scenarios.rebase(user, id, dto.version);
  }

  @Post('scenarios/:id/merge')
  @HttpCode(200)
  @Roles(...STAFF)
  @ApiOperation({ summary: 'Merge an approved scenario into the live establishment, in one transaction and one audit event' })
  @ApiOkResponse({ type: MergeResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The live data changed under it: each conflicting post by reference and title' })
  merge(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: ScenarioVersionDto): Promise<MergeResponse> {
    return this.scenarios.merge(user, id, dto.version);
  }
}
