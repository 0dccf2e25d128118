/**
 * Domain events: what happened, written to the `domain_events` outbox in the same transaction as
 * the change that caused it (OutboxService.emit). The notifications feature turns each event into
 * deliveries (recipient x channel) and enqueues them; nothing is lost between the database and the
 * queue.
 *
 * Each event carries the facts of its moment (the states it moved between, the grades, the
 * destination, the dates, the names and titles a notice needs): a notice is written from the event
 * alone and never re-reads the rows, which may have changed since. Codes travel with the labels the
 * producing feature shows for them (`toLabel`, `kindLabel` …), so a notice reads as the pages do.
 *
 * Fields that carry an individual's personal data are listed in PERSONAL_FIELDS; the notifier
 * leaves them out for every recipient not allowed to see them (tu_reps, webhooks …).
 *
 * No event stores a person's name, staff number or contact details: the outbox keeps events for
 * good, and a name is not a fact of the past (it can be corrected, or erased on request). An event
 * about a person carries the employee's id; a notice for someone allowed to see who it is resolves
 * the name when it is written (NoticeRenderer, through the people feature's EmployeesService).
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

/** Keys that carry an individual's personal data: never in a notice or webhook for a recipient without the right to see it. */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set([
  'employeeName', 'employeeId', 'staffNumber', 'firstName', 'lastName', 'fullName', 'displayName', 'holderName', 'email',
  'workEmail', 'personalEmail', 'pay', 'annualPay', 'salary', 'protectedPay', 'dateOfBirth', 'notes', 'caseNotes', 'note',
  'niNumber', 'address', 'phone', 'madeByName', 'respondedByName',
]);

interface MilestoneFacts {
  milestoneId: string;
  consultationId: string;
  consultationTitle: string;
  title: string;
  /** The milestone's kind code ('measures_letter' …); notices show its label. */
  kind: string;
  /** 'YYYY-MM-DD' */
  dueDate: string;
  /** Who hears of it (milestones.audience: 'forum', 'hr', 'managers', 'affected_staff'). */
  audience: string[];
  ownerUserId: string | null;
}

export interface MilestoneUpcomingPayload extends MilestoneFacts {
  daysLeft: number;
  /** The reminder offset this notice is for (14, 7, 1 … days before). */
  offsetDays: number;
}
export interface MilestoneReachedPayload extends MilestoneFacts {
  /** 'YYYY-MM-DD', or null when no date was recorded. */
  completedOn: string | null;
}
export interface MilestoneMissedPayload extends MilestoneFacts {
  /** Days past the due date when it was found missed (null when marked missed by hand). */
  daysOverdue: number | null;
}

interface ConsultationFacts {
  consultationId: string;
  title: string;
  kind: string;
  /** The kind as people say it: "TUPE information and consultation (TUPE 2006 reg. 13)". */
  kindLabel: string;
  startDate: string;
  plannedEndDate: string;
}
export interface ConsultationOpenedPayload extends ConsultationFacts {
  minimumPeriodDays: number | null;
  hr1DueDate: string | null;
}
export interface ConsultationExtendedPayload extends ConsultationFacts {
  previousEndDate: string;
  extensionReason: string;
}
export interface ConsultationClosedPayload extends ConsultationFacts {
  closedOn: string;
  closingSummary: string | null;
}

interface MeetingFacts {
  meetingId: string;
  forumId: string;
  forumTitle: string;
  consultationId: string | null;
  title: string;
  /** ISO instants. */
  startsAt: string;
  endsAt: string;
  location: string;
  status: string;
  /** The calendar revision (iCalendar SEQUENCE): it rises with every change a calendar must show. */
  sequence: number;
}
/** A meeting changed: which fields (their labels), and the start it had before when it moved. */
export interface MeetingChange {
  field: string;
  label: string;
  from: string | null;
  to: string | null;
}
export type ForumMeetingScheduledPayload = MeetingFacts;
export interface ForumMeetingChangedPayload extends MeetingFacts {
  changes: MeetingChange[];
  previousStartsAt: string | null;
}
export interface ForumMeetingCancelledPayload extends MeetingFacts {
  cancellationReason: string;
}
export interface ForumMinutesPublishedPayload extends MeetingFacts {
  minutesPublishedAt: string;
}

export interface RepresentationAnsweredPayload {
  representationId: string;
  forumId: string;
  forumTitle: string;
  consultationId: string | null;
  unionName: string | null;
  subject: string;
  receivedAt: string;
  respondedAt: string;
}

