import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { canSeeProgramme, notFound, programmeFilter, unprocessable, wrongState } from '../common/access/programme-access';
import { CreateForumDto, CreateForumMemberDto, CreateUnionDto, ListForumsQuery, UpdateForumDto, UpdateForumMemberDto } from './dto/forum.dto';
import { Forum } from './entities/forum.entity';
import { ForumMember, ForumSide } from './entities/forum-member.entity';
import { TradeUnion } from './entities/trade-union.entity';
import { assertVersion } from '../common/errors/stale-version';

function snapshot<T extends { createdAt: Date; updatedAt?: Date }>(e: T): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = e;
  return { ...rest };
}

/** The joint trade union forum of each programme: its unions and members. */
@Injectable()
export class ForumService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  // --- unions --------------------------------------------------------------------------

  async listUnions(): Promise<TradeUnion[]> {
    return this.db.getRepository(TradeUnion).find({ order: { name: 'ASC' } });
  }

  async createUnion(dto: CreateUnionDto): Promise<TradeUnion> {
    return this.db.transaction(async (em) => {
      const [dup]: { id: string }[] = await em.query(`SELECT id FROM unions WHERE lower(name) = lower($1)`, [dto.name]);
      if (dup) throw new ApiException(HttpStatus.CONFLICT, `A union called ${dto.name} already exists`, [{ field: 'name', reason: 'is already used' }]);
      const repo = em.getRepository(TradeUnion);
      const u = await repo.save(repo.create({ name: dto.name, description: dto.description ?? null }));
      await this.audit.record(em, { action: 'union.create', entityType: 'union', entityId: u.id, after: { name: u.name, description: u.description } });
      return u;
    });
  }

  async unionNames(ids: string[], em: EntityManager = this.db.manager): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await em.getRepository(TradeUnion).findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((u) => [u.id, u.name]));
  }

  // --- forums ------------------------------------------------------------------------

  async list(user: AuthUser, q: ListForumsQuery): Promise<Forum[]> {
    const qb = this.db.getRepository(Forum).createQueryBuilder('f').orderBy('f.title').addOrderBy('f.id');
    const visible = programmeFilter(user);
    if (visible) qb.andWhere('f.programme_id = ANY(:visible)', { visible });
    if (q.programmeId) qb.andWhere('f.programme_id = :programmeId', { programmeId: q.programmeId });
    return qb.getMany();
  }

  /** A forum the caller may see, else 404. */
  async get(user: AuthUser, id: string, em: EntityManager = this.db.manager): Promise<Forum> {
    const f = await em.getRepository(Forum).findOneBy({ id });
    if (!f || !canSeeProgramme(user, f.programmeId)) throw notFound('Forum');
    return f;
  }

  async forProgramme(programmeId: string, em: EntityManager = this.db.manager): Promise<Forum | null> {
    return em.getRepository(Forum).findOneBy({ programmeId });
  }

  async unionsOf(forumId: string, em: EntityManager = this.db.manager): Promise<TradeUnion[]> {
    return em
      .getRepository(TradeUnion)
      .createQueryBuilder('u')
      .innerJoin('forum_unions', 'fu', 'fu.union_id = u.id AND fu.forum_id = :forumId', { forumId })
      .orderBy('u.name')
      .getMany();
  }

  async create(dto: CreateForumDto): Promise<Forum> {
    return this.db.transaction(async (em) => {
      const [programme]: { id: string }[] = await em.query(`SELECT id FROM programmes WHERE id = $1`, [dto.programmeId]);
      if (!programme) throw unprocessable('programmeId', 'does not exist', 'Unknown programme');
      if (await this.forProgramme(dto.programmeId, em)) {
        throw new ApiException(HttpStatus.CONFLICT, 'The programme already has its forum', [{ field: 'programmeId', reason: 'already has a forum' }]);
      }
      const repo = em.getRepository(Forum);
      const f = await repo.save(repo.create({ programmeId: dto.programmeId, title: dto.title, termsOfReference: dto.termsOfReference ?? null, version: 1 }));
      await this.audit.record(em, { action: 'forum.create', entityType: 'forum', entityId: f.id, after: snapshot(f) });
      for (const [i, unionId] of (dto.unionIds ?? []).entries()) await this.addUnionTo(em, f, unionId, `unionIds[${i}]`);
      return f;
    });
  }

  async update(id: string, dto: UpdateForumDto): Promise<Forum> {
    return this.db.transaction(async (em) => {
      const f = await em.getRepository(Forum).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!f) throw notFound('Forum');
      assertVersion('Forum', { current: f.version, given: dto.version });
      const before = snapshot(f);
      Object.assign(f, {
        title: dto.title ?? f.title,
        termsOfReference: dto.termsOfReference !== undefined ? dto.termsOfReference : f.termsOfReference,
        version: f.version + 1,
      });
      const saved = await em.getRepository(Forum).save(f);
      await this.audit.record(em, { action: 'forum.update', entityType: 'forum', entityId: id, before, after: snapshot(saved) });
      return saved;
    });
  }

  async addUnion(forumId: string, unionId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const f = await em.getRepository(Forum).findOneBy({ id: forumId });
      if (!f) throw notFound('Forum');
      await this.addUnionTo(em, f, unionId, 'unionId');
    });
  }

  async removeUnion(forumId: string, unionId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const f = await em.getRepository(Forum).findOneBy({ id: forumId });
      if (!f) throw notFound('Forum');
      const [{ members, reps }]: { members: number; reps: number }[] = await em.query(
        `SELECT (SELECT count(*) FROM forum_members WHERE forum_id = $1 AND union_id = $2)::int AS members,
                (SELECT count(*) FROM representations WHERE forum_id = $1 AND union_id = $2)::int AS reps`,
        [forumId, unionId],
      );
      if (members || reps) throw wrongState(`The union still has ${members} member(s) and ${reps} representation(s) at this forum`, 'unionId');
      const res: [unknown[], number] = await em.query(`DELETE FROM forum_unions WHERE forum_id = $1 AND union_id = $2`, [forumId, unionId]);
      if (!res[1]) throw notFound('Union of the forum');
      await this.audit.record(em, { action: 'forum.remove_union', entityType: 'forum', entityId: forumId, before: { unionId }, after: null });
    });
  }

  private async addUnionTo(em: EntityManager, f: Forum, unionId: string, field: string): Promise<void> {
    const union = await em.getRepository(TradeUnion).findOneBy({ id: unionId });
    if (!union) throw unprocessable(field, 'is not a known union');
    const rows: unknown[] = await em.query(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING union_id`, [f.id, unionId]);
    if (rows.length) await this.audit.record(em, { action: 'forum.add_union', entityType: 'forum', entityId: f.id, before: null, after: { unionId, unionName: union.name } });
  }

  // --- members ---------------------------------------------------------------------------

  async members(forumId: string): Promise<ForumMember[]> {
    return this.db.getRepository(ForumMember).find({ where: { forumId }, order: { side: 'DESC', createdAt: 'ASC', id: 'ASC' } });
  }

  /** The caller's current union-side seat on a forum, if any. */
  async membershipOf(em: EntityManager, forumId: string, userId: string): Promise<ForumMember | null> {
    const m = await em.getRepository(ForumMember).findOneBy({ forumId, userId });
    return m && !m.leftOn && m.side === ForumSide.Union ? m : null;
  }

  async addMember(forumId: string, dto: CreateForumMemberDto): Promise<ForumMember> {
    return this.db.transaction(async (em) => {
      const f = await em.getRepository(Forum).findOneBy({ id: forumId });
      if (!f) throw notFound('Forum');
      if (dto.side === ForumSide.Union) {
        if (!dto.unionId) throw unprocessable('unionId', 'is required for a member of the union side');
        const [recognised]: unknown[] = await em.query(`SELECT 1 FROM forum_unions WHERE forum_id = $1 AND union_id = $2`, [forumId, dto.unionId]);
        if (!recognised) throw unprocessable('unionId', 'is not a union of this forum: add the union to the forum first');
      } else if (dto.unionId) {
        throw unprocessable('unionId', 'must be absent for a member of the management side');
      }
      const email = dto.email.toLowerCase();
      await this.checkMemberUnique(em, forumId, email, dto.userId ?? null, null);
      if (dto.userId) await this.checkMemberUser(em, dto.side, dto.userId);
      const repo = em.getRepository(ForumMember);
      const m = await repo.save(
        repo.create({
          forumId,
          side: dto.side,
          unionId: dto.side === ForumSide.Union ? (dto.unionId as string) : null,
          displayName: dto.displayName,
          email,
          roleTitle: dto.roleTitle ?? null,
          userId: dto.userId ?? null,
          leftOn: null,
          version: 1,
        }),
      );
      await this.audit.record(em, { action: 'forum_member.create', entityType: 'forum_member', entityId: m.id, after: snapshot(m) });
      return m;
    });
  }

  async updateMember(id: string, dto: UpdateForumMemberDto): Promise<ForumMember> {
    return this.db.transaction(async (em) => {
      const m = await em.getRepository(ForumMember).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!m) throw notFound('Forum member');
      assertVersion('Forum member', { current: m.version, given: dto.version });
      const before = snapshot(m);
      const email = dto.email ? dto.email.toLowerCase() : m.email;
      const userId = dto.userId !== undefined ? dto.userId : m.userId;
      await this.checkMemberUnique(em, m.forumId, email, userId, m.id);
      if (userId && userId !== m.userId) await this.checkMemberUser(em, m.side, userId);
      Object.assign(m, {
        displayName: dto.displayName ?? m.displayName,
        email,
        roleTitle: dto.roleTitle !== undefined ? dto.roleTitle : m.roleTitle,
        userId,
        leftOn: dto.leftOn !== undefined ? dto.leftOn : m.leftOn,
        version: m.version + 1,
      });
      const saved = await em.getRepository(ForumMember).save(m);
      await this.audit.record(em, { action: 'forum_member.update', entityType: 'forum_member', entityId: id, before, after: snapshot(saved) });
      return saved;
    });
  }

  async getMember(id: string): Promise<ForumMember | null> {
    return this.db.getRepository(ForumMember).findOneBy({ id });
  }

  private async checkMemberUnique(em: EntityManager, forumId: string, email: string, userId: string | null, exceptId: string | null): Promise<void> {
    const rows: { email: string; user_id: string | null }[] = await em.query(
      `SELECT email, user_id FROM forum_members WHERE forum_id = $1 AND (email = $2 OR user_id = $3) AND id IS DISTINCT FROM $4`,
      [forumId, email, userId, exceptId],
    );
    if (rows.some((r) => r.email === email)) throw new ApiException(HttpStatus.CONFLICT, 'Someone with that email already sits on the forum', [{ field: 'email', reason: 'is already a member of this forum' }]);
    if (userId && rows.some((r) => r.user_id === userId)) throw new ApiException(HttpStatus.CONFLICT, 'That user already sits on the forum', [{ field: 'userId', reason: 'is already a member of this forum' }]);
  }

  private async checkMemberUser(em: EntityManager, side: ForumSide, userId: string): Promise<void> {
    const [u]: { role: Role }[] = await em.query(`SELECT role FROM users WHERE id = $1 AND is_active`, [userId]);
    if (!u) throw unprocessable('userId', 'is not an active user');
    if (side === ForumSide.Union && u.role !== Role.TuRep) throw unprocessable('userId', 'must be a tu_rep user for a member of the union side');
    if (side === ForumSide.Management && u.role === Role.TuRep) throw unprocessable('userId', 'must not be a tu_rep user for a member of the management side');
  }
}
