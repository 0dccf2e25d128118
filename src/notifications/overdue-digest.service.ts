import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { LONDON_TODAY } from './milestone-reminders.service';
import { DEADLINE_LABELS } from '../cases/case-labels';
import type { DeadlineKind } from '../cases/case-rules';
import { loadCaseDeadlines } from '../cases/case-deadlines';
import { REMINDER_KINDS } from '../cases/case-rules';
import { daysBetween } from '../common/dates';

interface OverdueItem {
  programme_id: string;
  kind: string;
  title: string;
  due_date: string;
  days_overdue: number;
  context: string | null;
  employee_id: string | null;
  case_id: string | null;
  consultation_id: string | null;
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
  ) {}

  async run(today?: string): Promise<{ programmes: number }> {
    return this.db.transaction(async (em) => {
      const [{ d }]: { d: string }[] = await em.query(`SELECT coalesce($1::date, ${LONDON_TODAY})::text AS d`, [today ?? null]);
      const items: OverdueItem[] = await em.query(
        `SELECT c.programme_id, 'milestone' AS kind, m.title, m.due_date::text AS due_date, ($1::date - m.due_date) AS days_overdue,
                c.title AS context, NULL::uuid AS employee_id, NULL::uuid AS case_id, c.id AS consultation_id
         FROM milestones m JOIN consultations c ON c.id = m.consultation_id
         WHERE m.status = 'pending' AND c.status <> 'closed' AND m.due_date < $1::date`,
        [d],
      );
      // Case deadlines are computed by the statutory rules in TypeScript (src/statutory/rules.ts), the one source.
      {
        const overdue = (await loadCaseDeadlines(em, null)).filter((x) => !REMINDER_KINDS.includes(x.kind) && !(x.doneOn && x.doneOn <= d) && x.dueOn < d);
        const ids = [...new Set(overdue.map((x) => x.caseId))];
        const ctx: { id: string; state: string; context: string; employee_id: string }[] = ids.length
          ? await em.query(
              `SELECT tc.id, tc.state, p.reference || ' ' || p.title AS context, tc.employee_id
               FROM transition_cases tc JOIN posts p ON p.id = tc.post_id WHERE tc.id = ANY($1::uuid[])`,
              [ids],
            )
          : [];
        const byId = new Map(ctx.map((c) => [c.id, c]));
        for (const x of overdue) {
          const c = byId.get(x.caseId);
          if (!c || c.state === 'completed') continue;
          items.push({
            programme_id: x.programmeId,
            kind: x.kind,
            title: DEADLINE_LABELS[x.kind as DeadlineKind] ?? x.kind.replace(/_/g, ' '),
            due_date: x.dueOn,
            days_overdue: daysBetween(x.dueOn, d),
            context: c.context,
            employee_id: c.employee_id,
            case_id: x.caseId,
            consultation_id: x.consultationId ?? null,
          });
        }
      }
      items.sort((a, b) => a.programme_id.localeCompare(b.programme_id) || a.due_date.localeCompare(b.due_date) || a.title.localeCompare(b.title));
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
              caseId: i.case_id,
              consultationId: i.consultation_id,
              employeeId: i.employee_id,
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
