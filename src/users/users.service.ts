import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { hashPassword, verifyPassword } from './password';
import { Role } from '../common/access/role.enum';
import { ApiException, ErrorDetail } from '../common/errors/api-error';
import { CreateUserDto, ListUsersQuery, ScopeInput, UpdateUserDto } from './dto/user.dto';
import { User } from './entities/user.entity';
import { UserScopeEntity } from './entities/user-scope.entity';
import { IdentityCache } from './identity-cache';

/** The audited view of a user: never the password hash. */
function auditView(u: User): Record<string, unknown> {
  return {
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    isActive: u.isActive,
    scopes: (u.scopes ?? []).map((s) => `${s.programmeId}/${s.thematicAreaId ?? '*'}`).sort(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly identities: IdentityCache,
  ) {}

  /** Run a change of user `id` and drop them from this process's identity cache once it commits. */
  private async changing<T>(id: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } finally {
      this.identities.invalidate(id);
    }
  }

  list(q: ListUsersQuery): Promise<User[]> {
    const where: Record<string, unknown> = {};
    if (q.role) where.role = q.role;
    if (q.active !== undefined) where.isActive = q.active;
    return this.db.getRepository(User).find({ where, relations: { scopes: true }, order: { email: 'ASC' }, take: 1000 });
  }

  /** What a user's scope may be (admin forms): each programme and its thematic areas. */
  async scopeChoices(): Promise<{ id: string; name: string; areas: { id: string; name: string }[] }[]> {
    const rows: { pid: string; pname: string; aid: string | null; aname: string | null }[] = await this.db.query(
      `SELECT p.id AS pid, p.name AS pname, a.id AS aid, a.name AS aname
       FROM programmes p LEFT JOIN thematic_areas a ON a.programme_id = p.id
       ORDER BY p.name, p.id, a.sort_order, a.name`,
    );
    const out = new Map<string, { id: string; name: string; areas: { id: string; name: string }[] }>();
    for (const r of rows) {
      const p = out.get(r.pid) ?? { id: r.pid, name: r.pname, areas: [] };
      if (r.aid && r.aname) p.areas.push({ id: r.aid, name: r.aname });
      out.set(r.pid, p);
    }
    return [...out.values()];
  }

  /** Admins read anyone; others only themselves (anyone else is 404, as if absent). */
  async get(caller: AuthUser, id: string, em: EntityManager = this.db.manager): Promise<User> {
    if (caller.role !== Role.Admin && caller.id !== id) throw new NotFoundException('User not found');
    const user = await em.getRepository(User).findOne({ where: { id }, relations: { scopes: true } });
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  async create(dto: CreateUserDto, opts: { isDemo?: boolean } = {}): Promise<{ user: User; initialPassword?: string }> {
    const email = dto.email.trim().toLowerCase();
    const initialPassword = dto.password ? undefined : randomBytes(12).toString('base64url');
    const passwordHash = await hashPassword(dto.password ?? (initialPassword as string));
    return this.db.transaction(async (em) => {
      await this.validateScopes(em, dto.role, dto.scopes ?? []);
      const exists = await em.getRepository(User).existsBy({ email });
      if (exists) throw ApiException.validation([{ field: 'email', reason: 'is already used by another user' }], 'Email already in use');
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO users (email, display_name, role, password_hash, is_demo) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [email, dto.displayName, dto.role, passwordHash, opts.isDemo ?? false],
      );
      await this.replaceScopes(em, row.id, dto.scopes ?? []);
      const user = await em.getRepository(User).findOneOrFail({ where: { id: row.id }, relations: { scopes: true } });
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'user', entityId: user.id, after: auditView(user) });
      return { user, initialPassword };
    });
  }

  async update(caller: AuthUser, id: string, dto: UpdateUserDto): Promise<User> {
    return this.changing(id, async (em) => {
      const before = await this.lockedForUpdate(em, caller, id, dto.version);
      const role = dto.role ?? before.role;
      const roleChanged = dto.role !== undefined && dto.role !== before.role;
      if (roleChanged && id === caller.id) throw ApiException.validation([{ field: 'role', reason: 'you cannot change your own role' }]);
      const scopes = dto.scopes ?? (roleChanged ? [] : (before.scopes ?? []).map((s) => ({ programmeId: s.programmeId, thematicAreaId: s.thematicAreaId })));
      await this.validateScopes(em, role, scopes);
      await em.query(`UPDATE users SET display_name = $2, role = $3, version = version + 1, updated_at = now() WHERE id = $1`, [
        id,
        dto.displayName ?? before.displayName,
        role,
      ]);
      if (dto.scopes !== undefined || roleChanged) await this.replaceScopes(em, id, scopes);
      const after = await em.getRepository(User).findOneOrFail({ where: { id }, relations: { scopes: true } });
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'user', entityId: id, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  /**
   * Deactivate: the user's access tokens and API tokens stop working at once, and the API tokens
   * are revoked for good: reactivating the user does not bring them back (they revoke too, for
   * tokens left from before this rule). The user creates new ones after signing in.
   */
  async setActive(caller: AuthUser, id: string, active: boolean): Promise<User> {
    if (!active && id === caller.id) throw new ConflictException('You cannot deactivate yourself');
    return this.changing(id, async (em) => {
      const before = await this.lockedForUpdate(em, caller, id);
      if (before.isActive === active) return before;
      await em.query(
        active
          ? `UPDATE users SET is_active = true, deactivated_at = NULL, version = version + 1, updated_at = now() WHERE id = $1`
          : `UPDATE users SET is_active = false, deactivated_at = now(), token_version = token_version + 1, version = version + 1, updated_at = now() WHERE id = $1`,
        [id],
      );
      const revokedApiTokens = await this.revokeApiTokens(em, id);
      const after = await em.getRepository(User).findOneOrFail({ where: { id }, relations: { scopes: true } });
      await this.audit.record(em, {
        action: active ? AuditAction.Reactivate : AuditAction.Deactivate,
        entityType: 'user',
        entityId: id,
        before: auditView(before),
        after: auditView(after),
        metadata: { revokedApiTokens },
      });
      return after;
    });
  }

  async changeOwnPassword(caller: AuthUser, current: string, next: string): Promise<void> {
    const [row]: { password_hash: string | null }[] = await this.db.query(`SELECT password_hash FROM users WHERE id = $1`, [caller.id]);
    if (!(await verifyPassword(row?.password_hash ?? null, current))) {
      throw ApiException.validation([{ field: 'currentPassword', reason: 'is wrong' }], 'Current password is wrong');
    }
    const hash = await hashPassword(next);
    await this.changing(caller.id, async (em) => {
      await em.query(`UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE id = $1`, [caller.id, hash]);
      const revokedApiTokens = await this.revokeApiTokens(em, caller.id);
      await this.audit.record(em, { action: 'user.password_change', entityType: 'user', entityId: caller.id, metadata: { revokedApiTokens } });
    });
  }

  /** Revoke every live API token of the user; returns how many. */
  private async revokeApiTokens(em: EntityManager, userId: string): Promise<number> {
    const rows: { id: string }[] = await em.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]);
    return rows.length;
  }

  private async lockedForUpdate(em: EntityManager, caller: AuthUser, id: string, version?: number): Promise<User> {
    const locked = await em.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [id]);
    if (!locked.length) throw new NotFoundException('User not found');
    const user = await this.get(caller, id, em);
    if (version !== undefined && user.version !== version) {
      throw staleVersion('User', user.version);
    }
    return user;
  }

  private async replaceScopes(em: EntityManager, userId: string, scopes: ScopeInput[]): Promise<void> {
    await em.delete(UserScopeEntity, { userId });
    const unique = new Map(scopes.map((s) => [`${s.programmeId}/${s.thematicAreaId ?? ''}`, s]));
    for (const s of unique.values()) {
      await em.insert(UserScopeEntity, { userId, programmeId: s.programmeId, thematicAreaId: s.thematicAreaId ?? null });
    }
  }

  /** Managers: thematic areas of programmes. Trade union reps: programmes. Others: none. */
  private async validateScopes(em: EntityManager, role: Role, scopes: ScopeInput[]): Promise<void> {
    const details: ErrorDetail[] = [];
    scopes.forEach((s, i) => {
      if (role === Role.Manager && !s.thematicAreaId) details.push({ field: `scopes[${i}].thematicAreaId`, reason: 'is required for a manager' });
      if (role === Role.TuRep && s.thematicAreaId) details.push({ field: `scopes[${i}].thematicAreaId`, reason: 'must be null for a tu_rep (scope is a programme)' });
      if ((role === Role.Admin || role === Role.HrOfficer) && scopes.length) details.push({ field: `scopes[${i}]`, reason: `${role} sees everything and takes no scope` });
    });
    if (details.length) throw ApiException.validation(details, 'Scopes do not fit the role');
    for (const [i, s] of scopes.entries()) {
      const found = s.thematicAreaId
        ? await em.query(`SELECT 1 FROM thematic_areas WHERE id = $1 AND programme_id = $2`, [s.thematicAreaId, s.programmeId])
        : await em.query(`SELECT 1 FROM programmes WHERE id = $1`, [s.programmeId]);
      if (!found.length) {
        details.push(
          s.thematicAreaId
            ? { field: `scopes[${i}].thematicAreaId`, reason: 'is not a thematic area of that programme' }
            : { field: `scopes[${i}].programmeId`, reason: 'does not exist' },
        );
      }
    }
    if (details.length) throw ApiException.validation(details, 'Unknown programme or thematic area');
  }
}
