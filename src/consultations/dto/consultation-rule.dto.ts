import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { RuleBand, RuleVersion } from '../collective-redundancy';
import { IsDateOnly } from '../../common/validation';

export class RuleBandInput {
  @ApiProperty({ example: 100 })
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  minDismissals: number;

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null: no upper limit' })
  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  maxDismissals: number | null = null;

  @ApiProperty({ example: 45 })
  @Max(365)
  @Min(1)
  @IsInt()
  minimumPeriodDays: number;

  @ApiProperty({ example: 45, description: 'HR1 to the Secretary of State at least this many days before the first dismissal' })
  @Max(365)
  @Min(1)
  @IsInt()
  hr1DaysBefore: number;

  @ApiProperty({ example: 'TULRCA 1992 s.188(1A)(a) and s.193(2)(a)' })
  @MaxLength(500)
  @MinLength(1)
  @IsString()
  citation: string;
}

export class CreateRuleVersionDto {
  @ApiProperty({ description: 'The day the new rules apply from: later than the latest version, and not in the past' })
  @IsDateOnly()
  appliesFrom: string;

  @ApiProperty({ type: [RuleBandInput], description: 'Every band of the new version; fewer dismissals than the lowest band need no minimum period' })
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: 'each item must be an object' })
  @Type(() => RuleBandInput)
  @ArrayMaxSize(20)
  @ArrayMinSize(1)
  @IsArray()
  bands: RuleBandInput[];
}

export class RuleBandResponse {
  @ApiProperty() id: string;
  @ApiProperty() minDismissals: number;
  @ApiProperty({ nullable: true, type: Number }) maxDismissals: number | null;
  @ApiProperty() minimumPeriodDays: number;
  @ApiProperty() hr1DaysBefore: number;
  @ApiProperty() citation: string;

  static from(b: RuleBand): RuleBandResponse {
    return { id: b.id, minDismissals: b.minDismissals, maxDismissals: b.maxDismissals, minimumPeriodDays: b.minimumPeriodDays, hr1DaysBefore: b.hr1DaysBefore, citation: b.citation };
  }
}

export class RuleVersionResponse {
  @ApiProperty() appliesFrom: string;
  @ApiProperty({ type: [RuleBandResponse] }) bands: RuleBandResponse[];

  static from(v: RuleVersion): RuleVersionResponse {
    return { appliesFrom: v.appliesFrom, bands: v.bands.map(RuleBandResponse.from) };
  }
}
