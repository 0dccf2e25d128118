import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { BankHolidayDivision } from '../../statutory/calendar';
import { OrganisationKind, OrganisationStatus } from '../establishment.constants';
import { Organisation } from '../entities/organisation.entity';
import { VersionedDto } from './common.dto';

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Manchester City Council', maxLength: 200 })
  @Length(1, 200)
  @IsString()
  name: string;

  @ApiPropertyOptional({ example: 'MCC', maxLength: 50, nullable: true })
  @ValidateIf((o: CreateOrganisationDto) => o.shortName !== null && o.shortName !== undefined)
  @Length(1, 50)
  @IsString()
  shortName?: string | null;

  @ApiProperty({ enum: OrganisationKind })
  @IsEnum(OrganisationKind)
  kind: OrganisationKind;

  @ApiProperty({ enum: OrganisationStatus })
  @IsEnum(OrganisationStatus)
  status: OrganisationStatus;

  @ApiPropertyOptional({ nullable: true, description: 'The organisation that takes over when this one is disestablished' })
  @ValidateIf((o: CreateOrganisationDto) => o.successorId !== null && o.successorId !== undefined)
  @IsUUID()
  successorId?: string | null;

  @ApiPropertyOptional({
    enum: BankHolidayDivision,
    description: 'Whose bank holidays decide "send by" for deadlines of its posts and programmes (default england-and-wales)',
  })
  @IsOptional()
  @IsEnum(BankHolidayDivision)
  bankHolidayDivision?: BankHolidayDivision;
}

/** Any of the fields, and the version last read. */
export class UpdateOrganisationDto extends IntersectionType(PartialType(CreateOrganisationDto, { skipNullProperties: false }), VersionedDto) {}

export class OrganisationResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
  @ApiProperty({ enum: OrganisationKind }) kind: OrganisationKind;
  @ApiProperty({ enum: OrganisationStatus }) status: OrganisationStatus;
  @ApiProperty({ nullable: true, type: String }) successorId: string | null;
  @ApiProperty({ enum: BankHolidayDivision }) bankHolidayDivision: BankHolidayDivision;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(o: Organisation): OrganisationResponse {
    return {
      id: o.id,
      name: o.name,
      shortName: o.shortName,
      kind: o.kind,
      status: o.status,
      successorId: o.successorId,
      bankHolidayDivision: o.bankHolidayDivision,
      version: o.version,
      createdAt: o.createdAt.toISOString(),
      updatedAt: o.updatedAt.toISOString(),
    };
  }
}
