import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SchemaProbe } from './schema-probe';

export interface OutboxEvent {
  id: string;
  type: string;
  programme_id: string | null;
  entity_type: string;
  entity_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

export interface EventFacts {
  programmeName: string | null;
  /** What the database says about the entity now; the event's payload is laid over it. */
  facts: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Looks up what a notice needs about the event's entity, so emitters need not copy every
 * title and date into the payload. Each lookup runs only once its feature's tables exist.
 */
@Injectable()
export class EventFactsService {
  constructor(private readonly schema: SchemaProbe) {}

  async lookup(em: EntityManager, e: OutboxEvent): Promise<EventFacts> {
    const programmeName = e.programme_id ? await this.programmeName(em, e.programme_id) : null;
    const facts = UUID.test(e.entity_id) ? await this.entityFacts(em, e.entity_type, e.entity_id) : {};
    return { programmeName, facts };
  }

  private async programmeName(em: EntityManager, id: string): Promise<string | null> {
    const [row]: { name: string }[] = await em.query(`SELECT name FROM programmes WHERE id = $1`, [id]);
    return row?.name ?? null;
  }

  private async one(em: EntityManager, sql: string, id: string): Promise<Record<string, unknown>> {
    const [row]: Record<string, unknown>[] = await em.query(sql, [id]);
    if (!row) return {};
    return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined));
  }

  private async entityFacts(em: EntityManager, entityType: string, id: string): Promise<Record<string, unknown>> {
    switch (entityType) {
      case 'milestone':
        if (!(await this.schema.hasAll('milestones', 'consultations'))) return {};
        return this.one(
          em,
          `SELECT m.title, m.kind, m.due_date::text AS "dueDate", m.completed_on::text AS "completedOn", m.status,
                  m.audience, m.owner_user_id AS "ownerUserId", c.id AS "consultationId", c.title AS "consultationTitle"
           FROM milestones m JOIN consultations c ON c.id = m.consultation_id WHERE m.id = $1`,
          id,
        );
      case 'consultation':
        if (!(await this.schema.has('consultations'))) return {};
        return this.one(
          em,
          `SELECT id AS "consultationId", title, kind, status, start_date::text AS "startDate", planned_end_date::text AS "plannedEndDate",
                  extension_reason AS "extensionReason", closed_on::text AS "closedOn", closing_summary AS "closingSummary"
           FROM consultations WHERE id = $1`,
          id,
        );
      case 'forum_meeting':
        if (!(await this.schema.has('forum_meetings'))) return {};
        return this.one(
          em,
          `SELECT title, starts_at AS "startsAt", ends_at AS "endsAt", location, status, consultation_id AS "consultationId",
                  cancellation_reason AS "cancellationReason", minutes_published_at AS "minutesPublishedAt"
           FROM forum_meetings WHERE id = $1`,
          id,
        );
      case 'representation':
        if (!(await this.schema.hasAll('representations', 'unions'))) return {};
        return this.one(
          em,
          `SELECT r.subject, u.name AS "unionName", r.received_at AS "receivedAt", r.responded_at AS "respondedAt",
                  r.consultation_id AS "consultationId"
           FROM representations r LEFT JOIN unions u ON u.id = r.union_id WHERE r.id = $1`,
          id,
        );
      case 'transition_case':
      case 'case':
        if (!(await this.schema.has('transition_cases'))) return {};
        // The destination is where the person will work: the host of a secondment, the receiving
        // body of a transfer (the programme's destination when the case does not name one yet).
        return this.one(
          em,
          `SELECT tc.state AS "toState", tc.route, p.reference AS "postReference", p.title AS "postTitle",
                  p.thematic_area_id AS "thematicAreaId", g.code AS "oldGrade", ng.code AS "newGrade",
                  CASE tc.route
                    WHEN 'secondment' THEN host.name
                    WHEN 'remains_with_council' THEN postorg.name
                    WHEN 'redeployment' THEN coalesce(dest.name, postorg.name)
                    WHEN 'leaves' THEN 'leaving the organisation'
                    WHEN 'undecided' THEN dest.name
                    ELSE coalesce(dest.name, pdest.name)
                  END AS destination,
                  coalesce(tc.actual_effective_date, tc.proposed_effective_date, tc.secondment_start_date)::text AS "effectiveDate",
                  e.first_name || ' ' || e.last_name AS "employeeName", e.staff_number AS "staffNumber"
           FROM transition_cases tc
           JOIN posts p ON p.id = tc.post_id
           JOIN grades g ON g.id = p.grade_id
           JOIN organisations postorg ON postorg.id = p.organisation_id
           JOIN programmes pr ON pr.id = tc.programme_id
           JOIN employees e ON e.id = tc.employee_id
           LEFT JOIN grades ng ON ng.id = tc.new_grade_id
           LEFT JOIN organisations dest ON dest.id = tc.destination_organisation_id
           LEFT JOIN organisations host ON host.id = tc.host_organisation_id
           LEFT JOIN organisations pdest ON pdest.id = pr.destination_organisation_id
           WHERE tc.id = $1`,
          id,
        );
      default:
        return {};
    }
  }
}
