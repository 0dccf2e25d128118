import { VersionField } from '../../common/validation';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsEnum, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Role } from '../../common/access/role.enum';
import { User } from '../entities/user.entity';

export class ScopeInput {
  @ApiProperty()
  @IsUUID('4')
  programmeId: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Required for a manager; must be null for a tu_rep' })
  @IsOptional()
  @IsUUID('4')
  thematicAreaId: string | null = null;
}

export class CreateUserDto {
  @ApiProperty({ example: 'a.person@council.example' })
  @MaxLength(320)
  @IsEmail({}, { message: 'must be an email address' })
  @IsString()
  email: string;

  @ApiProperty({ example: 'A. Person' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  displayName: string;

  @ApiProperty({ enum: Role })
  @IsEnum(Role)
  role: Role;

  @ApiPropertyOptional({ description: 'At least 12 characters. Omit to have one generated and returned once.' })
  @IsOptional()
  @MaxLength(200)
  @MinLength(12)
  @IsString()
  password?: string;

  @ApiPropertyOptional({ type: [ScopeInput] })
  @IsOptional()
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: 'each item must be an object' })
  @Type(() => ScopeInput)
  @ArrayMaxSize(500)
  @IsArray()
  scopes?: ScopeInput[];
}

export class UpdateUserDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  displayName?: string;

  @ApiPropertyOptional({ enum: Role })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ type: [ScopeInput], description: 'Replaces the scopes' })
  @IsOptional()
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: 'each item must be an object' })
  @Type(() => ScopeInput)
  @ArrayMaxSize(500)
  @IsArray()
  scopes?: ScopeInput[];
}

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: Role })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Boolean)
  @IsBoolean()
  active?: boolean;
}

export class UserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: Role }) role: Role;
  @ApiProperty() isActive: boolean;
  @ApiProperty() isDemo: boolean;
  @ApiProperty({ type: [ScopeInput] }) scopes: { programmeId: string; thematicAreaId: string | null }[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) deactivatedAt: string | null;

  static from(u: User): UserResponse {
    return {
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: u.role,
      isActive: u.isActive,
      isDemo: u.isDemo,
      scopes: (u.scopes ?? [])
        .map((s) => ({ programmeId: s.programmeId, thematicAreaId: s.thematicAreaId }))
        .sort((a, b) => `${a.programmeId}${a.thematicAreaId}`.localeCompare(`${b.programmeId}${b.thematicAreaId}`)),
      version: u.version,
      createdAt: u.createdAt.toISOString(),
      updatedAt: u.updatedAt.toISOString(),
      deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedUserResponse extends UserResponse {
  @ApiPropertyOptional({ description: 'Only when no password was given: the generated one, shown once' })
  initialPassword?: string;
}
