import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';
import { decodeCursor, encodeCursor } from './cursor';
import { decimalTextToNumber, numberToDecimalText } from './decimal';
import { CreatePostDto, ListPostsQuery, PostHolderResponse, PostPage, PostResponse, ScopeHistoryResponse, UpdatePostDto } from './dto/post.dto';
import { canSeePostInArea, canSeeProgramme, isStaff, postAreaFilter } from './establishment-access';
import { EstablishmentStatus, POSTS_PAGE_DEFAULT, Scope } from './establishment.constants';
import { notFound, unprocessable, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';
import { PreparedStatement } from '../database/prepared';

export const POST_CONSTRAINTS = {
  posts_org_reference_key: { field: 'reference', reason: 'is already the reference of another post of this organisation' },
};

interface PostRow {
  id: string;
  reference: string;
  title: string;
  programme_id: string;
  fte: string;
  establishment_status: EstablishmentStatus;
  scope: Scope;
  scope_reason: string | null;
  scope_decided_at: Date | null;
  scope_decided_by: string | null;
  decided_by_name: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  organisation_id: string;
  organisation_name: string;
  organisation_short_name: string | null;
  thematic_area_id: string;
  area_name: string;
  grade_id: string;
  grade_code: string;
  grade_rank: number;
  grade_group: string;
}

const POST_COLUMNS = `
  p.id, p.reference, p.title, p.programme_id, p.fte::text AS fte, p.establishment_status, p.scope, p.scope_reason, p.scope_decided_at,
  p.scope_decided_by, u.display_name AS decided_by_name, p.version, p.created_at, p.updated_at,
  p.organisation_id, o.name AS organisation_name, o.short_name AS organisation_short_name,
  p.thematic_area_id, a.name AS area_name,
  p.grade_id, g.code AS grade_code, g.rank AS grade_rank, COALESCE(g.report_group, g.code) AS grade_group`;

const POST_JOINS = `
  JOIN organisations o ON o.id = p.organisation_id
  JOIN thematic_areas a ON a.id = p.thematic_area_id
  JOIN grades g ON g.id = p.grade_id
  LEFT JOIN users u ON u.id = p.scope_decided_by`;

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The list's columns, in the response's form: no Date parsing or decimal conversion per row in Node. */
const LIST_COLUMNS = `
  p.id, p.reference, p.title, p.programme_id, p.fte::float8 AS fte, p.establishment_status, p.scope, p.scope_reason,
  ${ISO('p.scope_decided_at')} AS scope_decided_at, p.scope_decided_by, u.display_name AS decided_by_name, p.version,
  ${ISO('p.created_at')} AS created_at, ${ISO('p.updated_at')} AS updated_at,
  p.organisation_id, o.name AS organisation_name, o.short_name AS organisation_short_name,
  p.thematic_area_id, a.name AS area_name,
  p.grade_id, g.code AS grade_code, g.rank AS grade_rank, COALESCE(g.report_group, g.code) AS grade_group`;

const HOLDER_FIELDS = (staff: boolean) =>
  `json_build_object('employeeId', e.id, 'name', e.first_name || ' ' || e.last_name, ${staff ? `'staffNumber', e.staff_number, ` : ''}'fte', pa.fte::float8,
     'startsOn', to_char(pa.starts_on, 'YYYY-MM-DD'), 'endsOn', to_char(pa.ends_on, 'YYYY-MM-DD'))`;
/** Staff numbers only for HR officers and admins. */
const HOLDER_JSON_STAFF = HOLDER_FIELDS(true);
const HOLDER_JSON = HOLDER_FIELDS(false);

interface ListRow extends Omit<PostRow, 'fte' | 'scope_decided_at' | 'created_at' | 'updated_at'> {
  fte: number;
  scope_decided_at: string | null;
  created_at: string;
  updated_at: string;
  holders: PostHolderResponse[];
}

function listItem(r: ListRow): PostResponse {
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    programmeId: r.programme_id,
    organisation: { id: r.organisation_id, name: r.organisation_name, shortName: r.organisation_short_name },
    thematicArea: { id: r.thematic_area_id, name: r.area_name },
    grade: { id: r.grade_id, code: r.grade_code, rank: r.grade_rank, reportGroup: r.grade_group },
    fte: r.fte,
    establishmentStatus: r.establishment_status,
    scope: r.scope,
    scopeReason: r.scope_reason,
    scopeDecidedBy: r.scope_decided_by ? { id: r.scope_decided_by, displayName: r.decided_by_name ?? '' } : null,
    scopeDecidedAt: r.scope_decided_at,
    holders: r.holders,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

type Snapshot = Record<string, unknown>;

function snapshot(r: PostRow): Snapshot {
  return {
    reference: r.reference,
    title: r.title,
    organisationId: r.organisation_id,
    thematicAreaId: r.thematic_area_id,
    gradeId: r.grade_id,
    fte: r.fte,
    establishmentStatus: r.establishment_status,
    scope: r.scope,
    scopeReason: r.scope_reason,
  };
}

/** The posts of the establishment: HR officers and admins keep them, managers read their areas'. */
@Injectable()
export class PostsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Keyset pagination in (reference, id) order: the cursor is the last row served, so a page at
   * depth 900,000 is an index range scan like the first page.
   */
  async list(user: AuthUser, q: ListPostsQuery): Promise<PostPage> {
    const limit = q.limit ?? POSTS_PAGE_DEFAULT;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const areas = postAreaFilter(user);
    if (areas !== null) {
      if (!areas.length) return { items: [], nextCursor: null, limit };
      add('p.thematic_area_id = ANY(?::uuid[])', areas);
    }
    if (q.programmeId) add('p.programme_id = ?', q.programmeId);
    if (q.organisationId) add('p.organisation_id = ?', q.organisationId);
    if (q.thematicAreaId) add('p.thematic_area_id = ?', q.thematicAreaId);
    if (q.gradeId) add('p.grade_id = ?', q.gradeId);
    if (q.scope) add('p.scope = ?', q.scope);
    if (q.status) add('p.establishment_status = ?', q.status);
    else where.push(`p.establishment_status <> 'deleted'`);
    if (q.q) {
      const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(pattern);
      where.push(`(p.reference ILIKE $${params.length} OR p.title ILIKE $${params.length})`);
    }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      params.push(c.reference, c.id);
      where.push(`(p.reference, p.id) > ($${params.length - 1}::text, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    // One round trip: the page, its joins and each post's current holders (as JSON), with the
    // values already in the response's form (ISO dates, FTE as a number), mapped without lookups.
    // A named prepared statement per variant of the text (the filters given): planned once per connection.
    const rows = await PreparedStatement.of<ListRow>(
      'posts_list',
      `WITH page AS (
         SELECT * FROM posts p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY p.reference, p.id LIMIT $${params.length}
       )
       SELECT ${LIST_COLUMNS},
              COALESCE((SELECT json_agg(${isStaff(user) ? HOLDER_JSON_STAFF : HOLDER_JSON} ORDER BY pa.starts_on, e.last_name)
                        FROM post_assignments pa JOIN employees e ON e.id = pa.employee_id
                        WHERE pa.post_id = p.id AND pa.starts_on <= current_date AND (pa.ends_on IS NULL OR pa.ends_on >= current_date)), '[]') AS holders
       FROM page p ${POST_JOINS}
       ORDER BY p.reference, p.id`,
    ).run(this.ds, params);
    const more = rows.length > limit;
    const n = more ? limit : rows.length;
    const items: PostResponse[] = new Array<PostResponse>(n);
    for (let i = 0; i < n; i++) items[i] = listItem(rows[i]);
    const last = rows[n - 1];
    return { items, nextCursor: more && last ? encodeCursor({ reference: last.reference, id: last.id }) : null, limit };
  }

  async get(user: AuthUser, id: string): Promise<PostResponse> {
    const row = await this.findRow(this.ds.manager, id);
    if (!row || !canSeePostInArea(user, row.thematic_area_id)) throw notFound('Post', id);
    return (await this.toResponses(this.ds.manager, user, [row]))[0];
  }

  create(user: AuthUser, dto: CreatePostDto): Promise<PostResponse> {
    return this.ds.transaction(async (em) => {
      if (!canSeeProgramme(user, dto.programmeId)) throw unprocessable('programmeId', `programme ${dto.programmeId} does not exist`);
      const defaultScope = await this.checkPlacement(em, dto.programmeId, dto.organisationId, dto.thematicAreaId, dto.gradeId);
      const scope = dto.scope ?? defaultScope.scope;
      const reason = dto.scopeReason ?? `Default scope of thematic area "${defaultScope.areaName}"`;
      const rows: { id: string }[] = await withConstraintFields(POST_CONSTRAINTS, () =>
        em.query(
          `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status,
                              scope, scope_reason, scope_decided_by, scope_decided_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now()) RETURNING id`,
          [dto.programmeId, dto.thematicAreaId, dto.organisationId, dto.gradeId, dto.reference, dto.title, numberToDecimalText(dto.fte), dto.establishmentStatus, scope, reason, user.id],
        ),
      );
      const row = (await this.findRow(em, rows[0].id))!;
      await this.audit.record(em, { action: AuditAction.Create, entityType: 'post', entityId: row.id, after: snapshot(row), metadata: { programmeId: row.programme_id } });
      return (await this.toResponses(em, user, [row]))[0];
    });
  }

  update(user: AuthUser, id: string, dto: UpdatePostDto): Promise<PostResponse> {
    return this.ds.transaction(async (em) => {
      const locked: { version: number }[] = await em.query(`SELECT version FROM posts WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked.length) throw notFound('Post', id);
      assertVersion('post', { given: dto.version, current: locked[0].version });
      const before = (await this.findRow(em, id))!;
      const organisationId = dto.organisationId ?? before.organisation_id;
      const thematicAreaId = dto.thematicAreaId ?? before.thematic_area_id;
      const gradeId = dto.gradeId ?? before.grade_id;
      if (dto.organisationId !== undefined || dto.thematicAreaId !== undefined || dto.gradeId !== undefined) {
        await this.checkPlacement(em, before.programme_id, organisationId, thematicAreaId, gradeId);
      }
      // A scope (or a new reason for the current one) is a decision: who, when and why are recorded.
      const decides = dto.scope !== undefined || dto.scopeReason !== undefined;
      await withConstraintFields(POST_CONSTRAINTS, () =>
        em.query(
          `UPDATE posts SET organisation_id = $2, thematic_area_id = $3, grade_id = $4, reference = $5, title = $6, fte = $7,
                  establishment_status = $8,
                  scope = CASE WHEN $9 THEN $10 ELSE scope END,
                  scope_reason = CASE WHEN $9 THEN $11 ELSE scope_reason END,
                  scope_decided_by = CASE WHEN $9 THEN $12::uuid ELSE scope_decided_by END,
                  scope_decided_at = CASE WHEN $9 THEN now() ELSE scope_decided_at END,
                  version = version + 1, updated_at = now()
           WHERE id = $1`,
          [
            id,
            organisationId,
            thematicAreaId,
            gradeId,
            dto.reference ?? before.reference,
            dto.title ?? before.title,
            dto.fte !== undefined ? numberToDecimalText(dto.fte) : before.fte,
            dto.establishmentStatus ?? before.establishment_status,
            decides,
            dto.scope ?? before.scope,
            dto.scopeReason ?? before.scope_reason,
            user.id,
          ],
        ),
      );
      const after = (await this.findRow(em, id))!;
      await this.audit.record(em, { action: AuditAction.Update, entityType: 'post', entityId: id, before: snapshot(before), after: snapshot(after) });
      return (await this.toResponses(em, user, [after]))[0];
    });
  }

  /**
   * Remove a post entered by mistake. A post that has (or had) holders stays: set its
   * establishment status to 'deleted' instead, which keeps its history.
   */
  remove(id: string, version: number): Promise<void> {
    return this.ds.transaction(async (em) => {
      const locked: { version: number }[] = await em.query(`SELECT version FROM posts WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked.length) throw notFound('Post', id);
      assertVersion('post', { given: version, current: locked[0].version });
      const held: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM post_assignments WHERE post_id = $1`, [id]);
      if (held[0].n > 0) {
        throw new ApiException(HttpStatus.CONFLICT, 'The post has (or had) holders: set its establishmentStatus to deleted instead', [
          { field: 'id', reason: 'has post holders' },
        ]);
      }
      const before = (await this.findRow(em, id))!;
      await em.query(`DELETE FROM posts WHERE id = $1`, [id]);
      await this.audit.record(em, { action: AuditAction.Delete, entityType: 'post', entityId: id, before: snapshot(before), metadata: { programmeId: before.programme_id } });
    });
  }

  async scopeHistory(user: AuthUser, id: string): Promise<ScopeHistoryResponse[]> {
    const row = await this.findRow(this.ds.manager, id);
    if (!row || !canSeePostInArea(user, row.thematic_area_id)) throw notFound('Post', id);
    const rows: { id: string; from_scope: Scope | null; to_scope: Scope; reason: string | null; decided_by: string | null; decided_by_name: string | null; decided_at: Date }[] =
      await this.ds.query(
        `SELECT h.id::text, h.from_scope, h.to_scope, h.reason, h.decided_by, u.display_name AS decided_by_name, h.decided_at
         FROM post_scope_history h LEFT JOIN users u ON u.id = h.decided_by
         WHERE h.post_id = $1 ORDER BY h.id`,
        [id],
      );
    return rows.map((h) => ({
      id: h.id,
      fromScope: h.from_scope,
      toScope: h.to_scope,
      reason: h.reason,
      decidedBy: h.decided_by ? { id: h.decided_by, displayName: h.decided_by_name ?? '' } : null,
      decidedAt: new Date(h.decided_at).toISOString(),
    }));
  }

  /** The post row with its organisation, area, grade and decider, or undefined. */
  async findRow(em: EntityManager, id: string): Promise<PostRow | undefined> {
    const rows: PostRow[] = await em.query(`SELECT ${POST_COLUMNS} FROM posts p ${POST_JOINS} WHERE p.id = $1`, [id]);
    return rows[0];
  }

  /**
   * The organisation must be a source (or the destination) of the programme, the area one of its
   * areas, the grade on the organisation's scale. Answers the area's default scope and name.
   */
  async checkPlacement(em: EntityManager, programmeId: string, organisationId: string, areaId: string, gradeId: string): Promise<{ scope: Scope; areaName: string }> {
    const rows: { programme: boolean; org: boolean; area_scope: Scope | null; area_name: string | null; grade_org: string | null }[] = await em.query(
      `SELECT EXISTS (SELECT 1 FROM programmes WHERE id = $1) AS programme,
              (EXISTS (SELECT 1 FROM programme_source_organisations WHERE programme_id = $1 AND organisation_id = $2)
               OR EXISTS (SELECT 1 FROM programmes WHERE id = $1 AND destination_organisation_id = $2)) AS org,
              (SELECT default_scope FROM thematic_areas WHERE id = $3 AND programme_id = $1) AS area_scope,
              (SELECT name FROM thematic_areas WHERE id = $3 AND programme_id = $1) AS area_name,
              (SELECT organisation_id FROM grades WHERE id = $4) AS grade_org`,
      [programmeId, organisationId, areaId, gradeId],
    );
    const r = rows[0];
    if (!r.programme) throw unprocessable('programmeId', `programme ${programmeId} does not exist`);
    if (!r.org) throw unprocessable('organisationId', 'is not a source or destination organisation of the programme');
    if (!r.area_scope || !r.area_name) throw unprocessable('thematicAreaId', 'is not a thematic area of the programme');
    if (r.grade_org !== organisationId) throw unprocessable('gradeId', r.grade_org ? "is not a grade on the organisation's scale" : 'does not exist');
    return { scope: r.area_scope, areaName: r.area_name };
  }

  private async toResponses(em: EntityManager, user: AuthUser, rows: PostRow[]): Promise<PostResponse[]> {
    const holders = await this.holders(em, user, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      title: r.title,
      programmeId: r.programme_id,
      organisation: { id: r.organisation_id, name: r.organisation_name, shortName: r.organisation_short_name },
      thematicArea: { id: r.thematic_area_id, name: r.area_name },
      grade: { id: r.grade_id, code: r.grade_code, rank: r.grade_rank, reportGroup: r.grade_group },
      fte: decimalTextToNumber(r.fte),
      establishmentStatus: r.establishment_status,
      scope: r.scope,
      scopeReason: r.scope_reason,
      scopeDecidedBy: r.scope_decided_by ? { id: r.scope_decided_by, displayName: r.decided_by_name ?? '' } : null,
      scopeDecidedAt: r.scope_decided_at ? new Date(r.scope_decided_at).toISOString() : null,
      holders: holders.get(r.id) ?? [],
      version: r.version,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  /** Current holders (assignments in force today). Staff numbers only for HR officers and admins. */
  private async holders(em: EntityManager, user: AuthUser, postIds: string[]): Promise<Map<string, PostHolderResponse[]>> {
    const out = new Map<string, PostHolderResponse[]>();
    if (!postIds.length) return out;
    const rows: { post_id: string; employee_id: string; first_name: string; last_name: string; staff_number: string; fte: string; starts_on: string; ends_on: string | null }[] =
      await em.query(
        `SELECT pa.post_id, e.id AS employee_id, e.first_name, e.last_name, e.staff_number, pa.fte::text AS fte,
                to_char(pa.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(pa.ends_on, 'YYYY-MM-DD') AS ends_on
         FROM post_assignments pa JOIN employees e ON e.id = pa.employee_id
         WHERE pa.post_id = ANY($1::uuid[]) AND pa.starts_on <= current_date AND (pa.ends_on IS NULL OR pa.ends_on >= current_date)
         ORDER BY pa.post_id, pa.starts_on, e.last_name`,
        [postIds],
      );
    const staff = isStaff(user);
    for (const r of rows) {
      const h: PostHolderResponse = {
        employeeId: r.employee_id,
        name: `${r.first_name} ${r.last_name}`,
        ...(staff ? { staffNumber: r.staff_number } : {}),
        fte: decimalTextToNumber(r.fte),
        startsOn: r.starts_on,
        endsOn: r.ends_on,
      };
      out.set(r.post_id, [...(out.get(r.post_id) ?? []), h]);
    }
    return out;
  }
}
