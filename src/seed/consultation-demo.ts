import type { EntityManager } from 'typeorm';
import { Role } from '../common/access/role.enum';
import { DEMO_USERS } from './demo-users';
import type { SeedStep } from './seed-step';

/**
 * The demo consultation and joint trade union forum of Manchester's Single Commissioning
 * Function, as a finished history: options appraisal to the Joint Commissioning Executive on
 * 31 August 2016, the Executive report of 19 October 2016, the detailed design and implementation
 * plan approved in November 2016, TUPE information and consultation from 5 December 2016 (when
 * the demo cases enter consultation) to 3 March 2017, go-live on 1 April 2017. The forum (UNISON,
 * GMB and Unite, and the management side) met monthly from September 2016 to April 2017.
 *
 * The dates of the governance steps are the report's; everything else (meeting dates, minutes,
 * representations, people) is invented, with example.org addresses. Two loose ends are left open
 * so the reps' view has something owed: an action from the post go-live review and a Unite
 * representation awaiting its response. No domain events: this is history, not news to notify.
 */

const UNIONS = [
  { name: 'UNISON', description: 'UNISON, the public service union' },
  { name: 'GMB', description: 'GMB, the general union' },
  { name: 'Unite', description: 'Unite the Union' },
];

const MEMBERS: { key: string; side: 'union' | 'management'; union?: string; name: string; email: string; role: string; demoUser?: true }[] = [
  { key: 'unison1', side: 'union', union: 'UNISON', name: 'Alex Ashworth', email: 'alex.ashworth@unison.example.org', role: 'Branch secretary, Manchester City UNISON' },
  { key: 'unison2', side: 'union', union: 'UNISON', name: 'Demo Trade Union Rep', email: 'demo.rep@unison.example.org', role: 'Steward, commissioning', demoUser: true },
  { key: 'gmb', side: 'union', union: 'GMB', name: 'Sam Okafor', email: 'sam.okafor@gmb.example.org', role: 'Regional organiser' },
  { key: 'unite', side: 'union', union: 'Unite', name: 'Jordan Pryce', email: 'jordan.pryce@unite.example.org', role: 'Workplace representative' },
  { key: 'mcc', side: 'management', name: 'Chris Whitworth', email: 'chris.whitworth@council.example.org', role: 'Head of HR/OD, Manchester City Council (chair)' },
  { key: 'ccg', side: 'management', name: 'Pat Lindqvist', email: 'pat.lindqvist@ccg.example.org', role: 'HR business partner, Manchester CCGs' },
];

const CONSULTATION = {
  title: 'Single Commissioning Function: secondment and transfer of council commissioning staff',
  description:
    'Information and consultation with the recognised trade unions (TUPE 2006 reg. 13, and COSOP for transfers between public bodies) ' +
    'on the secondment and transfer of the council’s in-scope commissioning posts into the Single Commissioning Function and the merged Manchester CCG.',
  startDate: '2016-12-05',
  endDate: '2017-03-03',
  openedAt: '2016-12-05T09:00:00Z',
  closingSummary:
    'Consultation concluded. Measures agreed at the forum of 15 February 2017: secondment first, pay protection under the council’s policy, ' +
    'pension arrangements confirmed for each route. Go-live 1 April 2017.',
};

