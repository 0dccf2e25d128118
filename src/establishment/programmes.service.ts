import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { visibleProgrammeIds } from '../common/access/auth-user';
import { CreateProgrammeDto, OrganisationSummary, ProgrammeResponse, UpdateProgrammeDto } from './dto/programme.dto';
import { canSeeProgramme } from './establishment-access';
import { notFound, unprocessable, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';

const UNIQUE = { programmes_name_key: { field: 'name', reason: 'is already the name of another programme' } };

interface ProgrammeRow {
  id: string;
  name: string;
  description: string | null;
  go_live_date: string;
  reg13_information_days: number;
  status: ProgrammeResponse['status'];
  version: number;
  created_at: Date;
  updated_at: Date;
  destination: OrganisationSummary;
  sources: OrganisationSummary[];
}

const SELECT_PROGRAMMES = `
  SELECT p.id, p.name, p.description, to_char(p.go_live_date, 'YYYY-MM-DD') AS go_live_date, p.reg13_information_days, p.status, p.version, p.created_at, p.updated_at,
         json_build_object('id', d.id, 'name', d.name, 'shortName', d.short_name, 'kind', d.kind, 'status', d.status) AS destination,
         COALESCE((SELECT json_agg(json_build_object('id', o.id, 'name', o.name, 'shortName', o.short_name, 'kind', o.kind, 'status', o.status) ORDER BY o.name)
                   FROM programme_source_organisations s JOIN organisations o ON o.id = s.organisation_id
                   WHERE s.programme_id = p.id), '[]'::json) AS sources
  FROM programmes p JOIN organisations d ON d.id = p.destination_organisation_id`;

function toResponse(r: ProgrammeRow): ProgrammeResponse {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    destinationOrganisation: r.destination,
    sourceOrganisations: r.sources,
    goLiveDate: r.go_live_date,
    reg13InformationDays: r.reg13_information_days,
    status: r.status,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function snapshot(p: ProgrammeResponse): Record<string, unknown> {
  return {
    name: p.name,
    description: p.description,
    destinationOrganisationId: p.destinationOrganisation.id,
    sourceOrganisationIds: p.sourceOrganisations.map((o) => o.id).sort(),
    goLiveDate: p.goLiveDate,
    reg13InformationDays: p.reg13InformationDays,
    status: p.status,
  };
}

/** Programmes (transitions): admins create and change them; each role sees the ones it may. */
@Injectable()
export class ProgrammesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser): Promise<ProgrammeResponse[]> {
    const visible = visibleProgrammeIds(user);
    if (visible !== 'all' && visible.length === 0) return [];
    const rows: ProgrammeRow[] =
      visible === 'all'
        ? await this.ds.query(`${SELECT_PROGRAMMES} ORDER BY p.go_live_date DESC, p.name`)
        : await this.ds.query(`${SELECT_PROGRAMMES} WHERE p.id = ANY($1::uuid[]) ORDER BY p.go_live_date DESC, p.name`, [visible]);
    return rows.map(toResponse);
  }

  /** The programme, or 404 when it does not exist or the user may not see it. */
  async get(user: AuthUser | null, id: string, em: EntityManager = this.ds.manager): Promise<ProgrammeResponse> {
    if (user && !canSeeProgramme(user, id)) throw notFound('Programme', id);
    const rows: ProgrammeRow[] = await em.query(`${SELECT_PROGRAMMES} WHERE p.id = $1`, [id]);
    if (!rows.length) throw notFound('Programme', id);
    return toResponse(rows[0]);
  }

  create(dto: CreateProgrammeDto): Promise<ProgrammeResponse> {
    return this.ds.transaction(async (em) => {
      await this.checkOrganisations(em, dto.destinationOrganisationId, dto.sourceOrganisationIds);
      const rows: { id: string }[] = await withConstraintFields(UNIQUE, () =>
        em.query(
          `INSERT INTO programmes (name, description, destination_organisation_id, go_live_date, status, reg13_information_days)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [dto.name, dto.description ?? null, dto.destinationOrganisationId, dto.goLiveDate, dto.status ?? 'planning', dto.reg13InformationDays ?? 30],
        ),
      );
      const id = rows[0].id;
      await em.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) SELECT $1, unnest($2::uuid[])`, [id, dto.sourceOrganisationIds]);
      const created = await this.get(null, id, em);
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'programme', entityId: id, after: snapshot(created) });
      return created;
    });
  }

  update(id: string, dto: UpdateProgrammeDto): Promise<ProgrammeResponse> {
    return this.ds.transaction(async (em) => {
      const locked: { version: number }[] = await em.query(`SELECT version FROM programmes WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked.length) throw notFound('Programme', id);
      assertVersion('programme', { given: dto.version, current: locked[0].version });
      const before = await this.get(null, id, em);
      const destination = dto.destinationOrganisationId ?? before.destinationOrganisation.id;
      const sources = dto.sourceOrganisationIds ?? before.sourceOrganisations.map((o) => o.id);
      if (dto.destinationOrganisationId !== undefined || dto.sourceOrganisationIds !== undefined) await this.checkOrganisations(em, destination, sources);
      if (dto.sourceOrganisationIds !== undefined) {
        const stranded: { name: string }[] = await em.query(
          `SELECT DISTINCT o.name FROM posts p JOIN organisations o ON o.id = p.organisation_id
           WHERE p.programme_id = $1 AND NOT (p.organisation_id = ANY($2::uuid[])) AND p.organisation_id <> $3`,
          [id, sources, destination],
        );
        if (stranded.length) {
          throw unprocessable('sourceOrganisationIds', `still has posts of ${stranded.map((s) => s.name).join(', ')}: move or delete them first`);
        }
        await em.query(`DELETE FROM programme_source_organisations WHERE programme_id = $1`, [id]);
        await em.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) SELECT $1, unnest($2::uuid[])`, [id, sources]);
      }
      await withConstraintFields(UNIQUE, () =>
        em.query(
          `UPDATE programmes SET name = $2, description = $3, destination_organisation_id = $4, go_live_date = $5, status = $6,
                  reg13_information_days = $7, version = version + 1, updated_at = now()
           WHERE id = $1`,
          [
            id,
            dto.name ?? before.name,
            dto.description !== undefined ? dto.description : before.description,
            destination,
            dto.goLiveDate ?? before.goLiveDate,
            dto.status ?? before.status,
            dto.reg13InformationDays ?? before.reg13InformationDays,
          ],
        ),
      );
      const after = await this.get(null, id, em);
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'programme', entityId: id, before: snapshot(before), after: snapshot(after) });
      return after;
    });
  }

  private async checkOrganisations(em: EntityManager, destinationId: string, sourceIds: string[]): Promise<void> {
    const ids = [destinationId, ...sourceIds];
    const found: { id: string }[] = await em.query(`SELECT id FROM organisations WHERE id = ANY($1::uuid[])`, [ids]);
    const known = new Set(found.map((r) => r.id));
    if (!known.has(destinationId)) throw unprocessable('destinationOrganisationId', `organisation ${destinationId} does not exist`);
    sourceIds.forEach((s, i) => {
      if (!known.has(s)) throw unprocessable(`sourceOrganisationIds[${i}]`, `organisation ${s} does not exist`);
    });
    if (sourceIds.includes(destinationId)) throw unprocessable('sourceOrganisationIds', 'must not include the destination organisation');
  }
}
