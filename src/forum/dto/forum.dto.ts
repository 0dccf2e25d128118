import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsEnum, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { AuthUser } from '../../common/access/auth-user';
import { Role } from '../../common/access/role.enum';
import { IsDateOnly, OptionalNotNull, VersionField } from '../../common/validation';
import { Forum } from '../entities/forum.entity';
import { ForumMember, ForumSide } from '../entities/forum-member.entity';
import { TradeUnion } from '../entities/trade-union.entity';

// --- unions ---------------------------------------------------------------------

export class CreateUnionDto {
  @ApiProperty({ example: 'UNISON' })
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  name: string;

  @ApiPropertyOptional({ example: 'UNISON, the public service union' })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  description?: string;
}

/** A union. The key is `unionName`, not `name`, so rep-facing responses never carry a bare `name`. */
export class UnionResponse {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'UNISON' }) unionName: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;

  static from(u: TradeUnion): UnionResponse {
    return { id: u.id, unionName: u.name, description: u.description };
  }
}

// --- forums ---------------------------------------------------------------------

export class CreateForumDto {
  @ApiProperty()
  @IsUUID('4')
  programmeId: string;

  @ApiProperty({ example: 'Joint Trade Union Forum: Single Commissioning Function' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(20000)
  @IsString()
  termsOfReference?: string;

  @ApiPropertyOptional({ type: [String], description: 'Unions recognised at the forum' })
  @IsOptional()
  @IsUUID('4', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(50)
  @IsArray()
  unionIds?: string[];
}

export class UpdateForumDto {
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
  @MaxLength(20000)
  @IsString()
  termsOfReference?: string | null;
}

export class ListForumsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('4')
  programmeId?: string;
}

export class ForumResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) termsOfReference: string | null;
  @ApiProperty({ type: [UnionResponse] }) unions: UnionResponse[];
  @ApiProperty() version: number;

  static from(f: Forum, unions: TradeUnion[]): ForumResponse {
    return { id: f.id, programmeId: f.programmeId, title: f.title, termsOfReference: f.termsOfReference, unions: unions.map(UnionResponse.from), version: f.version };
  }
}

// --- members ----------------------------------------------------------------------

export class CreateForumMemberDto {
  @ApiProperty({ enum: ForumSide })
  @IsEnum(ForumSide)
  side: ForumSide;

  @ApiPropertyOptional({ description: 'Required for the union side (a union recognised at the forum); absent for management' })
  @IsOptional()
  @IsUUID('4')
  unionId?: string;

  @ApiProperty({ example: 'Alex Example' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  displayName: string;

  @ApiProperty({ example: 'alex.example@unison.example.org' })
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  @IsString()
  email: string;

  @ApiPropertyOptional({ example: 'Branch secretary' })
  @IsOptional()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  roleTitle?: string;

  @ApiPropertyOptional({ description: 'The member’s user account, if they have one (tu_rep for the union side)' })
  @IsOptional()
  @IsUUID('4')
  userId?: string;
}

export class UpdateForumMemberDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  displayName?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  @IsString()
  email?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  roleTitle?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsUUID('4')
  userId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'The day they left the forum' })
  @IsOptional()
  @IsDateOnly()
  leftOn?: string | null;
}

/**
 * A forum member. HR officers, admins and managers see names and contact emails; a tu_rep sees
 * each seat's side, union and role but no one's name or email (no personal data to tu_reps).
 */
export class ForumMemberResponse {
  @ApiProperty() id: string;
  @ApiProperty() forumId: string;
  @ApiProperty({ enum: ForumSide }) side: ForumSide;
  @ApiProperty({ nullable: true, type: String }) unionId: string | null;
  @ApiProperty({ nullable: true, type: String }) unionName: string | null;
  @ApiProperty({ nullable: true, type: String }) roleTitle: string | null;
  @ApiProperty({ nullable: true, type: String }) leftOn: string | null;
  @ApiProperty({ description: 'This member is the caller' }) isYou: boolean;
  @ApiPropertyOptional({ description: 'Not shown to tu_reps' }) displayName?: string;
  @ApiPropertyOptional({ description: 'Not shown to tu_reps' }) email?: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Not shown to tu_reps' }) userId?: string | null;
  @ApiProperty() version: number;

  static from(m: ForumMember, unionName: string | null, user: AuthUser): ForumMemberResponse {
    return {
      id: m.id,
      forumId: m.forumId,
      side: m.side,
      unionId: m.unionId,
      unionName,
      roleTitle: m.roleTitle,
      leftOn: m.leftOn,
      isYou: m.userId === user.id,
      ...(user.role === Role.TuRep ? {} : { displayName: m.displayName, email: m.email, userId: m.userId }),
      version: m.version,
    };
  }
}
