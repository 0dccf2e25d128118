import { DomainEventType } from '../events/domain-event';

/**
 * Plain-text and HTML notices, one template per event type.
 *
 * A template reads the event's payload merged over what the relay looked up about the entity
 * (payload keys win), so an emitter may send as much or as little as it likes. Keys read:
 *
 *   milestone.*             title, kind, dueDate, consultationTitle, daysLeft (upcoming), completedOn (reached)
 *   consultation.*          title, kind, startDate, plannedEndDate, previousEndDate, extensionReason, closedOn, closingSummary
 *   forum_meeting.*         title, startsAt, endsAt, location, previousStartsAt, changes[], cancellationReason
 *   forum_minutes.published title, startsAt, minutesPublishedAt
 *   representation.answered subject, unionName, receivedAt, respondedAt
 *   case.state_changed      fromState, toState, route, postReference, postTitle, oldGrade, newGrade, destination,
 *                           effectiveDate; employeeName and staffNumber only for recipients allowed personal data
 *   deadlines.overdue       date, items[{ kind, title, dueDate, daysOverdue, context, employeeName? }]
 *
 * `personal: false` (tu_reps, forum members without an account, affected staff, webhooks) leaves
 * out every personal field: a person's name, staff number, email, pay, notes.
 */

export interface RenderInput {
  type: string;
  occurredAt: Date;
  programmeName: string | null;
  /** Payload merged over the looked-up facts. */
  data: Record<string, unknown>;
}

