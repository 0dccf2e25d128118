import { OffsetPageQuery } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsDateOnly, OptionalNotNull, IsTwoDecimals, ToArray, VersionField } from '../../common/validation';
import { PensionScheme } from '../../people/people.constants';
import { ChecklistItem, DeadlineKind, DeadlineStatus } from '../case-rules';
import { CaseRoute, CaseState } from '../case-state';

export enum LegalBasis {
  Tupe2006 = 'tupe_2006',
  Cosop = 'cosop',
  StatutoryTransferScheme = 'statutory_transfer_scheme',
  Other = 'other',
}

export enum PensionArrangement {
  LgpsContinued = 'lgps_continued',
  NhsPensionScheme = 'nhs_pension_scheme',
  BroadlyComparableScheme = 'broadly_comparable_scheme',
  NoScheme = 'no_scheme',
  ToBeAgreed = 'to_be_agreed',
}

/** The arrangements of a case an HR officer records. null clears a field; an absent field is kept. */
export class CaseFieldsDto {
  @ApiPropertyOptional({ enum: CaseRoute })
  @OptionalNotNull()
  @IsEnum(CaseRoute)
  route?: CaseRoute;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Transfer, move or leaving date as planned' })
  @IsOptional()
  @IsDateOnly()
  proposedEffectiveDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'The date it took effect (set when the case becomes effective)' })
  @IsOptional()
  @IsDateOnly()
  actualEffectiveDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Secondment: the host organisation' })
  @IsOptional()
  @IsUUID('4')
  hostOrganisationId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date' })
  @IsOptional()
  @IsDateOnly()
  secondmentStartDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'The review deadline falls three months before it' })
  @IsOptional()
  @IsDateOnly()
  secondmentEndDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'When the review is planned' })
  @IsOptional()
  @IsDateOnly()
  secondmentReviewDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'When the review was held (marks the review deadline done)' })
  @IsOptional()
  @IsDateOnly()
  secondmentReviewedOn?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 100, description: "Share of the person's cost the host recharges" })
  @IsOptional()
  @Max(100)
  @Min(0)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  rechargePercent?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Boolean, description: 'Secondment: the person stays in the LGPS (defaults to true for LGPS members)' })
  @IsOptional()
  @IsBoolean()
  staysInLgps?: boolean | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsUUID('4')
  destinationOrganisationId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsUUID('4')
  destinationPostId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: "The new grade (default: the destination post's grade)" })
  @IsOptional()
  @IsUUID('4')
  newGradeId?: string | null;

  @ApiPropertyOptional({ enum: LegalBasis, nullable: true, description: 'As advised by lawyers: give legalAdviceReference with it' })
  @IsOptional()
  @IsEnum(LegalBasis)
  legalBasis?: LegalBasis | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'Legal Services advice LS/2016/1187, 3 Nov 2016' })
  @IsOptional()
  @MaxLength(500)
  @MinLength(1)
  @IsString()
  legalAdviceReference?: string | null;

  @ApiPropertyOptional({ enum: PensionScheme, nullable: true, description: 'Scheme before the move (default: the employee record)' })
  @IsOptional()
  @IsEnum(PensionScheme)
  currentPensionScheme?: PensionScheme | null;

  @ApiPropertyOptional({ enum: PensionArrangement, nullable: true, description: 'The protected arrangement agreed' })
  @IsOptional()
  @IsEnum(PensionArrangement)
  pensionArrangement?: PensionArrangement | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Pay protected until this date' })
  @IsOptional()
  @IsDateOnly()
  payProtectionUntil?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The consultation that covers this case (TUPE reg. 13 deadlines come from it and no other); same programme',
  })
  @IsOptional()
  @IsUUID('4')
  consultationId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Case notes (HR officers and admins only)' })
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  notes?: string | null;
}

export class CreateCaseDto extends CaseFieldsDto {
  @ApiProperty()
  @IsUUID('4')
  employeeId: string;

  @ApiProperty({ description: "The post the person holds in the programme's establishment" })
  @IsUUID('4')
  postId: string;
}

export class UpdateCaseDto extends CaseFieldsDto {
  @VersionField()
  version: number;
}

export class TransitionCaseDto {
  @ApiProperty({ enum: CaseState })
  @IsEnum(CaseState)
  to: CaseState;

  @VersionField()
  version: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @MaxLength(2000)
  @IsString()
  note?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Only with to=effective: the actual effective date (default: the proposed one)' })
  @IsOptional()
  @IsDateOnly()
  effectiveDate?: string;
}

