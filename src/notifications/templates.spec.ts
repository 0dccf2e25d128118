import { DOMAIN_EVENT_TYPES, DomainEventType, EventOf, RecordedEvent } from '../events/domain-event';
import { formatDate, formatDateTime, renderNotice, RenderOptions, TEMPLATES, withoutPersonalData } from './templates';

const at = new Date('2017-02-10T09:00:00Z');
const opts: RenderOptions = { baseUrl: 'https://tracker.council.example/', organizer: { name: 'Tracker', email: 'no-reply@council.example' } };

const CONSULTATION = '6f0c9f2e-0d2b-4b7e-9a55-2f1e3c4d5a60';
const MEETING = '0b8e3e3a-7f4b-4a39-8a3e-1a2b3c4d5e60';
const EMPLOYEE = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b';
/** The people feature's answer for the employee the examples name (events carry the id only). */
const PEOPLE = new Map([[EMPLOYEE, { name: 'Priya Testperson', staffNumber: 'S1042' }]]);
const milestone = {
  milestoneId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c80',
  consultationId: CONSULTATION,
  consultationTitle: 'Single Commissioning Function: TUPE consultation',
  title: 'Measures letter to the unions',
  kind: 'measures_letter',
  dueDate: '2017-02-14',
  audience: ['forum', 'hr'],
  ownerUserId: null,
};
const consultation = {
  consultationId: CONSULTATION,
  title: 'Single Commissioning Function: TUPE consultation',
  kind: 'tupe_information_consultation',
  kindLabel: 'TUPE information and consultation (TUPE 2006 reg. 13)',
  startDate: '2017-01-09',
  plannedEndDate: '2017-02-28',
};
const meeting = {
  meetingId: MEETING,
  forumId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  forumTitle: 'Joint trade union forum',
  consultationId: CONSULTATION,
  title: 'Forum #3',
  startsAt: '2017-02-14T10:00:00.000Z',
  endsAt: '2017-02-14T12:00:00.000Z',
  location: 'Town Hall, Committee Room 2',
  status: 'scheduled',
  sequence: 0,
};

/**
 * One example of every event type, typed by the event union: an example missing a field, or a new
 * type without an example, does not compile. (The integration tests take their events from the
 * real producers; these only prove each template renders from its event's own fields.)
 */
