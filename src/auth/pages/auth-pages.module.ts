import { Module } from '@nestjs/common';
import { SignInSettingsPage } from './sign-in-settings.page';
import { AuthModule } from '../auth.module';
import { OidcPages } from './oidc.page';
import { PasswordResetPages } from './password-reset.page';

/** Pages of signing in beyond the sign-in form: single sign-on, password reset, and the admin's sign-in settings. */
@Module({
  imports: [AuthModule],
  controllers: [OidcPages, PasswordResetPages, SignInSettingsPage],
})
export class AuthPagesModule {}
