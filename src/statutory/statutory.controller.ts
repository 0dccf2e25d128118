import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { ALL_ROLES } from '../common/access/role.enum';
import { BankHolidayDivision, calendarFlags } from './calendar';
import { StatutoryRuleListItem, WorkingDayQuery, WorkingDayResponse } from './dto/statutory.dto';
import { ruleList } from './rules';

/** The statutory rules the product computes, and the working-day calendar: reference data, no personal data. */
@ApiTags('statutory')
@Controller('statutory')
export class StatutoryController {
  @Get('rules')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Every rule: citation, the dates it applies between, what it is keyed on (docs/legal-rules.md names the tests)' })
  @ApiOkResponse({ type: [StatutoryRuleListItem] })
  rules(): StatutoryRuleListItem[] {
    return ruleList();
  }

  @Get('working-day')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Is a date a working day in a division (weekends and GOV.UK bank holidays), and the last working day on or before it' })
  @ApiOkResponse({ type: WorkingDayResponse })
  workingDay(@Query() q: WorkingDayQuery): WorkingDayResponse {
    return { date: q.date, ...calendarFlags(q.date, q.division ?? BankHolidayDivision.EnglandAndWales) };
  }
}
