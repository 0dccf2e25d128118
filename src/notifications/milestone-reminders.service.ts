import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';

interface DueMilestone {
  id: string;
  title: string;
  kind: string;
  due_date: string;
  days_left: number;
  reminder_offsets: number[];
  audience: string[];
  owner_user_id: string | null;
  consultation_id: string;
  consultation_title: string;
  programme_id: string;
}

/** The reminder due today for a milestone `daysLeft` days away: the smallest offset not below it. */
export function reminderOffset(daysLeft: number, offsets: number[]): number | null {
  const candidates = offsets.filter((o) => o >= daysLeft);
  return candidates.length ? Math.min(...candidates) : null;
}

/** Today's date in London ('YYYY-MM-DD'): reminders and deadlines follow the UK calendar. */
export const LONDON_TODAY = `(now() AT TIME ZONE 'Europe/London')::date`;

/**
 * Emits milestone.upcoming for each pending milestone at its current reminder offset (a
 * milestone 5 days away with offsets {14,7,1} gets its 7-day reminder; one skipped while the
 * worker was down is not sent late), and milestone.missed for pending milestones past their
 * due date. Dedupe keys (milestone x offset x due date) make a rerun emit nothing new; moving
 * a due date makes its reminders due again.
 */
@Injectable()
export class MilestoneRemindersService {
  private readonly logger = new Logger('MilestoneReminders');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** `today` ('YYYY-MM-DD') for tests; by default the London date now. */
  async run(today?: string): Promise<{ upcoming: number; missed: number }> {
    return this.db.transaction(async (em) => {
      const rows: DueMilestone[] = await em.query(
        `WITH t AS (SELECT coalesce($1::date, ${LONDON_TODAY}) AS d)
         SELECT m.id, m.title, m.kind, m.due_date::text AS due_date, (m.due_date - t.d) AS days_left, m.reminder_offsets, m.audience,
                m.owner_user_id, c.id AS consultation_id, c.title AS consultation_title, c.programme_id
         FROM milestones m JOIN consultations c ON c.id = m.consultation_id CROSS JOIN t
         WHERE m.status = 'pending' AND c.status <> 'closed'
           AND (m.due_date < t.d OR m.due_date - t.d <= (SELECT max(o) FROM unnest(m.reminder_offsets) o))
         ORDER BY m.due_date, m.id`,
        [today ?? null],
      );
      let upcoming = 0;
      let missed = 0;
      for (const m of rows) {
        const payload = {
          milestoneId: m.id,
          consultationId: m.consultation_id,
          consultationTitle: m.consultation_title,
          title: m.title,
          kind: m.kind,
          dueDate: m.due_date,
          audience: m.audience,
          ownerUserId: m.owner_user_id,
        };
        if (m.days_left < 0) {
          const id = await this.outbox.emit(em, {
            type: DomainEventType.MilestoneMissed,
            programmeId: m.programme_id,
            entityType: 'milestone',
            entityId: m.id,
            payload: { ...payload, daysOverdue: -m.days_left },
            dedupeKey: `milestone.missed:${m.id}:${m.due_date}`,
          });
          if (id) missed++;
          continue;
        }
        const offset = reminderOffset(m.days_left, m.reminder_offsets);
        if (offset === null) continue;
        const id = await this.outbox.emit(em, {
          type: DomainEventType.MilestoneUpcoming,
          programmeId: m.programme_id,
          entityType: 'milestone',
          entityId: m.id,
          payload: { ...payload, daysLeft: m.days_left, offsetDays: offset },
          dedupeKey: `milestone.upcoming:${m.id}:${offset}d:${m.due_date}`,
        });
        if (id) upcoming++;
      }
      if (upcoming || missed) this.logger.log({ upcoming, missed }, 'milestone notices emitted');
      return { upcoming, missed };
    });
  }
}
