import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { AuthUser } from '../../common/access/auth-user';
import { isStaff } from '../../common/access/programme-access';
import { Consultation, CONSULTATION_KIND_LABELS, ConsultationKind, ConsultationStatus } from '../entities/consultation.entity';
import { IsDateOnly, OptionalNotNull, VersionField } from '../../common/validation';
import { ConsultationStatutoryResponse } from '../consultation-statutory';

export class CreateConsultationDto {
  @ApiProperty()
  @IsUUID('4')
  programmeId: string;

  @ApiProperty({ example: 'Single Commissioning Function: transfer of council commissioning staff' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  description?: string;

  @ApiProperty({ enum: ConsultationKind })
  @IsEnum(ConsultationKind)
  kind: ConsultationKind;

  @ApiProperty({ example: '2016-12-01', description: 'Day 1 of the consultation' })
  @IsDateOnly()
  startDate: string;

  @ApiProperty({ example: '2017-02-28', description: 'The last day of the consultation (day M)' })
  @IsDateOnly()
  plannedEndDate: string;

  @ApiPropertyOptional({ description: 'The one establishment the proposed dismissals are counted at (collective redundancy)' })
  @IsOptional()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  establishment?: string;

  @ApiPropertyOptional({
    description: 'Collective redundancy only, and required for it: dismissals proposed at one establishment within 90 days',
    minimum: 0,
  })
  @IsOptional()
  @Max(1_000_000)
  @Min(0)
  @IsInt()
  proposedDismissals?: number;

  @ApiPropertyOptional({ description: 'Collective redundancy only: when the first dismissal would take effect (after the planned end)' })
  @IsOptional()
  @IsDateOnly()
  firstDismissalDate?: string;

  @ApiPropertyOptional({ description: 'Collective redundancy only: when the first notice of dismissal is to be given (s.193: HR1 goes before it)' })
  @IsOptional()
  @IsDateOnly()
  firstNoticeDate?: string;

  @ApiPropertyOptional({ type: [String], description: 'Posts of the programme the consultation covers' })
  @IsOptional()
  @IsUUID('4', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(5000)
  @IsArray()
  postIds?: string[];
}

export class UpdateConsultationDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ enum: ConsultationKind, description: 'Only while planned' })
  @OptionalNotNull()
  @IsEnum(ConsultationKind)
  kind?: ConsultationKind;

  @ApiPropertyOptional({ description: 'Only while planned' })
  @OptionalNotNull()
  @IsDateOnly()
  startDate?: string;

  @ApiPropertyOptional({ description: 'Only while planned; once open, extend instead' })
  @OptionalNotNull()
  @IsDateOnly()
  plannedEndDate?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  establishment?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number })
  @IsOptional()
  @Max(1_000_000)
  @Min(0)
  @IsInt()
  proposedDismissals?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsDateOnly()
  firstDismissalDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Collective redundancy: the first notice of dismissal (s.193)' })
  @IsOptional()
  @IsDateOnly()
  firstNoticeDate?: string | null;
}

export class TransitionDto {
  @ApiPropertyOptional({ description: 'The version you read; a stale one gets 409' })
  @IsOptional()
  @Min(1)
  @IsInt()
  version?: number;
}

export class ExtendConsultationDto extends TransitionDto {
  @ApiProperty({ description: 'The new last day; later than the current one' })
  @IsDateOnly()
  plannedEndDate: string;

  @ApiProperty({ example: 'Extended at the unions’ request to consider the revised structure chart' })
  @MaxLength(2000)
  @MinLength(1)
  @IsString()
  reason: string;

  @ApiPropertyOptional({ description: 'Collective redundancy: a new first dismissal date, when the old one is no longer after the end' })
  @IsOptional()
  @IsDateOnly()
  firstDismissalDate?: string;
}

export class CloseConsultationDto extends TransitionDto {
  @ApiPropertyOptional({ description: 'Defaults to today; not in the future' })
  @IsOptional()
  @IsDateOnly()
  closedOn?: string;

  @ApiProperty({ example: 'Consultation concluded; measures agreed at the forum of 15 February 2017' })
  @MaxLength(4000)
  @MinLength(1)
  @IsString()
  summary: string;
}

export class SetConsultationPostsDto {
  @ApiProperty({ type: [String], description: 'Every post the consultation covers (replaces the list)' })
  @IsUUID('4', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(5000)
  @IsArray()
  postIds: string[];
}

export class ListConsultationsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('4')
  programmeId?: string;

  @ApiPropertyOptional({ enum: ConsultationStatus })
  @IsOptional()
  @IsEnum(ConsultationStatus)
  status?: ConsultationStatus;

