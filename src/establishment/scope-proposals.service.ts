import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';
import { CreateScopeProposalDto, DecideScopeProposalDto, ListScopeProposalsQuery, ScopeProposalResponse } from './dto/scope-proposal.dto';
import { canSeePostInArea, postAreaFilter } from './establishment-access';
import { Scope, ScopeProposalKind, ScopeProposalStatus } from './establishment.constants';
import { notFound, unprocessable, withConstraintFields } from './establishment-errors';
import { assertVersion } from '../common/errors/stale-version';

interface ProposalRow {
  id: string;
  post_id: string;
  post_reference: string;
  programme_id: string;
  thematic_area_id: string;
  kind: ScopeProposalKind;
  current_scope: Scope;
  proposed_scope: Scope;
  reason: string;
  proposed_by: string;
  proposed_by_name: string;
  status: ScopeProposalStatus;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  version: number;
  created_at: Date;
}

const SELECT = `
  SELECT s.id, s.post_id, p.reference AS post_reference, p.programme_id, p.thematic_area_id, s.kind, s.current_scope, s.proposed_scope,
         s.reason, s.proposed_by, pu.display_name AS proposed_by_name, s.status, s.decided_by, du.display_name AS decided_by_name,
         s.decided_at, s.decision_reason, s.version, s.created_at
  FROM scope_proposals s
  JOIN posts p ON p.id = s.post_id
  JOIN users pu ON pu.id = s.proposed_by
  LEFT JOIN users du ON du.id = s.decided_by`;

