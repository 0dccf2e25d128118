/**
 * The kinds of document the product writes, and the fields a template of each kind may use.
 * A template naming any other field is refused (422 naming it) on upload and at render, so a
 * letter never goes out with a blank where the template author expected a value.
 *
 * Field paths: `a.b` is a value; a loop `{#list}…{/list}` is listed as `list` with its inner
 * fields as `list.x` (LOOPS). Conditions are fields too (`{#isTupe}…{/isTupe}`).
 */
export enum DocumentKind {
  Reg13Information = 'reg13_information',
  MeasuresLetter = 'measures_letter',
  SecondmentAgreement = 'secondment_agreement',
  TransferLetter = 'transfer_letter',
  EliCoverLetter = 'eli_cover_letter',
}

export const DOCUMENT_KINDS: readonly DocumentKind[] = Object.values(DocumentKind);

/** What each kind is about: one person's case, a consultation (to the unions), or a programme's ELI release. */
export type DocumentSubject = 'case' | 'consultation' | 'programme';

export const KIND_SUBJECT: Record<DocumentKind, DocumentSubject> = {
  [DocumentKind.Reg13Information]: 'consultation',
  [DocumentKind.MeasuresLetter]: 'consultation',
  [DocumentKind.SecondmentAgreement]: 'case',
  [DocumentKind.TransferLetter]: 'case',
  [DocumentKind.EliCoverLetter]: 'programme',
};

export const KIND_TITLE: Record<DocumentKind, string> = {
  [DocumentKind.Reg13Information]: 'Reg. 13 information to representatives',
  [DocumentKind.MeasuresLetter]: 'Measures letter',
  [DocumentKind.SecondmentAgreement]: 'Secondment agreement',
  [DocumentKind.TransferLetter]: 'Transfer letter',
  [DocumentKind.EliCoverLetter]: 'ELI cover letter',
};

const COMMON = ['today', 'programme', 'employer', 'destination', 'signatory'];
const CASE_FIELDS = [
  ...COMMON,
  'employee.name',
  'employee.firstName',
  'employee.staffNumber',
  'post.reference',
  'post.title',
  'post.area',
  'oldGrade',
  'newGrade',
  'effectiveDate',
  'currentPensionScheme',
  'pensionArrangement',
  'legalBasis',
  'isTupe',
  'isCosop',
  'isSecondment',
  'hasPayProtection',
  'payProtectionUntil',
];
const CONSULTATION_FIELDS = [
  ...COMMON,
  'consultation.title',
  'consultation.startDate',
  'consultation.endDate',
  'transferDate',
  'reasons',
  'implications.legal',
  'implications.economic',
  'implications.social',
  'hasMeasures',
  'measures',
  'measures.employer',
  'measures.text',
  'representatives',
  'representatives.name',
  'representatives.union',
  'affected',
];

export const KIND_FIELDS: Record<DocumentKind, readonly string[]> = {
  [DocumentKind.Reg13Information]: CONSULTATION_FIELDS,
  [DocumentKind.MeasuresLetter]: CONSULTATION_FIELDS,
  [DocumentKind.SecondmentAgreement]: [
    ...CASE_FIELDS,
    'secondment.host',
    'secondment.startDate',
    'secondment.endDate',
    'secondment.reviewDate',
    'secondment.recharge',
    'secondment.staysInLgps',
  ],
  [DocumentKind.TransferLetter]: CASE_FIELDS,
  [DocumentKind.EliCoverLetter]: [
    ...COMMON,
    'transferee',
    'transferDate',
    'deadline',
    'release.kind',
    'release.version',
    'release.isDraft',
    'release.personCount',
  ],
};

/** The letter a case needs before it may move to "letters issued", by route (none for other routes). */
export function caseLetterKind(route: string): DocumentKind | null {
  if (route === 'secondment') return DocumentKind.SecondmentAgreement;
  if (route === 'tupe_transfer' || route === 'cosop_transfer') return DocumentKind.TransferLetter;
  return null;
}