export interface CaseStateChangedPayload {
  caseId: string;
  from: string;
  to: string;
  /** The states as the pages name them ("In consultation"). */
  fromLabel: string;
  toLabel: string;
  route: string;
  routeLabel: string;
  postId: string;
  postReference: string;
  postTitle: string;
  thematicAreaId: string;
  oldGrade: string;
  /** null: the grade does not change. */
  newGrade: string | null;
  /** Where the person will work (the host of a secondment, the receiving body of a transfer); null: not decided. */
  destination: string | null;
  effectiveDate: string | null;
  /** Who the case is about: the id only (the name is resolved when a notice is written, for those allowed to see it). */
  employeeId: string;
}

export interface OverdueItem {
  /** 'milestone' or a case deadline kind ('eli', 'measures_letter' …). */
  kind: string;
  /** What is due, as people name it ("Employee liability information (ELI)"). */
  title: string;
  dueDate: string;
  daysOverdue: number;
  /** The case's post ("MCC-0142 Commissioning Manager") or the milestone's consultation. */
  context: string | null;
  caseId: string | null;
  consultationId: string | null;
  /** The person a case deadline is about (null for a milestone): the id only, as in CaseStateChangedPayload. */
  employeeId: string | null;
}
export interface DeadlinesOverduePayload {
  date: string;
  items: OverdueItem[];
}

/** The payload of each event type. Add a type here and the compiler asks for its template. */
export interface DomainEventPayloads {
  [DomainEventType.MilestoneUpcoming]: MilestoneUpcomingPayload;
  [DomainEventType.MilestoneReached]: MilestoneReachedPayload;
  [DomainEventType.MilestoneMissed]: MilestoneMissedPayload;
  [DomainEventType.ConsultationOpened]: ConsultationOpenedPayload;
  [DomainEventType.ConsultationExtended]: ConsultationExtendedPayload;
  [DomainEventType.ConsultationClosed]: ConsultationClosedPayload;
  [DomainEventType.ForumMeetingScheduled]: ForumMeetingScheduledPayload;
  [DomainEventType.ForumMeetingChanged]: ForumMeetingChangedPayload;
  [DomainEventType.ForumMeetingCancelled]: ForumMeetingCancelledPayload;
  [DomainEventType.ForumMinutesPublished]: ForumMinutesPublishedPayload;
  [DomainEventType.RepresentationAnswered]: RepresentationAnsweredPayload;
  [DomainEventType.CaseStateChanged]: CaseStateChangedPayload;
  [DomainEventType.DeadlinesOverdue]: DeadlinesOverduePayload;
}

/** The row an event is about. */
export type EntityType = 'milestone' | 'consultation' | 'forum_meeting' | 'representation' | 'transition_case' | 'programme';

export type EventOf<K extends DomainEventType> = {
  type: K;
  programmeId: string | null;
  entityType: EntityType;
  entityId: string;
  payload: DomainEventPayloads[K];
  /**
   * Makes the event happen once: a second emit with the same key is ignored
   * (e.g. `milestone.upcoming:<milestoneId>:7d`). Defaults to a fresh key.
   */
  dedupeKey?: string;
};

/** Every domain event the system knows: one discriminated union on `type`. */
export type DomainEvent = { [K in DomainEventType]: EventOf<K> }[DomainEventType];

/** An event as the outbox holds it: what was emitted, plus when, and the programme's name at that moment. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & {
  id: string;
  occurredAt: Date;
  programmeName: string | null;
};

export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = Object.values(DomainEventType);

export const isDomainEventType = (t: string): t is DomainEventType => (DOMAIN_EVENT_TYPES as readonly string[]).includes(t);

/** A row of `domain_events` as the relay reads it. */
export interface OutboxRow {
  id: string;
  type: string;
  programme_id: string | null;
  entity_type: string;
  entity_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/** The stored payload keeps the programme's name under this key, beside the event's own fields. */
export const PROGRAMME_NAME_KEY = '_programmeName';

/** The typed event of an outbox row (its type checked; the payload is what OutboxService.emit wrote for it). */
export function recordedEvent(row: OutboxRow): RecordedEvent {
  if (!isDomainEventType(row.type)) throw new Error(`unknown domain event type "${row.type}"`);
  const { [PROGRAMME_NAME_KEY]: programmeName, ...payload } = row.payload ?? {};
  return {
    id: row.id,
    type: row.type,
    programmeId: row.programme_id,
    entityType: row.entity_type as EntityType,
    entityId: row.entity_id,
    payload,
    occurredAt: new Date(row.occurred_at),
    programmeName: typeof programmeName === 'string' ? programmeName : null,
  } as unknown as RecordedEvent;
}
