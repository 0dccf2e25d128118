import { Bookmark, Document, HeadingLevel, InternalHyperlink, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { EvidenceContent } from './evidence-data';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "1 April 2017" from an ISO date or instant (the date in London: instants are shown as dates and times). */
export function longDate(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

function londonDateTime(isoInstant: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
  return f.format(new Date(isoInstant)).replace(',', ' at');
}

/** The sections of the pack, in order: their headings are the table of contents and the PDF's bookmarks. */
export const SECTIONS = [
  { id: 'timeline', title: 'Timeline of milestones and meetings' },
  { id: 'attendees', title: 'Attendees by role' },
  { id: 'meetings', title: 'Meetings and minutes' },
  { id: 'actions', title: 'Actions' },
  { id: 'representations', title: 'Representations and responses' },
  { id: 'documents', title: 'Documents issued' },
  { id: 'hr1', title: 'HR1 notification' },
  { id: 'rules', title: 'Statutory rules applied' },
] as const;

const p = (text: string, opts: { bold?: boolean } = {}) => new Paragraph({ children: [new TextRun({ text, bold: opts.bold })] });
const lines = (text: string) => text.split(/\r?\n/).map((l) => p(l));
const h1 = (id: string, text: string) => new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new Bookmark({ id, children: [new TextRun(text)] })] });
const h2 = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(text)] });

/** A table whose first row is a header row (repeated on each page, tagged TH in the PDF). */
function table(head: string[], rows: string[][]): Table {
  const cell = (text: string, header: boolean) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold: header })] })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: head.map((h) => cell(h, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((v) => cell(v, false)) })),
    ],
  });
}