const EXAMPLES: { [K in DomainEventType]: EventOf<K> } = {
  [DomainEventType.MilestoneUpcoming]: { type: DomainEventType.MilestoneUpcoming, programmeId: null, entityType: 'milestone', entityId: milestone.milestoneId, payload: { ...milestone, daysLeft: 4, offsetDays: 7 } },
  [DomainEventType.MilestoneReached]: { type: DomainEventType.MilestoneReached, programmeId: null, entityType: 'milestone', entityId: milestone.milestoneId, payload: { ...milestone, completedOn: '2017-02-13' } },
  [DomainEventType.MilestoneMissed]: { type: DomainEventType.MilestoneMissed, programmeId: null, entityType: 'milestone', entityId: milestone.milestoneId, payload: { ...milestone, daysOverdue: 2 } },
  [DomainEventType.ConsultationOpened]: { type: DomainEventType.ConsultationOpened, programmeId: null, entityType: 'consultation', entityId: CONSULTATION, payload: { ...consultation, minimumPeriodDays: null, hr1DueDate: null } },
  [DomainEventType.ConsultationExtended]: {
    type: DomainEventType.ConsultationExtended, programmeId: null, entityType: 'consultation', entityId: CONSULTATION,
    payload: { ...consultation, plannedEndDate: '2017-03-14', previousEndDate: '2017-02-28', extensionReason: 'More time for the unions' },
  },
  [DomainEventType.ConsultationClosed]: { type: DomainEventType.ConsultationClosed, programmeId: null, entityType: 'consultation', entityId: CONSULTATION, payload: { ...consultation, closedOn: '2017-02-28', closingSummary: 'Agreed measures.' } },
  [DomainEventType.ForumMeetingScheduled]: { type: DomainEventType.ForumMeetingScheduled, programmeId: null, entityType: 'forum_meeting', entityId: MEETING, payload: meeting },
  [DomainEventType.ForumMeetingChanged]: {
    type: DomainEventType.ForumMeetingChanged, programmeId: null, entityType: 'forum_meeting', entityId: MEETING,
    payload: {
      ...meeting,
      sequence: 1,
      startsAt: '2017-02-15T10:00:00.000Z',
      endsAt: '2017-02-15T12:00:00.000Z',
      changes: [
        { field: 'startsAt', label: 'start time', from: meeting.startsAt, to: '2017-02-15T10:00:00.000Z' },
        { field: 'endsAt', label: 'end time', from: meeting.endsAt, to: '2017-02-15T12:00:00.000Z' },
      ],
      previousStartsAt: meeting.startsAt,
    },
  },
  [DomainEventType.ForumMeetingCancelled]: { type: DomainEventType.ForumMeetingCancelled, programmeId: null, entityType: 'forum_meeting', entityId: MEETING, payload: { ...meeting, status: 'cancelled', sequence: 1, cancellationReason: 'Room unavailable' } },
  [DomainEventType.ForumMinutesPublished]: {
    type: DomainEventType.ForumMinutesPublished, programmeId: null, entityType: 'forum_meeting', entityId: MEETING,
    payload: { ...meeting, startsAt: '2017-01-10T10:00:00.000Z', endsAt: '2017-01-10T12:00:00.000Z', status: 'held', minutesPublishedAt: '2017-01-20T09:00:00.000Z' },
  },
  [DomainEventType.RepresentationAnswered]: {
    type: DomainEventType.RepresentationAnswered, programmeId: null, entityType: 'representation', entityId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
    payload: {
      representationId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', forumId: meeting.forumId, forumTitle: meeting.forumTitle, consultationId: CONSULTATION,
      unionName: 'UNISON', subject: 'Pay protection', receivedAt: '2017-01-12T09:00:00.000Z', respondedAt: '2017-01-19T09:00:00.000Z',
    },
  },
  [DomainEventType.CaseStateChanged]: {
    type: DomainEventType.CaseStateChanged, programmeId: null, entityType: 'transition_case', entityId: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9',
    payload: {
      caseId: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9', from: 'in_consultation', to: 'on_hold', fromLabel: 'In consultation', toLabel: 'On hold',
      route: 'tupe_transfer', routeLabel: 'TUPE transfer', postId: '2b1a0f9e-8d7c-4b6a-95f4-e3d2c1b0a9f8', postReference: 'MCC-0142', postTitle: 'Commissioning Manager',
      thematicAreaId: '1a0f9e8d-7c6b-4a59-84e3-d2c1b0a9f8e7', oldGrade: 'G9', newGrade: 'Band 7', destination: 'Manchester CCG', effectiveDate: '2017-04-01',
      employeeId: EMPLOYEE,
    },
  },
  [DomainEventType.DeadlinesOverdue]: {
    type: DomainEventType.DeadlinesOverdue, programmeId: null, entityType: 'programme', entityId: '0f9e8d7c-6b5a-4948-83d2-c1b0a9f8e7d6',
    payload: {
      date: '2017-03-06',
      items: [
        { kind: 'eli', title: 'Employee liability information (ELI)', dueDate: '2017-03-03', daysOverdue: 3, context: 'MCC-0142 Commissioning Manager', caseId: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9', consultationId: null, employeeId: EMPLOYEE },
        { kind: 'milestone', title: 'Measures letter to the unions', dueDate: '2017-03-01', daysOverdue: 5, context: 'TUPE consultation', caseId: null, consultationId: CONSULTATION, employeeId: null },
      ],
    },
  },
};

/** The event as the relay reads it, its payload watched: reading a key the event does not have fails the test. */
function recorded<K extends DomainEventType>(e: EventOf<K>, programmeName: string | null = 'Manchester 2017'): { event: RecordedEvent; missing: string[] } {
  const missing: string[] = [];
  const watch = (o: object, path: string): object =>
    new Proxy(o, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key === 'string' && !Array.isArray(target) && !(key in target)) missing.push(`${path}.${key}`);
        return v && typeof v === 'object' ? watch(v as object, `${path}.${String(key)}`) : v;
      },
    });
  const payload = watch(structuredClone(e.payload), e.type);
  return { event: { ...e, payload, id: 'event-1', occurredAt: at, programmeName } as unknown as RecordedEvent, missing };
}

