import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, PipeTransform, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ApiException, ErrorResponse } from '../common/errors/api-error';
import { ChecklistItem, CHECKLIST_ITEMS } from './case-rules';
import { CasesService } from './cases.service';
import { AsOfQuery, CaseResponse, CaseTransitionResponse, ChecklistUpdateDto, EliOverrideDto, TransitionCaseDto, UpdateCaseDto } from './dto/case.dto';

const uuid = () => new ParseUUIDPipe({ version: '4' });

/** A path segment naming a checklist item: anything else is 400 naming the parameter. */
class ChecklistItemPipe implements PipeTransform<string, ChecklistItem> {
  transform(value: string): ChecklistItem {
    if (!CHECKLIST_ITEMS.includes(value as ChecklistItem)) {
      throw ApiException.validation([{ field: 'item', reason: `must be one of: ${CHECKLIST_ITEMS.join(', ')}` }]);
    }
    return value as ChecklistItem;
  }
}

/**
 * One transition case. HR officers and admins change cases; managers read the cases of their
 * thematic areas (any other case is 404); trade union reps get counts only (the pipeline).
 */
@ApiTags('cases')
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get(':id')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: 'A case: route, arrangements, state, allowed next states, deadlines with their status, checklist' })
  @ApiOkResponse({ type: CaseResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Query() q: AsOfQuery): Promise<CaseResponse> {
    return this.cases.get(user, id, q.asOf);
  }

  @Patch(':id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Change the route, dates or arrangements (send the version you read); deadlines follow the dates' })
  @ApiOkResponse({ type: CaseResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version (body carries currentVersion), or a completed/withdrawn case' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'The case would lack what its stage needs, or be inconsistent' })
  async update(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: UpdateCaseDto): Promise<CaseResponse> {
    return this.cases.update(user, id, dto);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Move the case to another state, with a note' })
  @ApiOkResponse({ type: CaseResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not an allowed next state (body carries `allowed`), stale version, or ELI not sent for a transfer becoming effective' })
  async transition(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: TransitionCaseDto): Promise<CaseResponse> {
    return this.cases.transition(user, id, dto);
  }

  @Get(':id/transitions')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: 'State history: who, when, from, to (and the note, for HR and admins)' })
  @ApiOkResponse({ type: [CaseTransitionResponse] })
  async history(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<CaseTransitionResponse[]> {
    return this.cases.transitions(user, id);
  }

  @Put(':id/checklist/:item')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiParam({ name: 'item', enum: ChecklistItem })
  @ApiOperation({ summary: 'Mark a checklist item done (who and when are recorded) or not done' })
  @ApiOkResponse({ type: CaseResponse })
  async checklist(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid()) id: string,
    @Param('item', new ChecklistItemPipe()) item: string, // typed string: an enum here would reach the validation pipe as a "class"
    @Body() dto: ChecklistUpdateDto,
  ): Promise<CaseResponse> {
    return this.cases.setChecklistItem(user, id, item as ChecklistItem, dto);
  }

  @Post(':id/eli-override')
  @HttpCode(200)
  @Roles(Role.HrOfficer)
  @ApiOperation({ summary: 'HR officers only: let a transfer take effect without ELI recorded as sent, with a reason (audited)' })
  @ApiOkResponse({ type: CaseResponse })
  async eliOverride(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: EliOverrideDto): Promise<CaseResponse> {
    return this.cases.overrideEli(user, id, dto);
  }

  @Post(':id/reg13-override')
  @HttpCode(200)
  @Roles(Role.HrOfficer)
  @ApiOperation({ summary: 'HR officers only: let a transfer take effect while its TUPE reg. 13 information is outstanding, with a reason (audited)' })
  @ApiOkResponse({ type: CaseResponse })
  async reg13Override(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: EliOverrideDto): Promise<CaseResponse> {
    return this.cases.overrideReg13(user, id, dto);
  }
}
