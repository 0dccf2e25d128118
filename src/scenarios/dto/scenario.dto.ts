import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { CaseRoute } from '../../cases/case-state';
import { EstablishmentMatrixResponse } from '../../establishment/dto/matrix.dto';
import { IsFte } from '../../establishment/dto/common.dto';
import { Scope } from '../../establishment/establishment.constants';
import { IsDateOnly, OptionalNotNull, VersionField } from '../../common/validation';
import { ScenarioStatus, STATUS_MOVES, StatusMove } from '../scenario-status';

export class CreateScenarioDto {
  @ApiProperty({ example: 'Homelessness comes in at go-live', maxLength: 200 })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString()
  name: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @OptionalNotNull()
  @MaxLength(2000)
  @IsString()
  description?: string;
}

export enum ChangeKind {
  Change = 'change',
  Create = 'create',
  Delete = 'delete',
}

export class AddChangeDto {
  @ApiProperty({ enum: ChangeKind, description: 'change a live post, create a new one, or delete a live one' })
  @IsIn(Object.values(ChangeKind), { message: 'must be one of: change, create, delete' })
  @IsString()
  kind: ChangeKind;

  @ApiPropertyOptional({ description: 'The live post (change, delete)' })
  @OptionalNotNull()
  @IsUUID('all', { message: 'must be a UUID' })
  postId?: string;

  @ApiPropertyOptional({ enum: Scope })
  @OptionalNotNull()
  @IsIn(Object.values(Scope), { message: 'must be one of: in_scope, out_of_scope, under_review, later_phase' })
  @IsString()
  scope?: Scope;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsUUID('all', { message: 'must be a UUID' })
  thematicAreaId?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsUUID('all', { message: 'must be a UUID' })
  gradeId?: string;

  @ApiPropertyOptional({ example: 0.8 })
  @OptionalNotNull()
  @IsFte()
  fte?: number;

  @ApiPropertyOptional({ description: 'Where the post would go, when not the programme’s destination (e.g. the Local Care Organisation)' })
  @OptionalNotNull()
  @IsUUID('all', { message: 'must be a UUID' })
  destinationOrganisationId?: string;

  @ApiPropertyOptional({ description: 'A new post: its employing organisation' })
  @OptionalNotNull()
  @IsUUID('all', { message: 'must be a UUID' })
  organisationId?: string;

  @ApiPropertyOptional({ description: 'A new post: its reference', maxLength: 50 })
  @OptionalNotNull()
  @Length(1, 50)
  @IsString()
  reference?: string;

  @ApiPropertyOptional({ description: 'A new post: its title', maxLength: 200 })
  @OptionalNotNull()
  @Length(1, 200)
  @IsString()
  title?: string;

  @ApiProperty({ description: 'Why this change', maxLength: 2000 })
  @Length(1, 2000, { message: 'must be 1 to 2000 characters' })
  @IsString()
  reason: string;
}

export class ScenarioStatusDto {
  @ApiProperty({ enum: STATUS_MOVES })
  @IsIn(STATUS_MOVES, { message: `must be one of: ${STATUS_MOVES.join(', ')}` })
  @IsString()
  action: StatusMove;

  @VersionField()
  version: number;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why (shown on the scenario)' })
  @OptionalNotNull()
  @MaxLength(2000)
  @IsString()
  reason?: string;
}

export class ScenarioVersionDto {
  @VersionField()
  version: number;
}

export class AsOfQuery {
  @ApiPropertyOptional({ description: 'Work the deadlines out as at this date (default: today in London)' })
  @OptionalNotNull()
  @IsDateOnly()
  asOf?: string;
}

export class CompareQuery extends AsOfQuery {
  @ApiProperty({ type: [String], description: 'Two or three scenarios of one programme (?ids=a&ids=b)' })
  @Transform(({ value }) => (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value))
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  @ArrayMaxSize(3, { message: 'must name at most 3 scenarios' })
  @ArrayMinSize(2, { message: 'must name at least 2 scenarios' })
  ids: string[];
}