describe('notice templates', () => {
  it('has a template for every event type', () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
  });

  it.each(DOMAIN_EVENT_TYPES.map((t) => [t]))('%s renders from its event alone, in words, with a link built from the public base URL', (type) => {
    for (const personal of [true, false]) {
      const { event, missing } = recorded(EXAMPLES[type]);
      const n = renderNotice(event, { personal }, opts, PEOPLE);
      expect(missing).toEqual([]);
      for (const text of [n.subject, n.text]) {
        expect(text).not.toMatch(/undefined|null|NaN|\[object/);
        // labels, not codes: no in_consultation, tupe_transfer, startsAt …
        expect(text.replace(/https:\/\/\S+/g, '')).not.toMatch(/\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z][a-zA-Z]*\b/);
      }
      expect(n.subject.startsWith('[Manchester 2017] ')).toBe(true);
      expect(n.text).toMatch(/: https:\/\/tracker\.council\.example\/[a-z]*/);
      expect(n.html).toMatch(/<a href="https:\/\/tracker\.council\.example\/[^"]*">/);
    }
  });

  it('names the states a case moved between, its post, old and new grade and destination; personal data only for those allowed', () => {
    for (const personal of [true, false]) {
      const n = renderNotice(recorded(EXAMPLES[DomainEventType.CaseStateChanged]).event, { personal }, opts, PEOPLE);
      expect(n.subject).toBe('[Manchester 2017] Case moved from in consultation to on hold: MCC-0142 Commissioning Manager (G9 → Band 7, Manchester CCG)');
      expect(n.text).toContain('Route: TUPE transfer\nWas: In consultation\nNow: On hold\nOld grade: G9\nNew grade: Band 7\nDestination: Manchester CCG');
      expect(n.text).toContain('View the case: https://tracker.council.example/cases/3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9');
      expect(n.text.includes('Priya Testperson')).toBe(personal);
      expect(n.html.includes('S1042')).toBe(personal);
    }
  });

  it('says the grade is unchanged and the destination undecided instead of leaving them out', () => {
    const e = EXAMPLES[DomainEventType.CaseStateChanged];
    const n = renderNotice(recorded({ ...e, payload: { ...e.payload, newGrade: null, destination: null } }).event, { personal: true }, opts);
    expect(n.text).toContain('Old grade: G9\nNew grade: G9 (unchanged)\nDestination: not yet decided');
  });

  it('labels a consultation by its kind and a meeting by "start time", never by the codes', () => {
    const opened = renderNotice(recorded(EXAMPLES[DomainEventType.ConsultationOpened]).event, { personal: false }, opts);
    expect(opened.text).toContain('Kind: TUPE information and consultation (TUPE 2006 reg. 13)');
    const changed = renderNotice(recorded(EXAMPLES[DomainEventType.ForumMeetingChanged]).event, { personal: false }, opts);
    expect(changed.text).toContain('has changed: its start time and end time.');
    expect(changed.text).toContain('Was to start: Tue 14 Feb 2017, 10:00 GMT\nStart time: Wed 15 Feb 2017, 10:00 GMT');
  });

  it('lists each overdue deadline with what is due and the case’s post; names only for those allowed', () => {
    const personal = renderNotice(recorded(EXAMPLES[DomainEventType.DeadlinesOverdue]).event, { personal: true }, opts, PEOPLE);
    expect(personal.text).toContain('- Employee liability information (ELI) for MCC-0142 Commissioning Manager, Priya Testperson: was due Friday 3 March 2017, 3 days overdue');
    expect(personal.text).toContain('- Measures letter to the unions for TUPE consultation: was due Wednesday 1 March 2017, 5 days overdue');
    const restricted = renderNotice(recorded(EXAMPLES[DomainEventType.DeadlinesOverdue]).event, { personal: false }, opts, PEOPLE);
    expect(restricted.text).not.toContain('Priya');
  });

  it('invites to a scheduled meeting with METHOD:REQUEST and the calendar feed’s UID; a cancellation cancels it', () => {
    const n = renderNotice(recorded(EXAMPLES[DomainEventType.ForumMeetingScheduled]).event, { personal: false }, opts);
    const unfold = (ics: string | undefined) => ics?.replace(/\r\n[ \t]/g, '');
    expect(unfold(n.calendar?.content)).toContain(`UID:forum-meeting-${MEETING}@workforce-transition-tracker`);
    expect(n.subject).toBe('[Manchester 2017] Forum meeting scheduled: Forum #3, Tue 14 Feb 2017, 10:00 GMT');
    expect(n.calendar?.method).toBe('REQUEST');
    expect(n.calendar?.content).toMatch(/METHOD:REQUEST/);
    expect(n.calendar?.content).toMatch(/ORGANIZER;CN="?Tracker"?:mailto:no-reply@council\.example/);
    const cancelled = renderNotice(recorded(EXAMPLES[DomainEventType.ForumMeetingCancelled]).event, { personal: false }, opts);
    expect(cancelled.calendar?.content).toMatch(/METHOD:CANCEL[\s\S]*SEQUENCE:1[\s\S]*STATUS:CANCELLED/);
  });

  it('does not announce a meeting recorded after it took place as scheduled, nor invite to it', () => {
    const e = EXAMPLES[DomainEventType.ForumMeetingScheduled];
    const past = { ...e, payload: { ...e.payload, startsAt: '2017-02-01T10:00:00.000Z', endsAt: '2017-02-01T12:00:00.000Z' } };
    const n = renderNotice(recorded(past).event, { personal: false }, opts);
    expect(n.subject).toBe('[Manchester 2017] Forum meeting recorded: Forum #3, held Wed 1 Feb 2017, 10:00 GMT');
    expect(n.text).not.toMatch(/scheduled/i);
    expect(n.calendar).toBeNull();
  });

  it('formats dates the UK way and instants in London time (GMT and BST)', () => {
    expect(formatDate('2017-04-01')).toBe('Saturday 1 April 2017');
    expect(formatDateTime('2017-01-10T10:00:00Z')).toBe('Tue 10 Jan 2017, 10:00 GMT');
    expect(formatDateTime('2017-06-10T10:00:00Z')).toBe('Sat 10 Jun 2017, 11:00 BST');
  });

  it('escapes HTML and keeps the subject on one line', () => {
    const e = EXAMPLES[DomainEventType.ForumMeetingScheduled];
    const n = renderNotice(recorded({ ...e, payload: { ...e.payload, title: '<b>Forum</b>\r\nBcc: x@y', location: 'Room "A" & B' } }, null).event, { personal: false }, opts);
    expect(n.subject).toBe('Forum meeting scheduled: <b>Forum</b> Bcc: x@y, Tue 14 Feb 2017, 10:00 GMT');
    expect(n.html).toContain('&lt;b&gt;Forum&lt;/b&gt;');
    expect(n.html).toContain('Room &quot;A&quot; &amp; B');
  });

  it('words reminders by the days left', () => {
    const e = EXAMPLES[DomainEventType.MilestoneUpcoming];
    const subject = (daysLeft: number) => renderNotice(recorded({ ...e, payload: { ...e.payload, daysLeft } }, null).event, { personal: true }, opts).subject;
    expect(subject(0)).toBe('Reminder: Measures letter to the unions is due today (Tuesday 14 February 2017)');
    expect(subject(1)).toBe('Reminder: Measures letter to the unions is due tomorrow (Tuesday 14 February 2017)');
    expect(subject(14)).toBe('Reminder: Measures letter to the unions is due in 14 days (Tuesday 14 February 2017)');
  });

  it('names a person the people feature no longer knows (erased) by their post, never by a stale name', () => {
    const n = renderNotice(recorded(EXAMPLES[DomainEventType.CaseStateChanged]).event, { personal: true }, opts, new Map());
    expect(n.text).toContain('Person: the holder of MCC-0142 Commissioning Manager');
    expect(n.text).not.toContain('Staff number');
    const digest = renderNotice(recorded(EXAMPLES[DomainEventType.DeadlinesOverdue]).event, { personal: true }, opts, new Map());
    expect(digest.text).toContain('- Employee liability information (ELI) for MCC-0142 Commissioning Manager: was due Friday 3 March 2017, 3 days overdue');
  });

  it('keeps names out of the stored events: no event payload type has a name or staff number field', () => {
    for (const e of Object.values(EXAMPLES)) expect(JSON.stringify(e.payload)).not.toMatch(/Priya|S1042|employeeName|staffNumber/);
  });

  it('strips personal fields at any depth', () => {
    expect(withoutPersonalData({ title: 't', employeeName: 'x', items: [{ staffNumber: 's', dueDate: 'd' }] })).toEqual({ title: 't', items: [{ dueDate: 'd' }] });
  });
});
