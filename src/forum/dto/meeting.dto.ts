import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsInt, IsObject, IsOptional, IsString, IsUUID, IsUrl, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { AuthUser } from '../../common/access/auth-user';
import { isStaff } from '../../common/access/programme-access';
import { IsDateOnly, IsInstant, OptionalNotNull, VersionField } from '../../common/validation';
import { ForumAction, ForumActionStatus } from '../entities/forum-action.entity';
import { ForumMeeting, ForumMeetingStatus } from '../entities/forum-meeting.entity';

export class PaperInput {
  @ApiProperty({ example: 'Executive report, 19 October 2016' })
  @MaxLength(300)
  @MinLength(1)
  @IsString()
  title: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://intranet.example.org/papers/exec-2016-10-19.pdf' })
  @IsOptional()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'must be an http(s) URL' })
  @IsString()
  url?: string | null;
}

export class CreateMeetingDto {
  @ApiProperty({ example: 'Joint TU forum: design and implementation plan' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title: string;

  @ApiProperty({ example: '2016-11-23T10:00:00Z' })
  @IsInstant()
  startsAt: string;

  @ApiProperty({ example: '2016-11-23T12:00:00Z' })
  @IsInstant()
  endsAt: string;

  @ApiProperty({ example: 'Committee Room 6, Town Hall Extension, Manchester' })
  @MaxLength(300)
  @MinLength(1)
  @IsString()
  location: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(20000)
  @IsString()
  agenda?: string;

  @ApiPropertyOptional({ type: [PaperInput] })
  @IsOptional()
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: 'each item must be an object' })
  @Type(() => PaperInput)
  @ArrayMaxSize(50)
  @IsArray()
  papers?: PaperInput[];

  @ApiPropertyOptional({ description: 'The consultation of the same programme the meeting is about' })
  @IsOptional()
  @IsUUID('4')
  consultationId?: string;
}

export class UpdateMeetingDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsInstant()
  startsAt?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsInstant()
  endsAt?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(300)
  @MinLength(1)
  @IsString()
  location?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @MaxLength(20000)
  @IsString()
  agenda?: string | null;

  @ApiPropertyOptional({ type: [PaperInput] })
  @OptionalNotNull()
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: 'each item must be an object' })
  @Type(() => PaperInput)
  @ArrayMaxSize(50)
  @IsArray()
  papers?: PaperInput[];

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsUUID('4')
  consultationId?: string | null;
}

export class CancelMeetingDto {
  @ApiProperty({ example: 'Postponed: the revised structure chart is not ready' })
  @MaxLength(2000)
  @MinLength(1)
  @IsString()
  reason: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Min(1)
  @IsInt()
  version?: number;
}

export class MeetingVersionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Min(1)
  @IsInt()
  version?: number;
}

export class MinutesDto extends MeetingVersionDto {
  @ApiProperty()
  @MaxLength(100000)
  @MinLength(1)
  @IsString()
  minutes: string;
}

export class ListMeetingsQuery {
  @ApiPropertyOptional({ enum: ForumMeetingStatus })
  @IsOptional()
  @IsEnum(ForumMeetingStatus)
  status?: ForumMeetingStatus;

  @ApiPropertyOptional({ description: 'Meetings about this consultation, or about the forum in general' })
  @IsOptional()
  @IsUUID('4')
  consultationId?: string;
}

export class PaperResponse {
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) url: string | null;
}

export class MeetingResponse {
  @ApiProperty() id: string;
  @ApiProperty() forumId: string;
  @ApiProperty({ nullable: true, type: String }) consultationId: string | null;
  @ApiProperty() title: string;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty() location: string;
  @ApiProperty({ nullable: true, type: String }) agenda: string | null;
  @ApiProperty({ type: [PaperResponse] }) papers: PaperResponse[];
  @ApiProperty({ enum: ForumMeetingStatus }) status: ForumMeetingStatus;
  @ApiProperty({ nullable: true, type: String }) cancellationReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Published minutes; HR officers and admins also see drafts' }) minutes: string | null;
  @ApiProperty({ nullable: true, type: String }) minutesPublishedAt: string | null;
  @ApiProperty() version: number;

  static from(m: ForumMeeting, user: AuthUser): MeetingResponse {
    const minutesVisible = m.minutesPublishedAt !== null || isStaff(user);
    return {
      id: m.id,
      forumId: m.forumId,
      consultationId: m.consultationId,
      title: m.title,
      startsAt: m.startsAt.toISOString(),
      endsAt: m.endsAt.toISOString(),
      location: m.location,
      agenda: m.agenda,
      papers: m.papers.map((p) => ({ title: p.title, url: p.url ?? null })),
      status: m.status,
      cancellationReason: m.cancellationReason,
      minutes: minutesVisible ? m.minutes : null,
      minutesPublishedAt: m.minutesPublishedAt ? m.minutesPublishedAt.toISOString() : null,
      version: m.version,
    };
  }
}

// --- actions --------------------------------------------------------------------

export class CreateActionDto {
  @ApiProperty({ example: 'Circulate the draft measures letter to the union side' })
  @MaxLength(2000)
  @MinLength(1)
  @IsString()
  description: string;

  @ApiProperty({ example: 'Management side: HR/OD transformation lead', description: 'A role or side, not a person’s name' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  owner: string;

  @ApiProperty({ example: '2016-12-07' })
  @IsDateOnly()
  dueDate: string;
}

export class UpdateActionDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(2000)
  @MinLength(1)
  @IsString()
  description?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  owner?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsDateOnly()
  dueDate?: string;

  @ApiPropertyOptional({ enum: ForumActionStatus })
  @OptionalNotNull()
  @IsEnum(ForumActionStatus)
  status?: ForumActionStatus;

  @ApiPropertyOptional({ description: 'For done: the day it was done (default today)' })
  @IsOptional()
  @IsDateOnly()
  completedOn?: string;
}

export class ListActionsQuery {
  @ApiPropertyOptional({ enum: ForumActionStatus })
  @IsOptional()
  @IsEnum(ForumActionStatus)
  status?: ForumActionStatus;
}

export class ActionResponse {
  @ApiProperty() id: string;
  @ApiProperty() meetingId: string;
  @ApiProperty() description: string;
  @ApiProperty() owner: string;
  @ApiProperty() dueDate: string;
  @ApiProperty({ enum: ForumActionStatus }) status: ForumActionStatus;
  @ApiProperty({ nullable: true, type: String }) completedOn: string | null;
  @ApiProperty() version: number;

  static from(a: ForumAction): ActionResponse {
    return { id: a.id, meetingId: a.meetingId, description: a.description, owner: a.owner, dueDate: a.dueDate, status: a.status, completedOn: a.completedOn, version: a.version };
  }
}