export class RefName {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class ScenarioChangeResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ChangeKind }) kind: ChangeKind;
  @ApiProperty({ nullable: true, type: String }) postId: string | null;
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: Number, description: "The post's version when the change was made" }) baseVersion: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "The post's version now (null: a new post)" }) currentVersion: number | null;
  @ApiProperty({ description: 'The live post changed since: the merge is refused until the scenario is rebased' }) conflict: boolean;
  @ApiProperty({ description: 'What changes, in words' }) summary: string;
  @ApiProperty({ enum: Scope, nullable: true }) scope: Scope | null;
  @ApiProperty({ type: RefName, nullable: true }) thematicArea: RefName | null;
  @ApiProperty({ type: RefName, nullable: true }) grade: RefName | null;
  @ApiProperty({ nullable: true, type: Number }) fte: number | null;
  @ApiProperty({ type: RefName, nullable: true }) destinationOrganisation: RefName | null;
  @ApiProperty() reason: string;
  @ApiProperty() createdAt: string;
}

export class ScenarioResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() programmeName: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: ScenarioStatus }) status: ScenarioStatus;
  @ApiProperty({ nullable: true, type: String }) statusReason: string | null;
  @ApiProperty({ type: RefName, nullable: true, description: 'null for trade union reps' }) author: RefName | null;
  @ApiProperty({ type: RefName, nullable: true }) approvedBy: RefName | null;
  @ApiProperty({ nullable: true, type: String }) approvedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) mergedAt: string | null;
  @ApiProperty() changeCount: number;
  @ApiProperty({ description: 'Changes whose post changed live since' }) conflictCount: number;
  @ApiProperty({ type: [String], description: 'Status moves open to you now' }) actions: string[];
  @ApiProperty({ description: 'You may add and remove changes' }) canEdit: boolean;
  @ApiProperty({ description: 'You may merge it (approved, HR or admin)' }) canMerge: boolean;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiPropertyOptional({ type: [ScenarioChangeResponse], description: 'Not for trade union reps' }) changes?: ScenarioChangeResponse[];
}

export class DeltaNumber {
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], nullable: true }) before: number | '<5' | null;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], nullable: true }) after: number | '<5' | null;
  @ApiProperty({ nullable: true, type: Number, description: 'after - before (null where either is hidden from a rep)' }) delta: number | null;
}

export class DeltaCell {
  @ApiProperty({ type: DeltaNumber }) posts: DeltaNumber;
  @ApiProperty({ type: DeltaNumber }) fte: DeltaNumber;
}

export class DeltaLine {
  @ApiProperty() key: string;
  @ApiProperty() label: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/DeltaCell' } }) cells: Record<string, DeltaCell>;
  @ApiProperty({ type: DeltaCell }) total: DeltaCell;
  @ApiProperty({ description: 'Some cell of the line changes' }) changed: boolean;
}

export class ScenarioMatrixResponse {
  @ApiProperty() scenarioId: string;
  @ApiProperty() countsSuppressed: boolean;
  @ApiProperty({ type: [String] }) columns: string[];
  @ApiProperty({ type: [DeltaLine], description: 'One line per thematic area' }) rows: DeltaLine[];
  @ApiProperty({ type: DeltaLine }) totals: DeltaLine;
  @ApiProperty({ type: [DeltaLine], description: 'Scope subtotals: in scope, out of scope, under review, later phase' }) subtotals: DeltaLine[];
  @ApiProperty({ type: EstablishmentMatrixResponse, description: 'The matrix as it would be' }) scenario: EstablishmentMatrixResponse;
}

