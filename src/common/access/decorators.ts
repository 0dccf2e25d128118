import { createParamDecorator, ExecutionContext, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ErrorResponse } from '../errors/api-error';
import type { AuthUser } from './auth-user';
import { Role } from './role.enum';

export const IS_PUBLIC = 'wtt:public';
export const ROLES = 'wtt:roles';

/** The route needs no signed-in user (health, sign-in). Every other route must declare @Roles. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Who may call the route. Deny by default: the global AuthGuard refuses any
 * route that declares neither @Roles nor @Public (and a test fails on it).
 * Object-level checks (a manager's areas, a tu_rep's programmes) are the service's job.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponse, description: 'No, expired or invalid token' }),
    ApiForbiddenResponse({ type: ErrorResponse, description: `Only for: ${roles.join(', ')}` }),
  );

/** The signed-in caller. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
  if (!user) throw new UnauthorizedException('Sign in first');
  return user;
});
