import { ForbiddenException, HttpStatus, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import type { AuthUser, UserScope } from '../common/access/auth-user';
import { ApiToken } from './entities/api-token.entity';
import { dummyHash, verifyPassword } from '../users/password';
import { Role } from '../common/access/role.enum';
import { SignInLimiter } from './sign-in-limiter';
import { IdentityCache } from '../users/identity-cache';

interface AccessClaims {
  sub: string;
  tv: number;
  typ: 'access';
  exp?: number;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  is_active: boolean;
  token_version: number;
  scopes: UserScope[];
}

export const API_TOKEN_PREFIX = 'wtt_';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const USER_WITH_SCOPES = `
  SELECT u.id, u.email, u.display_name, u.role, u.is_active, u.token_version,
         COALESCE((SELECT json_agg(json_build_object('programmeId', s.programme_id, 'thematicAreaId', s.thematic_area_id)
                   ORDER BY s.programme_id, s.thematic_area_id)
                   FROM user_scopes s WHERE s.user_id = u.id), '[]') AS scopes
  FROM users u`;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly limiter: SignInLimiter,
    private readonly audit: AuditService,
    private readonly identities: IdentityCache<UserRow>,
  ) {}

  /** Sign a short-lived access token for an active user. */
  async issueAccessToken(userId: string): Promise<string> {
    const [row]: { token_version: number }[] = await this.db.query(`SELECT token_version FROM users WHERE id = $1 AND is_active`, [userId]);
    if (!row) throw new UnauthorizedException('User is not active');
    const claims: AccessClaims = { sub: userId, tv: row.token_version, typ: 'access' };
    return this.jwt.signAsync(claims, { expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS });
  }

  async signIn(emailRaw: string, password: string, ip: string): Promise<{ accessToken: string; expiresIn: number; user: AuthUser }> {
    const email = emailRaw.trim().toLowerCase();
    await this.limiter.assertAllowed(email, ip);
    const [row]: { id: string; password_hash: string | null; is_active: boolean }[] = await this.db.query(
      `SELECT id, password_hash, is_active FROM users WHERE email = $1`,
      [email],
    );
    // Verify against a dummy hash when there is no such user, so timing does not reveal accounts.
    const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), password);
    if (!row || !ok || !row.is_active) {
      await this.limiter.recordFailure(email, ip);
      await this.audit.recordAlone({
        action: AuditAction.SignInFailed,
        entityType: 'user',
        entityId: row?.id ?? null,
        actor: null,
        actorLabel: email.slice(0, 200),
        metadata: { reason: !row ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive' },
      });
      throw new ApiException(HttpStatus.UNAUTHORIZED, 'Email or password is wrong');
    }
    await this.limiter.recordSuccess(email, ip);
    const user = await this.loadUser(row.id);
    await this.audit.recordAlone({ action: AuditAction.SignIn, entityType: 'user', entityId: row.id, actor: user });
    return { accessToken: await this.issueAccessToken(row.id), expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS, user };
  }

  /** Resolve a bearer token (access token or API token) to the caller, or throw 401. */
  async authenticate(token: string): Promise<AuthUser> {
    if (token.startsWith(API_TOKEN_PREFIX)) return this.authenticateApiToken(token);
    let claims: AccessClaims;
    try {
      // Synchronous: HMAC with the prebuilt KeyObject (auth.module.ts) costs microseconds, a promise more.
      claims = this.jwt.verify<AccessClaims>(token, { algorithms: ['HS256'] });
    } catch (err) {
      const expired = err instanceof Error && err.name === 'TokenExpiredError';
      throw new UnauthorizedException(expired ? 'Access token has expired; sign in again' : 'Access token is not valid');
    }
    // A token without `exp` would never expire: only tokens this service signed (always with exp) pass.
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.tv !== 'number') {
      throw new UnauthorizedException('Access token is not valid');
    }
    const user = await this.findActive(claims.sub);
    if (!user || user.token_version !== claims.tv) throw new UnauthorizedException('Access token is no longer valid; sign in again');
    return this.toAuthUser(user, 'access_token');
  }

  /**
   * Resolve a page session (user id and the token version at sign-in) to the caller, or null when
   * the user is gone, deactivated, or has changed password since (the session then ends).
   */
  async authenticateSession(userId: string, tokenVersion: number): Promise<AuthUser | null> {
    const user = await this.findActive(userId);
    if (!user || user.token_version !== tokenVersion) return null;
    return this.toAuthUser(user, 'session');
  }

  /** The current token version and demo flag of an active user (the web sign-in keeps both in the session). */
  async sessionFacts(userId: string): Promise<{ tokenVersion: number; isDemo: boolean }> {
    const [row]: { token_version: number; is_demo: boolean }[] = await this.db.query(
      `SELECT token_version, is_demo FROM users WHERE id = $1 AND is_active`,
      [userId],
    );
    if (!row) throw new UnauthorizedException('User is not active');
    return { tokenVersion: row.token_version, isDemo: row.is_demo };
  }

  /** Record a page sign-out in the audit trail. */
  async recordSignOut(user: AuthUser): Promise<void> {
    await this.audit.recordAlone({ action: AuditAction.SignOut, entityType: 'user', entityId: user.id, actor: user });
  }

  /**
   * One round trip: the token, its active user with scopes, and (at most once a minute) the
   * last-used stamp, in one statement.
   */
  private async authenticateApiToken(token: string): Promise<AuthUser> {
    const [t]: (Partial<UserRow> & { token_id: string; expires_at: Date; revoked_at: Date | null })[] = await this.db.query(
      `WITH t AS (SELECT id, user_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1),
            u AS (${USER_WITH_SCOPES} JOIN t ON t.user_id = u.id WHERE u.is_active),
            touch AS (
              UPDATE api_tokens a SET last_used_at = now() FROM t
              WHERE a.id = t.id AND t.revoked_at IS NULL AND t.expires_at > now() AND EXISTS (SELECT 1 FROM u)
                AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds')
              RETURNING a.id)
       SELECT t.id AS token_id, t.expires_at, t.revoked_at, u.* FROM t LEFT JOIN u ON true`,
      [sha256(token)],
    );
    if (!t) throw new UnauthorizedException('API token is not valid');
    if (t.revoked_at) throw new UnauthorizedException('API token has been revoked');
    if (t.expires_at.getTime() <= Date.now()) throw new UnauthorizedException('API token has expired');
    if (!t.id) throw new UnauthorizedException('API token is no longer valid');
    return this.toAuthUser(t as UserRow, 'api_token');
  }

  /** The active user with scopes: from the identity cache when it holds them (no round trip), else one query. */
  private async findActive(id: string): Promise<UserRow | undefined> {
    const cached = this.identities.get(id);
    if (cached) return cached;
    const mark = this.identities.mark();
    const [row]: UserRow[] = await this.db.query(`${USER_WITH_SCOPES} WHERE u.id = $1 AND u.is_active`, [id]);
    if (row) this.identities.set(id, row, mark);
    return row;
  }

  async loadUser(id: string): Promise<AuthUser> {
    const row = await this.findActive(id);
    if (!row) throw new NotFoundException('User not found');
    return this.toAuthUser(row, 'access_token');
  }

  private toAuthUser(r: UserRow, via: AuthUser['via']): AuthUser {
    return { id: r.id, email: r.email, displayName: r.display_name, role: r.role, scopes: r.scopes, via };
  }

  /** Admin: lift every sign-in lock and delay of a user's account at once (audited). */
  async unlockSignIn(userId: string): Promise<{ cleared: boolean }> {
    const [row]: { email: string }[] = await this.db.query(`SELECT email FROM users WHERE id = $1`, [userId]);
    if (!row) throw new NotFoundException('User not found');
    const cleared = await this.limiter.unlock(row.email);
    await this.audit.recordAlone({ action: AuditAction.SignInUnlock, entityType: 'user', entityId: userId, metadata: { cleared } });
    return { cleared };
  }

  // --- API tokens --------------------------------------------------------

  /** Only an interactive session (a signed-in access token) may mint API tokens: an API token cannot make more. */
  async createApiToken(user: AuthUser, name: string, expiresInDays: number): Promise<{ token: ApiToken; secret: string }> {
    if (user.via !== 'access_token') throw new ForbiddenException('API tokens can only be created from a signed-in session, not with an API token');
    const secret = `${API_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + expiresInDays * 24 * 3600 * 1000);
    return this.db.transaction(async (em) => {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO api_tokens (user_id, name, token_prefix, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [user.id, name, secret.slice(0, 10), sha256(secret), expiresAt],
      );
      const token = await em.getRepository(ApiToken).findOneByOrFail({ id: row.id });
      await this.audit.record(em, {
        action: AuditAction.ApiTokenCreate,
        entityType: 'api_token',
        entityId: token.id,
        after: { name, tokenPrefix: token.tokenPrefix, expiresAt: token.expiresAt },
      });
      return { token, secret };
    });
  }

  listApiTokens(userId: string): Promise<ApiToken[]> {
    return this.db.getRepository(ApiToken).find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  async revokeApiToken(user: AuthUser, tokenId: string): Promise<ApiToken> {
    return this.db.transaction(async (em) => {
      const repo = em.getRepository(ApiToken);
      // Admins may revoke anyone's token; others only their own (anything else is 404).
      const token = await repo.findOneBy(user.role === Role.Admin ? { id: tokenId } : { id: tokenId, userId: user.id });
      if (!token) throw new NotFoundException('API token not found');
      if (!token.revokedAt) {
        await em.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [token.id]);
        const after = await repo.findOneByOrFail({ id: token.id });
        await this.audit.record(em, {
          action: AuditAction.ApiTokenRevoke,
          entityType: 'api_token',
          entityId: token.id,
          before: { revokedAt: null },
          after: { revokedAt: after.revokedAt },
        });
        return after;
      }
      return token;
    });
  }
}
