import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { IsDecimalNumber } from '../../common/validation';
import { Grade } from '../entities/grade.entity';
import { VersionedDto } from './common.dto';

export class CreateGradeDto {
  @ApiProperty({ example: 'G7', maxLength: 20 })
  @Length(1, 20)
  @IsString()
  code: string;

  @ApiPropertyOptional({ example: 'Grade 7', maxLength: 100, nullable: true })
  @ValidateIf((o: CreateGradeDto) => o.name !== null && o.name !== undefined)
  @Length(1, 100)
  @IsString()
  name?: string | null;

  @ApiProperty({ example: 7, description: 'Seniority on the scale: higher is more senior; orders report columns' })
  @Max(1000)
  @Min(0)
  @IsInt()
  rank: number;

  @ApiPropertyOptional({ example: '>G12', maxLength: 20, nullable: true, description: 'Report column it is counted under; null means its code' })
  @ValidateIf((o: CreateGradeDto) => o.reportGroup !== null && o.reportGroup !== undefined)
  @Length(1, 20)
  @IsString()
  reportGroup?: string | null;

  @ApiPropertyOptional({ example: 27668, nullable: true, description: 'Annual pay, pounds' })
  @ValidateIf((o: CreateGradeDto) => o.payMin !== null && o.payMin !== undefined)
  @Max(99_999_999)
  @Min(0)
  @IsDecimalNumber(2, { message: 'must be an amount with at most two decimals' })
  payMin?: number | null;

  @ApiPropertyOptional({ example: 30153, nullable: true })
  @ValidateIf((o: CreateGradeDto) => o.payMax !== null && o.payMax !== undefined)
  @Max(99_999_999)
  @Min(0)
  @IsDecimalNumber(2, { message: 'must be an amount with at most two decimals' })
  payMax?: number | null;
}

export class UpdateGradeDto extends IntersectionType(PartialType(CreateGradeDto, { skipNullProperties: false }), VersionedDto) {}

export class GradeResponse {
  @ApiProperty() id: string;
  @ApiProperty() organisationId: string;
  @ApiProperty() code: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() rank: number;
  @ApiProperty({ nullable: true, type: String }) reportGroup: string | null;
  @ApiProperty({ nullable: true, type: Number }) payMin: number | null;
  @ApiProperty({ nullable: true, type: Number }) payMax: number | null;
  @ApiProperty() version: number;

  static from(g: Grade): GradeResponse {
    return {
      id: g.id,
      organisationId: g.organisationId,
      code: g.code,
      name: g.name,
      rank: g.rank,
      reportGroup: g.reportGroup,
      payMin: g.payMin === null ? null : Number(g.payMin),
      payMax: g.payMax === null ? null : Number(g.payMax),
      version: g.version,
    };
  }
}