  @ApiPropertyOptional({ format: 'date', description: 'Judge the statutory deadlines as of this date (default: today in London)' })
  @IsOptional()
  @IsDateOnly()
  asOf?: string;
}

export class StatusQuery {
  @ApiPropertyOptional({ description: 'Count days as of this date (default: today in London)' })
  @IsOptional()
  @IsDateOnly()
  asOf?: string;
}

export class StatutoryRuleResponse {
  @ApiProperty({ description: 'The version of the rules applied (the date it applies from)' }) appliesFrom: string;
  @ApiProperty() citation: string;
  @ApiProperty({ description: 'Band applied, e.g. "100 or more"' }) band: string;
}

export class ConsultationResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: ConsultationKind }) kind: ConsultationKind;
  @ApiProperty() kindLabel: string;
  @ApiProperty({ enum: ConsultationStatus }) status: ConsultationStatus;
  @ApiProperty() startDate: string;
  @ApiProperty() plannedEndDate: string;
  @ApiProperty() originalEndDate: string;
  @ApiProperty({ nullable: true, type: String }) establishment: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Collective redundancy: a number the employer must disclose to the representatives (s.188(4))' })
  proposedDismissals: number | null;
  @ApiProperty({ nullable: true, type: String }) firstDismissalDate: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Collective redundancy: the first notice of dismissal (s.193)' }) firstNoticeDate: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The dismissals the band was chosen on: this proposal and those it adds up with (s.188(1), (3))' })
  aggregatedDismissals: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Days consultation must begin before the first dismissal (s.188(1A)); null when none applies' })
  minimumPeriodDays: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Day N of the consultation (N = minimumPeriodDays): closing earlier is allowed, but no dismissal takes effect before the day after it',
  })
  minimumEndDate: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'HR1 notice to the Secretary of State due by' }) hr1DueDate: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Collective redundancy: the version of the rules applied' }) rulesAppliedFrom: string | null;
  @ApiProperty({ nullable: true, type: StatutoryRuleResponse }) statutoryRule: StatutoryRuleResponse | null;
  @ApiProperty({ nullable: true, type: String }) extensionReason: string | null;
  @ApiProperty({ nullable: true, type: String }) openedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) closedOn: string | null;
  @ApiProperty({ nullable: true, type: String }) closingSummary: string | null;
  @ApiProperty() version: number;
  @ApiPropertyOptional({ type: ConsultationStatutoryResponse, description: 'The statutory reading as of a date (asOf)' }) statutory?: ConsultationStatutoryResponse;
  @ApiPropertyOptional({ description: 'HR officers and admins only' }) createdAt?: string;
  @ApiPropertyOptional({ description: 'HR officers and admins only' }) updatedAt?: string;

  static from(c: Consultation, user: AuthUser, rule?: { citation: string; band: string } | null, statutory?: ConsultationStatutoryResponse): ConsultationResponse {
    return {
      id: c.id,
      programmeId: c.programmeId,
      title: c.title,
      description: c.description,
      kind: c.kind,
      kindLabel: CONSULTATION_KIND_LABELS[c.kind],
      status: c.status,
      startDate: c.startDate,
      plannedEndDate: c.plannedEndDate,
      originalEndDate: c.originalEndDate,
      establishment: c.establishment,
      proposedDismissals: c.proposedDismissals,
      firstDismissalDate: c.firstDismissalDate,
      firstNoticeDate: c.firstNoticeDate,
      aggregatedDismissals: c.aggregatedDismissals,
      minimumPeriodDays: c.minimumPeriodDays,
      minimumEndDate: c.minimumEndDate,
      hr1DueDate: c.hr1DueDate,
      rulesAppliedFrom: c.rulesAppliedFrom,
      statutoryRule: rule && c.rulesAppliedFrom ? { appliesFrom: c.rulesAppliedFrom, citation: rule.citation, band: rule.band } : null,
      extensionReason: c.extensionReason,
      openedAt: c.openedAt ? c.openedAt.toISOString() : null,
      closedOn: c.closedOn,
      closingSummary: c.closingSummary,
      version: c.version,
      ...(statutory ? { statutory } : {}),
      ...(isStaff(user) ? { createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() } : {}),
    };
  }
}

export class ConsultationPostResponse {
  @ApiProperty() id: string;
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty() grade: string;
  @ApiProperty() thematicAreaId: string;
  @ApiProperty() thematicArea: string;
  @ApiProperty() fte: number;
  @ApiProperty() scope: string;
  @ApiProperty() establishmentStatus: string;
}
