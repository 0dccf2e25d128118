import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { AuditService } from '../audit/audit.service';
import { notFound, unprocessable, wrongState } from '../common/access/programme-access';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { CreateRepresentationDto, ListRepresentationsQuery, RespondToRepresentationDto } from './dto/representation.dto';
import { Forum } from './entities/forum.entity';
import { ForumMember, ForumSide } from './entities/forum-member.entity';
import { Representation, RepresentationStatus } from './entities/representation.entity';
import { ForumService } from './forum.service';
import { assertVersion } from '../common/errors/stale-version';

const ENTITY = 'representation';

function snapshot(r: Representation): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = r;
  return { ...rest };
}

/** Representations made by the unions at the forum, and the employer's written responses with reasons. */
@Injectable()
export class RepresentationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly forums: ForumService,
  ) {}

  async list(forumId: string, q: ListRepresentationsQuery, em: EntityManager = this.db.manager): Promise<Representation[]> {
    const qb = em.getRepository(Representation).createQueryBuilder('r').where('r.forum_id = :forumId', { forumId }).orderBy('r.received_at', 'DESC').addOrderBy('r.id');
    if (q.status) qb.andWhere('r.status = :status', { status: q.status });
    if (q.consultationId) qb.andWhere('(r.consultation_id = :cid OR r.consultation_id IS NULL)', { cid: q.consultationId });
    return qb.getMany();
  }

  async get(id: string): Promise<Representation | null> {
    return this.db.getRepository(Representation).findOneBy({ id });
  }

  /**
   * Record a representation. A tu_rep records it for their own union, as the union-side member
   * they are on this forum; HR officers and admins record one received from any union of the forum.
   */
  async create(user: AuthUser, forum: Forum, dto: CreateRepresentationDto): Promise<Representation> {
    return this.db.transaction(async (em) => {
      let unionId = dto.unionId ?? null;
      let madeBy: ForumMember | null = null;
      if (user.role === Role.TuRep) {
        const own = await this.forums.membershipOf(em, forum.id, user.id);
        if (!own) throw new ForbiddenException('Only a union-side member of this forum can record a representation here: ask HR to add you to the forum');
        if (dto.madeByMemberId && dto.madeByMemberId !== own.id) throw unprocessable('madeByMemberId', 'must be your own seat on the forum');
        if (unionId && unionId !== own.unionId) throw unprocessable('unionId', 'must be your own union');
        madeBy = own;
        unionId = own.unionId;
      } else if (dto.madeByMemberId) {
        madeBy = await em.getRepository(ForumMember).findOneBy({ id: dto.madeByMemberId, forumId: forum.id });
        if (!madeBy || madeBy.side !== ForumSide.Union) throw unprocessable('madeByMemberId', 'is not a union-side member of this forum');
        if (unionId && unionId !== madeBy.unionId) throw unprocessable('unionId', 'is not the union of madeByMemberId');
        unionId = madeBy.unionId;
      }
      if (!unionId) throw unprocessable('unionId', 'is required (or give madeByMemberId)');
      const [recognised]: unknown[] = await em.query(`SELECT 1 FROM forum_unions WHERE forum_id = $1 AND union_id = $2`, [forum.id, unionId]);
      if (!recognised) throw unprocessable('unionId', 'is not a union of this forum');
      if (dto.consultationId) {
        const [c]: { programme_id: string }[] = await em.query(`SELECT programme_id FROM consultations WHERE id = $1`, [dto.consultationId]);
        if (!c || c.programme_id !== forum.programmeId) throw unprocessable('consultationId', 'is not a consultation of the forum’s programme');
      }
      const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : new Date();
      if (receivedAt.getTime() > Date.now() + 60_000) throw unprocessable('receivedAt', 'must not be in the future');
      const repo = em.getRepository(Representation);
      const r = await repo.save(
        repo.create({
          forumId: forum.id,
          consultationId: dto.consultationId ?? null,
          unionId,
          madeByMemberId: madeBy?.id ?? null,
          receivedAt,
          subject: dto.subject,
          body: dto.body,
          status: RepresentationStatus.AwaitingResponse,
          response: null,
          responseReasons: null,
          respondedAt: null,
          respondedBy: null,
          recordedBy: user.id,
          version: 1,
        }),
      );
      await this.audit.record(em, { action: 'representation.create', entityType: ENTITY, entityId: r.id, after: snapshot(r) });
      return repo.findOneByOrFail({ id: r.id });
    });
  }

  async respond(user: AuthUser, id: string, dto: RespondToRepresentationDto): Promise<Representation> {
    return this.db.transaction(async (em) => {
      const r = await em.getRepository(Representation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!r) throw notFound('Representation');
      assertVersion('Representation', { current: r.version, given: dto.version });
      if (r.status === RepresentationStatus.Answered) throw wrongState('The representation has already been answered');
      const before = snapshot(r);
      const respondedAt = new Date(Math.max(Date.now(), r.receivedAt.getTime()));
      Object.assign(r, {
        status: RepresentationStatus.Answered,
        response: dto.response,
        responseReasons: dto.reasons,
        respondedAt,
        respondedBy: user.id,
        version: r.version + 1,
      });
      const saved = await em.getRepository(Representation).save(r);
      await this.audit.record(em, { action: 'representation.respond', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      const forum = await em.getRepository(Forum).findOneByOrFail({ id: r.forumId });
      const unionName = (await this.forums.unionNames([r.unionId], em)).get(r.unionId);
      await this.outbox.emit(em, {
        type: DomainEventType.RepresentationAnswered,
        programmeId: forum.programmeId,
        entityType: ENTITY,
        entityId: id,
        payload: {
          representationId: id,
          forumId: forum.id,
          forumTitle: forum.title,
          consultationId: r.consultationId,
          unionName: unionName ?? null,
          subject: r.subject,
          receivedAt: r.receivedAt.toISOString(),
          respondedAt: respondedAt.toISOString(),
        },
      });
      return saved;
    });
  }
}
