import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsDateOnly, OptionalNotNull, IsTwoDecimals, VersionField } from '../../common/validation';

export class CreateAssignmentDto {
  @ApiProperty()
  @IsUUID('4')
  postId: string;

  @ApiProperty({ minimum: 0.01, maximum: 1, example: 1 })
  @Max(1)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  fte: number;

  @ApiProperty({ format: 'date', example: '2015-06-01' })
  @IsDateOnly()
  startsOn: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Last day in the post; absent or null: open-ended' })
  @IsOptional()
  @IsDateOnly()
  endsOn?: string | null;
}

export class UpdateAssignmentDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 1 })
  @OptionalNotNull()
  @Max(1)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  fte?: number;

  @ApiPropertyOptional({ format: 'date' })
  @OptionalNotNull()
  @IsDateOnly()
  startsOn?: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'null reopens the assignment' })
  @IsOptional()
  @IsDateOnly()
  endsOn?: string | null;
}

/** Move a person from one post to another: the old assignment ends the day before, the new one starts on the date. */
export class MoveEmployeeDto {
  @ApiProperty({ description: 'The assignment the person leaves' })
  @IsUUID('4')
  fromAssignmentId: string;

  @VersionField()
  version: number;

  @ApiProperty()
  @IsUUID('4')
  toPostId: string;

  @ApiProperty({ format: 'date', description: 'First day in the new post' })
  @IsDateOnly()
  effectiveDate: string;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 1, description: 'Default: the FTE of the assignment left' })
  @OptionalNotNull()
  @Max(1)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  fte?: number;
}

export class AssignmentResponse {
  @ApiProperty() id: string;
  @ApiProperty() employeeId: string;
  @ApiProperty() postId: string;
  @ApiProperty() postReference: string;
  @ApiProperty() postTitle: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() organisationId: string;
  @ApiProperty() fte: number;
  @ApiProperty({ format: 'date' }) startsOn: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) endsOn: string | null;
  @ApiProperty() version: number;
}

export class MoveResponse {
  @ApiProperty({ type: AssignmentResponse }) ended: AssignmentResponse;
  @ApiProperty({ type: AssignmentResponse }) started: AssignmentResponse;
  @ApiProperty({ nullable: true, type: String, format: 'date', description: 'Unchanged by the move' }) continuousServiceDate: string | null;
}