export class AffectedPerson {
  @ApiProperty() employeeId: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() staffNumber?: string;
  @ApiProperty() postId: string;
  @ApiProperty() postReference: string;
  @ApiProperty() postTitle: string;
  @ApiProperty() thematicAreaName: string;
  @ApiProperty({ enum: CaseRoute }) likelyRoute: CaseRoute;
  @ApiProperty() basis: string;
  @ApiProperty({ nullable: true, type: String }) caseId: string | null;
  @ApiProperty({ nullable: true, type: String, enum: CaseRoute }) caseRoute: CaseRoute | null;
  @ApiProperty() proposedDismissal: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Transfer or secondment date (the programme go-live)' }) moveDate: string | null;
}

export class RouteCount {
  @ApiProperty({ enum: CaseRoute }) route: CaseRoute;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) people: number | '<5';
}

export class PeopleAffectedResponse {
  @ApiProperty() scenarioId: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) total: number | '<5';
  @ApiProperty({ type: [RouteCount] }) byRoute: RouteCount[];
  @ApiPropertyOptional({ type: [AffectedPerson], description: 'Not for trade union reps (counts only)' }) people?: AffectedPerson[];
  @ApiProperty() countsSuppressed: boolean;
}

export class CollectiveConsequenceResponse {
  @ApiProperty() establishment: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) proposedDismissals: number | '<5';
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) totalWithinNinetyDays: number | '<5';
  @ApiProperty() explanation: string;
  @ApiProperty({ nullable: true, type: String }) band: string | null;
  @ApiProperty({ nullable: true, type: Number }) minimumPeriodDays: number | null;
  @ApiProperty() firstDismissalDate: string;
  @ApiProperty({ nullable: true, type: String }) consultationMustBeginBy: string | null;
  @ApiProperty({ nullable: true, type: String }) hr1DueDate: string | null;
  @ApiProperty() late: boolean;
  @ApiProperty() citation: string;
  @ApiProperty() summary: string;
}

export class TransferDeadlineResponse {
  @ApiProperty() transferDate: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) people: number | '<5';
  @ApiProperty() eliDueOn: string;
  @ApiProperty() eliCitation: string;
  @ApiProperty() informationDueOn: string;
  @ApiProperty() informationCitation: string;
  @ApiProperty() eliPassed: boolean;
  @ApiProperty() summary: string;
}

export class ConsequencesResponse {
  @ApiProperty() scenarioId: string;
  @ApiProperty() asOf: string;
  @ApiProperty({ type: [CollectiveConsequenceResponse] }) collectiveRedundancy: CollectiveConsequenceResponse[];
  @ApiProperty({ type: [TransferDeadlineResponse] }) transfers: TransferDeadlineResponse[];
  @ApiProperty() countsSuppressed: boolean;
}

export class ScenarioSummary {
  @ApiProperty({ type: ScenarioResponse }) scenario: ScenarioResponse;
  @ApiProperty({ type: DeltaLine }) totals: DeltaLine;
  @ApiProperty({ type: DeltaLine }) inScope: DeltaLine;
  @ApiProperty({ type: [DeltaLine], description: 'The area lines that change' }) changedRows: DeltaLine[];
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }] }) peopleAffected: number | '<5';
  @ApiProperty({ type: [RouteCount] }) byRoute: RouteCount[];
  @ApiProperty({ type: ConsequencesResponse }) consequences: ConsequencesResponse;
}

export class CompareResponse {
  @ApiProperty() programmeId: string;
  @ApiProperty({ type: [String] }) columns: string[];
  @ApiProperty({ type: [ScenarioSummary] }) scenarios: ScenarioSummary[];
}

export class ConflictResponse {
  @ApiProperty() postId: string;
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty() baseVersion: number;
  @ApiProperty({ nullable: true, type: Number }) currentVersion: number | null;
  @ApiProperty() reason: string;
}

export class MergeResponse {
  @ApiProperty({ type: ScenarioResponse }) scenario: ScenarioResponse;
  @ApiProperty() postsChanged: number;
  @ApiProperty() postsCreated: number;
  @ApiProperty() postsDeleted: number;
}
