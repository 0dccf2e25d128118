import ical from 'node-ical';
import { consultationCalendar, meetingUid, milestoneUid } from './consultation-calendar';
import { Consultation, ConsultationKind, ConsultationStatus } from './entities/consultation.entity';
import { Milestone, MilestoneAudience, MilestoneKind, MilestoneStatus } from './entities/milestone.entity';
import { ForumMeeting, ForumMeetingStatus } from '../forum/entities/forum-meeting.entity';

const consultation = {
  id: 'c1',
  title: 'Single Commissioning Function: transfer of staff',
  kind: ConsultationKind.TupeInformationConsultation,
  status: ConsultationStatus.Open,
  startDate: '2016-12-01',
  plannedEndDate: '2017-02-28',
  version: 3,
  updatedAt: new Date('2016-12-01T09:00:00Z'),
} as Consultation;
const milestone = {
  id: 'm1',
  title: 'Go-live: Single Commissioning Function established',
  description: null,
  kind: MilestoneKind.GoLive,
  dueDate: '2017-04-01',
  status: MilestoneStatus.Pending,
  completedOn: null,
  reminderOffsets: [14, 7, 1],
  audience: [MilestoneAudience.Forum],
  version: 2,
  updatedAt: new Date('2017-01-05T12:00:00Z'),
} as unknown as Milestone;
const meeting = {
  id: 'f1',
  title: 'Joint TU forum',
  startsAt: new Date('2017-01-18T10:00:00Z'),
  endsAt: new Date('2017-01-18T12:00:00Z'),
  location: 'Committee Room 6, Town Hall Extension',
  agenda: '1. Measures letter; 2. AOB',
  papers: [{ title: 'Draft measures letter', url: 'https://intranet.example.org/measures.pdf' }],
  status: ForumMeetingStatus.Scheduled,
  cancellationReason: null,
  sequence: 1,
  updatedAt: new Date('2017-01-10T08:00:00Z'),
} as unknown as ForumMeeting;

describe('consultation calendar (RFC 5545)', () => {
  const text = consultationCalendar({ consultation, milestones: [milestone], meetings: [meeting], forumTitle: 'Joint Trade Union Forum' });

  it('is the same text every time it is generated from the same rows', () => {
    expect(consultationCalendar({ consultation, milestones: [milestone], meetings: [meeting], forumTitle: 'Joint Trade Union Forum' })).toBe(text);
  });

  it('writes CRLF lines, a PRODID, and per-row UIDs, DTSTAMPs and SEQUENCEs', () => {
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const events = Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT');
    const goLive = events.find((e) => e!.uid === milestoneUid('m1')) as ical.VEvent;
    expect(goLive.datetype).toBe('date');
    expect(Number(goLive.sequence)).toBe(2);
    expect(goLive.dtstamp.toISOString()).toBe('2017-01-05T12:00:00.000Z');
    const forum = events.find((e) => e!.uid === meetingUid('f1')) as ical.VEvent;
    expect(forum.start.toISOString()).toBe('2017-01-18T10:00:00.000Z');
    expect(forum.end!.toISOString()).toBe('2017-01-18T12:00:00.000Z');
    expect(String(forum.description)).toContain('Draft measures letter: https://intranet.example.org/measures.pdf');
    expect(text).toContain('TRIGGER:-P14D');
  });
});
