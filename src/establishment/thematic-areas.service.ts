import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { CreateThematicAreaDto, UpdateThematicAreaDto } from './dto/thematic-area.dto';
import { ThematicArea } from './entities/thematic-area.entity';
import { canSeeProgramme } from './establishment-access';
import { notFound, rethrowStillReferenced, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';

const CONSTRAINTS = {
  thematic_areas_programme_name_key: { field: 'name', reason: 'is already the name of an area of this programme' },
};

function snapshot(a: ThematicArea): Record<string, unknown> {
  return { name: a.name, defaultScope: a.defaultScope, scopeNote: a.scopeNote, sortOrder: a.sortOrder };
}

/** Thematic areas of a programme: the rows of the matrix, each with a default scope. */
@Injectable()
export class ThematicAreasService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, programmeId: string): Promise<ThematicArea[]> {
    await this.assertProgramme(user, programmeId);
    return this.ds.getRepository(ThematicArea).find({ where: { programmeId }, order: { sortOrder: 'ASC', name: 'ASC' } });
  }

  async get(user: AuthUser, id: string): Promise<ThematicArea> {
    const a = await this.ds.getRepository(ThematicArea).findOneBy({ id });
    if (!a || !canSeeProgramme(user, a.programmeId)) throw notFound('Thematic area', id);
    return a;
  }

  create(user: AuthUser, programmeId: string, dto: CreateThematicAreaDto): Promise<ThematicArea> {
    return this.ds.transaction(async (em) => {
      await this.assertProgramme(user, programmeId);
      const rows: { id: string }[] = await withConstraintFields(CONSTRAINTS, () =>
        em.query(
          `INSERT INTO thematic_areas (programme_id, name, default_scope, scope_note, sort_order)
           VALUES ($1, $2, $3, $4, COALESCE($5, (SELECT COALESCE(max(sort_order), 0) + 1 FROM thematic_areas WHERE programme_id = $1)))
           RETURNING id`,
          [programmeId, dto.name, dto.defaultScope, dto.scopeNote ?? null, dto.sortOrder ?? null],
        ),
      );
      const created = await em.getRepository(ThematicArea).findOneByOrFail({ id: rows[0].id });
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'thematic_area', entityId: created.id, after: snapshot(created), metadata: { programmeId } });
      return created;
    });
  }

  /**
   * Change an area. With applyToPosts, every live post of the area whose scope differs moves to
   * the new default scope, as one decision with the reason given (each post's version goes up and
   * its scope history records it).
   */
  update(user: AuthUser, id: string, dto: UpdateThematicAreaDto): Promise<{ area: ThematicArea; postsChanged: number }> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(ThematicArea);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Thematic area', id);
      assertVersion('thematic area', { given: dto.version, current: current.version });
      const next: Partial<ThematicArea> = { version: current.version + 1 };
      if (dto.name !== undefined) next.name = dto.name;
      if (dto.defaultScope !== undefined) next.defaultScope = dto.defaultScope;
      if (dto.scopeNote !== undefined) next.scopeNote = dto.scopeNote;
      if (dto.sortOrder !== undefined) next.sortOrder = dto.sortOrder;
      await withConstraintFields(CONSTRAINTS, () => repo.update({ id }, next));
      const area = await repo.findOneByOrFail({ id });
      let postsChanged = 0;
      if (dto.applyToPosts) {
        // TypeORM answers an UPDATE ... RETURNING with [rows, rowCount].
        const [changed]: [{ id: string; reference: string; scope: string }[], number] = await em.query(
          `UPDATE posts p SET scope = $2, scope_reason = $3, scope_decided_by = $4, scope_decided_at = now(), version = p.version + 1, updated_at = now()
           FROM posts old
           WHERE old.id = p.id AND p.thematic_area_id = $1 AND p.establishment_status <> 'deleted' AND p.scope <> $2
           RETURNING p.id, p.reference, old.scope`,
          [id, area.defaultScope, dto.reason, user.id],
        );
        postsChanged = changed.length;
        for (const c of changed) {
          await this.audit.record(em, {
            action: AuditAction.Update,
            entityType: 'post',
            entityId: c.id,
            before: { scope: c.scope },
            after: { scope: area.defaultScope, scopeReason: dto.reason },
            metadata: { via: 'thematic_area.apply_to_posts', thematicAreaId: id },
          });
        }
      }
      await this.audit.record(em, {
        action: AuditAction.Update,
        entityType: 'thematic_area',
        entityId: id,
        before: snapshot(current),
        after: snapshot(area),
        metadata: dto.applyToPosts ? { appliedToPosts: postsChanged, reason: dto.reason } : undefined,
      });
      return { area, postsChanged };
    });
  }

  remove(id: string, version: number): Promise<void> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(ThematicArea);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Thematic area', id);
      assertVersion('thematic area', { given: version, current: current.version });
      await rethrowStillReferenced(() => em.query(`DELETE FROM thematic_areas WHERE id = $1`, [id]));
      await this.audit.record(em, { action: AuditAction.Delete, entityType: 'thematic_area', entityId: id, before: snapshot(current), metadata: { programmeId: current.programmeId } });
    });
  }

  private async assertProgramme(user: AuthUser, programmeId: string): Promise<void> {
    if (!canSeeProgramme(user, programmeId)) throw notFound('Programme', programmeId);
    const rows: { id: string }[] = await this.ds.query(`SELECT id FROM programmes WHERE id = $1`, [programmeId]);
    if (!rows.length) throw notFound('Programme', programmeId);
  }
}