function toResponse(r: ProposalRow): ScopeProposalResponse {
  return {
    id: r.id,
    postId: r.post_id,
    postReference: r.post_reference,
    programmeId: r.programme_id,
    thematicAreaId: r.thematic_area_id,
    kind: r.kind,
    currentScope: r.current_scope,
    proposedScope: r.proposed_scope,
    reason: r.reason,
    proposedBy: { id: r.proposed_by, displayName: r.proposed_by_name },
    status: r.status,
    decidedBy: r.decided_by ? { id: r.decided_by, displayName: r.decided_by_name ?? '' } : null,
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    decisionReason: r.decision_reason,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const ONE_OPEN = { scope_proposals_one_open_key: { field: 'postId', reason: 'already has an open proposal of yours: withdraw it first' } };

/**
 * A manager proposes (or challenges) the scope of a post in their areas; an HR officer or admin
 * accepts it (the post takes the scope, as a decision with the reason given) or rejects it.
 */
@Injectable()
export class ScopeProposalsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, q: ListScopeProposalsQuery): Promise<ScopeProposalResponse[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const areas = postAreaFilter(user);
    if (areas !== null) {
      if (!areas.length) return [];
      params.push(areas);
      where.push(`p.thematic_area_id = ANY($${params.length}::uuid[])`);
    }
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(`${sql} $${params.length}`);
    };
    if (q.programmeId) add('p.programme_id =', q.programmeId);
    if (q.postId) add('s.post_id =', q.postId);
    if (q.status) add('s.status =', q.status);
    const rows: ProposalRow[] = await this.ds.query(
      `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.created_at DESC, s.id LIMIT 1000`,
      params,
    );
    return rows.map(toResponse);
  }

  async get(user: AuthUser, id: string): Promise<ScopeProposalResponse> {
    const row = await this.find(this.ds.manager, id);
    if (!row || !canSeePostInArea(user, row.thematic_area_id)) throw notFound('Scope proposal', id);
    return toResponse(row);
  }

  create(user: AuthUser, postId: string, dto: CreateScopeProposalDto): Promise<ScopeProposalResponse> {
    return this.ds.transaction(async (em) => {
      const posts: { scope: Scope; thematic_area_id: string; establishment_status: string; scope_decided_at: Date | null }[] = await em.query(
        `SELECT scope, thematic_area_id, establishment_status, scope_decided_at FROM posts WHERE id = $1 FOR SHARE`,
        [postId],
      );
      const post = posts[0];
      if (!post || !canSeePostInArea(user, post.thematic_area_id)) throw notFound('Post', postId);
      if (post.establishment_status === 'deleted') throw unprocessable('postId', 'is a deleted post');
      if (dto.scope === post.scope) throw unprocessable('scope', `is already the post's scope (${post.scope})`);
      const rows: { id: string }[] = await withConstraintFields(ONE_OPEN, () =>
        em.query(
          `INSERT INTO scope_proposals (post_id, kind, current_scope, proposed_scope, reason, proposed_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [postId, dto.kind ?? ScopeProposalKind.Proposal, post.scope, dto.scope, dto.reason, user.id],
        ),
      );
      const created = (await this.find(em, rows[0].id))!;
      await this.audit.record(em, {
        action: AuditAction.Create,
        entityType: 'scope_proposal',
        entityId: created.id,
        after: { postId, kind: created.kind, currentScope: created.current_scope, proposedScope: created.proposed_scope, reason: created.reason },
      });
      return toResponse(created);
    });
  }

  decide(user: AuthUser, id: string, dto: DecideScopeProposalDto): Promise<ScopeProposalResponse> {
    return this.ds.transaction((em) => this.decideIn(em, user, id, dto));
  }

  /**
   * Decide several proposals the same way, with one reason, all or none (one transaction): a stale
   * version or an already decided proposal among them is a 409 and nothing changes.
   */
  decideAll(user: AuthUser, items: { id: string; version: number }[], decision: 'accept' | 'reject', reason: string): Promise<ScopeProposalResponse[]> {
    // Lock in id order, so two bulk decisions over the same proposals cannot deadlock.
    const sorted = [...items].sort((a, b) => a.id.localeCompare(b.id));
    return this.ds.transaction(async (em) => {
      const out: ScopeProposalResponse[] = [];
      for (const it of sorted) {
        const row = await this.find(em, it.id);
        if (!row || !canSeePostInArea(user, row.thematic_area_id)) throw notFound('Scope proposal', it.id);
        out.push(await this.decideIn(em, user, it.id, { decision, reason, version: it.version }));
      }
      return out;
    });
  }

  private async decideIn(em: EntityManager, user: AuthUser, id: string, dto: DecideScopeProposalDto): Promise<ScopeProposalResponse> {
    const locked: { version: number; status: ScopeProposalStatus; post_id: string; proposed_scope: Scope }[] = await em.query(
      `SELECT version, status, post_id, proposed_scope FROM scope_proposals WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const current = locked[0];
    if (!current) throw notFound('Scope proposal', id);
    assertVersion('scope proposal', { given: dto.version, current: current.version });
    if (current.status !== ScopeProposalStatus.Open) {
      throw new ApiException(HttpStatus.CONFLICT, `The proposal is already ${current.status}`, [{ field: 'status', reason: `is ${current.status}, not open` }]);
    }
    const accepted = dto.decision === 'accept';
    await em.query(
      `UPDATE scope_proposals SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, accepted ? ScopeProposalStatus.Accepted : ScopeProposalStatus.Rejected, user.id, dto.reason],
    );
    if (accepted) {
      const before: { scope: Scope; scope_reason: string | null }[] = await em.query(`SELECT scope, scope_reason FROM posts WHERE id = $1 FOR UPDATE`, [current.post_id]);
      await em.query(
        `UPDATE posts SET scope = $2, scope_reason = $3, scope_decided_by = $4, scope_decided_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
        [current.post_id, current.proposed_scope, dto.reason, user.id],
      );
      await this.audit.record(em, {
        action: AuditAction.Update,
        entityType: 'post',
        entityId: current.post_id,
        before: { scope: before[0].scope, scopeReason: before[0].scope_reason },
        after: { scope: current.proposed_scope, scopeReason: dto.reason },
        metadata: { via: 'scope_proposal', scopeProposalId: id },
      });
    }
    const after = (await this.find(em, id))!;
    await this.audit.record(em, {
      action: AuditAction.StateChange,
      entityType: 'scope_proposal',
      entityId: id,
      before: { status: ScopeProposalStatus.Open },
      after: { status: after.status, decisionReason: dto.reason },
    });
    return toResponse(after);
  }

  /** The proposer takes their open proposal back. */
  withdraw(user: AuthUser, id: string, version: number): Promise<ScopeProposalResponse> {
    return this.ds.transaction(async (em) => {
      const row = await this.find(em, id, true);
      if (!row || row.proposed_by !== user.id) throw notFound('Scope proposal', id);
      assertVersion('scope proposal', { given: version, current: row.version });
      if (row.status !== ScopeProposalStatus.Open) {
        throw new ApiException(HttpStatus.CONFLICT, `The proposal is already ${row.status}`, [{ field: 'status', reason: `is ${row.status}, not open` }]);
      }
      await em.query(
        `UPDATE scope_proposals SET status = 'withdrawn', decided_by = $2, decided_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
        [id, user.id],
      );
      await this.audit.record(em, { action: AuditAction.StateChange, entityType: 'scope_proposal', entityId: id, before: { status: 'open' }, after: { status: 'withdrawn' } });
      return toResponse((await this.find(em, id))!);
    });
  }

  private async find(em: EntityManager, id: string, lock = false): Promise<ProposalRow | undefined> {
    const rows: ProposalRow[] = await em.query(`${SELECT} WHERE s.id = $1 ${lock ? 'FOR UPDATE OF s' : ''}`, [id]);
    return rows[0];
  }
}
