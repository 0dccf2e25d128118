import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createSecretKey, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { ApiToken } from './entities/api-token.entity';
import { OidcService } from './oidc/oidc.service';
import { PasswordResetService } from './password-reset.service';
import { SignInLimiter } from './sign-in-limiter';
import { SignInSettingsService } from './sign-in-settings.service';

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([ApiToken]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        let secret = config.JWT_SECRET;
        if (!secret) {
          // Outside production only (config refuses production without one): tokens last as long as this process.
          new Logger('Auth').warn('JWT_SECRET is not set: using a random secret for this process');
          secret = randomBytes(32).toString('hex');
        }
        // A prebuilt secret KeyObject: given a string, jsonwebtoken tries (and fails) to parse it as a
        // public key on every verify before using it as a secret (0.29 ms against 0.006 ms a verify).
        return { secret: createSecretKey(Buffer.from(secret, 'utf8')), signOptions: { algorithm: 'HS256', issuer: 'wtt' }, verifyOptions: { algorithms: ['HS256'], issuer: 'wtt' } };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, SignInLimiter, SignInSettingsService, PasswordResetService, OidcService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, SignInSettingsService, PasswordResetService, OidcService],
})
export class AuthModule {}
