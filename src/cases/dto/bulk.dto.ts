import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsDateOnly } from '../../common/validation';
import { CaseRoute, CaseState } from '../case-state';

export enum BulkActionKind {
  SetRoute = 'set_route',
  SetDestination = 'set_destination',
  SetEffectiveDate = 'set_effective_date',
  SetState = 'set_state',
}

/** Which cases of the programme: every condition given must hold (none given: all of them). */
export class BulkFilterDto {
  @ApiPropertyOptional({ type: [String], enum: CaseState })
  @IsOptional()
  @IsEnum(CaseState, { each: true })
  @ArrayMaxSize(20)
  @IsArray()
  state?: CaseState[];

  @ApiPropertyOptional({ type: [String], enum: CaseRoute })
  @IsOptional()
  @IsEnum(CaseRoute, { each: true })
  @ArrayMaxSize(20)
  @IsArray()
  route?: CaseRoute[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsUUID('4', { each: true })
  @ArrayMaxSize(200)
  @IsArray()
  thematicAreaId?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsUUID('4', { each: true })
  @ArrayMaxSize(1000)
  @IsArray()
  caseIds?: string[];
}

/** One action; which fields it takes depends on its kind. */
export class BulkActionDto {
  @ApiProperty({ enum: BulkActionKind })
  @IsEnum(BulkActionKind)
  kind: BulkActionKind;

  @ApiPropertyOptional({ enum: CaseRoute, description: 'set_route' })
  @IsOptional()
  @IsEnum(CaseRoute)
  route?: CaseRoute;

  @ApiPropertyOptional({ description: 'set_destination' })
  @IsOptional()
  @IsUUID('4')
  destinationOrganisationId?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'set_destination (optional; null clears)' })
  @IsOptional()
  @IsUUID('4')
  destinationPostId?: string | null;

  @ApiPropertyOptional({ format: 'date', description: 'set_effective_date' })
  @IsOptional()
  @IsDateOnly()
  proposedEffectiveDate?: string;

  @ApiPropertyOptional({ enum: CaseState, description: 'set_state' })
  @IsOptional()
  @IsEnum(CaseState)
  state?: CaseState;

  @ApiPropertyOptional({ description: 'set_state: the note kept with each transition' })
  @IsOptional()
  @MaxLength(2000)
  @IsString()
  note?: string;
}

export class BulkPreviewDto {
  @ApiProperty({ type: BulkFilterDto })
  @ValidateNested()
  @Type(() => BulkFilterDto)
  @IsObject()
  filter: BulkFilterDto;

  @ApiProperty({ type: BulkActionDto })
  @ValidateNested()
  @Type(() => BulkActionDto)
  @IsObject()
  action: BulkActionDto;
}

export class BulkCommitDto extends BulkPreviewDto {
  @ApiProperty({ description: 'The token of the preview you reviewed; 409 if what it showed no longer holds' })
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be the token a preview returned' })
  @IsString()
  previewToken: string;
}

export class FieldChange {
  @ApiProperty({ nullable: true }) from: unknown;
  @ApiProperty({ nullable: true }) to: unknown;
}

// FieldChange is only reached through additionalProperties: registered here so its $ref resolves.
@ApiExtraModels(FieldChange)
export class BulkCaseChange {
  @ApiProperty() caseId: string;
  @ApiProperty() postReference: string;
  @ApiProperty({ description: 'Version before the change' }) version: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(FieldChange) }, description: 'field -> { from, to }' })
  changes: Record<string, FieldChange>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(FieldChange) }, description: 'deadline kind -> { from, to } (due date; null: none)' })
  deadlines: Record<string, FieldChange>;
}

export class BulkBlockedCase {
  @ApiProperty() caseId: string;
  @ApiProperty() postReference: string;
  @ApiProperty() status: number;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) details: { field: string; reason: string }[];
}

export class BulkPreviewResponse {
  @ApiProperty({ description: 'Present it to commit; it fingerprints the matched cases, their versions and every change below' }) previewToken: string;
  @ApiProperty() matched: number;
  @ApiProperty({ type: [BulkCaseChange] }) changes: BulkCaseChange[];
  @ApiProperty({ type: [String], description: 'Matched cases the action leaves as they are' }) unchanged: string[];
  @ApiProperty({ type: [BulkBlockedCase], description: 'Matched cases the action cannot be applied to; any of them blocks the commit' }) blocked: BulkBlockedCase[];
  @ApiProperty() canCommit: boolean;
}

export class BulkCommitResponse extends BulkPreviewResponse {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'caseId -> version after the change' })
  versionsAfter: Record<string, number>;
}

/** Move a programme's go-live date: the cases planned for the old date move with it (preview, then commit). */
export class GoLiveMoveDto {
  @ApiProperty({ format: 'date', example: '2017-05-01', description: 'The new go-live date' })
  @IsDateOnly()
  goLiveDate: string;
}

export class GoLiveCommitDto extends GoLiveMoveDto {
  @ApiProperty({ description: 'The token of the preview you reviewed; 409 if what it showed no longer holds' })
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be the token a preview returned' })
  @IsString()
  previewToken: string;
}

export class GoLiveMoveResponse extends BulkPreviewResponse {
  @ApiProperty({ format: 'date' }) fromGoLiveDate: string;
  @ApiProperty({ format: 'date' }) toGoLiveDate: string;
  @ApiProperty({ description: 'Whether the move was committed (false: a preview)' }) committed: boolean;
}
