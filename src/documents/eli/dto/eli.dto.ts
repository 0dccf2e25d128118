import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { IsDateOnly } from '../../../common/validation';
import { ELI_KINDS, EliKind } from '../eli-schedule';

export class RequestEliBuildDto {
  @ApiProperty({ enum: ELI_KINDS, description: 'draft: anonymised (staff references, age bands, no names); final: named' })
  @IsIn(ELI_KINDS)
  kind: EliKind;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: "Only these cases (default: every secondment and transfer of the programme that is not withdrawn)" })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @IsUUID('4', { each: true })
  caseIds?: string[];
}

export class RecordEliReleaseDto {
  @ApiProperty({ format: 'uuid', description: 'The ready build (its XLSX) that was released' })
  @IsUUID('4')
  buildId: string;

  @ApiProperty({ description: "The transferee's named contact who received it" })
  @IsString()
  @IsNotEmpty({ message: 'must be entered' })
  @MaxLength(200, { message: 'must be 200 characters or fewer' })
  recipientName: string;

  @ApiPropertyOptional({ description: "The contact's email address" })
  @IsOptional()
  @IsEmail()
  @Length(3, 320)
  recipientEmail?: string;

  @ApiPropertyOptional({ format: 'date', description: 'When it was released (default: today); not in the future' })
  @IsOptional()
  @IsDateOnly()
  releasedOn?: string;
}

export class EliBuildResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programmeId: string;
  @ApiProperty({ enum: ELI_KINDS }) kind: EliKind;
  @ApiProperty({ enum: ['queued', 'ready', 'failed'] }) status: string;
  @ApiProperty({ description: 'Cases the schedule covers' }) cases: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Rows in the schedule, once made' }) rows: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the XLSX, once made' }) sha256: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() requestedBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The release that recorded it, if any' }) releaseId: string | null;
}

export class EliBuildAccepted {
  @ApiProperty({ type: EliBuildResponse }) build: EliBuildResponse;
  @ApiProperty({ description: 'The worker job that makes the XLSX' }) jobId: string;
}

export class EliReleaseResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programmeId: string;
  @ApiProperty({ description: 'Version N of the programme’s ELI (1, 2, …)' }) version: number;
  @ApiProperty({ enum: ELI_KINDS }) kind: EliKind;
  @ApiProperty({ format: 'uuid' }) buildId: string;
  @ApiProperty({ description: 'SHA-256 of the XLSX released' }) sha256: string;
  @ApiProperty({ format: 'uuid' }) recipientOrganisationId: string;
  @ApiProperty() recipientOrganisation: string;
  @ApiProperty() recipientName: string;
  @ApiProperty({ nullable: true, type: String }) recipientEmail: string | null;
  @ApiProperty({ format: 'date' }) releasedOn: string;
  @ApiProperty() releasedBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Cases the release covers' }) cases: number;
}

export class EliOverviewResponse {
  @ApiProperty({ type: [EliReleaseResponse], description: 'Releases, newest version first' }) releases: EliReleaseResponse[];
  @ApiProperty({ type: [EliBuildResponse], description: 'Builds, newest first' }) builds: EliBuildResponse[];
}
