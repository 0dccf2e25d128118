import type { EntityManager } from 'typeorm';
import { SMALL_COUNT_LABEL, showCount } from '../../common/small-counts';
import { CONSULTATION_KIND_LABELS, ConsultationKind } from '../../consultations/entities/consultation.entity';
import { eliDue, protectiveAwardMaximum, RULES, RuleId, StatutoryRule } from '../../statutory/rules';
import { KIND_TITLE, type DocumentKind } from '../document-kinds';

/** Which copy of the pack: HR's and admins' full copy, or the reps' copy without personal data. */
export type PackCopy = 'full' | 'rep';

export interface EvidenceMeeting {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string;
  status: string;
  agenda: string | null;
  minutes: string | null;
  minutesPublishedAt: string | null;
  papers: { title: string; url: string | null }[];
  cancellationReason: string | null;
}

export interface EvidenceAttendee {
  /** Null in the reps' copy. */
  name: string | null;
  side: 'union' | 'management';
  /** The union, or the management side's organisation as the role title gives it. */
  organisation: string;
  role: string;
  leftOn: string | null;
}

export interface EvidenceAction {
  meetingTitle: string;
  meetingDate: string;
  description: string;
  owner: string;
  dueDate: string;
  status: string;
  completedOn: string | null;
}

export interface EvidenceRepresentation {
  id: string;
  union: string;
  /** Who made it (a forum member's name); null in the reps' copy or when not recorded. */
  madeBy: string | null;
  receivedAt: string;
  subject: string;
  body: string;
  response: string | null;
  reasons: string | null;
  respondedAt: string | null;
  /** Who answered (a user's e-mail); null in the reps' copy. */
  respondedBy: string | null;
}

export interface EvidenceDocument {
  id: string;
  kind: DocumentKind;
  /** A case letter's title names the employee: the reps' copy never lists case letters one by one. */
  title: string;
  issuedAt: string;
  issuedBy: string | null;
  delivery: string;
  templateVersion: number;
  docxFileId: string;
  docxFilename: string;
  docxSha256: string;
  pdfFileId: string | null;
  pdfFilename: string | null;
  pdfSha256: string | null;
  recipients: string[];
  caseLetter: boolean;
}

export interface EvidenceRule {
  id: string;
  citation: string;
  appliesFrom: string | null;
  appliesUntil: string | null;
  keyedOn: string;
  summary: string;
}

export interface EvidenceTimelineEntry {
  date: string;
  kind: 'milestone' | 'meeting';
  title: string;
  status: string;
}

/** Everything a pack holds, read once from the database; `forCopy` makes the reps' copy of it. */
export interface EvidenceContent {
  copy: PackCopy;
  consultation: {
    id: string;
    title: string;
    kind: ConsultationKind;
    kindLabel: string;
    status: string;
    startDate: string;
    plannedEndDate: string;
    originalEndDate: string;
    closedOn: string | null;
    closingSummary: string | null;
    extensionReason: string | null;
  };
  programme: { name: string; goLiveDate: string; destination: string };
  forumTitle: string | null;
  /** Posts the consultation covers (a rep sees "<5" under 5). */
  postsCovered: number | typeof SMALL_COUNT_LABEL;
  timeline: EvidenceTimelineEntry[];
  meetings: EvidenceMeeting[];
  attendees: EvidenceAttendee[];
  actions: EvidenceAction[];
  representations: EvidenceRepresentation[];
  /** Full copy: every issued document; reps' copy: the consultation's own documents (to the representatives). */
  documents: EvidenceDocument[];
  /** Case letters by kind (the reps' copy shows only these counts, "<5" under 5). */
  caseLetterCounts: { kind: DocumentKind; title: string; count: number | typeof SMALL_COUNT_LABEL }[];
  hr1: { required: boolean; dueDate: string | null; sentOn: string | null; milestoneTitle: string | null; note: string };
  rules: EvidenceRule[];
  builtAt: string;
  builtBy: string;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : typeof d === 'string' ? d : d.toISOString());

