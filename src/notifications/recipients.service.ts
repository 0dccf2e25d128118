import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Role } from '../common/access/role.enum';
import { DomainEventType } from '../events/domain-event';
import { NotificationChannel } from './notification.types';

/** Who hears of an event. A milestone names its own audience (milestones.audience). */
export type AudienceName = 'forum' | 'hr' | 'managers' | 'affected_staff' | 'owner' | 'case_managers';

export interface Recipient {
  /** `user:<id>`, `email:<address>` or `webhook:<subscription id>`: one delivery per key and channel. */
  key: string;
  userId: string | null;
  email: string | null;
  /** May see an individual's personal data: admins, HR officers and managers with an account. */
  personal: boolean;
  channels: NotificationChannel[];
  webhook?: { id: string; url: string };
}

export interface RecipientQuery {
  type: string;
  programmeId: string | null;
  /** The event's payload (audience, ownerUserId, thematicAreaId, consultationId). */
  data: Record<string, unknown>;
}

const MILESTONE_EVENTS: string[] = [DomainEventType.MilestoneUpcoming, DomainEventType.MilestoneReached, DomainEventType.MilestoneMissed];
const KNOWN_AUDIENCES = new Set<AudienceName>(['forum', 'hr', 'managers', 'affected_staff']);

/** The audiences of each event type (milestones: their own list, plus the owner). */
export function audiencesFor(type: string, data: Record<string, unknown>): AudienceName[] {
  if (MILESTONE_EVENTS.includes(type)) {
    const listed = Array.isArray(data.audience) ? (data.audience as unknown[]).filter((a): a is AudienceName => KNOWN_AUDIENCES.has(a as AudienceName)) : [];
    return [...(listed.length ? listed : (['forum', 'hr'] as AudienceName[])), 'owner'];
  }
  switch (type) {
    case DomainEventType.ConsultationOpened:
    case DomainEventType.ConsultationExtended:
    case DomainEventType.ConsultationClosed:
      return ['forum', 'hr', 'managers'];
    case DomainEventType.ForumMeetingScheduled:
    case DomainEventType.ForumMeetingChanged:
    case DomainEventType.ForumMeetingCancelled:
    case DomainEventType.ForumMinutesPublished:
    case DomainEventType.RepresentationAnswered:
      return ['forum', 'hr'];
    case DomainEventType.CaseStateChanged:
      return ['hr', 'case_managers'];
    case DomainEventType.DeadlinesOverdue:
    default:
      return ['hr'];
  }
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
}

const PERSONAL_ROLES: string[] = [Role.Admin, Role.HrOfficer, Role.Manager];
const isUuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/**
 * Resolves an event to its recipients: people with an account get email and the in-app feed;
 * forum members without an account and affected staff get email; matching webhook
 * subscriptions get a signed POST. Deactivated accounts and members who have left get nothing.
 */
@Injectable()
export class RecipientsService {
  async resolve(em: EntityManager, q: RecipientQuery): Promise<Recipient[]> {
    const byKey = new Map<string, Recipient>();
    const emailsOfUsers = new Set<string>();
    const addUser = (u: UserRow) => {
      const key = `user:${u.id}`;
      if (byKey.has(key)) return;
      emailsOfUsers.add(u.email.toLowerCase());
      byKey.set(key, { key, userId: u.id, email: u.email, personal: PERSONAL_ROLES.includes(u.role), channels: [NotificationChannel.Email, NotificationChannel.InApp] });
    };
    const emailOnly: string[] = [];

    for (const audience of audiencesFor(q.type, q.data)) {
      const found = await this.audience(em, audience, q);
      found.users.forEach(addUser);
      emailOnly.push(...found.emails);
    }
    for (const raw of emailOnly) {
      const email = raw.toLowerCase();
      const key = `email:${email}`;
      if (emailsOfUsers.has(email) || byKey.has(key)) continue;
      byKey.set(key, { key, userId: null, email, personal: false, channels: [NotificationChannel.Email] });
    }
    for (const w of await this.webhooks(em, q)) {
      byKey.set(`webhook:${w.id}`, { key: `webhook:${w.id}`, userId: null, email: null, personal: false, channels: [NotificationChannel.Webhook], webhook: w });
    }
    return [...byKey.values()];
  }