export interface Audience {
  /** May this recipient read an individual's personal data (HR, admins, the case's manager)? */
  personal: boolean;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

type Fact = [label: string, value: string | null | undefined];

interface Notice {
  subject: string;
  intro: string;
  facts: Fact[];
  /** Extra paragraphs (a reason, a list). */
  more?: string[];
  list?: string[];
}

/** Keys that carry an individual's personal data: never in a notice or webhook for `personal: false`. */
export const PERSONAL_FIELDS = new Set([
  'employeeName', 'employeeId', 'staffNumber', 'firstName', 'lastName', 'fullName', 'displayName', 'holderName', 'email',
  'workEmail', 'personalEmail', 'pay', 'annualPay', 'salary', 'protectedPay', 'dateOfBirth', 'notes', 'caseNotes', 'note',
  'niNumber', 'address', 'phone', 'madeByName', 'respondedByName',
]);

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

function str(d: Record<string, unknown>, key: string): string | null {
  const v = d[key];
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? null : String(v);
}

/** 'YYYY-MM-DD' (or a timestamp) as 'Tuesday 14 March 2017'. */
export function formatDate(v: string | null): string | null {
  if (!v) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return v;
  const p = parts(dateFmt, new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

/** An instant as 'Tue 14 Mar 2017, 10:00 GMT' in London time. */
export function formatDateTime(v: string | null): string | null {
  if (!v) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const p = parts(dateTimeFmt, d);
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

const humanise = (v: string | null) => (v ? v.replace(/_/g, ' ') : null);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function milestone(type: string, d: Record<string, unknown>): Notice {
  const title = str(d, 'title') ?? 'A milestone';
  const due = formatDate(str(d, 'dueDate'));
  const facts: Fact[] = [
    ['Milestone', title],
    ['Consultation', str(d, 'consultationTitle')],
    ['Kind', humanise(str(d, 'kind'))],
    ['Due', due],
  ];
  if (type === DomainEventType.MilestoneUpcoming) {
    const left = Number(d.daysLeft);
    const when = Number.isFinite(left) ? (left === 0 ? 'today' : left === 1 ? 'tomorrow' : `in ${plural(left, 'day')}`) : 'soon';
    return { subject: `Reminder: ${title} is due ${when}${due ? ` (${due})` : ''}`, intro: `This milestone is due ${when}.`, facts };
  }
  if (type === DomainEventType.MilestoneReached) {
    facts.push(['Completed', formatDate(str(d, 'completedOn'))]);
    return { subject: `Milestone reached: ${title}`, intro: 'This milestone has been reached.', facts };
  }
  return {
    subject: `Missed milestone: ${title}${due ? ` was due ${due}` : ''}`,
    intro: 'This milestone has passed its due date without being completed. A missed consultation step can breach a statutory duty: act on it today.',
    facts,
  };
}

function consultation(type: string, d: Record<string, unknown>): Notice {
  const title = str(d, 'title') ?? 'A consultation';
  const facts: Fact[] = [
    ['Consultation', title],
    ['Kind', humanise(str(d, 'kind'))],
    ['Starts', formatDate(str(d, 'startDate'))],
    ['Ends', formatDate(str(d, 'plannedEndDate'))],
  ];
  if (type === DomainEventType.ConsultationOpened) return { subject: `Consultation opened: ${title}`, intro: 'A consultation has opened.', facts };
  if (type === DomainEventType.ConsultationExtended) {
    facts.splice(3, 1, ['Previous end', formatDate(str(d, 'previousEndDate'))], ['New end', formatDate(str(d, 'plannedEndDate'))]);
    const reason = str(d, 'extensionReason');
    return { subject: `Consultation extended: ${title}`, intro: 'A consultation has been extended.', facts, more: reason ? [`Reason: ${reason}`] : [] };
  }
  facts.push(['Closed', formatDate(str(d, 'closedOn'))]);
  const summary = str(d, 'closingSummary');
  return { subject: `Consultation closed: ${title}`, intro: 'A consultation has closed.', facts, more: summary ? [summary] : [] };
}

function forumMeeting(type: string, d: Record<string, unknown>): Notice {
  const title = str(d, 'title') ?? 'A forum meeting';
  const when = formatDateTime(str(d, 'startsAt'));
  const facts: Fact[] = [
    ['Meeting', title],
    ['When', when],
    ['Ends', formatDateTime(str(d, 'endsAt'))],
    ['Where', str(d, 'location')],
  ];
  if (type === DomainEventType.ForumMeetingScheduled) {
    return { subject: `Forum meeting scheduled: ${title}${when ? `, ${when}` : ''}`, intro: 'A joint trade union forum meeting has been scheduled.', facts };
  }
  if (type === DomainEventType.ForumMeetingChanged) {
    const previous = formatDateTime(str(d, 'previousStartsAt'));
    if (previous) facts.splice(1, 0, ['Was', previous]);
    const changes = Array.isArray(d.changes) ? d.changes.filter((c) => typeof c === 'string').map((c) => humanise(c as string) as string) : [];
    return {
      subject: `Forum meeting changed: ${title}${when ? `, now ${when}` : ''}`,
      intro: 'A joint trade union forum meeting has changed.',
      facts,
      more: changes.length ? [`Changed: ${changes.join(', ')}`] : [],
    };
  }
  if (type === DomainEventType.ForumMeetingCancelled) {
    const reason = str(d, 'cancellationReason');
    return { subject: `Forum meeting cancelled: ${title}`, intro: 'A joint trade union forum meeting has been cancelled.', facts, more: reason ? [`Reason: ${reason}`] : [] };
  }
  facts.splice(2, 2, ['Minutes published', formatDateTime(str(d, 'minutesPublishedAt'))]);
  return { subject: `Minutes published: ${title}`, intro: 'The minutes of a joint trade union forum meeting have been published.', facts };
}

function representation(d: Record<string, unknown>): Notice {
  const subject = str(d, 'subject') ?? 'A representation';
  return {
    subject: `Representation answered: ${subject}`,
    intro: 'Management has answered a representation made to the joint trade union forum.',
    facts: [
      ['Representation', subject],
      ['Union', str(d, 'unionName')],
      ['Received', formatDateTime(str(d, 'receivedAt'))],
      ['Answered', formatDateTime(str(d, 'respondedAt'))],
    ],
  };
}

function caseStateChanged(d: Record<string, unknown>, audience: Audience): Notice {
  const post = [str(d, 'postReference'), str(d, 'postTitle')].filter(Boolean).join(' ');
  const from = humanise(str(d, 'fromState'));
  const to = humanise(str(d, 'toState')) ?? 'a new state';
  const oldGrade = str(d, 'oldGrade') ?? 'not recorded';
  const newGrade = str(d, 'newGrade') ?? `${oldGrade} (unchanged)`;
  const destination = str(d, 'destination') ?? 'not yet decided';
  const facts: Fact[] = [];
  if (audience.personal) {
    facts.push(['Person', str(d, 'employeeName')], ['Staff number', str(d, 'staffNumber')]);
  }
  facts.push(
    ['Post', post || null],
    ['Route', humanise(str(d, 'route'))],
    ['State', from ? `${from} → ${to}` : to],
    ['Old grade', oldGrade],
    ['New grade', newGrade],
    ['Destination', destination],
    ['Effective date', formatDate(str(d, 'effectiveDate'))],
  );
  return {
    subject: `Case ${to}${post ? `: ${post}` : ''} (${oldGrade} → ${newGrade}, ${destination})`,
    intro: `A staff movement case has moved${from ? ` from ${from}` : ''} to ${to}.`,
    facts,
  };
}

function overdueDigest(d: Record<string, unknown>, audience: Audience): Notice {
  const items = Array.isArray(d.items) ? (d.items as Record<string, unknown>[]) : [];
  const list = items.map((it) => {
    const who = audience.personal ? str(it, 'employeeName') : null;
    const ctx = [str(it, 'context'), who].filter(Boolean).join(', ');
    const overdue = Number(it.daysOverdue);
    return `${str(it, 'title') ?? humanise(str(it, 'kind'))}${ctx ? ` (${ctx})` : ''}: due ${formatDate(str(it, 'dueDate'))}${Number.isFinite(overdue) ? `, ${plural(overdue, 'day')} overdue` : ''}`;
  });
  return {
    subject: `${plural(items.length, 'deadline')} overdue${str(d, 'date') ? ` on ${formatDate(str(d, 'date'))}` : ''}`,
    intro: 'These deadlines have passed and are not marked done:',
    facts: [],
    list,
  };
}

function generic(type: string): Notice {
  return { subject: `Update: ${humanise(type.replace('.', ' '))}`, intro: `Something has changed (${type}).`, facts: [] };
}

function notice(input: RenderInput, audience: Audience): Notice {
  const d = audience.personal ? input.data : (withoutPersonalData(input.data) as Record<string, unknown>);
  switch (input.type) {
    case DomainEventType.MilestoneUpcoming:
    case DomainEventType.MilestoneReached:
    case DomainEventType.MilestoneMissed:
      return milestone(input.type, d);
    case DomainEventType.ConsultationOpened:
    case DomainEventType.ConsultationExtended:
    case DomainEventType.ConsultationClosed:
      return consultation(input.type, d);
    case DomainEventType.ForumMeetingScheduled:
    case DomainEventType.ForumMeetingChanged:
    case DomainEventType.ForumMeetingCancelled:
    case DomainEventType.ForumMinutesPublished:
      return forumMeeting(input.type, d);
    case DomainEventType.RepresentationAnswered:
      return representation(d);
    case DomainEventType.CaseStateChanged:
      return caseStateChanged(d, audience);
    case DomainEventType.DeadlinesOverdue:
      return overdueDigest(d, audience);
    default:
      return generic(input.type);
  }
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

/** The notice for one event and one kind of recipient. */
export function renderNotice(input: RenderInput, audience: Audience): RenderedNotice {
  const n = notice(input, audience);
  const prefix = input.programmeName ? `[${input.programmeName}] ` : '';
  const subject = oneLine(`${prefix}${n.subject}`).slice(0, 300);
  const facts = n.facts.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0);
  const footer = `Workforce transition tracker${input.programmeName ? ` · ${input.programmeName}` : ''}`;

  const text = [
    n.intro,
    facts.length ? facts.map(([k, v]) => `${k}: ${v}`).join('\n') : null,
    n.list?.length ? n.list.map((l) => `- ${l}`).join('\n') : null,
    ...(n.more ?? []),
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
    `<p style="color:#555;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');

  return { subject, text, html };
}