const MILESTONES: { title: string; kind: string; due: string; done: string; audience: string[]; derived?: 'planned_end_date'; description?: string }[] = [
  { title: 'Options appraisal presented to the Joint Commissioning Executive', kind: 'governance_decision', due: '2016-08-31', done: '2016-08-31', audience: ['forum', 'hr', 'managers'] },
  { title: 'Executive report: Single Commissioning Function', kind: 'governance_decision', due: '2016-10-19', done: '2016-10-19', audience: ['forum', 'hr', 'managers'] },
  {
    title: 'Detailed design and implementation plan approved',
    kind: 'governance_decision',
    due: '2016-11-30',
    done: '2016-11-30',
    audience: ['forum', 'hr', 'managers'],
    description: 'Approved during November 2016 (Executive report, para 3.3).',
  },
  { title: 'Measures letter to the recognised trade unions (TUPE reg. 13)', kind: 'measures_letter', due: '2016-12-05', done: '2016-12-05', audience: ['forum', 'hr'] },
  { title: 'One-to-one meetings with affected staff completed', kind: 'other', due: '2017-01-27', done: '2017-01-26', audience: ['hr', 'managers', 'affected_staff'] },
  { title: 'Consultation period ends', kind: 'consultation_end', due: '2017-03-03', done: '2017-03-03', audience: ['forum', 'hr', 'managers'], derived: 'planned_end_date' },
  {
    title: 'Employee liability information to NHS Manchester CCG (TUPE reg. 11)',
    kind: 'employee_liability_information',
    due: '2017-03-03',
    done: '2017-03-01',
    audience: ['hr'],
    description: 'At least 28 days before the transfer date of 1 April 2017.',
  },
  { title: 'Go-live: Single Commissioning Function established', kind: 'go_live', due: '2017-04-01', done: '2017-04-01', audience: ['forum', 'hr', 'managers', 'affected_staff'] },
];

// Times in UTC: 10:00 in Manchester is 09:00Z in British Summer Time (to 30 October 2016 and from 26 March 2017).
const MEETINGS: {
  key: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string;
  agenda: string;
  papers: { title: string; url: string | null }[];
  minutes: string;
  published: string;
  aboutConsultation?: true;
}[] = [
  {
    key: 'sep',
    title: 'Joint TU forum: options appraisal and terms of reference',
    startsAt: '2016-09-21T09:00:00Z',
    endsAt: '2016-09-21T11:00:00Z',
    location: 'Committee Room 6, Town Hall Extension, Manchester',
    agenda: '1. Terms of reference of the joint TU forum\n2. Options appraisal of 31 August 2016\n3. Timetable to April 2017',
    papers: [{ title: 'Options appraisal: Single Commissioning Function (summary)', url: null }],
    minutes: 'Terms of reference agreed. The management side presented the options appraisal; the unions asked to see the scope of posts by grade and area as soon as it is known.',
    published: '2016-09-28T12:00:00Z',
  },
  {
    key: 'oct',
    title: 'Joint TU forum: Executive report of 19 October 2016',
    startsAt: '2016-10-26T09:00:00Z',
    endsAt: '2016-10-26T11:00:00Z',
    location: 'Committee Room 6, Town Hall Extension, Manchester',
    agenda: '1. Executive report of 19 October 2016\n2. Posts in and out of scope\n3. Secondment and transfer: first principles',
    papers: [{ title: 'Report to the Executive, 19 October 2016: Single Commissioning Function', url: null }],
    minutes: 'The scope table (72 posts, 66.2 FTE) was shared by grade and thematic area. Children’s commissioning and homelessness are out of scope for now.',
    published: '2016-11-02T12:00:00Z',
  },
  {
    key: 'nov',
    title: 'Joint TU forum: design and implementation plan',
    startsAt: '2016-11-23T10:00:00Z',
    endsAt: '2016-11-23T12:00:00Z',
    location: 'Committee Room 6, Town Hall Extension, Manchester',
    agenda: '1. Detailed design and implementation plan\n2. Consultation timetable\n3. Communications to staff',
    papers: [{ title: 'Detailed design and implementation plan (draft)', url: null }],
    minutes: 'The plan goes for approval at the end of November. Formal consultation to start on 5 December with the measures letter.',
    published: '2016-11-30T12:00:00Z',
  },
  {
    key: 'dec',
    title: 'Joint TU forum: measures letter and consultation timetable',
    startsAt: '2016-12-14T10:00:00Z',
    endsAt: '2016-12-14T12:00:00Z',
    location: 'Committee Room 6, Town Hall Extension, Manchester',
    agenda: '1. Measures letter of 5 December\n2. Secondment agreement (draft)\n3. Representations from the unions',
    papers: [
      { title: 'Measures letter to the recognised trade unions, 5 December 2016', url: null },
      { title: 'Draft secondment agreement', url: null },
    ],
    minutes: 'UNISON made representations on pay protection; a written response is to follow. The draft secondment agreement was discussed clause by clause.',
    published: '2016-12-21T12:00:00Z',
    aboutConsultation: true,
  },
  {
    key: 'jan',
    title: 'Joint TU forum: secondment and transfer arrangements',
    startsAt: '2017-01-18T10:00:00Z',
    endsAt: '2017-01-18T12:00:00Z',
    location: 'Meeting Room 2, Parkway 3, Princess Road, Manchester',
    agenda: '1. Response on pay protection\n2. Secondment review dates\n3. One-to-one meetings: progress',
    papers: [{ title: 'Written response to UNISON on pay protection, 11 January 2017', url: null }],
    minutes: 'GMB asked about secondment review dates and the right to return; a written response is to follow. One-to-one meetings are on track to finish by 27 January.',
    published: '2017-01-25T12:00:00Z',
    aboutConsultation: true,
  },
  {
    key: 'feb',
    title: 'Joint TU forum: pensions and pay protection',
    startsAt: '2017-02-15T10:00:00Z',
    endsAt: '2017-02-15T12:00:00Z',
    location: 'Committee Room 6, Town Hall Extension, Manchester',
    agenda: '1. Pensions: LGPS and the NHS Pension Scheme\n2. Pay protection\n3. Measures: agreement',
    papers: [{ title: 'Pensions briefing for transferring and seconded staff', url: null }],
    minutes: 'Measures agreed. Seconded staff stay in the LGPS; pension arrangements for transfers confirmed route by route.',
    published: '2017-02-22T12:00:00Z',
    aboutConsultation: true,
  },
  {
    key: 'mar',
    title: 'Joint TU forum: consultation outcome and go-live readiness',
    startsAt: '2017-03-15T10:00:00Z',
    endsAt: '2017-03-15T12:00:00Z',
    location: 'Meeting Room 2, Parkway 3, Princess Road, Manchester',
    agenda: '1. Consultation outcome\n2. Go-live readiness for 1 April\n3. Staff communications',
    papers: [{ title: 'Consultation outcome report', url: null }],
    minutes: 'Consultation closed on 3 March. Employee liability information sent to the CCG on 1 March. Go-live on 1 April confirmed.',
    published: '2017-03-22T12:00:00Z',
  },
  {
    key: 'apr',
    title: 'Joint TU forum: post go-live review',
    startsAt: '2017-04-19T09:00:00Z',
    endsAt: '2017-04-19T11:00:00Z',
    location: 'Meeting Room 2, Parkway 3, Princess Road, Manchester',
    agenda: '1. First weeks of the Single Commissioning Function\n2. Outstanding issues\n3. Future of the forum',
    papers: [],
    minutes: 'The unions raised travel costs for staff now based at Parkway. The forum will continue quarterly through the first year.',
    published: '2017-04-26T12:00:00Z',
  },
];

