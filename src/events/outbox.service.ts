import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { DomainEventInput } from './domain-event';

@Injectable()
export class OutboxService {
  /**
   * Record an event in the caller's transaction. Returns the event id, or null when an
   * event with the same dedupeKey was already recorded.
   */
  async emit(em: EntityManager, e: DomainEventInput): Promise<string | null> {
    const ctx = RequestContext.get();
    const rows: { id: string }[] = await em.query(
      `INSERT INTO domain_events (type, programme_id, entity_type, entity_id, payload, dedupe_key, actor_id, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [e.type, e.programmeId, e.entityType, e.entityId, JSON.stringify(e.payload), e.dedupeKey ?? randomUUID(), ctx.user?.id ?? null, ctx.requestId ?? null],
    );
    return rows[0]?.id ?? null;
  }
}