export class ChecklistUpdateDto {
  @VersionField()
  version: number;

  @ApiProperty()
  @IsBoolean()
  done: boolean;

  @ApiPropertyOptional({ format: 'date', description: 'When it was done (default: today); not in the future' })
  @IsOptional()
  @IsDateOnly()
  doneOn?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @MaxLength(2000)
  @IsString()
  note?: string;
}

export class EliOverrideDto {
  @VersionField()
  version: number;

  @ApiProperty({ minLength: 10, maxLength: 2000, description: 'Why the transfer may take effect without ELI recorded as sent' })
  @MaxLength(2000)
  @MinLength(10)
  @IsString()
  reason: string;
}

export class CaseFilterDto {
  @ApiPropertyOptional({ type: [String], enum: CaseState, description: 'Repeat or comma-separate' })
  @IsOptional()
  @IsEnum(CaseState, { each: true })
  @ToArray()
  state?: CaseState[];

  @ApiPropertyOptional({ type: [String], enum: CaseRoute })
  @IsOptional()
  @IsEnum(CaseRoute, { each: true })
  @ToArray()
  route?: CaseRoute[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsUUID('4', { each: true })
  @ToArray()
  thematicAreaId?: string[];
}

export class ListCasesQuery extends OffsetPageQuery(CaseFilterDto) {

  @ApiPropertyOptional({ format: 'date', description: 'Judge deadlines as of this date (default: today in London)' })
  @IsOptional()
  @IsDateOnly()
  asOf?: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ format: 'date', description: 'Judge deadlines as of this date (default: today in London)' })
  @IsOptional()
  @IsDateOnly()
  asOf?: string;
}

// ---- responses ---------------------------------------------------------------------------------

export class GradeRef {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'G7' }) code: string;
}

export class NewGradeRef extends GradeRef {
  @ApiProperty({ enum: ['recorded', 'destination_post'] }) source: 'recorded' | 'destination_post';
}

export class CaseEmployeeRef {
  @ApiProperty() id: string;
  @ApiProperty() staffNumber: string;
  @ApiProperty() firstName: string;
  @ApiProperty() lastName: string;
  @ApiProperty({ nullable: true, type: String }) workEmail: string | null;
}

export class CasePostRef {
  @ApiProperty() id: string;
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty() thematicAreaId: string;
  @ApiProperty() thematicAreaName: string;
}

export class SecondmentDetails {
  @ApiProperty({ nullable: true, type: String }) hostOrganisationId: string | null;
  @ApiProperty({ nullable: true, type: String }) hostOrganisationName: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) startDate: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) endDate: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) reviewDate: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) reviewedOn: string | null;
  @ApiProperty({ nullable: true, type: Number }) rechargePercent: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) staysInLgps: boolean | null;
}

export class TransferDetails {
  @ApiProperty({ nullable: true, type: String }) destinationOrganisationId: string | null;
  @ApiProperty({ nullable: true, type: String }) destinationOrganisationName: string | null;
  @ApiProperty({ nullable: true, type: String }) destinationPostId: string | null;
  @ApiProperty({ nullable: true, type: String }) destinationPostReference: string | null;
  @ApiProperty({ enum: LegalBasis, nullable: true }) legalBasis: string | null;
  @ApiProperty({ nullable: true, type: String }) legalAdviceReference: string | null;
  @ApiProperty({ enum: PensionScheme, nullable: true }) currentPensionScheme: string | null;
  @ApiProperty({ enum: PensionArrangement, nullable: true }) pensionArrangement: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) payProtectionUntil: string | null;
}

export class EliOverrideResponse {
  @ApiProperty() reason: string;
  @ApiProperty() byUserId: string;
  @ApiProperty() byLabel: string;
  @ApiProperty() at: string;
}