/** The statutory rules a consultation of this kind is run under, each chosen by the date the law looks at. */
export function rulesApplied(kind: ConsultationKind, startDate: string, goLiveDate: string, crRule: { citation: string; appliesFrom: string; band: string } | null): EvidenceRule[] {
  const pick = (ids: RuleId[]): StatutoryRule[] => ids.map((id) => RULES[id]);
  const out: EvidenceRule[] = [];
  if (kind === ConsultationKind.TupeInformationConsultation) {
    out.push(...pick([RuleId.TupeReg13Information, RuleId.TupeReg13ConsultationBeforeTransfer, RuleId.TupeReg13Reasons, RuleId.TupeReg16Award]));
    out.push(eliDue(goLiveDate).rule);
  } else if (kind === ConsultationKind.CollectiveRedundancy) {
    out.push(...pick([RuleId.S188StartBy, RuleId.S188Aggregation, RuleId.S188Disclosure, RuleId.S193Hr1]));
    out.push(RULES[protectiveAwardMaximum(startDate).ruleId]);
  }
  const rules: EvidenceRule[] = out.map((r) => ({ id: r.id, citation: r.citation, appliesFrom: r.appliesFrom, appliesUntil: r.appliesUntil, keyedOn: r.keyedOn, summary: r.summary }));
  if (crRule) {
    rules.push({
      id: 'collective_redundancy_band',
      citation: crRule.citation,
      appliesFrom: crRule.appliesFrom,
      appliesUntil: null,
      keyedOn: 'consultation start date',
      summary: `The band applied: ${crRule.band}`,
    });
  }
  rules.push({ ...RULES[RuleId.WorkingDays], id: RULES[RuleId.WorkingDays].id });
  return rules;
}

/** The management side's organisation, from its role title ("Head of HR/OD, Manchester City Council (chair)"). */
export function organisationOf(side: string, union: string | null, roleTitle: string | null): string {
  if (side === 'union') return union ?? 'Union side';
  const parts = (roleTitle ?? '').replace(/\s*\(.*?\)\s*$/, '').split(',').map((s) => s.trim()).filter(Boolean);
  return parts.length > 1 ? parts[parts.length - 1] : 'Management side';
}

/**
 * Read a consultation's evidence from the database: its milestones and the forum's meetings (those
 * about this consultation and the forum's general ones, not another consultation's), members,
 * minutes, actions, representations with their responses, every document issued for it (its own,
 * and the letters of the cases it covers), the HR1, and the rules applied.
 */
