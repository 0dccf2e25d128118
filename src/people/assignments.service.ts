import { Injectable, NotFoundException } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { ASSIGNMENT_RULES, rethrowConstraint } from './db-errors';
import { AssignmentResponse, CreateAssignmentDto, MoveEmployeeDto, MoveResponse, UpdateAssignmentDto } from './dto/assignment.dto';
import { EmployeesService } from './employees.service';
import { addDays, todayInLondon } from '../common/dates';

interface AssignmentRow {
  id: string;
  employee_id: string;
  post_id: string;
  post_reference: string;
  post_title: string;
  programme_id: string;
  organisation_id: string;
  fte: string;
  starts_on: string;
  ends_on: string | null;
  version: number;
}

const SELECT_ASSIGNMENT = `
  SELECT a.id, a.employee_id, a.post_id, p.reference AS post_reference, p.title AS post_title, p.programme_id, p.organisation_id,
         a.fte::text AS fte, a.starts_on::text AS starts_on, a.ends_on::text AS ends_on, a.version
  FROM post_assignments a JOIN posts p ON p.id = a.post_id`;

function toResponse(r: AssignmentRow): AssignmentResponse {
  return {
    id: r.id,
    employeeId: r.employee_id,
    postId: r.post_id,
    postReference: r.post_reference,
    postTitle: r.post_title,
    programmeId: r.programme_id,
    organisationId: r.organisation_id,
    fte: Number(r.fte),
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    version: r.version,
  };
}

const auditView = (a: AssignmentResponse) => ({ postId: a.postId, fte: a.fte, startsOn: a.startsOn, endsOn: a.endsOn });

