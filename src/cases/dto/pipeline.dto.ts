import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsDateOnly } from '../../common/validation';
import { DeadlineKind } from '../case-rules';
import { CaseRoute, CaseState } from '../case-state';

export class PipelineQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ format: 'date', description: 'Judge upcoming and overdue as of this date (default: today in London)' })
  @IsOptional()
  @IsDateOnly()
  asOf?: string;
}

export class PipelineCell {
  @ApiProperty({ enum: CaseRoute }) route: CaseRoute;
  @ApiProperty({ enum: CaseState }) state: CaseState;
  @ApiProperty({ description: 'Number of cases; for trade union reps "<5" under five, or null when withheld', oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] })
  cases: number | string | null;
  @ApiPropertyOptional({ description: 'Sum of the FTE of the people in these cases (not for trade union reps)' }) fte?: number;
  @ApiPropertyOptional({ nullable: true, enum: ['fewer_than_5', 'complementary'], description: 'Trade union reps only: why a count is hidden' })
  suppressed?: string | null;
}

export class PipelineTotal {
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) cases: number | string;
  @ApiPropertyOptional() fte?: number;
}

export class PipelineUpcoming {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) cases: number | string;
  @ApiPropertyOptional() fte?: number;
  @ApiPropertyOptional({ type: [String], description: 'Not for trade union reps' }) caseIds?: string[];
}

export class PipelineOverdue {
  @ApiProperty({ enum: DeadlineKind }) kind: DeadlineKind;
  @ApiPropertyOptional({ description: 'Not for trade union reps (they get counts by kind)' }) caseId?: string;
  @ApiPropertyOptional() postReference?: string;
  @ApiPropertyOptional({ enum: CaseRoute }) route?: CaseRoute;
  @ApiPropertyOptional({ enum: CaseState }) state?: CaseState;
  @ApiPropertyOptional({ format: 'date' }) dueOn?: string;
  @ApiPropertyOptional() daysOverdue?: number;
  @ApiPropertyOptional({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], description: 'Trade union reps: how many' }) cases?: number | string;
}

export class PipelineResponse {
  @ApiProperty() programmeId: string;
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiProperty({ enum: ['programme', 'managed_areas'], description: "A manager's pipeline covers their thematic areas only" }) coverage: 'programme' | 'managed_areas';
  @ApiProperty({ description: 'Counts only, small counts hidden (trade union reps)' }) countsOnly: boolean;
  @ApiProperty({ type: [PipelineCell], description: 'Cases by route x state (non-empty cells)' }) cells: PipelineCell[];
  @ApiProperty({ type: PipelineTotal }) total: PipelineTotal;
  @ApiProperty({ type: [PipelineUpcoming], description: 'Open cases by effective date, from the as-of date on' }) upcomingEffective: PipelineUpcoming[];
  @ApiProperty({ type: [PipelineOverdue], description: 'Deadlines past their date and not done, of cases not yet completed' }) overdueDeadlines: PipelineOverdue[];
}
