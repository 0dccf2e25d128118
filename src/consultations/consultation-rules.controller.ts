import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { READ_ROLES } from '../common/access/programme-access';
import { ConsultationRulesService } from './consultation-rules.service';
import { CreateRuleVersionDto, RuleVersionResponse } from './dto/consultation-rule.dto';

@ApiTags('consultations')
@Controller('consultation-rules')
export class ConsultationRulesController {
  constructor(private readonly rules: ConsultationRulesService) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'The collective redundancy rules (TULRCA s.188 / s.193), every version with the date it applies from' })
  @ApiOkResponse({ type: [RuleVersionResponse] })
  async list(): Promise<RuleVersionResponse[]> {
    return (await this.rules.versions()).map(RuleVersionResponse.from);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Record a change in the law as a new version',
    description: 'Applies to consultations starting on or after appliesFrom that are not yet open; deadlines already derived are never rewritten.',
  })
  @ApiCreatedResponse({ type: RuleVersionResponse })
  async create(@Body() dto: CreateRuleVersionDto): Promise<RuleVersionResponse> {
    return RuleVersionResponse.from(await this.rules.addVersion(dto));
  }
}