export async function loadEvidence(em: EntityManager, consultationId: string, builtBy: string): Promise<EvidenceContent | null> {
  const [c] = await em.query(
    `SELECT k.*, p.name AS programme_name, p.go_live_date::text AS go_live_date, o.name AS destination,
            k.start_date::text AS start, k.planned_end_date::text AS planned_end, k.original_end_date::text AS original_end,
            k.closed_on::text AS closed, k.hr1_due_date::text AS hr1_due, k.rules_applied_from::text AS rules_from,
            r.citation AS rule_citation, r.min_dismissals, r.max_dismissals
       FROM consultations k JOIN programmes p ON p.id = k.programme_id JOIN organisations o ON o.id = p.destination_organisation_id
       LEFT JOIN collective_redundancy_rules r ON r.id = k.rule_id
      WHERE k.id = $1`,
    [consultationId],
  );
  if (!c) return null;
  const [forum]: { id: string; title: string }[] = await em.query(`SELECT id, title FROM forums WHERE programme_id = $1`, [c.programme_id]);
  const forumId = forum?.id ?? null;

  const milestones: { title: string; kind: string; due: string; status: string; completed: string | null }[] = await em.query(
    `SELECT title, kind, due_date::text AS due, status, completed_on::text AS completed FROM milestones WHERE consultation_id = $1 ORDER BY due_date, title`,
    [consultationId],
  );
  const meetingRows: {
    id: string; title: string; starts_at: Date; ends_at: Date; location: string; status: string; agenda: string | null;
    minutes: string | null; minutes_published_at: Date | null; papers: { title: string; url: string | null }[]; cancellation_reason: string | null;
  }[] = await em.query(
    `SELECT id, title, starts_at, ends_at, location, status, agenda, minutes, minutes_published_at, papers, cancellation_reason
       FROM forum_meetings WHERE forum_id = $1 AND (consultation_id = $2 OR consultation_id IS NULL) ORDER BY starts_at, id`,
    [forumId, consultationId],
  );
  const meetings: EvidenceMeeting[] = meetingRows.map((m) => ({
    id: m.id,
    title: m.title,
    startsAt: m.starts_at.toISOString(),
    endsAt: m.ends_at.toISOString(),
    location: m.location,
    status: m.status,
    agenda: m.agenda,
    minutes: m.minutes,
    minutesPublishedAt: iso(m.minutes_published_at),
    papers: m.papers ?? [],
    cancellationReason: m.cancellation_reason,
  }));
  const attendees: EvidenceAttendee[] = (
    await em.query(
      `SELECT m.display_name, m.side, u.name AS union_name, m.role_title, m.left_on::text AS left_on
         FROM forum_members m LEFT JOIN unions u ON u.id = m.union_id WHERE m.forum_id = $1 ORDER BY m.side DESC, u.name NULLS LAST, m.role_title, m.display_name`,
      [forumId],
    )
  ).map((m: { display_name: string; side: 'union' | 'management'; union_name: string | null; role_title: string | null; left_on: string | null }) => ({
    name: m.display_name,
    side: m.side,
    organisation: organisationOf(m.side, m.union_name, m.role_title),
    role: m.role_title ?? (m.side === 'union' ? 'Representative' : 'Management side'),
    leftOn: m.left_on,
  }));
  const meetingIds = meetings.map((m) => m.id);
  const actions: EvidenceAction[] = (
    await em.query(
      `SELECT m.title AS meeting_title, m.starts_at, a.description, a.owner, a.due_date::text AS due, a.status, a.completed_on::text AS completed
         FROM forum_actions a JOIN forum_meetings m ON m.id = a.meeting_id WHERE a.meeting_id = ANY($1::uuid[]) ORDER BY m.starts_at, a.due_date, a.id`,
      [meetingIds],
    )
  ).map((a: { meeting_title: string; starts_at: Date; description: string; owner: string; due: string; status: string; completed: string | null }) => ({
    meetingTitle: a.meeting_title,
    meetingDate: a.starts_at.toISOString(),
    description: a.description,
    owner: a.owner,
    dueDate: a.due,
    status: a.status,
    completedOn: a.completed,
  }));
  const representations: EvidenceRepresentation[] = (
    await em.query(
      `SELECT r.id, un.name AS union_name, fm.display_name AS made_by, r.received_at, r.subject, r.body, r.response, r.response_reasons, r.responded_at, ru.email AS responded_by
         FROM representations r JOIN unions un ON un.id = r.union_id
         LEFT JOIN forum_members fm ON fm.id = r.made_by_member_id LEFT JOIN users ru ON ru.id = r.responded_by
        WHERE r.forum_id = $1 AND (r.consultation_id = $2 OR r.consultation_id IS NULL) ORDER BY r.received_at, r.id`,
      [forumId, consultationId],
    )
  ).map((r: { id: string; union_name: string; made_by: string | null; received_at: Date; subject: string; body: string; response: string | null; response_reasons: string | null; responded_at: Date | null; responded_by: string | null }) => ({
    id: r.id,
    union: r.union_name,
    madeBy: r.made_by,
    receivedAt: r.received_at.toISOString(),
    subject: r.subject,
    body: r.body,
    response: r.response,
    reasons: r.response_reasons,
    respondedAt: iso(r.responded_at),
    respondedBy: r.responded_by,
  }));
  const documents: EvidenceDocument[] = (
    await em.query(
      `SELECT d.id, d.kind, d.title, d.issued_at, d.issued_by_label, d.delivery, d.template_version, d.recipients, d.case_id,
              d.docx_file_id, fd.filename AS docx_filename, fd.sha256 AS docx_sha256, d.pdf_file_id, fp.filename AS pdf_filename, fp.sha256 AS pdf_sha256
         FROM documents d JOIN stored_files fd ON fd.id = d.docx_file_id LEFT JOIN stored_files fp ON fp.id = d.pdf_file_id
        WHERE d.issued_at IS NOT NULL
          AND (d.consultation_id = $1 OR d.case_id IN (SELECT id FROM transition_cases WHERE consultation_id = $1))
        ORDER BY d.issued_at, d.kind, d.id`,
      [consultationId],
    )
  ).map((d: {
    id: string; kind: DocumentKind; title: string; issued_at: Date; issued_by_label: string | null; delivery: string; template_version: number; recipients: { name: string; role: string }[] | null;
    case_id: string | null; docx_file_id: string; docx_filename: string; docx_sha256: string; pdf_file_id: string | null; pdf_filename: string | null; pdf_sha256: string | null;
  }) => ({
    id: d.id,
    kind: d.kind,
    title: d.title,
    issuedAt: d.issued_at.toISOString(),
    issuedBy: d.issued_by_label,
    delivery: d.delivery,
    templateVersion: d.template_version,
    docxFileId: d.docx_file_id,
    docxFilename: d.docx_filename,
    docxSha256: d.docx_sha256,
    pdfFileId: d.pdf_file_id,
    pdfFilename: d.pdf_filename,
    pdfSha256: d.pdf_sha256,
    recipients: (d.recipients ?? []).map((r) => `${r.name} (${r.role})`),
    caseLetter: d.case_id !== null,
  }));
  const [{ n: posts }]: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM consultation_posts WHERE consultation_id = $1`, [consultationId]);

  const hr1Milestone = milestones.find((m) => m.kind === 'hr1_notice') ?? null;
  const kind = c.kind as ConsultationKind;
  const hr1 =
    kind === ConsultationKind.CollectiveRedundancy && c.hr1_due
      ? {
          required: true,
          dueDate: c.hr1_due as string,
          sentOn: hr1Milestone?.completed ?? null,
          milestoneTitle: hr1Milestone?.title ?? null,
          note: hr1Milestone?.completed ? `HR1 sent to the Secretary of State on ${hr1Milestone.completed} (due by ${c.hr1_due}).` : `HR1 due by ${c.hr1_due}; no date of sending is recorded yet.`,
        }
      : {
          required: false,
          dueDate: null,
          sentOn: null,
          milestoneTitle: null,
          note:
            kind === ConsultationKind.CollectiveRedundancy
              ? 'No HR1 is required: fewer than 20 dismissals are proposed at the establishment within 90 days (TULRCA 1992 s.193).'
              : 'No HR1 is required: this is not a collective redundancy consultation (TULRCA 1992 s.193 applies to proposed redundancies only).',
        };
  const crRule =
    c.rule_citation && c.rules_from
      ? { citation: c.rule_citation as string, appliesFrom: c.rules_from as string, band: `${c.min_dismissals}${c.max_dismissals ? `–${c.max_dismissals}` : ' or more'} dismissals, ${c.minimum_period_days} days` }
      : null;

  const timeline: EvidenceTimelineEntry[] = [
    ...milestones.map((m) => ({ date: m.completed ?? m.due, kind: 'milestone' as const, title: m.title, status: m.completed ? `done on ${m.completed} (due ${m.due})` : `${m.status}, due ${m.due}` })),
    ...meetings.map((m) => ({ date: m.startsAt.slice(0, 10), kind: 'meeting' as const, title: m.title, status: m.status })),
  ].sort((a, b) => a.date.localeCompare(b.date) || a.kind.localeCompare(b.kind) || a.title.localeCompare(b.title));

  const counts = new Map<DocumentKind, number>();
  for (const d of documents) if (d.caseLetter) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);

  return {
    copy: 'full',
    consultation: {
      id: c.id,
      title: c.title,
      kind,
      kindLabel: CONSULTATION_KIND_LABELS[kind],
      status: c.status,
      startDate: c.start,
      plannedEndDate: c.planned_end,
      originalEndDate: c.original_end,
      closedOn: c.closed,
      closingSummary: c.closing_summary,
      extensionReason: c.extension_reason,
    },
    programme: { name: c.programme_name, goLiveDate: c.go_live_date, destination: c.destination },
    forumTitle: forum?.title ?? null,
    postsCovered: posts,
    timeline,
    meetings,
    attendees,
    actions,
    representations,
    documents,
    caseLetterCounts: [...counts].map(([k, n]) => ({ kind: k, title: KIND_TITLE[k], count: n })),
    hr1,
    rules: rulesApplied(kind, c.start, c.go_live_date, crRule),
    builtAt: new Date().toISOString(),
    builtBy,
  };
}

/**
 * The reps' copy: no names (attendees by role and organisation; representations by union; answers
 * by "the management side"), no case letters one by one (their titles name the employee; counts by
 * kind instead, "<5" under 5), no recipients' names, posts covered "<5" under 5. Minutes are those
 * published to the forum.
 */
export function forCopy(full: EvidenceContent, copy: PackCopy): EvidenceContent {
  if (copy === 'full') return full;
  return {
    ...full,
    copy: 'rep',
    postsCovered: typeof full.postsCovered === 'number' ? showCount(full.postsCovered) : full.postsCovered,
    attendees: full.attendees.map((a) => ({ ...a, name: null })),
    meetings: full.meetings.map((m) => (m.minutesPublishedAt ? m : { ...m, minutes: null })),
    representations: full.representations.map((r) => ({ ...r, madeBy: null, respondedBy: null })),
    documents: full.documents.filter((d) => !d.caseLetter).map((d) => ({ ...d, issuedBy: null, recipients: [] })),
    caseLetterCounts: full.caseLetterCounts.map((c) => ({ ...c, count: typeof c.count === 'number' ? showCount(c.count) : c.count })),
    builtBy: 'HR (joint HR/OD team)',
  };
}
