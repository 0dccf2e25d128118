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