  private async audience(em: EntityManager, audience: AudienceName, q: RecipientQuery): Promise<{ users: UserRow[]; emails: string[] }> {
    const none = { users: [], emails: [] };
    const p = q.programmeId;
    switch (audience) {
      case 'hr':
        return { users: await em.query(`SELECT id, email, role FROM users WHERE role = 'hr_officer' AND is_active ORDER BY id`), emails: [] };
      case 'managers':
        if (!p) return none;
        return {
          users: await em.query(
            `SELECT DISTINCT u.id, u.email, u.role FROM users u JOIN user_scopes s ON s.user_id = u.id
             WHERE u.role = 'manager' AND u.is_active AND s.programme_id = $1 ORDER BY u.id`,
            [p],
          ),
          emails: [],
        };
      case 'case_managers': {
        const area = q.data.thematicAreaId;
        if (!p || !isUuid(area)) return none;
        return {
          users: await em.query(
            `SELECT DISTINCT u.id, u.email, u.role FROM users u JOIN user_scopes s ON s.user_id = u.id
             WHERE u.role = 'manager' AND u.is_active AND s.programme_id = $1 AND s.thematic_area_id = $2 ORDER BY u.id`,
            [p, area],
          ),
          emails: [],
        };
      }
      case 'owner': {
        const owner = q.data.ownerUserId;
        if (!isUuid(owner)) return none;
        return { users: await em.query(`SELECT id, email, role FROM users WHERE id = $1 AND is_active`, [owner]), emails: [] };
      }
      case 'forum': {
        if (!p) return none;
        // tu_reps are scoped to the programmes whose forum they sit on.
        const users: UserRow[] = await em.query(
          `SELECT DISTINCT u.id, u.email, u.role FROM users u JOIN user_scopes s ON s.user_id = u.id
           WHERE u.role = 'tu_rep' AND u.is_active AND s.programme_id = $1 ORDER BY u.id`,
          [p],
        );
        const emails: string[] = [];
        {
          const members: { email: string; user_id: string | null; u_email: string | null; role: Role | null; is_active: boolean | null }[] = await em.query(
            `SELECT m.email, m.user_id, u.email AS u_email, u.role, u.is_active
             FROM forum_members m JOIN forums f ON f.id = m.forum_id LEFT JOIN users u ON u.id = m.user_id
             WHERE f.programme_id = $1 AND (m.left_on IS NULL OR m.left_on > (now() AT TIME ZONE 'Europe/London')::date)
             ORDER BY m.email`,
            [p],
          );
          for (const m of members) {
            if (m.user_id && m.u_email && m.role) {
              if (m.is_active) users.push({ id: m.user_id, email: m.u_email, role: m.role });
            } else emails.push(m.email);
          }
        }
        return { users, emails };
      }
      case 'affected_staff': {
        if (!p) return none;
        const consultationId = q.data.consultationId;
        const hasPosts = isUuid(consultationId);
        // Staff holding a post the consultation covers (or, when it lists none, an in-scope post of the programme).
        const rows: { email: string }[] = await em.query(
          `SELECT DISTINCT e.work_email AS email
           FROM employees e JOIN post_assignments a ON a.employee_id = e.id JOIN posts p ON p.id = a.post_id
           WHERE e.work_email IS NOT NULL AND p.programme_id = $1
             AND a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date)
             AND ${
               hasPosts
                 ? `(p.id IN (SELECT post_id FROM consultation_posts WHERE consultation_id = $2)
                     OR (NOT EXISTS (SELECT 1 FROM consultation_posts WHERE consultation_id = $2) AND p.scope = 'in_scope'))`
                 : `p.scope = 'in_scope'`
             }
           ORDER BY 1`,
          hasPosts ? [p, consultationId] : [p],
        );
        return { users: [], emails: rows.map((r) => r.email) };
      }
    }
  }

  private async webhooks(em: EntityManager, q: RecipientQuery): Promise<{ id: string; url: string }[]> {
    return em.query(
      `SELECT id, url FROM webhook_subscriptions
       WHERE is_active AND (programme_id IS NULL OR programme_id = $1) AND (cardinality(event_types) = 0 OR $2 = ANY (event_types))
       ORDER BY id`,
      [q.programmeId, q.type],
    );
  }
}
