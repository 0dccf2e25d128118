import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorResponse } from '../common/errors/api-error';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Public, Roles } from '../common/access/decorators';
import { ApiTokenResponse, ChangePasswordDto, CreateApiTokenDto, CreatedApiTokenResponse, MeResponse, SignInDto, SignInResponse } from './dto/auth.dto';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { FailedPasswordResetEmailResponse, PasswordResetCompleteDto, PasswordResetRequestDto, SignInSettingsResponse, UpdateSignInSettingsDto } from './dto/sso.dto';
import { OidcService } from './oidc/oidc.service';
import { PasswordResetService } from './password-reset.service';
import { SignInSettingsService } from './sign-in-settings.service';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly settings: SignInSettingsService,
    private readonly resets: PasswordResetService,
    private readonly oidc: OidcService,
  ) {}

  @Post('auth/sign-in')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password; returns a short-lived access token' })
  @ApiOkResponse({ type: SignInResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Too many failed sign-ins for the account or address' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'Local passwords are turned off (admin setting): sign in with the organisation’s account' })
  async signIn(@Body() dto: SignInDto, @Req() req: FastifyRequest): Promise<SignInResponse> {
    await this.settings.assertLocalPasswords();
    const result = await this.auth.signIn(dto.email, dto.password, req.ip);
    return { accessToken: result.accessToken, tokenType: 'Bearer', expiresIn: result.expiresIn, user: MeResponse.from(result.user) };
  }

  @Post('auth/password-reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Email a single-use password reset link (30 minutes); the same answer whether or not the address has an account' })
  @ApiAcceptedResponse({ description: 'Accepted: if the address has an account, a link is on its way' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Too many requests for the address or from the client' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'Local passwords are turned off' })
  async requestPasswordReset(@Body() dto: PasswordResetRequestDto, @Req() req: FastifyRequest): Promise<void> {
    await this.resets.request(dto.email, req.ip);
  }

  @Post('auth/password-reset/complete')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with a reset link’s token (once); ends every session and revokes API tokens' })
  async completePasswordReset(@Body() dto: PasswordResetCompleteDto): Promise<void> {
    await this.resets.complete(dto.token, dto.newPassword);
  }

  @Get('admin/password-reset-emails')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Password reset emails that could not be sent in the last 30 days (refused for good, or out of attempts), newest first' })
  @ApiOkResponse({ type: [FailedPasswordResetEmailResponse] })
  async failedPasswordResetEmails(): Promise<FailedPasswordResetEmailResponse[]> {
    return this.resets.failedEmails();
  }

  @Get('admin/sign-in-settings')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'How people may sign in: local passwords on or off, and the configured providers' })
  @ApiOkResponse({ type: SignInSettingsResponse })
  async getSignInSettings(): Promise<SignInSettingsResponse> {
    return { ...(await this.settings.get()), providers: this.oidc.list() };
  }

  @Put('admin/sign-in-settings')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Turn local passwords on or off (audited; refused while no provider is configured)' })
  @ApiOkResponse({ type: SignInSettingsResponse })
  async putSignInSettings(@CurrentUser() user: AuthUser, @Body() dto: UpdateSignInSettingsDto): Promise<SignInSettingsResponse> {
    const s = await this.settings.setLocalPasswords(user, dto.localPasswordsEnabled, dto.version, this.oidc.list().length);
    return { ...s, providers: this.oidc.list() };
  }

  @Post('users/:id/sign-in-unlock')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift the sign-in locks and delays of a user (after failed sign-ins from any address)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { cleared: { type: 'boolean' } } } })
  async unlockSignIn(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ cleared: boolean }> {
    return this.auth.unlockSignIn(id);
  }

  @Get('me')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The signed-in user, role and scopes' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentUser() user: AuthUser): MeResponse {
    return MeResponse.from(user);
  }

  @Post('me/password')
  @Roles(...ALL_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password (signs out your other sessions)' })
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.users.changeOwnPassword(user, dto.currentPassword, dto.newPassword);
  }

  @Get('me/api-tokens')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Your API tokens (never the secret)' })
  @ApiOkResponse({ type: [ApiTokenResponse] })
  async listTokens(@CurrentUser() user: AuthUser): Promise<ApiTokenResponse[]> {
    return (await this.auth.listApiTokens(user.id)).map(ApiTokenResponse.from);
  }

  @Post('me/api-tokens')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Create a long-lived API token for an integration; the token is shown once' })
  @ApiCreatedResponse({ type: CreatedApiTokenResponse })
  async createToken(@CurrentUser() user: AuthUser, @Body() dto: CreateApiTokenDto): Promise<CreatedApiTokenResponse> {
    const { token, secret } = await this.auth.createApiToken(user, dto.name, dto.expiresInDays);
    return { ...ApiTokenResponse.from(token), token: secret };
  }

  @Delete('me/api-tokens/:id')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Revoke an API token (admins: anyone’s); it stops working at once' })
  @ApiOkResponse({ type: ApiTokenResponse })
  async revokeToken(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<ApiTokenResponse> {
    return ApiTokenResponse.from(await this.auth.revokeApiToken(user, id));
  }
}
