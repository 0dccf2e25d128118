import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { endSession, isPagePath } from '../common/http/web-session';
import { AuthService } from './auth.service';
import type { AuthUser } from '../common/access/auth-user';
import { IS_PUBLIC, ROLES } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';

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
    private readonly config: AppConfig,
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
    let user: AuthUser;
    if (match) {
      user = await this.auth.authenticate(match[1]);
    } else if (isPagePath(request.url)) {
      // Pages: the encrypted session cookie (src/web). Never accepted on the JSON API, so a
      // browser's cookie cannot be used against /api/v1 from another site.
      const session = await this.pageSession(request);
      if (!session) throw new UnauthorizedException('Sign in first');
      user = session;
    } else {
      throw new UnauthorizedException('Sign in first: send Authorization: Bearer <token>');
    }
    request.user = user;
    RequestContext.get().user = user;
    if (!roles.includes(user.role)) throw new ForbiddenException(`Only ${roles.join(', ')} may do this`);
    return true;
  }

  /** The signed-in page user, or null (no session, idle or too old, deactivated, password changed). */
  private async pageSession(request: FastifyRequest): Promise<AuthUser | null> {
    const session = request.session;
    const uid = session?.get('uid');
    const tv = session?.get('tv');
    if (!uid || typeof tv !== 'number') return null;
    const now = Math.floor(Date.now() / 1000);
    const seen = session.get('seen') ?? 0;
    const started = session.get('started') ?? 0;
    if (now - seen > this.config.SESSION_IDLE_MINUTES * 60 || now - started > this.config.SESSION_MAX_HOURS * 3600) {
      endSession(request, 'timed_out');
      return null;
    }
    const user = await this.auth.authenticateSession(uid, tv);
    if (!user) {
      endSession(request, 'ended');
      return null;
    }
    session.set('seen', now);
    return user;
  }
}
