import ical, { ICalAlarmType, ICalEventStatus } from 'ical-generator';
import { CONSULTATION_KIND_LABELS, Consultation } from './entities/consultation.entity';
import { Milestone, MilestoneStatus } from './entities/milestone.entity';
import type { ForumMeeting } from '../forum/entities/forum-meeting.entity';
import { ForumMeetingStatus } from '../forum/entities/forum-meeting.entity';

/**
 * UIDs are built from the row ids (src/common/calendar-uid.ts, shared with the invitations in
 * notice emails), so a calendar sees the same event (moved, renamed or cancelled) every time the
 * feed is generated, never a duplicate. DTSTAMP is the row's last change and SEQUENCE its revision,
 * so regenerating an unchanged feed gives the same text.
 */
import { consultationStartUid, meetingUid, milestoneUid } from '../common/calendar-uid';
export { consultationStartUid, meetingUid, milestoneUid, UID_DOMAIN } from '../common/calendar-uid';

const utcMidnight = (date: string) => new Date(`${date}T00:00:00Z`);

const STATUS_PREFIX: Record<MilestoneStatus, string> = {
  [MilestoneStatus.Pending]: '',
  [MilestoneStatus.Done]: '[done] ',
  [MilestoneStatus.Missed]: '[missed] ',
  [MilestoneStatus.Cancelled]: '[cancelled] ',
};

export interface CalendarInput {
  consultation: Consultation;
  /** Already filtered to what the feed's owner may see. */
  milestones: Milestone[];
  meetings: ForumMeeting[];
  forumTitle: string | null;
}

/** The consultation's milestones and forum meetings as an iCalendar (RFC 5545) document. */
export function consultationCalendar({ consultation: c, milestones, meetings, forumTitle }: CalendarInput): string {
  const cal = ical({
    name: `Consultation: ${c.title}`,
    description: `${CONSULTATION_KIND_LABELS[c.kind]}. Milestones and joint trade union forum meetings.`,
    prodId: { company: 'Workforce transition tracker', product: 'Consultation calendar', language: 'EN' },
    ttl: 3600,
  });

  cal.createEvent({
    id: consultationStartUid(c.id),
    sequence: c.version,
    stamp: c.updatedAt,
    start: utcMidnight(c.startDate),
    allDay: true,
    summary: `Consultation starts: ${c.title}`,
    description: `${CONSULTATION_KIND_LABELS[c.kind]}, ${c.startDate} to ${c.plannedEndDate}.`,
    status: ICalEventStatus.CONFIRMED,
  });

  for (const m of milestones) {
    const event = cal.createEvent({
      id: milestoneUid(m.id),
      sequence: m.version,
      stamp: m.updatedAt,
      start: utcMidnight(m.dueDate),
      allDay: true,
      summary: `${STATUS_PREFIX[m.status]}${m.title}`,
      description: [m.description, `Milestone of "${c.title}" (${m.status}${m.completedOn ? ` on ${m.completedOn}` : ''}).`].filter(Boolean).join('\n\n'),
      status: m.status === MilestoneStatus.Cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
    if (m.status === MilestoneStatus.Pending) {
      for (const days of m.reminderOffsets) event.createAlarm({ type: ICalAlarmType.display, trigger: days * 86_400, description: m.title });
    }
  }

  for (const m of meetings) {
    const papers = m.papers.map((p) => `- ${p.title}${p.url ? `: ${p.url}` : ''}`);
    cal.createEvent({
      id: meetingUid(m.id),
      sequence: m.sequence,
      stamp: m.updatedAt,
      start: m.startsAt,
      end: m.endsAt,
      summary: m.status === ForumMeetingStatus.Cancelled ? `[cancelled] ${m.title}` : m.title,
      location: m.location,
      description: [
        forumTitle,
        m.agenda ? `Agenda:\n${m.agenda}` : null,
        papers.length ? `Papers:\n${papers.join('\n')}` : null,
        m.cancellationReason ? `Cancelled: ${m.cancellationReason}` : null,
      ]
        .filter(Boolean)
        .join('\n\n'),
      status: m.status === ForumMeetingStatus.Cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
