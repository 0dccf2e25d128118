import type { CaseLetterFacts } from '../src/documents/letter-data';

/**
 * Facts of N invented TUPE/COSOP transfer cases, as loadCaseLetterFacts returns them for the demo
 * programme (grades, areas, pension arrangements varied), for the letters bench. Deterministic.
 */
const FIRST = ['Amira', 'Ben', 'Chloe', 'Dev', 'Ellie', 'Femi', 'Grace', 'Harry', 'Isla', 'Jamal', 'Kate', 'Liam'];
const LAST = ['Ashworth', 'Bibi', 'Clegg', 'Dunne', 'Egan', 'Fairclough', 'Gill', 'Hussain', 'Iqbal', 'Jones', 'Khan', 'Lowe'];
const AREAS = ['Learning Disability', 'Mental Health', 'Older People and Physical Disability', 'Public Health Commissioning', 'VCS'];
const GRADES = ['G5', 'G7', 'G8', 'G9', 'G10', 'G11', 'G12'];
const ARRANGEMENTS = ['lgps_continued', 'nhs_pension_scheme', 'broadly_comparable_scheme', 'to_be_agreed'];

export function transferLetterFacts(n: number): CaseLetterFacts[] {
  return Array.from({ length: n }, (_, i) => ({
    caseId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    programmeId: '00000000-0000-4000-8000-000000000000',
    route: i % 3 === 0 ? 'cosop_transfer' : 'tupe_transfer',
    state: 'agreed',
    areaId: '00000000-0000-4000-8000-000000000001',
    employeeName: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`,
    firstName: FIRST[i % FIRST.length],
    staffNumber: `B${String(100000 + i)}`,
    workEmail: `person${i}@example.org`,
    postReference: `MCC-${String(1000 + i)}`,
    postTitle: 'Commissioning Manager',
    areaName: AREAS[i % AREAS.length],
    programme: 'Manchester 2017',
    employer: 'Manchester City Council',
    destination: 'Manchester Clinical Commissioning Group',
    host: null,
    oldGrade: GRADES[i % GRADES.length],
    newGrade: i % 4 === 0 ? null : GRADES[(i + 1) % GRADES.length],
    effectiveDate: '2017-04-01',
    currentPensionScheme: 'lgps',
    pensionArrangement: ARRANGEMENTS[i % ARRANGEMENTS.length],
    legalBasis: i % 3 === 0 ? 'cosop' : 'tupe',
    payProtectionUntil: i % 5 === 0 ? '2019-03-31' : null,
    secondmentStartDate: null,
    secondmentEndDate: null,
    secondmentReviewDate: null,
    rechargePercent: null,
    staysInLgps: null,
  }));
}
