import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../common/request-context';
import { AuthService } from './auth.service';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC, ROLES } from './decorators';
import { Role } from './role.enum';

/**
 * Deny by default. A route marked @Public() is open; a route with @Roles(...) needs
 * a valid bearer token of one of those roles; a route that declares neither is
 * refused (403) and logged, and the route-matrix test fails on it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (!roles?.length) {
      this.logger.error(`route ${context.getClass().name}.${context.getHandler().name} declares no @Roles or @Public: refused`);
      throw new ForbiddenException('This route is not open to anyone');
    }
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('Sign in first: send Authorization: Bearer <token>');
    const user = await this.auth.authenticate(match[1]);
    request.user = user;
    RequestContext.get().user = user;
    if (!roles.includes(user.role)) throw new ForbiddenException(`Only ${roles.join(', ')} may do this`);
    return true;
  }
}
