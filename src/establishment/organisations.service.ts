import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { CreateOrganisationDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { Organisation } from './entities/organisation.entity';
import { notFound, rethrowStillReferenced, unprocessable, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';

const UNIQUE = { organisations_name_key: { field: 'name', reason: 'is already the name of another organisation' } };

function snapshot(o: Organisation): Record<string, unknown> {
  return { name: o.name, shortName: o.shortName, kind: o.kind, status: o.status, successorId: o.successorId, bankHolidayDivision: o.bankHolidayDivision };
}

/** Organisations are reference data: admins keep them; every signed-in role may read them. */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<Organisation[]> {
    return this.ds.getRepository(Organisation).find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<Organisation> {
    const o = await this.ds.getRepository(Organisation).findOneBy({ id });
    if (!o) throw notFound('Organisation', id);
    return o;
  }

  create(dto: CreateOrganisationDto): Promise<Organisation> {
    return this.ds.transaction(async (em) => {
      if (dto.successorId) await this.assertExists(em, dto.successorId, 'successorId');
      const rows: { id: string }[] = await withConstraintFields(UNIQUE, () =>
        em.query(
          `INSERT INTO organisations (name, short_name, kind, status, successor_id, bank_holiday_division) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [dto.name, dto.shortName ?? null, dto.kind, dto.status, dto.successorId ?? null, dto.bankHolidayDivision ?? 'england-and-wales'],
        ),
      );
      const created = await em.getRepository(Organisation).findOneByOrFail({ id: rows[0].id });
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'organisation', entityId: created.id, after: snapshot(created) });
      return created;
    });
  }

  update(id: string, dto: UpdateOrganisationDto): Promise<Organisation> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(Organisation);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Organisation', id);
      assertVersion('organisation', { given: dto.version, current: current.version });
      const before = snapshot(current);
      if (dto.successorId) {
        if (dto.successorId === id) throw unprocessable('successorId', 'must not be the organisation itself');
        await this.assertExists(em, dto.successorId, 'successorId');
        await this.assertNoSuccessorCycle(em, id, dto.successorId);
      }
      const next: Partial<Organisation> = {};
      if (dto.name !== undefined) next.name = dto.name;
      if (dto.shortName !== undefined) next.shortName = dto.shortName;
      if (dto.kind !== undefined) next.kind = dto.kind;
      if (dto.status !== undefined) next.status = dto.status;
      if (dto.successorId !== undefined) next.successorId = dto.successorId;
      if (dto.bankHolidayDivision !== undefined && dto.bankHolidayDivision !== null) next.bankHolidayDivision = dto.bankHolidayDivision;
      await withConstraintFields(UNIQUE, () => repo.update({ id }, { ...next, version: current.version + 1, updatedAt: new Date() }));
      const updated = await repo.findOneByOrFail({ id });
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'organisation', entityId: id, before, after: snapshot(updated) });
      return updated;
    });
  }

  /** Remove an organisation nothing refers to (programmes, grades, posts, people …): else 409. */
  remove(id: string, version: number): Promise<void> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(Organisation);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Organisation', id);
      assertVersion('organisation', { given: version, current: current.version });
      await rethrowStillReferenced(() => em.query(`DELETE FROM organisations WHERE id = $1`, [id]));
      await this.audit.record(em, { action: AuditAction.Delete, entityType: 'organisation', entityId: id, before: snapshot(current) });
    });
  }

  private async assertExists(em: EntityManager, id: string, field: string): Promise<void> {
    if (!(await em.getRepository(Organisation).existsBy({ id }))) throw unprocessable(field, `organisation ${id} does not exist`);
  }

  /** Following successors from the new successor must never lead back here. */
  private async assertNoSuccessorCycle(em: EntityManager, id: string, successorId: string): Promise<void> {
    const rows: { cycle: boolean }[] = await em.query(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT $2::uuid, 1
         UNION ALL
         SELECT o.successor_id, c.depth + 1 FROM chain c JOIN organisations o ON o.id = c.id
         WHERE o.successor_id IS NOT NULL AND c.depth < 100
       )
       SELECT EXISTS (SELECT 1 FROM chain WHERE id = $1::uuid) AS cycle`,
      [id, successorId],
    );
    if (rows[0]?.cycle) throw unprocessable('successorId', 'would make a cycle of successors');
  }
}
