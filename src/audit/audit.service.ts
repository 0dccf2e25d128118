import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { RequestContext } from '../common/request-context';
import type { AuditActionName } from './audit-action';
import type { FieldChanges } from './entities/audit-entry.entity';

export interface AuditRecord {
  action: AuditActionName;
  entityType: string;
  entityId?: string | null;
  /** State before the change (null/absent for a create); only changed fields are kept. */
  before?: Record<string, unknown> | null;
  /** State after the change (null/absent for a delete). */
  after?: Record<string, unknown> | null;
  metadata?: Record<string, unknown>;
  /** Defaults to the signed-in caller of the current request; null means the system. */
  actor?: Pick<AuthUser, 'id' | 'email'> | null;
  /** For events with no signed-in actor (a failed sign-in): who it claimed to be. */
  actorLabel?: string;
}

const norm = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/** Fields whose values differ between before and after, as { field: { from, to } }. */
export function diffFields(before?: Record<string, unknown> | null, after?: Record<string, unknown> | null): FieldChanges | null {
  if (!before && !after) return null;
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: FieldChanges = {};
  for (const k of keys) {
    const from = norm(before?.[k]);
    const to = norm(after?.[k]);
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from: before ? from : null, to: after ? to : null };
  }
  return out;
}

/**
 * Writes audit rows. Always pass the EntityManager of the transaction that makes
 * the change, so the change and its audit row commit or roll back together.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(em: EntityManager, r: AuditRecord): Promise<void> {
    const ctx = RequestContext.get();
    const actor = r.actor === undefined ? ctx.user : r.actor;
    await em.query(
      `INSERT INTO audit_log (actor_id, actor_label, action, entity_type, entity_id, changes, metadata, request_id, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        actor?.id ?? null,
        r.actorLabel ?? actor?.email ?? 'system',
        r.action,
        r.entityType,
        r.entityId ?? null,
        JSON.stringify(diffFields(r.before, r.after)),
        r.metadata ? JSON.stringify(r.metadata) : null,
        ctx.requestId ?? null,
        ctx.ip ?? null,
      ],
    );
  }

  /** For events that change nothing else (sign-in, export): a transaction of its own. */
  async recordAlone(r: AuditRecord): Promise<void> {
    await this.dataSource.transaction((em) => this.record(em, r));
  }
}
