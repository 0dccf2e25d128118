import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { AuthUser, UserScope } from '../../common/access/auth-user';
import { ApiToken } from '../entities/api-token.entity';
import { Role } from '../../common/access/role.enum';

export class SignInDto {
  @ApiProperty({ example: 'hr@demo.example' })
  @MaxLength(320)
  @IsEmail({}, { message: 'must be an email address' })
  @IsString()
  email: string;

  @ApiProperty({ example: 'the demo password printed by make up' })
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  password: string;
}

export class ScopeDto implements UserScope {
  @ApiProperty() programmeId: string;
  @ApiProperty({ nullable: true, type: String, description: "A manager's thematic area; null for a tu_rep's programme" })
  thematicAreaId: string | null;
}

export class MeResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: Role }) role: Role;
  @ApiProperty({ type: [ScopeDto] }) scopes: ScopeDto[];
  @ApiProperty({ enum: ['access_token', 'api_token'] }) authenticatedWith: string;

  static from(u: AuthUser): MeResponse {
    return { id: u.id, email: u.email, displayName: u.displayName, role: u.role, scopes: u.scopes, authenticatedWith: u.via };
  }
}

export class SignInResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn: number;
  @ApiProperty({ type: MeResponse }) user: MeResponse;
}

export class ChangePasswordDto {
  @ApiProperty()
  @MaxLength(200)
  @IsString()
  currentPassword: string;

  @ApiProperty({ minLength: 12 })
  @MaxLength(200)
  @MinLength(12)
  @IsString()
  newPassword: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'Teams integration' })
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  name: string;

  @ApiPropertyOptional({ default: 90, minimum: 1, maximum: 365 })
  @Max(365)
  @Min(1)
  @IsInt()
  expiresInDays: number = 90;
}

export class ApiTokenResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'First characters of the token, to recognise it' }) tokenPrefix: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty() createdAt: string;

  static from(t: ApiToken): ApiTokenResponse {
    return {
      id: t.id,
      name: t.name,
      tokenPrefix: t.tokenPrefix,
      expiresAt: t.expiresAt.toISOString(),
      revokedAt: t.revokedAt?.toISOString() ?? null,
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      createdAt: t.createdAt.toISOString(),
    };
  }
}

export class CreatedApiTokenResponse extends ApiTokenResponse {
  @ApiProperty({ description: 'The token itself. Shown once: only its hash is stored.' }) token: string;
}
