import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SignInPage } from './pages/sign-in.page';
import { StaticPages } from './pages/static.page';

/** The web shell's own pages: sign-in and sign-out, the footer's pages, the "view as at" date. */
@Module({
  imports: [AuthModule],
  controllers: [SignInPage, StaticPages],
})
export class WebModule {}