/** The indexed DOCX of a pack copy (LibreOffice makes it a tagged PDF with bookmarks from the headings). */
export async function evidenceDocx(e: EvidenceContent): Promise<Buffer> {
  const k = e.consultation;
  const copyLabel = e.copy === 'full' ? 'Full copy (HR and admins): contains personal data' : 'Representatives’ copy: no personal data';
  const body: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`Consultation evidence pack: ${k.title}`)] }),
    p(copyLabel, { bold: true }),
    p(`${k.kindLabel}. Programme: ${e.programme.name} (go-live ${longDate(e.programme.goLiveDate)}, destination ${e.programme.destination}).`),
    p(`Consultation from ${longDate(k.startDate)} to ${longDate(k.plannedEndDate)}${k.plannedEndDate !== k.originalEndDate ? ` (originally ${longDate(k.originalEndDate)}; extended: ${k.extensionReason ?? 'no reason recorded'})` : ''}; status ${k.status}${k.closedOn ? `, closed on ${longDate(k.closedOn)}` : ''}.`),
    ...(k.closingSummary ? [p(`Closing summary: ${k.closingSummary}`)] : []),
    p(`Posts covered by the consultation: ${e.postsCovered}. Forum: ${e.forumTitle ?? 'none'}.`),
    p(`Built on ${londonDateTime(e.builtAt)} by ${e.builtBy}.`),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Contents')] }),
    ...SECTIONS.map(
      (s, i) => new Paragraph({ children: [new InternalHyperlink({ anchor: s.id, children: [new TextRun({ text: `${i + 1}. ${s.title}`, style: 'Hyperlink' })] })] }),
    ),
  ];

  // 1. Timeline
  body.push(h1('timeline', `1. ${SECTIONS[0].title}`));
  body.push(p(`${e.timeline.filter((t) => t.kind === 'milestone').length} milestones and ${e.meetings.length} meetings.`));
  body.push(table(['Date', 'What', 'Title', 'Status'], e.timeline.map((t) => [longDate(t.date), t.kind === 'meeting' ? 'Meeting' : 'Milestone', t.title, t.status])));

  // 2. Attendees
  body.push(h1('attendees', `2. ${SECTIONS[1].title}`));
  body.push(p('The members of the joint forum: the union side and the management side.'));
  const attendeeHead = e.copy === 'full' ? ['Side', 'Organisation', 'Role', 'Name', 'Left'] : ['Side', 'Organisation', 'Role', 'Left'];
  body.push(
    table(
      attendeeHead,
      e.attendees.map((a) => {
        const row = [a.side === 'union' ? 'Union side' : 'Management side', a.organisation, a.role];
        if (e.copy === 'full') row.push(a.name ?? '');
        row.push(a.leftOn ? longDate(a.leftOn) : 'Current member');
        return row;
      }),
    ),
  );

  // 3. Meetings and minutes
  body.push(h1('meetings', `3. ${SECTIONS[2].title}`));
  body.push(p(`${e.meetings.length} meetings.`));
  for (const m of e.meetings) {
    body.push(h2(`${longDate(m.startsAt)}: ${m.title}`));
    body.push(p(`${londonDateTime(m.startsAt)} to ${londonDateTime(m.endsAt)}, ${m.location}. Status: ${m.status}${m.cancellationReason ? ` (${m.cancellationReason})` : ''}.`));
    if (m.agenda) body.push(p('Agenda', { bold: true }), ...lines(m.agenda));
    if (m.papers.length) body.push(p('Papers', { bold: true }), ...m.papers.map((x) => p(`${x.title}${x.url ? ` (${x.url})` : ''}`)));
    body.push(p('Minutes', { bold: true }));
    if (m.minutes) {
      body.push(...lines(m.minutes));
      body.push(p(m.minutesPublishedAt ? `Published on ${longDate(m.minutesPublishedAt)}.` : 'Draft: not yet published to the forum.'));
    } else body.push(p('No minutes have been published for this meeting.'));
  }

  // 4. Actions
  body.push(h1('actions', `4. ${SECTIONS[3].title}`));
  body.push(
    e.actions.length
      ? table(['Meeting', 'Action', 'Owner', 'Due', 'Status'], e.actions.map((a) => [longDate(a.meetingDate), a.description, a.owner, longDate(a.dueDate), a.completedOn ? `${a.status} on ${longDate(a.completedOn)}` : a.status]))
      : p('No actions were recorded.'),
  );

  // 5. Representations
  body.push(h1('representations', `5. ${SECTIONS[4].title}`));
  const open = e.representations.filter((r) => !r.response).length;
  body.push(p(`${e.representations.length} representations; ${open === 0 ? 'every one has a reasoned response' : `${open} without a response yet`}.`));
  for (const r of e.representations) {
    body.push(h2(`${longDate(r.receivedAt)}: ${r.subject} (${r.union})`));
    body.push(p(`Made by ${r.madeBy ? `${r.madeBy}, ` : ''}${r.union}, received ${londonDateTime(r.receivedAt)}.`));
    body.push(...lines(r.body));
    if (r.response) {
      body.push(p(`Response${r.respondedAt ? ` of ${longDate(r.respondedAt)}` : ''}${r.respondedBy ? ` by ${r.respondedBy}` : ' by the management side'}`, { bold: true }));
      body.push(...lines(r.response));
      body.push(p('Reasons', { bold: true }), ...lines(r.reasons ?? 'No reasons were recorded.'));
    } else {
      body.push(p('No response yet: this representation is awaiting the employer’s reasoned response (TUPE reg. 13(7)).', { bold: true }));
    }
  }

  // 6. Documents
  body.push(h1('documents', `6. ${SECTIONS[5].title}`));
  if (e.copy === 'rep') {
    body.push(p('Letters to individual employees are not listed one by one in this copy; their numbers by kind:'));
    body.push(e.caseLetterCounts.length ? table(['Kind', 'Issued'], e.caseLetterCounts.map((c) => [c.title, String(c.count)])) : p('No letters to individual employees have been issued.'));
    body.push(p('Documents issued to the representatives:'));
  }
  if (!e.documents.length) body.push(p('No documents have been issued.'));
  for (const d of e.documents) {
    // One block per document (a 64-character hash does not fit a table cell).
    body.push(p(`${longDate(d.issuedAt)}: ${d.title} (template version ${d.templateVersion})`, { bold: true }));
    body.push(p(`SHA-256 of the DOCX issued: ${d.docxSha256}`));
    body.push(p(d.pdfSha256 ? `SHA-256 of its PDF: ${d.pdfSha256}` : 'PDF: not made yet (the DOCX is the document issued).'));
    if (e.copy === 'full') body.push(p(`Issued to ${d.recipients.join('; ') || 'no one recorded'} (${d.delivery.replace('_', ' ')}${d.issuedBy ? `, by ${d.issuedBy}` : ''}).`));
  }

  // 7. HR1
  body.push(h1('hr1', `7. ${SECTIONS[6].title}`));
  body.push(p(e.hr1.note));
  if (e.hr1.required) body.push(p(`Due by ${longDate(e.hr1.dueDate!)}; sent ${e.hr1.sentOn ? `on ${longDate(e.hr1.sentOn)}` : ': not recorded'}.`));

  // 8. Rules
  body.push(h1('rules', `8. ${SECTIONS[7].title}`));
  body.push(
    table(
      ['Citation', 'Applies from', 'Keyed on', 'Rule'],
      e.rules.map((r) => [r.citation, r.appliesFrom ? `${longDate(r.appliesFrom)}${r.appliesUntil ? ` to ${longDate(r.appliesUntil)}` : ''}` : 'From the start of the regime', r.keyedOn, r.summary]),
    ),
  );

  const doc = new Document({
    title: `Consultation evidence pack: ${k.title}`,
    description: copyLabel,
    creator: 'Workforce transition tracker',
    styles: { default: { document: { run: { language: { value: 'en-GB' } } } } },
    sections: [{ children: body }],
  });
  return Packer.toBuffer(doc);
}