/**
 * Effective-dated assignments of people to posts. The capacity rules (FTE of the post, contracted
 * FTE of the person, no double booking) are the database's: this service names the field when it
 * refuses.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly employees: EmployeesService,
  ) {}

  async list(employeeId: string): Promise<AssignmentResponse[]> {
    await this.employees.get(employeeId);
    const rows: AssignmentRow[] = await this.db.query(`${SELECT_ASSIGNMENT} WHERE a.employee_id = $1 ORDER BY a.starts_on, a.id`, [employeeId]);
    return rows.map(toResponse);
  }

  async create(employeeId: string, dto: CreateAssignmentDto): Promise<AssignmentResponse> {
    if (dto.endsOn && dto.endsOn < dto.startsOn) throw ApiException.validation([{ field: 'endsOn', reason: 'must be on or after startsOn' }]);
    return this.db.transaction(async (em) => {
      await this.employees.get(employeeId, em);
      await this.assertPost(em, dto.postId, 'postId');
      const created = await this.insert(em, employeeId, dto.postId, dto.fte, dto.startsOn, dto.endsOn ?? null);
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'post_assignment', entityId: created.id, after: { employeeId, ...auditView(created) } });
      await this.followAssignments(em, [created.postId]);
      return created;
    });
  }

  async update(employeeId: string, id: string, dto: UpdateAssignmentDto): Promise<AssignmentResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.locked(em, employeeId, id, dto.version);
      const startsOn = dto.startsOn ?? before.startsOn;
      const endsOn = dto.endsOn === undefined ? before.endsOn : dto.endsOn;
      if (endsOn && endsOn < startsOn) throw ApiException.validation([{ field: 'endsOn', reason: 'must be on or after startsOn' }]);
      try {
        await em.query(`UPDATE post_assignments SET fte = $2, starts_on = $3, ends_on = $4, version = version + 1, updated_at = now() WHERE id = $1`, [
          id,
          dto.fte ?? before.fte,
          startsOn,
          endsOn,
        ]);
      } catch (err) {
        rethrowConstraint(err, ASSIGNMENT_RULES);
      }
      const after = await this.read(em, id);
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'post_assignment', entityId: id, before: auditView(before), after: auditView(after) });
      await this.followAssignments(em, [after.postId]);
      return after;
    });
  }

  /**
   * A move: the assignment left ends the day before the effective date and a new one starts on it.
   * Nothing about the person's service changes: the continuous service date is not touched (and
   * the database would refuse resetting it).
   */
  async move(employeeId: string, dto: MoveEmployeeDto): Promise<MoveResponse> {
    return this.db.transaction(async (em) => {
      const employee = await this.employees.locked(em, employeeId);
      const from = await this.locked(em, employeeId, dto.fromAssignmentId, dto.version, 'fromAssignmentId');
      const lastDay = addDays(dto.effectiveDate, -1);
      if (lastDay < from.startsOn) {
        throw ApiException.validation([{ field: 'effectiveDate', reason: `must be after the assignment left starts (${from.startsOn})` }]);
      }
      if (from.endsOn !== null && from.endsOn < lastDay) {
        throw ApiException.validation([{ field: 'effectiveDate', reason: `the assignment left already ended on ${from.endsOn}` }]);
      }
      if (dto.toPostId === from.postId) throw ApiException.validation([{ field: 'toPostId', reason: 'is the post the person is leaving' }]);
      await this.assertPost(em, dto.toPostId, 'toPostId');
      try {
        await em.query(`UPDATE post_assignments SET ends_on = $2, version = version + 1, updated_at = now() WHERE id = $1`, [from.id, lastDay]);
      } catch (err) {
        rethrowConstraint(err, ASSIGNMENT_RULES);
      }
      const ended = await this.read(em, from.id);
      const started = await this.insert(em, employeeId, dto.toPostId, dto.fte ?? from.fte, dto.effectiveDate, from.endsOn, 'toPostId');
      await this.audit.record(em, {
        action: 'employee.move',
        entityType: 'employee',
        entityId: employeeId,
        before: { postId: from.postId, fte: from.fte },
        after: { postId: started.postId, fte: started.fte },
        metadata: { endedAssignmentId: ended.id, startedAssignmentId: started.id, effectiveDate: dto.effectiveDate },
      });
      await this.followAssignments(em, [ended.postId, started.postId]);
      return { ended, started, continuousServiceDate: employee.continuousServiceDate };
    });
  }

  /**
   * A post's establishment status follows its assignments: a vacant post with a holder (an
   * assignment that has not ended by today) is filled; a filled post whose last holder has gone is
   * vacant. Frozen and deleted posts are left as HR set them. Each change is audited.
   */
  private async followAssignments(em: EntityManager, postIds: string[]): Promise<void> {
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount].
    const [changed]: [{ id: string; before: string; after: string; programme_id: string }[], number] = await em.query(
      `WITH wanted AS (
         SELECT p.id, p.establishment_status AS before,
                CASE WHEN EXISTS (SELECT 1 FROM post_assignments a WHERE a.post_id = p.id AND (a.ends_on IS NULL OR a.ends_on >= $2::date))
                     THEN 'filled' ELSE 'vacant' END AS after
         FROM posts p WHERE p.id = ANY($1::uuid[]) AND p.establishment_status IN ('filled', 'vacant')
         FOR UPDATE OF p)
       UPDATE posts p SET establishment_status = w.after, version = p.version + 1, updated_at = now()
       FROM wanted w WHERE p.id = w.id AND w.after <> w.before
       RETURNING p.id, w.before, w.after, p.programme_id`,
      [[...new Set(postIds)], todayInLondon()],
    );
    for (const c of changed) {
      await this.audit.record(em, {
        action: AuditAction.Update,
        entityType: 'post',
        entityId: c.id,
        before: { establishmentStatus: c.before },
        after: { establishmentStatus: c.after },
        metadata: { programmeId: c.programme_id, reason: 'follows assignments' },
      });
    }
  }

  private async insert(em: EntityManager, employeeId: string, postId: string, fte: number, startsOn: string, endsOn: string | null, postField = 'postId') {
    try {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO post_assignments (employee_id, post_id, fte, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [employeeId, postId, fte, startsOn, endsOn],
      );
      return await this.read(em, row.id);
    } catch (err) {
      rethrowConstraint(err, postField === 'postId' ? ASSIGNMENT_RULES : { ...ASSIGNMENT_RULES, post_assignments_no_double_booking: { ...ASSIGNMENT_RULES.post_assignments_no_double_booking, field: postField } });
    }
  }

  private async read(em: EntityManager, id: string): Promise<AssignmentResponse> {
    const rows: AssignmentRow[] = await em.query(`${SELECT_ASSIGNMENT} WHERE a.id = $1`, [id]);
    return toResponse(rows[0]);
  }

  private async locked(em: EntityManager, employeeId: string, id: string, version: number, field?: string): Promise<AssignmentResponse> {
    const rows: { version: number }[] = await em.query(`SELECT version FROM post_assignments WHERE id = $1 AND employee_id = $2 FOR UPDATE`, [id, employeeId]);
    if (!rows.length) {
      if (field) throw ApiException.validation([{ field, reason: 'is not an assignment of this employee' }]);
      throw new NotFoundException('Assignment not found');
    }
    if (rows[0].version !== version) {
      throw staleVersion('Assignment', rows[0].version);
    }
    return this.read(em, id);
  }

  private async assertPost(em: EntityManager, postId: string, field: string): Promise<void> {
    const rows = await em.query(`SELECT establishment_status FROM posts WHERE id = $1`, [postId]);
    if (!rows.length) throw ApiException.validation([{ field, reason: 'is not a post' }], 'Unknown post');
    if (rows[0].establishment_status === 'deleted') throw ApiException.validation([{ field, reason: 'is a deleted post' }], 'Deleted post');
  }
}
