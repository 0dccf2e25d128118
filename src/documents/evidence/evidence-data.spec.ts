import { ConsultationKind } from '../../consultations/entities/consultation.entity';
import { EvidenceContent, EvidenceDocument, forCopy } from './evidence-data';
import { DocumentKind } from '../document-kinds';

const doc = (over: Partial<EvidenceDocument>): EvidenceDocument => ({
  id: 'd1',
  kind: DocumentKind.Reg13Information,
  title: 'Regulation 13 information',
  issuedAt: '2017-01-10T10:00:00.000Z',
  issuedBy: 'hr.officer@manchester.example',
  delivery: 'handed_over',
  templateVersion: 1,
  docxFileId: 'f1',
  docxFilename: 'reg13.docx',
  docxSha256: 'a'.repeat(64),
  pdfFileId: null,
  pdfFilename: null,
  pdfSha256: null,
  recipients: ['Priya Shah (UNISON)'],
  caseLetter: false,
  ...over,
});

function fullContent(over: Partial<EvidenceContent> = {}): EvidenceContent {
  return {
    copy: 'full',
    consultation: {
      id: 'k1',
      title: 'Transfer of commissioning staff',
      kind: ConsultationKind.TupeInformationConsultation,
      kindLabel: 'TUPE information and consultation',
      status: 'open',
      startDate: '2016-12-01',
      plannedEndDate: '2017-03-01',
      originalEndDate: '2017-03-01',
      closedOn: null,
      closingSummary: null,
      extensionReason: null,
    },
    programme: { name: 'Commissioning transfer', goLiveDate: '2017-04-01', destination: 'Manchester CCG' },
    forumTitle: 'Joint trade union forum',
    postsCovered: 3,
    timeline: [],
    meetings: [
      { id: 'm1', title: 'Forum 1', startsAt: '2017-01-05T10:00:00Z', endsAt: '2017-01-05T12:00:00Z', location: 'Town Hall', status: 'held', agenda: 'Agenda', minutes: 'Published minutes', minutesPublishedAt: '2017-01-06T09:00:00Z', papers: [], cancellationReason: null },
      { id: 'm2', title: 'Forum 2', startsAt: '2017-02-05T10:00:00Z', endsAt: '2017-02-05T12:00:00Z', location: 'Town Hall', status: 'held', agenda: 'Agenda', minutes: 'Draft minutes, not agreed', minutesPublishedAt: null, papers: [], cancellationReason: null },
    ],
    attendees: [
      { name: 'Priya Shah', side: 'union', organisation: 'UNISON', role: 'Branch secretary', leftOn: null },
      { name: 'Alan Hughes', side: 'management', organisation: 'Manchester City Council', role: 'Head of HR/OD', leftOn: null },
    ],
    actions: [{ meetingTitle: 'Forum 1', meetingDate: '2017-01-05', description: 'Share the measures', owner: 'Management side: HR/OD lead', dueDate: '2017-01-20', status: 'done', completedOn: '2017-01-18' }],
    representations: [
      {
        id: 'r1',
        union: 'UNISON',
        madeBy: 'Priya Shah',
        receivedAt: '2017-01-12T09:00:00Z',
        subject: 'Car allowance',
        body: 'Keep the car allowance',
        response: 'Agreed',
        reasons: 'Protected under TUPE',
        respondedAt: '2017-01-19T09:00:00Z',
        respondedBy: 'hr.officer@manchester.example',
      },
    ],
    documents: [doc({}), doc({ id: 'd2', kind: DocumentKind.TransferLetter, title: 'Transfer letter: Jane Doe', caseLetter: true, recipients: ['Jane Doe'] })],
    caseLetterCounts: [
      { kind: DocumentKind.TransferLetter, title: 'Transfer letter', count: 4 },
      { kind: DocumentKind.SecondmentAgreement, title: 'Secondment agreement', count: 12 },
    ],
    hr1: { required: false, dueDate: null, sentOn: null, milestoneTitle: null, note: 'Not required' },
    rules: [],
    builtAt: '2017-03-10T12:00:00Z',
    builtBy: 'hr.officer@manchester.example',
    ...over,
  };
}

describe('forCopy (the evidence pack copies)', () => {
  it('gives HR the full content unchanged', () => {
    const full = fullContent();
    expect(forCopy(full, 'full')).toBe(full);
  });

  it('makes the reps’ copy without names, case letters or recipients, with published minutes only and "<5" for small counts', () => {
    const full = fullContent();
    const rep = forCopy(full, 'rep');
    expect(rep.copy).toBe('rep');
    // No names: members by role and organisation; representations by union; no one who answered.
    expect(rep.attendees).toEqual([
      { name: null, side: 'union', organisation: 'UNISON', role: 'Branch secretary', leftOn: null },
      { name: null, side: 'management', organisation: 'Manchester City Council', role: 'Head of HR/OD', leftOn: null },
    ]);
    expect(rep.representations).toEqual([{ ...full.representations[0], madeBy: null, respondedBy: null }]);
    expect(rep.builtBy).toBe('HR (joint HR/OD team)');
    // No case letter one by one, and no recipients or issuer of what remains.
    expect(rep.documents).toEqual([{ ...full.documents[0], issuedBy: null, recipients: [] }]);
    // Counts under 5 as "<5"; 5 and over as they are.
    expect(rep.postsCovered).toBe('<5');
    expect(rep.caseLetterCounts.map((c) => c.count)).toEqual(['<5', 12]);
    // Unpublished minutes are left out; published ones kept as written.
    expect(rep.meetings.map((m) => m.minutes)).toEqual(['Published minutes', null]);
    // Nothing personal left anywhere in it.
    const text = JSON.stringify(rep);
    for (const name of ['Priya Shah', 'Alan Hughes', 'Jane Doe', 'hr.officer@manchester.example']) expect(text).not.toContain(name);
    // The full copy is not changed by making the reps' one.
    expect(full).toEqual(fullContent());
  });

  it('keeps a count of 5 or more, and the threshold itself, as the number', () => {
    const rep = forCopy(fullContent({ postsCovered: 5, caseLetterCounts: [{ kind: DocumentKind.TransferLetter, title: 'Transfer letter', count: 5 }] }), 'rep');
    expect(rep.postsCovered).toBe(5);
    expect(rep.caseLetterCounts[0].count).toBe(5);
    expect(forCopy(fullContent({ postsCovered: 0 }), 'rep').postsCovered).toBe('<5');
  });
});
