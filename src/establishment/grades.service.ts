import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { CreateGradeDto, UpdateGradeDto } from './dto/grade.dto';
import { Grade } from './entities/grade.entity';
import { notFound, rethrowStillReferenced, unprocessable, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';

const CONSTRAINTS = {
  grades_org_code_key: { field: 'code', reason: "is already a grade on this organisation's scale" },
};

function snapshot(g: Grade): Record<string, unknown> {
  return { code: g.code, name: g.name, rank: g.rank, reportGroup: g.reportGroup, payMin: g.payMin, payMax: g.payMax };
}

const money = (n: number | null | undefined): string | null => (n === null || n === undefined ? null : n.toFixed(2));

/** Grade scales, one per organisation (council G1–G12 and senior grades; NHS bands …). */
@Injectable()
export class GradesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async listForOrganisation(organisationId: string): Promise<Grade[]> {
    const exists: { id: string }[] = await this.ds.query(`SELECT id FROM organisations WHERE id = $1`, [organisationId]);
    if (!exists.length) throw notFound('Organisation', organisationId);
    return this.ds.getRepository(Grade).find({ where: { organisationId }, order: { rank: 'DESC', code: 'ASC' } });
  }

  async get(id: string): Promise<Grade> {
    const g = await this.ds.getRepository(Grade).findOneBy({ id });
    if (!g) throw notFound('Grade', id);
    return g;
  }

  create(organisationId: string, dto: CreateGradeDto): Promise<Grade> {
    return this.ds.transaction(async (em) => {
      const org: { id: string }[] = await em.query(`SELECT id FROM organisations WHERE id = $1`, [organisationId]);
      if (!org.length) throw notFound('Organisation', organisationId);
      checkPay(dto.payMin ?? null, dto.payMax ?? null);
      const rows: { id: string }[] = await withConstraintFields(CONSTRAINTS, () =>
        em.query(
          `INSERT INTO grades (organisation_id, code, name, rank, report_group, pay_min, pay_max) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [organisationId, dto.code, dto.name ?? null, dto.rank, dto.reportGroup ?? null, money(dto.payMin), money(dto.payMax)],
        ),
      );
      const created = await em.getRepository(Grade).findOneByOrFail({ id: rows[0].id });
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'grade', entityId: created.id, after: snapshot(created) });
      return created;
    });
  }

  update(id: string, dto: UpdateGradeDto): Promise<Grade> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(Grade);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Grade', id);
      assertVersion('grade', { given: dto.version, current: current.version });
      const payMin = dto.payMin !== undefined ? money(dto.payMin) : current.payMin;
      const payMax = dto.payMax !== undefined ? money(dto.payMax) : current.payMax;
      checkPay(payMin === null ? null : Number(payMin), payMax === null ? null : Number(payMax));
      const next: Partial<Grade> = { payMin, payMax, version: current.version + 1 };
      if (dto.code !== undefined) next.code = dto.code;
      if (dto.name !== undefined) next.name = dto.name;
      if (dto.rank !== undefined) next.rank = dto.rank;
      if (dto.reportGroup !== undefined) next.reportGroup = dto.reportGroup;
      await withConstraintFields(CONSTRAINTS, () => repo.update({ id }, next));
      const updated = await repo.findOneByOrFail({ id });
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'grade', entityId: id, before: snapshot(current), after: snapshot(updated) });
      return updated;
    });
  }

  remove(id: string, version: number): Promise<void> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(Grade);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw notFound('Grade', id);
      assertVersion('grade', { given: version, current: current.version });
      await rethrowStillReferenced(() => em.query(`DELETE FROM grades WHERE id = $1`, [id]));
      await this.audit.record(em, { action: AuditAction.Delete, entityType: 'grade', entityId: id, before: snapshot(current) });
    });
  }
}

function checkPay(min: number | null, max: number | null): void {
  if (min !== null && max !== null && max < min) throw unprocessable('payMax', 'must not be less than payMin');
}
