import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsIsoDate, IsOptionalNotNull, IsTwoDecimals } from './validators';

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
  @IsIsoDate()
  startsOn: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Last day in the post; absent or null: open-ended' })
  @IsOptional()
  @IsIsoDate()
  endsOn?: string | null;
}

export class UpdateAssignmentDto {
  @ApiProperty({ description: 'The version you read; a stale one gets 409' })
  @Min(1)
  @IsInt()
  version: number;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 1 })
  @IsOptionalNotNull()
  @Max(1)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  fte?: number;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptionalNotNull()
  @IsIsoDate()
  startsOn?: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'null reopens the assignment' })
  @IsOptional()
  @IsIsoDate()
  endsOn?: string | null;
}

/** Move a person from one post to another: the old assignment ends the day before, the new one starts on the date. */
export class MoveEmployeeDto {
  @ApiProperty({ description: 'The assignment the person leaves' })
  @IsUUID('4')
  fromAssignmentId: string;

  @ApiProperty({ description: 'Version of that assignment, as you read it' })
  @Min(1)
  @IsInt()
  version: number;

  @ApiProperty()
  @IsUUID('4')
  toPostId: string;

  @ApiProperty({ format: 'date', description: 'First day in the new post' })
  @IsIsoDate()
  effectiveDate: string;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 1, description: 'Default: the FTE of the assignment left' })
  @IsOptionalNotNull()
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
