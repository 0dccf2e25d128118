import { OffsetPageQuery } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsEnum, IsInt, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Employee } from '../entities/employee.entity';
import { ContractType, ELI_REQUIRED_FIELDS, PensionScheme } from '../people.constants';
import { IsBirthDate, IsDateOnly, OptionalNotNull, IsTwoDecimals, VersionField } from '../../common/validation';

/** Fields an HR officer writes. In an update, null clears a field (where it may be empty) and an absent field is kept. */
export class EmployeeFieldsDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'a.person@council.example' })
  @IsOptional()
  @MaxLength(320)
  @IsEmail({}, { message: 'must be an email address' })
  @IsString()
  workEmail?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'The organisation that employs them now' })
  @IsOptional()
  @IsUUID('4')
  employerOrganisationId?: string | null;

  @ApiPropertyOptional({ enum: ContractType, default: ContractType.Permanent })
  @OptionalNotNull()
  @IsEnum(ContractType)
  contractType?: ContractType;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Fixed-term and temporary contracts only' })
  @IsOptional()
  @IsDateOnly()
  contractEndsOn?: string | null;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 1, default: 1, example: 0.6 })
  @OptionalNotNull()
  @Max(1)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  contractedFte?: number;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'Start with the current employer' })
  @IsOptional()
  @IsDateOnly()
  startDate?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date',
    description: 'Start of continuous service. Never reset by a move: it can move earlier, never later, and is never cleared once known.',
  })
  @IsOptional()
  @IsDateOnly()
  continuousServiceDate?: string | null;

  @ApiPropertyOptional({ enum: PensionScheme, nullable: true })
  @IsOptional()
  @IsEnum(PensionScheme)
  pensionScheme?: PensionScheme | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date' })
  @IsOptional()
  @IsBirthDate()
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 31520 })
  @IsOptional()
  @Max(99_999_999)
  @Min(0)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  annualPay?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 37 })
  @IsOptional()
  @Max(60)
  @Min(0.01)
  @IsTwoDecimals()
  @IsNumber({}, { message: 'must be a number' })
  weeklyHours?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 4 })
  @IsOptional()
  @Max(52)
  @Min(0)
  @IsInt()
  noticePeriodWeeks?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'ELI: disciplinary action or grievances in the last two years' })
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  eliDisciplinaryGrievance?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'ELI: claims or tribunal cases in the last two years, or reasonably expected' })
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  eliClaims?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'ELI: collective agreements that apply' })
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  eliCollectiveAgreements?: string | null;
}

export class CreateEmployeeDto extends EmployeeFieldsDto {
  @ApiProperty({ example: 'MCC100234' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/_-]*$/, { message: 'must be letters, digits, /, _ or -' })
  @MaxLength(30)
  @MinLength(1)
  @IsString()
  staffNumber: string;

  @ApiProperty({ example: 'Alex' })
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  firstName: string;

  @ApiProperty({ example: 'Morgan' })
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  lastName: string;
}

export class UpdateEmployeeDto extends EmployeeFieldsDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  firstName?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  lastName?: string;
}

export class ListEmployeesQuery extends OffsetPageQuery() {
  @ApiPropertyOptional({ description: 'Start of a last name, first name or staff number (case-insensitive)' })
  @IsOptional()
  @MaxLength(100)
  @IsString()
  q?: string;

  @ApiPropertyOptional({ description: 'Only people assigned (at any time) to a post of this programme' })
  @IsOptional()
  @IsUUID('4')
  programmeId?: string;
}

export class EmployeeResponse {
  @ApiProperty() id: string;
  @ApiProperty() staffNumber: string;
  @ApiProperty() firstName: string;
  @ApiProperty() lastName: string;
  @ApiProperty({ nullable: true, type: String }) workEmail: string | null;
  @ApiProperty({ nullable: true, type: String }) employerOrganisationId: string | null;
  @ApiProperty({ enum: ContractType }) contractType: ContractType;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) contractEndsOn: string | null;
  @ApiProperty() contractedFte: number;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) startDate: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) continuousServiceDate: string | null;
  @ApiProperty({ enum: PensionScheme, nullable: true }) pensionScheme: PensionScheme | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dateOfBirth: string | null;
  @ApiProperty({ nullable: true, type: Number }) annualPay: number | null;
  @ApiProperty({ nullable: true, type: Number }) weeklyHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) noticePeriodWeeks: number | null;
  @ApiProperty({ nullable: true, type: String }) eliDisciplinaryGrievance: string | null;
  @ApiProperty({ nullable: true, type: String }) eliClaims: string | null;
  @ApiProperty({ nullable: true, type: String }) eliCollectiveAgreements: string | null;
  @ApiProperty({ type: [String], description: 'Fields employee liability information still needs (empty: ready to send)' })
  eliMissing: string[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(e: Employee): EmployeeResponse {
    return {
      id: e.id,
      staffNumber: e.staffNumber,
      firstName: e.firstName,
      lastName: e.lastName,
      workEmail: e.workEmail,
      employerOrganisationId: e.employerOrganisationId,
      contractType: e.contractType,
      contractEndsOn: e.contractEndsOn,
      contractedFte: e.contractedFte,
      startDate: e.startDate,
      continuousServiceDate: e.continuousServiceDate,
      pensionScheme: e.pensionScheme,
      dateOfBirth: e.dateOfBirth,
      annualPay: e.annualPay,
      weeklyHours: e.weeklyHours,
      noticePeriodWeeks: e.noticePeriodWeeks,
      eliDisciplinaryGrievance: e.eliDisciplinaryGrievance,
      eliClaims: e.eliClaims,
      eliCollectiveAgreements: e.eliCollectiveAgreements,
      eliMissing: eliMissing(e),
      version: e.version,
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
    };
  }
}

export class EmployeePage {
  @ApiProperty({ type: [EmployeeResponse] }) items: EmployeeResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export function eliMissing(e: Pick<Employee, (typeof ELI_REQUIRED_FIELDS)[number]>): string[] {
  return ELI_REQUIRED_FIELDS.filter((f) => e[f] === null || e[f] === undefined);
}
