import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, MinLength } from 'class-validator';
import type { AuthUser } from '../../common/access/auth-user';
import { isStaff } from '../../common/access/programme-access';
import { IsInstant } from '../../common/validation';
import { Representation, RepresentationStatus } from '../entities/representation.entity';

export class CreateRepresentationDto {
  @ApiPropertyOptional({ description: 'The consultation it is about (same programme); absent for the forum in general' })
  @IsOptional()
  @IsUUID('4')
  consultationId?: string;

  @ApiPropertyOptional({ description: 'HR/admin: the union making it (or give madeByMemberId). A tu_rep records for their own union.' })
  @IsOptional()
  @IsUUID('4')
  unionId?: string;

  @ApiPropertyOptional({ description: 'The union-side forum member who made it (a tu_rep: themselves, by default)' })
  @IsOptional()
  @IsUUID('4')
  madeByMemberId?: string;

  @ApiPropertyOptional({ description: 'When the employer received it (default now; not in the future)' })
  @IsOptional()
  @IsInstant()
  receivedAt?: string;

  @ApiProperty({ example: 'Pay protection period for staff moving to the CCG' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  subject: string;

  @ApiProperty()
  @MaxLength(20000)
  @MinLength(1)
  @IsString()
  body: string;
}

export class RespondToRepresentationDto {
  @ApiProperty({ description: 'The employer’s written response' })
  @MaxLength(20000)
  @MinLength(1)
  @IsString()
  response: string;

  @ApiProperty({ description: 'The reasons for it (for a transfer, TUPE 2006 reg. 13(7): the employer replies to representations and gives reasons for rejecting any; for collective redundancy, consultation with a view to agreement, TULRCA s.188(2))' })
  @MaxLength(20000)
  @MinLength(1)
  @IsString()
  reasons: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Min(1)
  @IsInt()
  version?: number;
}

export class ListRepresentationsQuery {
  @ApiPropertyOptional({ enum: RepresentationStatus })
  @IsOptional()
  @IsEnum(RepresentationStatus)
  status?: RepresentationStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('4')
  consultationId?: string;
}

export class RepresentationResponse {
  @ApiProperty() id: string;
  @ApiProperty() forumId: string;
  @ApiProperty({ nullable: true, type: String }) consultationId: string | null;
  @ApiProperty() unionId: string;
  @ApiProperty() unionName: string;
  @ApiProperty({ nullable: true, type: String }) madeByMemberId: string | null;
  @ApiProperty() receivedAt: string;
  @ApiProperty() subject: string;
  @ApiProperty() body: string;
  @ApiProperty({ enum: RepresentationStatus }) status: RepresentationStatus;
  @ApiProperty({ nullable: true, type: String }) response: string | null;
  @ApiProperty({ nullable: true, type: String }) responseReasons: string | null;
  @ApiProperty({ nullable: true, type: String }) respondedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'HR officers and admins only' }) respondedBy?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'HR officers and admins only' }) recordedBy?: string | null;
  @ApiProperty() version: number;

  static from(r: Representation, unionName: string, user: AuthUser): RepresentationResponse {
    return {
      id: r.id,
      forumId: r.forumId,
      consultationId: r.consultationId,
      unionId: r.unionId,
      unionName,
      madeByMemberId: r.madeByMemberId,
      receivedAt: r.receivedAt.toISOString(),
      subject: r.subject,
      body: r.body,
      status: r.status,
      response: r.response,
      responseReasons: r.responseReasons,
      respondedAt: r.respondedAt ? r.respondedAt.toISOString() : null,
      ...(isStaff(user) ? { respondedBy: r.respondedBy, recordedBy: r.recordedBy } : {}),
      version: r.version,
    };
  }
}