const ACTIONS: { meeting: string; description: string; owner: string; due: string; done: string | null }[] = [
  { meeting: 'sep', description: 'Share the scope of posts by grade and thematic area with the union side', owner: 'Management side', due: '2016-10-21', done: '2016-10-20' },
  { meeting: 'dec', description: 'Written response to UNISON’s representation on pay protection', owner: 'Management side: Head of HR/OD', due: '2017-01-13', done: '2017-01-11' },
  { meeting: 'jan', description: 'Written response to GMB on secondment review dates', owner: 'Management side: HR business partner', due: '2017-02-15', done: '2017-02-14' },
  { meeting: 'feb', description: 'Circulate the pensions briefing to all affected staff', owner: 'Management side', due: '2017-02-24', done: '2017-02-23' },
  { meeting: 'apr', description: 'Review pay protection arrangements six months after go-live', owner: 'Management side: Head of HR/OD', due: '2017-10-02', done: null },
];

const REPRESENTATIONS: {
  union: string;
  member: string | null;
  receivedAt: string;
  subject: string;
  body: string;
  answer: { at: string; response: string; reasons: string } | null;
  aboutConsultation: boolean;
}[] = [
  {
    union: 'UNISON',
    member: 'unison1',
    receivedAt: '2016-12-14T11:00:00Z',
    subject: 'Pay protection for staff moving into CCG roles',
    body: 'UNISON asks that staff whose new role is on a lower band keep their pay for at least three years.',
    answer: {
      at: '2017-01-11T15:00:00Z',
      response: 'Pay protection will apply under the council’s pay protection policy, for two years from the date of change.',
      reasons: 'Seconded staff remain council employees on council terms, so the council’s agreed policy applies; a longer period for this group alone would treat them differently from other council staff whose posts change.',
    },
    aboutConsultation: true,
  },
  {
    union: 'GMB',
    member: 'gmb',
    receivedAt: '2017-01-18T11:00:00Z',
    subject: 'Secondment review dates and the right to return',
    body: 'GMB asks for a fixed review date for every secondment and a written right to return to a council post.',
    answer: {
      at: '2017-02-14T16:00:00Z',
      response: 'Each secondment agreement will carry a review date no later than twelve months after go-live, and states the right to return.',
      reasons: 'A common review date lets the council and the CCG decide together on the long-term form of the function; the right to return follows from staff remaining council employees while seconded.',
    },
    aboutConsultation: true,
  },
  {
    union: 'Unite',
    member: 'unite',
    receivedAt: '2017-04-19T10:30:00Z',
    subject: 'Travel costs for staff now based at Parkway',
    body: 'Unite asks that staff whose base moved to Parkway 3 be reimbursed the extra travel costs for a transitional period.',
    answer: null,
    aboutConsultation: false,
  },
];

