import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { DomainEvent, PROGRAMME_NAME_KEY } from './domain-event';

@Injectable()
export class OutboxService {
  /**
   * Record an event in the caller's transaction, with the programme's name as it is now (a notice
   * written later names the programme as it was). Returns the event id, or null when an event with
   * the same dedupeKey was already recorded.
   */
  async emit(em: EntityManager, e: DomainEvent): Promise<string | null> {
    const ctx = RequestContext.get();
    const rows: { id: string }[] = await em.query(
      `INSERT INTO domain_events (type, programme_id, entity_type, entity_id, payload, dedupe_key, actor_id, request_id)
       SELECT $1, $2, $3, $4, $5::jsonb || jsonb_build_object($9::text, (SELECT name FROM programmes WHERE id = $2)), $6, $7, $8
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [e.type, e.programmeId, e.entityType, e.entityId, JSON.stringify(e.payload), e.dedupeKey ?? randomUUID(), ctx.user?.id ?? null, ctx.requestId ?? null, PROGRAMME_NAME_KEY],
    );
    return rows[0]?.id ?? null;
  }
}
