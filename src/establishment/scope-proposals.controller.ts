import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { DecideScopeProposalDto, ListScopeProposalsQuery, ScopeProposalResponse, WithdrawScopeProposalDto } from './dto/scope-proposal.dto';
import { ScopeProposalsService } from './scope-proposals.service';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: scope proposals')
@Controller('scope-proposals')
export class ScopeProposalsController {
  constructor(private readonly proposals: ScopeProposalsService) {}

  @Get()
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: 'Scope proposals and challenges, newest first (managers: on posts in their areas)' })
  @ApiOkResponse({ type: [ScopeProposalResponse] })
  list(@CurrentUser() user: AuthUser, @Query() q: ListScopeProposalsQuery): Promise<ScopeProposalResponse[]> {
    return this.proposals.list(user, q);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOkResponse({ type: ScopeProposalResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ScopeProposalResponse> {
    return this.proposals.get(user, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: "Accept (the post takes the proposed scope, with your reason) or reject a proposal" })
  @ApiOkResponse({ type: ScopeProposalResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version, or already decided' })
  decide(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: DecideScopeProposalDto): Promise<ScopeProposalResponse> {
    return this.proposals.decide(user, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles(Role.Manager)
  @ApiOperation({ summary: 'Withdraw your own open proposal' })
  @ApiOkResponse({ type: ScopeProposalResponse })
  withdraw(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: WithdrawScopeProposalDto): Promise<ScopeProposalResponse> {
    return this.proposals.withdraw(user, id, dto.version);
  }
}