async function id(em: EntityManager, sql: string, params: unknown[]): Promise<string> {
  const [row]: { id: string }[] = await em.query(sql, params);
  return row.id;
}

export const consultationDemoStep: SeedStep = {
  name: 'consultation and joint TU forum (Manchester 2017)',
  async run({ em, log, demo }) {
    const programmeId = demo.programmeId;
    if (!programmeId) {
      log('consultation demo skipped: no demo programme');
      return;
    }
    const userId = async (role: Role): Promise<string | null> => {
      const email = DEMO_USERS.find((u) => u.role === role)?.email;
      const [row]: { id: string }[] = email ? await em.query(`SELECT id FROM users WHERE email = $1 AND role = $2 AND is_active`, [email, role]) : [];
      return row?.id ?? null;
    };
    const hrUserId = await userId(Role.HrOfficer);
    const repUserId = await userId(Role.TuRep);

    // Unions are reference data shared by every forum: reuse them by name.
    const unionIds: Record<string, string> = {};
    for (const u of UNIONS) {
      const [found]: { id: string }[] = await em.query(`SELECT id FROM unions WHERE lower(name) = lower($1)`, [u.name]);
      unionIds[u.name] = found?.id ?? (await id(em, `INSERT INTO unions (name, description) VALUES ($1, $2) RETURNING id`, [u.name, u.description]));
    }

    const c = CONSULTATION;
    const consultationId = await id(
      em,
      `INSERT INTO consultations (programme_id, title, description, kind, status, start_date, planned_end_date, original_end_date,
                                  opened_at, closed_on, closing_summary)
       VALUES ($1, $2, $3, 'tupe_information_consultation', 'closed', $4, $5, $5, $6, $5, $7) RETURNING id`,
      [programmeId, c.title, c.description, c.startDate, c.endDate, c.openedAt, c.closingSummary],
    );
    // It covers every in-scope post of the programme (the cases on them are covered through their posts).
    const [{ n: posts }]: { n: number }[] = await em.query(
      `WITH ins AS (
         INSERT INTO consultation_posts (consultation_id, post_id)
         SELECT $1, id FROM posts WHERE programme_id = $2 AND scope = 'in_scope' AND establishment_status <> 'deleted'
         RETURNING post_id)
       SELECT count(*)::int AS n FROM ins`,
      [consultationId, programmeId],
    );
    // The cases on those posts are covered by this consultation: an explicit link, so a later
    // consultation on the same posts never moves their TUPE reg. 13 deadlines.
    await em.query(
      `UPDATE transition_cases SET consultation_id = $1
       WHERE programme_id = $2 AND consultation_id IS NULL AND post_id IN (SELECT post_id FROM consultation_posts WHERE consultation_id = $1)`,
      [consultationId, programmeId],
    );
    for (const m of MILESTONES) {
      await em.query(
        `INSERT INTO milestones (consultation_id, title, description, kind, due_date, status, completed_on, owner_user_id, audience, derived_from)
         VALUES ($1, $2, $3, $4, $5, 'done', $6, $7, $8, $9)`,
        [consultationId, m.title, m.description ?? null, m.kind, m.due, m.done, hrUserId, m.audience, m.derived ?? null],
      );
    }

    const forumId = await id(
      em,
      `INSERT INTO forums (programme_id, title, terms_of_reference) VALUES ($1, $2, $3) RETURNING id`,
      [
        programmeId,
        'Joint Trade Union Forum: Single Commissioning Function',
        'The joint forum of Manchester City Council, the Manchester CCGs and the recognised trade unions (UNISON, GMB, Unite) for the ' +
          'creation of the Single Commissioning Function: information, consultation and negotiation on secondment and transfer of staff, ' +
          'new roles and organisational form. Meets monthly until go-live, then quarterly. Chaired by the management side; minutes published within a week.',
      ],
    );
    for (const u of UNIONS) await em.query(`INSERT INTO forum_unions (forum_id, union_id) VALUES ($1, $2)`, [forumId, unionIds[u.name]]);
    const memberIds: Record<string, string> = {};
    for (const m of MEMBERS) {
      memberIds[m.key] = await id(
        em,
        `INSERT INTO forum_members (forum_id, union_id, side, display_name, email, role_title, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [forumId, m.union ? unionIds[m.union] : null, m.side, m.name, m.email, m.role, m.demoUser ? repUserId : null],
      );
    }

    const meetingIds: Record<string, string> = {};
    for (const m of MEETINGS) {
      meetingIds[m.key] = await id(
        em,
        `INSERT INTO forum_meetings (forum_id, consultation_id, title, starts_at, ends_at, location, agenda, papers, minutes, minutes_published_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'held') RETURNING id`,
        [forumId, m.aboutConsultation ? consultationId : null, m.title, m.startsAt, m.endsAt, m.location, m.agenda, JSON.stringify(m.papers), m.minutes, m.published],
      );
    }
    for (const a of ACTIONS) {
      await em.query(
        `INSERT INTO forum_actions (meeting_id, description, owner, due_date, status, completed_on) VALUES ($1, $2, $3, $4, $5, $6)`,
        [meetingIds[a.meeting], a.description, a.owner, a.due, a.done ? 'done' : 'open', a.done],
      );
    }
    for (const r of REPRESENTATIONS) {
      await em.query(
        `INSERT INTO representations (forum_id, consultation_id, union_id, made_by_member_id, received_at, subject, body, status,
                                      response, response_reasons, responded_at, responded_by, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          forumId,
          r.aboutConsultation ? consultationId : null,
          unionIds[r.union],
          r.member ? memberIds[r.member] : null,
          r.receivedAt,
          r.subject,
          r.body,
          r.answer ? 'answered' : 'awaiting_response',
          r.answer?.response ?? null,
          r.answer?.reasons ?? null,
          r.answer?.at ?? null,
          r.answer ? hrUserId : null,
          hrUserId,
        ],
      );
    }

    await em.query(`INSERT INTO audit_log (actor_label, action, entity_type, entity_id, metadata) VALUES ('seed', 'seed.consultation_demo', 'consultation', $1, $2)`, [
      consultationId,
      JSON.stringify({ forumId, posts, milestones: MILESTONES.length, meetings: MEETINGS.length, representations: REPRESENTATIONS.length }),
    ]);
    demo.consultationId = consultationId;
    demo.forumId = forumId;
    log(
      `Demo consultation "${c.title}" (${c.startDate} to ${c.endDate}, ${posts} posts) and its joint TU forum: ` +
        `${UNIONS.map((u) => u.name).join(', ')}; ${MEETINGS.length} meetings from September 2016 to April 2017; ${MILESTONES.length} milestones to go-live on 1 April 2017`,
    );
  },
};
