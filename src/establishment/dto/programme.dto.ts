import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum, IsInt, IsString, IsUUID, Length, Max, Min, ValidateIf } from 'class-validator';
import { OrganisationKind, OrganisationStatus, ProgrammeStatus } from '../establishment.constants';
import { IsDateOnly, OptionalNotNull, VersionedDto } from './common.dto';

export class CreateProgrammeDto {
  @ApiProperty({ example: 'Manchester Single Commissioning Function 2017', maxLength: 200 })
  @Length(1, 200)
  @IsString()
  name: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true })
  @ValidateIf((o: CreateProgrammeDto) => o.description !== null && o.description !== undefined)
  @Length(1, 2000)
  @IsString()
  description?: string | null;

  @ApiProperty({ description: 'The organisation staff move into' })
  @IsUUID()
  destinationOrganisationId: string;

  @ApiProperty({ type: [String], description: 'The organisations whose posts and staff are in the programme' })
  @ArrayUnique({ message: 'must not list an organisation twice' })
  @ArrayMaxSize(50)
  @ArrayMinSize(1)
  @IsUUID('all', { each: true })
  @IsArray()
  sourceOrganisationIds: string[];

  @ApiProperty({ example: '2017-04-01' })
  @IsDateOnly()
  @IsString()
  goLiveDate: string;

  @ApiPropertyOptional({ enum: ProgrammeStatus, default: ProgrammeStatus.Planning })
  @OptionalNotNull()
  @IsEnum(ProgrammeStatus)
  status?: ProgrammeStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'TUPE reg. 13: the information reaches the representatives at least this many days before the transfer' })
  @OptionalNotNull()
  @Max(365)
  @Min(1)
  @IsInt()
  reg13InformationDays?: number;
}

export class UpdateProgrammeDto extends IntersectionType(PartialType(CreateProgrammeDto, { skipNullProperties: false }), VersionedDto) {}

export class OrganisationSummary {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
  @ApiProperty({ enum: OrganisationKind }) kind: OrganisationKind;
  @ApiProperty({ enum: OrganisationStatus }) status: OrganisationStatus;
}

export class ProgrammeResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: OrganisationSummary }) destinationOrganisation: OrganisationSummary;
  @ApiProperty({ type: [OrganisationSummary] }) sourceOrganisations: OrganisationSummary[];
  @ApiProperty({ example: '2017-04-01' }) goLiveDate: string;
  @ApiProperty({ example: 30, description: 'TUPE reg. 13 information at least this many days before the transfer' }) reg13InformationDays: number;
  @ApiProperty({ enum: ProgrammeStatus }) status: ProgrammeStatus;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
