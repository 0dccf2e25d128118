import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { ForumActionStatus } from '../forum/entities/forum-action.entity';
import { ForumMeetingStatus } from '../forum/entities/forum-meeting.entity';
import { RepresentationStatus } from '../forum/entities/representation.entity';
import { ForumMeetingsService } from '../forum/forum-meetings.service';
import { ForumService } from '../forum/forum.service';
import { RepresentationsService } from '../forum/representations.service';
import { ConsultationsService } from './consultations.service';
import { daysBetween, startOfDayInLondon, todayInLondon } from '../common/dates';
import { ConsultationResponse } from './dto/consultation.dto';
import { AffectedSummary, ConsultationStatusResponse } from './dto/consultation-status.dto';
import { MilestoneStatus } from './entities/milestone.entity';
import { MilestonesService } from './milestones.service';
import { showTotal, suppressSmallCounts } from '../common/small-counts';
import { timeline } from './timeline';

/** The reps' view of a consultation (GET /consultations/:id/status): counts, dates and documents, never people. */
@Injectable()
export class ConsultationStatusService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly consultations: ConsultationsService,
    private readonly milestones: MilestonesService,
    private readonly forums: ForumService,
    private readonly meetings: ForumMeetingsService,
    private readonly representations: RepresentationsService,
  ) {}

  async status(user: AuthUser, id: string, asOfGiven?: string): Promise<ConsultationStatusResponse> {
    const c = await this.consultations.get(user, id);
    const { rule } = await this.consultations.withRule(c);
    const asOf = asOfGiven ?? todayInLondon();
    // "Next" meeting: from now, or from the start of the asOf day when a date is asked for.
    const from = asOfGiven ? startOfDayInLondon(asOfGiven) : new Date();

    const milestones = (await this.milestones.listFor(user, id)).map((m) => {
      const pending = m.status === MilestoneStatus.Pending;
      return {
        id: m.id,
        title: m.title,
        kind: m.kind,
        dueDate: m.dueDate,
        status: m.status,
        completedOn: m.completedOn,
        overdue: pending && m.dueDate < asOf,
        daysUntilDue: pending ? daysBetween(asOf, m.dueDate) : null,
      };
    });

    const forum = await this.forums.forProgramme(c.programmeId);
    let nextMeeting: ConsultationStatusResponse['nextMeeting'] = null;
    let openActions: ConsultationStatusResponse['openActions'] = [];
    let awaiting: ConsultationStatusResponse['representationsAwaitingResponse'] = [];
    if (forum) {
      const next = (await this.meetings.forConsultation(forum.id, id)).find((m) => m.status === ForumMeetingStatus.Scheduled && m.startsAt >= from);
      nextMeeting = next
        ? {
            id: next.id,
            title: next.title,
            startsAt: next.startsAt.toISOString(),
            endsAt: next.endsAt.toISOString(),
            location: next.location,
            agenda: next.agenda,
            papers: next.papers.map((p) => ({ title: p.title, url: p.url ?? null })),
          }
        : null;
      openActions = (await this.meetings.actions(forum.id, ForumActionStatus.Open, id)).map((a) => ({
        id: a.id,
        meetingId: a.meetingId,
        description: a.description,
        owner: a.owner,
        dueDate: a.dueDate,
        overdue: a.dueDate < asOf,
      }));
      const reps = await this.representations.list(forum.id, { status: RepresentationStatus.AwaitingResponse, consultationId: id });
      const names = await this.forums.unionNames(reps.map((r) => r.unionId));
      awaiting = reps.map((r) => ({
        id: r.id,
        unionName: names.get(r.unionId) ?? '',
        subject: r.subject,
        receivedAt: r.receivedAt.toISOString(),
        daysWaiting: Math.max(0, daysBetween(todayInLondon(r.receivedAt), asOf)),
        consultationId: r.consultationId,
      }));
    }

    return {
      consultation: ConsultationResponse.from(c, user, rule, await this.consultations.statutory(c, asOf)),
      asOf,
      ...timeline(c, asOf),
      milestones,
      nextMeeting,
      openActions,
      representationsAwaitingResponse: awaiting,
      affected: await this.affected(id),
    };
  }

  /** Covered posts (not deleted) and their FTE, by grade and by thematic area, small counts suppressed. */
  async affected(consultationId: string): Promise<AffectedSummary> {
    const byGrade: { grade: string; posts: number; fte: string }[] = await this.db.query(
      `SELECT COALESCE(g.report_group, g.code) AS grade, count(*)::int AS posts, sum(p.fte)::text AS fte
       FROM consultation_posts cp
       JOIN posts p ON p.id = cp.post_id AND p.establishment_status <> 'deleted'
       JOIN grades g ON g.id = p.grade_id
       WHERE cp.consultation_id = $1
       GROUP BY 1
       ORDER BY max(g.rank) DESC, 1`,
      [consultationId],
    );
    const byArea: { area: string; posts: number; fte: string }[] = await this.db.query(
      `SELECT a.name AS area, count(*)::int AS posts, sum(p.fte)::text AS fte
       FROM consultation_posts cp
       JOIN posts p ON p.id = cp.post_id AND p.establishment_status <> 'deleted'
       JOIN thematic_areas a ON a.id = p.thematic_area_id
       WHERE cp.consultation_id = $1
       GROUP BY a.id, a.name, a.sort_order
       ORDER BY a.sort_order, a.name`,
      [consultationId],
    );
    const total = byGrade.reduce((t, r) => ({ posts: t.posts + r.posts, fte: t.fte + Number(r.fte) }), { posts: 0, fte: 0 });
    return {
      total: showTotal(total),
      byGrade: suppressSmallCounts(byGrade.map((r) => ({ grade: r.grade, posts: r.posts, fte: Number(r.fte) }))),
      byThematicArea: suppressSmallCounts(byArea.map((r) => ({ thematicArea: r.area, posts: r.posts, fte: Number(r.fte) }))),
    };
  }
}
