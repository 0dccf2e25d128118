import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { IsDateOnly } from '../../common/validation';
import { BankHolidayDivision } from '../calendar';

export class StatutoryRuleListItem {
  @ApiProperty() id: string;
  @ApiProperty() citation: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) appliesFrom: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) appliesUntil: string | null;
  @ApiProperty({ description: 'The date the rule is chosen by (transfer date, consultation start …)' }) keyedOn: string;
  @ApiProperty() summary: string;
}

export class WorkingDayQuery {
  @ApiProperty({ format: 'date' })
  @IsDateOnly()
  date: string;

  @ApiPropertyOptional({ enum: BankHolidayDivision, description: 'Default england-and-wales' })
  @IsOptional()
  @IsEnum(BankHolidayDivision)
  division?: BankHolidayDivision;
}

export class WorkingDayResponse {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty() dayOfWeek: string;
  @ApiProperty() nonWorkingDay: boolean;
  @ApiProperty({ nullable: true, type: String }) nonWorkingReason: string | null;
  @ApiProperty({ format: 'date' }) sendBy: string;
  @ApiProperty({ enum: BankHolidayDivision }) division: BankHolidayDivision;
}
