import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { meetingUid } from '../common/calendar-uid';
import { publicUrl } from '../common/http/public-url';
import {
  DomainEvent,
  DomainEventType,
  EventOf,
  PERSONAL_FIELDS,
  RecordedEvent,
} from '../events/domain-event';

/**
 * Plain-text and HTML notices, one template per event type, written from the event alone: the
 * facts of the moment it happened (never the rows as they are now). TEMPLATES maps every event
 * type to its template, so the compiler refuses a type without one, and a template reading a field
 * its event lacks (templates.spec.ts renders each from an example of its event).
 *
 * `personal: false` (tu_reps, forum members without an account, affected staff, webhooks) leaves
 * out every personal field: a person's name, staff number, email, pay, notes.
 */

export { PERSONAL_FIELDS };

export interface Audience {
  /** May this recipient read an individual's personal data (HR, admins, the case's manager)? */
  personal: boolean;
}

/** A person an event names by id, as the people feature knows them when the notice is written. */
export interface Person {
  name: string;
  staffNumber: string;
}

/** What a template may use besides its event's payload. */
export interface TemplateContext {
  occurredAt: Date;
  personal: boolean;
  /** The person with this employee id, for a recipient allowed to see who it is (null otherwise, or when not known). */
  person: (employeeId: string | null) => Person | null;
}

type Fact = [label: string, value: string | null | undefined];

/** A calendar invitation for the notice's email (iCalendar METHOD:REQUEST or CANCEL, RFC 5546). */
export interface Invitation {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  sequence: number;
  summary: string;
  start: string;
  end: string;
  location: string | null;
  description: string;
}

export interface Notice {
  subject: string;
  intro: string;
  facts: Fact[];
  /** Extra paragraphs (a reason, a list). */
  more?: string[];
  list?: string[];
  /** The page the notice is about (a path; made absolute from PUBLIC_BASE_URL). */
  link?: { text: string; path: string };
  invitation?: Invitation;
}

export type Template<E extends DomainEvent> = (payload: E['payload'], ctx: TemplateContext) => Notice;

export interface RenderOptions {
  /** PUBLIC_BASE_URL: every link in a notice is built from it. */
  baseUrl: string;
  /** The invitation's organiser (MAIL_FROM). */
  organizer: { name: string; email: string };
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
  /** The iCalendar document to attach (text/calendar), for meeting notices. */
  calendar: { method: 'REQUEST' | 'CANCEL'; content: string } | null;
}

/** A deep copy without personal fields. */
export function withoutPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPersonalData);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!PERSONAL_FIELDS.has(k)) out[k] = withoutPersonalData(v);
    return out;
  }
  return value;
}

const LONDON = 'Europe/London';
const dateFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: LONDON, timeZoneName: 'short',
});

/** The parts of a formatted date by type, so the layout does not depend on the ICU version's punctuation. */
function parts(fmt: Intl.DateTimeFormat, d: Date): Record<string, string> {
  return Object.fromEntries(fmt.formatToParts(d).map((p) => [p.type, p.value]));
}

