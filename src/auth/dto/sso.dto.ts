import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsInt, IsString, MaxLength, Min, MinLength } from 'class-validator';

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'hr@demo.example' })
  @MaxLength(254)
  @IsEmail()
  email: string;
}

export class PasswordResetCompleteDto {
  @ApiProperty({ description: 'The secret from the emailed link (/password-reset/<token>)' })
  @MaxLength(100)
  @IsString()
  token: string;

  @ApiProperty({ minLength: 12 })
  @MaxLength(200)
  @MinLength(12)
  @IsString()
  newPassword: string;
}

export class SignInSettingsResponse {
  @ApiProperty() localPasswordsEnabled: boolean;
  @ApiProperty() version: number;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ type: [Object], description: 'The configured single sign-on providers: id and name' }) providers: { id: string; name: string }[];
}

export class UpdateSignInSettingsDto {
  @ApiProperty() @IsBoolean() localPasswordsEnabled: boolean;
  @ApiProperty({ description: 'The version read (409 when stale)' }) @Min(0) @IsInt() version: number;
}

/** A password reset whose email could not be sent (refused for good, or out of attempts): for admins. */
export class FailedPasswordResetEmailResponse {
  @ApiProperty() resetId: string;
  @ApiProperty() userId: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ description: 'When the reset was asked for' }) askedAt: Date;
  @ApiProperty() attempts: number;
  @ApiProperty() failedAt: Date;
  @ApiProperty({ description: "The mail server's answer, or why it could not be reached" }) error: string;
}
