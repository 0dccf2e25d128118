import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { AuthUser } from '../../common/access/auth-user';
import { Role } from '../../common/access/role.enum';
import { Milestone, MilestoneAudience, MilestoneDerivedFrom, MilestoneKind, MilestoneStatus } from '../entities/milestone.entity';
import { IsDateOnly, OptionalNotNull, VersionField } from '../../common/validation';

export class CreateMilestoneDto {
  @ApiProperty({ example: 'Measures letter to the recognised unions (TUPE reg. 13)' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(4000)
  @IsString()
  description?: string;

  @ApiProperty({ enum: MilestoneKind })
  @IsEnum(MilestoneKind)
  kind: MilestoneKind;

  @ApiProperty({ example: '2017-03-03' })
  @IsDateOnly()
  dueDate: string;

  @ApiPropertyOptional({ description: 'The user responsible (HR, admin or manager)' })
  @IsOptional()
  @IsUUID('4')
  ownerUserId?: string;

  @ApiPropertyOptional({ type: [Number], example: [14, 7, 1], description: 'Days before the due date to send reminders (default 14, 7, 1)' })
  @IsOptional()
  @Max(365, { each: true })
  @Min(0, { each: true })
  @IsInt({ each: true })
  @ArrayUnique()
  @ArrayMaxSize(10)
  @IsArray()
  reminderOffsets?: number[];

  @ApiPropertyOptional({ enum: MilestoneAudience, isArray: true, example: ['forum', 'hr'], description: 'Who is told (default forum and HR)' })
  @IsOptional()
  @IsEnum(MilestoneAudience, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(4)
  @ArrayMinSize(1)
  @IsArray()
  audience?: MilestoneAudience[];
}

export class UpdateMilestoneDto {
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

  @ApiPropertyOptional({ enum: MilestoneKind })
  @OptionalNotNull()
  @IsEnum(MilestoneKind)
  kind?: MilestoneKind;

  @ApiPropertyOptional({ description: 'Only while pending; not for milestones that follow a consultation date' })
  @OptionalNotNull()
  @IsDateOnly()
  dueDate?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsUUID('4')
  ownerUserId?: string | null;

  @ApiPropertyOptional({ type: [Number] })
  @OptionalNotNull()
  @Max(365, { each: true })
  @Min(0, { each: true })
  @IsInt({ each: true })
  @ArrayUnique()
  @ArrayMaxSize(10)
  @IsArray()
  reminderOffsets?: number[];

  @ApiPropertyOptional({ enum: MilestoneAudience, isArray: true })
  @OptionalNotNull()
  @IsEnum(MilestoneAudience, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(4)
  @ArrayMinSize(1)
  @IsArray()
  audience?: MilestoneAudience[];
}

export class SetMilestoneStatusDto {
  @ApiProperty({ enum: MilestoneStatus, description: 'pending -> done | missed | cancelled; missed -> done; cancelled -> pending' })
  @IsEnum(MilestoneStatus)
  status: MilestoneStatus;

  @ApiPropertyOptional({ description: 'For done: the day it was reached (default today; not in the future)' })
  @IsOptional()
  @IsDateOnly()
  completedOn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Min(1)
  @IsInt()
  version?: number;
}

export class MilestoneResponse {
  @ApiProperty() id: string;
  @ApiProperty() consultationId: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: MilestoneKind }) kind: MilestoneKind;
  @ApiProperty() dueDate: string;
  @ApiProperty({ enum: MilestoneStatus }) status: MilestoneStatus;
  @ApiProperty({ nullable: true, type: String }) completedOn: string | null;
  @ApiProperty({ type: [Number] }) reminderOffsets: number[];
  @ApiProperty({ enum: MilestoneAudience, isArray: true }) audience: MilestoneAudience[];
  @ApiProperty({ enum: MilestoneDerivedFrom, nullable: true, description: 'Follows this consultation date (set by the system)' })
  derivedFrom: MilestoneDerivedFrom | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Not shown to tu_reps' }) ownerUserId?: string | null;
  @ApiProperty() version: number;

  static from(m: Milestone, user: AuthUser): MilestoneResponse {
    return {
      id: m.id,
      consultationId: m.consultationId,
      title: m.title,
      description: m.description,
      kind: m.kind,
      dueDate: m.dueDate,
      status: m.status,
      completedOn: m.completedOn,
      reminderOffsets: m.reminderOffsets,
      audience: m.audience,
      derivedFrom: m.derivedFrom,
      ...(user.role === Role.TuRep ? {} : { ownerUserId: m.ownerUserId }),
      version: m.version,
    };
  }
}