/** 'YYYY-MM-DD' (or a timestamp) as 'Tuesday 14 March 2017'. */
export function formatDate(v: string | null | undefined): string | null {
  if (!v) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return v;
  const p = parts(dateFmt, new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

/** An instant as 'Tue 14 Mar 2017, 10:00 GMT' in London time. */
export function formatDateTime(v: string | null | undefined): string | null {
  if (!v) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const p = parts(dateTimeFmt, d);
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
/** "In consultation" in the middle of a sentence: "in consultation". */
const inSentence = (label: string) => (/^[A-Z][a-z]/.test(label) ? label[0].toLowerCase() + label.slice(1) : label);

/** Milestone kinds as people name them. */
const MILESTONE_KIND_LABELS: Record<string, string> = {
  consultation_start: 'Consultation starts',
  consultation_end: 'Consultation period ends',
  hr1_notice: 'HR1 notice to the Secretary of State (TULRCA s.193)',
  measures_letter: 'Measures letter (TUPE reg. 13)',
  employee_liability_information: 'Employee liability information (TUPE reg. 11)',
  governance_decision: 'Governance decision',
  forum: 'Joint trade union forum',
  go_live: 'Go-live',
  other: 'Other',
};
const milestoneKind = (kind: string) => MILESTONE_KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');

type MilestoneEvent = EventOf<DomainEventType.MilestoneUpcoming | DomainEventType.MilestoneReached | DomainEventType.MilestoneMissed>;

function milestoneFacts(d: MilestoneEvent['payload']): Fact[] {
  return [
    ['Milestone', d.title],
    ['Consultation', d.consultationTitle],
    ['What it is', milestoneKind(d.kind)],
    ['Due', formatDate(d.dueDate)],
  ];
}
const milestoneLink = (d: { consultationId: string }) => ({ text: 'View the consultation', path: `/consultations/${d.consultationId}` });

type ConsultationEvent = EventOf<DomainEventType.ConsultationOpened | DomainEventType.ConsultationExtended | DomainEventType.ConsultationClosed>;

function consultationFacts(d: ConsultationEvent['payload']): Fact[] {
  return [
    ['Consultation', d.title],
    ['Kind', d.kindLabel],
    ['Starts', formatDate(d.startDate)],
    ['Ends', formatDate(d.plannedEndDate)],
  ];
}
const consultationLink = (d: { consultationId: string }) => ({ text: 'View the consultation', path: `/consultations/${d.consultationId}` });

type MeetingEvent = EventOf<
  DomainEventType.ForumMeetingScheduled | DomainEventType.ForumMeetingChanged | DomainEventType.ForumMeetingCancelled | DomainEventType.ForumMinutesPublished
>;
type MeetingPayload = MeetingEvent['payload'];

function meetingFacts(d: MeetingPayload): Fact[] {
  return [
    ['Meeting', d.title],
    ['Forum', d.forumTitle],
    ['Start time', formatDateTime(d.startsAt)],
    ['End time', formatDateTime(d.endsAt)],
    ['Place', d.location],
  ];
}
const meetingLink = (d: MeetingPayload) => ({ text: 'View the meeting', path: `/meetings/${d.meetingId}` });
/** The meeting had ended when this was recorded: it is news of the past, not an invitation. */
const alreadyHeld = (d: MeetingPayload, ctx: TemplateContext) => new Date(d.endsAt).getTime() <= ctx.occurredAt.getTime();

function invitation(d: MeetingPayload, method: Invitation['method']): Invitation {
  return {
    method,
    uid: meetingUid(d.meetingId),
    sequence: d.sequence,
    summary: d.title,
    start: d.startsAt,
    end: d.endsAt,
    location: d.location,
    description: d.forumTitle,
  };
}

/** Every event type's template: a type without one, or a template reading a field its event lacks, does not compile. */
export const TEMPLATES: { [K in DomainEventType]: Template<Extract<DomainEvent, { type: K }>> } = {
  [DomainEventType.MilestoneUpcoming]: (d) => {
    const when = d.daysLeft <= 0 ? 'today' : d.daysLeft === 1 ? 'tomorrow' : `in ${plural(d.daysLeft, 'day')}`;
    return {
      subject: `Reminder: ${d.title} is due ${when} (${formatDate(d.dueDate)})`,
      intro: `This milestone of ${d.consultationTitle} is due ${when}.`,
      facts: milestoneFacts(d),
      link: milestoneLink(d),
    };
  },
  [DomainEventType.MilestoneReached]: (d) => ({
    subject: `Milestone reached: ${d.title}`,
    intro: `This milestone of ${d.consultationTitle} has been reached.`,
    facts: [...milestoneFacts(d), ['Completed', formatDate(d.completedOn)]],
    link: milestoneLink(d),
  }),
  [DomainEventType.MilestoneMissed]: (d) => ({
    subject: `Missed milestone: ${d.title} was due ${formatDate(d.dueDate)}`,
    intro: `This milestone of ${d.consultationTitle} has passed its due date${d.daysOverdue ? ` (${plural(d.daysOverdue, 'day')} ago)` : ''} without being completed. A missed consultation step can breach a statutory duty: act on it today.`,
    facts: milestoneFacts(d),
    link: milestoneLink(d),
  }),

  [DomainEventType.ConsultationOpened]: (d) => ({
    subject: `Consultation opened: ${d.title}`,
    intro: `A consultation has opened: ${d.kindLabel}.`,
    facts: [
      ...consultationFacts(d),
      ['Statutory minimum', d.minimumPeriodDays ? `${plural(d.minimumPeriodDays, 'day')} before the first dismissal` : null],
      ['HR1 due', formatDate(d.hr1DueDate)],
    ],
    link: consultationLink(d),
  }),
  [DomainEventType.ConsultationExtended]: (d) => ({
    subject: `Consultation extended: ${d.title}, now ends ${formatDate(d.plannedEndDate)}`,
    intro: `A consultation has been extended: ${d.kindLabel}.`,
    facts: [
      ['Consultation', d.title],
      ['Kind', d.kindLabel],
      ['Starts', formatDate(d.startDate)],
      ['Was to end', formatDate(d.previousEndDate)],
      ['Now ends', formatDate(d.plannedEndDate)],
    ],
    more: [`Reason: ${d.extensionReason}`],
    link: consultationLink(d),
  }),
  [DomainEventType.ConsultationClosed]: (d) => ({
    subject: `Consultation closed: ${d.title}`,
    intro: `A consultation has closed: ${d.kindLabel}.`,
    facts: [...consultationFacts(d), ['Closed', formatDate(d.closedOn)]],
    more: d.closingSummary ? [d.closingSummary] : [],
    link: consultationLink(d),
  }),

  [DomainEventType.ForumMeetingScheduled]: (d, ctx) => {
    const when = formatDateTime(d.startsAt);
    if (alreadyHeld(d, ctx)) {
      return {
        subject: `Forum meeting recorded: ${d.title}, held ${when}`,
        intro: 'A joint trade union forum meeting that has already taken place has been recorded.',
        facts: meetingFacts(d),
        link: meetingLink(d),
      };
    }
    return {
      subject: `Forum meeting scheduled: ${d.title}, ${when}`,
      intro: 'A joint trade union forum meeting has been scheduled. The invitation is attached: open it to add the meeting to your calendar.',
      facts: meetingFacts(d),
      link: meetingLink(d),
      invitation: invitation(d, 'REQUEST'),
    };
  },
  [DomainEventType.ForumMeetingChanged]: (d, ctx) => {
    const when = formatDateTime(d.startsAt);
    const changed = d.changes.map((c) => c.label);
    const facts = meetingFacts(d);
    if (d.previousStartsAt) facts.splice(2, 0, ['Was to start', formatDateTime(d.previousStartsAt)]);
    const held = alreadyHeld(d, ctx);
    return {
      subject: `Forum meeting changed: ${d.title}${d.previousStartsAt ? `, now ${when}` : ''}`,
      intro: `A joint trade union forum meeting has changed${changed.length ? `: its ${joinWords(changed)}` : ''}.${held ? '' : ' The updated invitation is attached.'}`,
      facts,
      link: meetingLink(d),
      ...(held ? {} : { invitation: invitation(d, 'REQUEST') }),
    };
  },
  [DomainEventType.ForumMeetingCancelled]: (d, ctx) => ({
    subject: `Forum meeting cancelled: ${d.title}, ${formatDateTime(d.startsAt)}`,
    intro: 'A joint trade union forum meeting has been cancelled.',
    facts: meetingFacts(d),
    more: [`Reason: ${d.cancellationReason}`],
    link: meetingLink(d),
    ...(alreadyHeld(d, ctx) ? {} : { invitation: invitation(d, 'CANCEL') }),
  }),
  [DomainEventType.ForumMinutesPublished]: (d) => ({
    subject: `Minutes published: ${d.title}`,
    intro: 'The minutes of a joint trade union forum meeting have been published.',
    facts: [
      ['Meeting', d.title],
      ['Forum', d.forumTitle],
      ['Held', formatDateTime(d.startsAt)],
      ['Minutes published', formatDateTime(d.minutesPublishedAt)],
    ],
    link: { text: 'Read the minutes', path: `/meetings/${d.meetingId}` },
  }),

  [DomainEventType.RepresentationAnswered]: (d) => ({
    subject: `Representation answered: ${d.subject}`,
    intro: 'Management has answered a representation made to the joint trade union forum.',
    facts: [
      ['Representation', d.subject],
      ['Union', d.unionName],
      ['Received', formatDateTime(d.receivedAt)],
      ['Answered', formatDateTime(d.respondedAt)],
    ],
    link: { text: 'Read the answer', path: `/representations/${d.representationId}` },
  }),

  [DomainEventType.CaseStateChanged]: (d, ctx) => {
    const post = `${d.postReference} ${d.postTitle}`;
    const newGrade = d.newGrade ?? `${d.oldGrade} (unchanged)`;
    const destination = d.destination ?? 'not yet decided';
    const who = ctx.person(d.employeeId);
    const facts: Fact[] = ctx.personal ? [['Person', who?.name ?? `the holder of ${post}`], ['Staff number', who?.staffNumber]] : [];
    facts.push(
      ['Post', post],
      ['Route', d.routeLabel],
      ['Was', d.fromLabel],
      ['Now', d.toLabel],
      ['Old grade', d.oldGrade],
      ['New grade', newGrade],
      ['Destination', destination],
      ['Effective date', formatDate(d.effectiveDate)],
    );
    return {
      subject: `Case moved from ${inSentence(d.fromLabel)} to ${inSentence(d.toLabel)}: ${post} (${d.oldGrade} → ${newGrade}, ${destination})`,
      intro: `A staff movement case has moved from ${inSentence(d.fromLabel)} to ${inSentence(d.toLabel)}.`,
      facts,
      link: { text: 'View the case', path: `/cases/${d.caseId}` },
    };
  },

  [DomainEventType.DeadlinesOverdue]: (d, ctx) => ({
    subject: `${plural(d.items.length, 'deadline')} overdue on ${formatDate(d.date)}`,
    intro: 'These deadlines have passed and are not marked done:',
    facts: [],
    list: d.items.map((it) => {
      const name = ctx.person(it.employeeId)?.name;
      const who = name ? `, ${name}` : '';
      const about = it.context ? ` for ${it.context}${who}` : who;
      return `${it.title}${about}: was due ${formatDate(it.dueDate)}, ${plural(it.daysOverdue, 'day')} overdue`;
    }),
    link: { text: 'See what needs your attention', path: '/' },
  }),
};

function joinWords(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The employees an event names (by id), whose names a notice for those allowed to see them shows. */
export function employeesNamedIn(event: RecordedEvent): string[] {
  if (event.type === DomainEventType.CaseStateChanged) return [event.payload.employeeId];
  if (event.type === DomainEventType.DeadlinesOverdue) return [...new Set(event.payload.items.flatMap((i) => (i.employeeId ? [i.employeeId] : [])))];
  return [];
}

/** The notice a template writes for one event and one kind of recipient (`people`: the employees it names, by id). */
export function noticeFor(event: RecordedEvent, audience: Audience, people: ReadonlyMap<string, Person> = new Map()): Notice {
  const ctx: TemplateContext = {
    occurredAt: event.occurredAt,
    personal: audience.personal,
    person: (id) => (audience.personal && id ? (people.get(id) ?? null) : null),
  };
  const payload = audience.personal ? event.payload : withoutPersonalData(event.payload);
  const template = TEMPLATES[event.type] as Template<DomainEvent>;
  return template(payload as DomainEvent['payload'], ctx);
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

/** The iCalendar document of an invitation (METHOD:REQUEST or CANCEL), with the calendar feed's UID. */
export function invitationIcs(inv: Invitation, stamp: Date, organizer: RenderOptions['organizer']): string {
  const cal = ical({
    method: inv.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    prodId: { company: 'Workforce transition tracker', product: 'Notices', language: 'EN' },
  });
  cal.createEvent({
    id: inv.uid,
    sequence: inv.sequence,
    stamp,
    start: new Date(inv.start),
    end: new Date(inv.end),
    summary: inv.summary,
    location: inv.location,
    description: inv.description,
    organizer,
    status: inv.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return cal.toString();
}

/** The notice for one event and one kind of recipient, as subject, text, HTML and (for a meeting) its invitation. */
export function renderNotice(event: RecordedEvent, audience: Audience, opts: RenderOptions, people?: ReadonlyMap<string, Person>): RenderedNotice {
  const n = noticeFor(event, audience, people);
  const prefix = event.programmeName ? `[${event.programmeName}] ` : '';
  const subject = oneLine(`${prefix}${n.subject}`).slice(0, 300);
  const facts = n.facts.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0);
  const footer = `Workforce transition tracker${event.programmeName ? ` · ${event.programmeName}` : ''}`;
  const link = n.link ? { text: n.link.text, url: publicUrl(opts.baseUrl, n.link.path) } : null;

  const text = [
    n.intro,
    facts.length ? facts.map(([k, v]) => `${k}: ${v}`).join('\n') : null,
    n.list?.length ? n.list.map((l) => `- ${l}`).join('\n') : null,
    ...(n.more ?? []),
    link ? `${link.text}: ${link.url}` : null,
    `-- \n${footer}`,
  ]
    .filter((p): p is string => p !== null)
    .join('\n\n');

  const html = [
    '<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1b1b1b">',
    `<p>${escapeHtml(n.intro)}</p>`,
    facts.length
      ? `<table cellpadding="4" style="border-collapse:collapse">${facts
          .map(([k, v]) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
          .join('')}</table>`
      : '',
    n.list?.length ? `<ul>${n.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '',
    ...(n.more ?? []).map((p) => `<p>${escapeHtml(p)}</p>`),
    link ? `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a></p>` : '',
    `<p style="color:#555;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');

  const calendar = n.invitation ? { method: n.invitation.method, content: invitationIcs(n.invitation, event.occurredAt, opts.organizer) } : null;
  return { subject, text, html, calendar };
}
