import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import type { AuthService } from './auth.service';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';

/** The page-session branch of the deny-by-default guard (collaborators mocked: a unit test). */
describe('AuthGuard: page sessions', () => {
  const user: AuthUser = { id: 'u1', email: 'hr@x', displayName: 'HR', role: Role.HrOfficer, scopes: [], via: 'session' };
  const config = { SESSION_IDLE_MINUTES: 30, SESSION_MAX_HOURS: 12 } as AppConfig;
  const now = () => Math.floor(Date.now() / 1000);

  function session(data: Record<string, unknown>) {
    const store = { ...data };
    return {
      get: (k: string) => store[k],
      set: (k: string, v: unknown) => (store[k] = v),
      delete: jest.fn(() => Object.keys(store).forEach((k) => delete store[k])),
      store,
    };
  }

  function run(url: string, s: ReturnType<typeof session>, auth: Partial<AuthService>, headers: Record<string, string> = {}) {
    const reflector = { getAllAndOverride: (key: string) => (key === 'wtt:roles' ? [Role.HrOfficer] : undefined) } as unknown as Reflector;
    const guard = new AuthGuard(reflector, auth as AuthService, config);
    const request = { url, headers, session: s } as Record<string, unknown>;
    const ctx = { getType: () => 'http', getHandler: () => run, getClass: () => AuthGuard, switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
    return { result: guard.canActivate(ctx), request };
  }

  it('accepts a fresh session on a page and renews its idle timer', async () => {
    const s = session({ uid: 'u1', tv: 3, started: now() - 60, seen: now() - 600 });
    const authenticateSession = jest.fn().mockResolvedValue(user);
    const { result, request } = run('/posts', s, { authenticateSession });
    await expect(result).resolves.toBe(true);
    expect(authenticateSession).toHaveBeenCalledWith('u1', 3);
    expect(request.user).toBe(user);
    expect(s.store.seen).toBeGreaterThanOrEqual(now() - 1);
  });

  it('ends a session idle for longer than SESSION_IDLE_MINUTES, without asking the database', async () => {
    const s = session({ uid: 'u1', tv: 3, started: now() - 3600, seen: now() - 31 * 60 });
    const authenticateSession = jest.fn();
    await expect(run('/posts', s, { authenticateSession }).result).rejects.toBeInstanceOf(UnauthorizedException);
    expect(authenticateSession).not.toHaveBeenCalled();
    expect(s.delete).toHaveBeenCalled();
  });

  it('ends a session older than SESSION_MAX_HOURS however active', async () => {
    const s = session({ uid: 'u1', tv: 3, started: now() - 13 * 3600, seen: now() - 5 });
    await expect(run('/', s, { authenticateSession: jest.fn() }).result).rejects.toBeInstanceOf(UnauthorizedException);
    expect(s.delete).toHaveBeenCalled();
  });

  it('ends the session when the user was deactivated or changed password (token version moved)', async () => {
    const s = session({ uid: 'u1', tv: 3, started: now(), seen: now() });
    await expect(run('/', s, { authenticateSession: jest.fn().mockResolvedValue(null) }).result).rejects.toBeInstanceOf(UnauthorizedException);
    expect(s.delete).toHaveBeenCalled();
  });

  it('never accepts the session cookie on the JSON API', async () => {
    const s = session({ uid: 'u1', tv: 3, started: now(), seen: now() });
    const authenticateSession = jest.fn().mockResolvedValue(user);
    await expect(run('/api/v1/posts', s, { authenticateSession }).result).rejects.toBeInstanceOf(UnauthorizedException);
    expect(authenticateSession).not.toHaveBeenCalled();
  });
});