export class DeadlineResponse {
  @ApiProperty({ enum: DeadlineKind }) kind: DeadlineKind;
  @ApiProperty({ format: 'date' }) dueOn: string;
  @ApiProperty({ enum: DeadlineStatus, description: 'done; overdue (date passed); due (0-7 days left); upcoming' }) status: DeadlineStatus;
  @ApiProperty({ description: 'Days from the as-of date to the due date (negative: overdue)' }) daysLeft: number;
  @ApiProperty({
    enum: ['actual_effective_date', 'proposed_effective_date', 'consultation_start', 'days_before_transfer', 'secondment_review_date', 'secondment_end', 'pay_protection_until'],
  })
  basis: string;
  @ApiProperty() note: string;
  @ApiProperty({ description: 'The statute (or policy) the date comes from, e.g. "TUPE 2006 reg. 11(6) as made"' }) citation: string;
  @ApiProperty({ description: 'The rule applied (src/statutory/rules.ts; docs/legal-rules.md)' }) ruleId: string;
  @ApiProperty({ example: 'Saturday' }) dayOfWeek: string;
  @ApiProperty({ description: 'The due date is a weekend or a bank holiday of the organisation’s division' }) nonWorkingDay: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'Saturday' }) nonWorkingReason: string | null;
  @ApiProperty({ format: 'date', description: 'The last working day on or before the due date: when to act' }) sendBy: string;
  @ApiProperty({ nullable: true, type: String, format: 'date', description: 'Done on (as it stood on the as-of date)' }) doneOn: string | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Done after its due date' }) late: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'A breach the dates already show' }) problem: string | null;
  @ApiProperty({ nullable: true, type: String }) consultationId: string | null;
}

export class CaseConsultationRef {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ format: 'date', description: 'Closed on, else the planned end' }) endDate: string;
}

export class GradeMappingRef {
  @ApiProperty() fromGradeCode: string;
  @ApiProperty() toGradeId: string;
  @ApiProperty({ example: 'Band 7' }) toGradeCode: string;
}

export class Reg16ExposureResponse {
  @ApiProperty({ example: 13 }) maxWeeksPay: number;
  @ApiProperty() citation: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'HR officers and admins only: 13 weeks of the recorded annual pay' }) maxAmount?: number | null;
}

export class ChecklistItemResponse {
  @ApiProperty({ enum: ChecklistItem }) item: ChecklistItem;
  @ApiProperty() done: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) doneOn: string | null;
  @ApiProperty({ nullable: true, type: String }) doneByUserId: string | null;
  @ApiProperty({ nullable: true, type: String }) doneByLabel: string | null;
  @ApiProperty({ nullable: true, type: String }) recordedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'HR officers and admins only' }) note?: string | null;
}

export class CaseResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: CaseState }) state: CaseState;
  @ApiProperty({ enum: CaseState, nullable: true }) heldFromState: CaseState | null;
  @ApiProperty({ enum: CaseState, isArray: true }) allowedTransitions: CaseState[];
  @ApiProperty({ enum: CaseRoute }) route: CaseRoute;
  @ApiProperty({ type: CaseEmployeeRef }) employee: CaseEmployeeRef;
  @ApiProperty({ type: CasePostRef }) post: CasePostRef;
  @ApiProperty({ nullable: true, type: Number, description: "The person's FTE in the post" }) fte: number | null;
  @ApiProperty({ type: GradeRef }) oldGrade: GradeRef;
  @ApiProperty({ type: NewGradeRef, nullable: true }) newGrade: NewGradeRef | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) proposedEffectiveDate: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) actualEffectiveDate: string | null;
  @ApiProperty({ type: SecondmentDetails }) secondment: SecondmentDetails;
  @ApiProperty({ type: TransferDetails }) transfer: TransferDetails;
  @ApiProperty({ type: EliOverrideResponse, nullable: true }) eliOverride: EliOverrideResponse | null;
  @ApiProperty({ type: EliOverrideResponse, nullable: true, description: 'Effective allowed with the reg. 13 information outstanding' }) reg13Override: EliOverrideResponse | null;
  @ApiProperty({ type: CaseConsultationRef, nullable: true }) consultation: CaseConsultationRef | null;
  @ApiProperty({ type: GradeMappingRef, nullable: true, description: "The programme's mapping of the old grade (e.g. council grade to AfC band)" }) gradeMapping: GradeMappingRef | null;
  @ApiProperty({ type: Reg16ExposureResponse, nullable: true, description: 'Transfers: the award if reg. 13 is not met (reg. 16)' }) reg16Exposure: Reg16ExposureResponse | null;
  @ApiProperty({ format: 'date', description: 'The date deadlines are judged as of' }) asOf: string;
  @ApiProperty({ type: [DeadlineResponse] }) deadlines: DeadlineResponse[];
  @ApiProperty({ type: [ChecklistItemResponse] }) checklist: ChecklistItemResponse[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'HR officers and admins only' }) notes?: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CasePage {
  @ApiProperty({ type: [CaseResponse] }) items: CaseResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class CaseTransitionResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CaseState, nullable: true }) fromState: CaseState | null;
  @ApiProperty({ enum: CaseState }) toState: CaseState;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'HR officers and admins only' }) note?: string | null;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty() actorLabel: string;
  @ApiProperty() occurredAt: string;
}
