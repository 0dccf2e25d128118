import { Injectable, NotFoundException } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { EMPLOYEE_RULES, rethrowConstraint } from './db-errors';
import { CreateEmployeeDto, EmployeeFieldsDto, ListEmployeesQuery, UpdateEmployeeDto } from './dto/employee.dto';
import { Employee } from './entities/employee.entity';

/** Request field -> column, for the fields an HR officer writes. */
const COLUMNS: Record<string, string> = {
  staffNumber: 'staff_number',
  firstName: 'first_name',
  lastName: 'last_name',
  workEmail: 'work_email',
  employerOrganisationId: 'employer_organisation_id',
  contractType: 'contract_type',
  contractEndsOn: 'contract_ends_on',
  contractedFte: 'contracted_fte',
  startDate: 'start_date',
  continuousServiceDate: 'continuous_service_date',
  pensionScheme: 'pension_scheme',
  dateOfBirth: 'date_of_birth',
  annualPay: 'annual_pay',
  weeklyHours: 'weekly_hours',
  noticePeriodWeeks: 'notice_period_weeks',
  eliDisciplinaryGrievance: 'eli_disciplinary_grievance',
  eliClaims: 'eli_claims',
  eliCollectiveAgreements: 'eli_collective_agreements',
};

/** What an audit row keeps of an employee: every field HR writes. */
export function employeeAuditView(e: Employee): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(COLUMNS)) out[k] = (e as unknown as Record<string, unknown>)[k];
  return out;
}

@Injectable()
export class EmployeesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(q: ListEmployeesQuery): Promise<{ items: Employee[]; total: number; limit: number; offset: number }> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const qb = this.db.getRepository(Employee).createQueryBuilder('e');
    if (q.q) {
      const prefix = `${q.q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(lower(e.last_name) LIKE :prefix OR lower(e.first_name) LIKE :prefix OR lower(e.staff_number) LIKE :prefix)', { prefix });
    }
    if (q.programmeId) {
      qb.andWhere('EXISTS (SELECT 1 FROM post_assignments a JOIN posts p ON p.id = a.post_id WHERE a.employee_id = e.id AND p.programme_id = :programmeId)', {
        programmeId: q.programmeId,
      });
    }
    const [items, total] = await qb.orderBy('lower(e.last_name)').addOrderBy('lower(e.first_name)').addOrderBy('e.id').take(limit).skip(offset).getManyAndCount();
    return { items, total, limit, offset };
  }

  async get(id: string, em: EntityManager = this.db.manager): Promise<Employee> {
    const e = await em.getRepository(Employee).findOneBy({ id });
    if (!e) throw new NotFoundException('Employee not found');
    return e;
  }

  async create(dto: CreateEmployeeDto): Promise<Employee> {
    return this.db.transaction(async (em) => {
      const fields = this.columnsOf(dto);
      const names = Object.keys(fields);
      try {
        const [row]: { id: string }[] = await em.query(
          `INSERT INTO employees (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
          Object.values(fields),
        );
        const created = await this.get(row.id, em);
        await this.audit.record(em, { action: AuditAction.Create, entityType: 'employee', entityId: created.id, after: employeeAuditView(created) });
        return created;
      } catch (err) {
        rethrowConstraint(err, EMPLOYEE_RULES);
      }
    });
  }

  async update(id: string, dto: UpdateEmployeeDto): Promise<Employee> {
    return this.db.transaction(async (em) => {
      const before = await this.locked(em, id, dto.version);
      const { version: _version, ...rest } = dto;
      const fields = this.columnsOf(rest);
      const names = Object.keys(fields);
      if (!names.length) return before;
      try {
        await em.query(
          `UPDATE employees SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
          [id, ...Object.values(fields)],
        );
        const after = await this.get(id, em);
        await this.audit.record(em, { action: AuditAction.Update, entityType: 'employee', entityId: id, before: employeeAuditView(before), after: employeeAuditView(after) });
        return after;
      } catch (err) {
        rethrowConstraint(err, EMPLOYEE_RULES);
      }
    });
  }

  /** Lock the row for the rest of the transaction, then check the version the caller read. */
  async locked(em: EntityManager, id: string, version?: number): Promise<Employee> {
    const rows: { version: number }[] = await em.query(`SELECT version FROM employees WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows.length) throw new NotFoundException('Employee not found');
    if (version !== undefined && rows[0].version !== version) {
      throw staleVersion('Employee', rows[0].version);
    }
    return this.get(id, em);
  }

  /** Only the fields present in the request (null included: it clears). Emails are kept lower-case. */
  private columnsOf(dto: Partial<CreateEmployeeDto> & EmployeeFieldsDto): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(COLUMNS)) {
      const v = (dto as Record<string, unknown>)[field];
      if (v === undefined) continue;
      out[column] = field === 'workEmail' && typeof v === 'string' ? v.trim().toLowerCase() : v;
    }
    return out;
  }
}
