import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { LONDON_TODAY } from './milestone-reminders.service';
import { SchemaProbe } from './schema-probe';

interface OverdueItem {
  programme_id: string;
  kind: string;
  title: string;
  due_date: string;
  days_overdue: number;
  context: string | null;
  employee_name: string | null;
}

/**
 * Once a day, per programme, one deadlines.overdue event listing what is past due and not
 * done: pending milestones of open consultations and open case deadlines (ELI, measures
 * letter, secondment review). It goes to HR (see recipients); one per programme per day.
 */
@Injectable()
export class OverdueDigestService {
  private readonly logger = new Logger('OverdueDigest');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly schema: SchemaProbe,
  ) {}

  async run(today?: string): Promise<{ programmes: number }> {
    const parts: string[] = [];
    if (await this.schema.hasAll('milestones', 'consultations')) {
      parts.push(`
        SELECT c.programme_id, 'milestone' AS kind, m.title, m.due_date::text AS due_date, (t.d - m.due_date) AS days_overdue,
               c.title AS context, NULL::text AS employee_name
        FROM milestones m JOIN consultations c ON c.id = m.consultation_id CROSS JOIN t
        WHERE m.status = 'pending' AND c.status <> 'closed' AND m.due_date < t.d`);
    }
    if (await this.schema.hasAll('case_deadlines', 'transition_cases')) {
      parts.push(`
        SELECT tc.programme_id, d.kind, replace(d.kind, '_', ' ') AS title, d.due_on::text AS due_date, (t.d - d.due_on) AS days_overdue,
               p.reference || ' ' || p.title AS context, e.first_name || ' ' || e.last_name AS employee_name
        FROM case_deadlines d JOIN transition_cases tc ON tc.id = d.case_id JOIN posts p ON p.id = tc.post_id
        JOIN employees e ON e.id = tc.employee_id CROSS JOIN t
        WHERE d.done_on IS NULL AND d.due_on < t.d AND tc.state NOT IN ('withdrawn', 'completed')`);
    }
    if (!parts.length) return { programmes: 0 };
    return this.db.transaction(async (em) => {
      const [{ d }]: { d: string }[] = await em.query(`SELECT coalesce($1::date, ${LONDON_TODAY})::text AS d`, [today ?? null]);
      const items: OverdueItem[] = await em.query(
        `WITH t AS (SELECT $1::date AS d) ${parts.join(' UNION ALL ')} ORDER BY 1, 4, 3`,
        [d],
      );
      const byProgramme = new Map<string, OverdueItem[]>();
      for (const it of items) byProgramme.set(it.programme_id, [...(byProgramme.get(it.programme_id) ?? []), it]);
      let programmes = 0;
      for (const [programmeId, list] of byProgramme) {
        const id = await this.outbox.emit(em, {
          type: DomainEventType.DeadlinesOverdue,
          programmeId,
          entityType: 'programme',
          entityId: programmeId,
          payload: {
            date: d,
            items: list.map((i) => ({
              kind: i.kind,
              title: i.title,
              dueDate: i.due_date,
              daysOverdue: i.days_overdue,
              context: i.context,
              ...(i.employee_name ? { employeeName: i.employee_name } : {}),
            })),
          },
          dedupeKey: `deadlines.overdue:${programmeId}:${d}`,
        });
        if (id) programmes++;
      }
      if (programmes) this.logger.log({ programmes, date: d }, 'overdue digest emitted');
      return { programmes };
    });
  }
}
