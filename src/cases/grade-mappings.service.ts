import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException, ErrorDetail } from '../common/errors/api-error';
import { assertProgrammeVisible } from './case-access';
import { GradeMappingResponse, SetGradeMappingsDto } from './dto/grade-mapping.dto';

/** A programme's mapping of old grades to new (council grade -> NHS Agenda for Change band), shown on its cases. */
@Injectable()
export class GradeMappingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, programmeId: string, em: EntityManager = this.db.manager): Promise<GradeMappingResponse[]> {
    await assertProgrammeVisible(em, user, programmeId);
    return em.query(
      `SELECT m.from_grade_id AS "fromGradeId", f.code AS "fromGradeCode", m.to_grade_id AS "toGradeId", t.code AS "toGradeCode"
       FROM programme_grade_mappings m JOIN grades f ON f.id = m.from_grade_id JOIN grades t ON t.id = m.to_grade_id
       WHERE m.programme_id = $1 ORDER BY f.rank, f.code`,
      [programmeId],
    );
  }

  async set(user: AuthUser, programmeId: string, dto: SetGradeMappingsDto): Promise<GradeMappingResponse[]> {
    return this.db.transaction(async (em) => {
      await assertProgrammeVisible(em, user, programmeId);
      await em.query(`SELECT 1 FROM programmes WHERE id = $1 FOR UPDATE`, [programmeId]);
      const grades: { id: string; organisation_id: string; source: boolean; destination: boolean }[] = await em.query(
        `SELECT g.id, g.organisation_id,
                EXISTS (SELECT 1 FROM programme_source_organisations s WHERE s.programme_id = $1 AND s.organisation_id = g.organisation_id) AS source,
                EXISTS (SELECT 1 FROM programmes p WHERE p.id = $1 AND p.destination_organisation_id = g.organisation_id) AS destination
         FROM grades g WHERE g.id = ANY($2::uuid[])`,
        [programmeId, dto.mappings.flatMap((m) => [m.fromGradeId, m.toGradeId])],
      );
      const byId = new Map(grades.map((g) => [g.id, g]));
      const details: ErrorDetail[] = [];
      const seen = new Set<string>();
      dto.mappings.forEach((m, i) => {
        const from = byId.get(m.fromGradeId);
        const to = byId.get(m.toGradeId);
        if (!from) details.push({ field: `mappings[${i}].fromGradeId`, reason: 'is not a grade' });
        else if (!from.source) details.push({ field: `mappings[${i}].fromGradeId`, reason: "is not a grade of one of the programme's source organisations" });
        if (!to) details.push({ field: `mappings[${i}].toGradeId`, reason: 'is not a grade' });
        else if (!to.destination) details.push({ field: `mappings[${i}].toGradeId`, reason: "is not on the pay scale of the programme's destination organisation" });
        if (seen.has(m.fromGradeId)) details.push({ field: `mappings[${i}].fromGradeId`, reason: 'is mapped twice' });
        seen.add(m.fromGradeId);
      });
      if (details.length) throw new ApiException(422, 'Some grade mappings are not valid', details);
      const before = await this.list(user, programmeId, em);
      await em.query(`DELETE FROM programme_grade_mappings WHERE programme_id = $1`, [programmeId]);
      for (const m of dto.mappings) {
        await em.query(`INSERT INTO programme_grade_mappings (programme_id, from_grade_id, to_grade_id) VALUES ($1, $2, $3)`, [programmeId, m.fromGradeId, m.toGradeId]);
      }
      const after = await this.list(user, programmeId, em);
      await this.audit.record(em, { action: 'programme.grade_mappings', entityType: 'programme', entityId: programmeId, before: { mappings: before }, after: { mappings: after } });
      return after;
    });
  }
}
