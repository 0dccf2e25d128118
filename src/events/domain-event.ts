/**
 * Domain events: what happened, written to the `domain_events` outbox in the
 * same transaction as the change that caused it (OutboxService.emit). The
 * notifications feature turns each event into deliveries (recipient x channel)
 * and enqueues them; nothing is lost between the database and the queue.
 */
export enum DomainEventType {
  MilestoneUpcoming = 'milestone.upcoming',
  MilestoneReached = 'milestone.reached',
  MilestoneMissed = 'milestone.missed',
  ConsultationOpened = 'consultation.opened',
  ConsultationExtended = 'consultation.extended',
  ConsultationClosed = 'consultation.closed',
  ForumMeetingScheduled = 'forum_meeting.scheduled',
  ForumMeetingChanged = 'forum_meeting.changed',
  ForumMeetingCancelled = 'forum_meeting.cancelled',
  ForumMinutesPublished = 'forum_minutes.published',
  RepresentationAnswered = 'representation.answered',
  CaseStateChanged = 'case.state_changed',
  DeadlinesOverdue = 'deadlines.overdue',
}

export interface DomainEventInput {
  type: DomainEventType;
  programmeId: string | null;
  /** The row the event is about: 'milestone', 'consultation', 'forum_meeting', 'transition_case' … */
  entityType: string;
  entityId: string;
  /**
   * What recipients need to read the notice: titles, dates, and for a staff movement the old and
   * new grade and the destination. Personal data only where every audience of the event may see it.
   */
  payload: Record<string, unknown>;
  /**
   * Makes the event happen once: a second emit with the same key is ignored
   * (e.g. `milestone.upcoming:<milestoneId>:7d`). Defaults to a fresh key.
   */
  dedupeKey?: string;
}
