import { ageBand, ageOn, EliPersonFacts, eliRows, NONE_RECORDED, NOT_HELD } from './eli-schedule';
import { CaseRoute } from '../../cases/case-state';

const person: EliPersonFacts = {
  caseId: '00000000-0000-4000-8000-000000000001',
  staffNumber: 'MCC100231',
  firstName: 'Aisha',
  lastName: 'Okonkwo',
  dateOfBirth: '1970-04-02',
  postReference: 'MCC-MH-003',
  postTitle: 'Commissioning Manager',
  areaName: 'Mental Health',
  employerName: 'Manchester City Council',
  gradeCode: 'G10',
  gradeName: 'Grade 10',
  payMin: '35000.00',
  payMax: '38000.00',
  annualPay: '36500.00',
  contractedFte: '0.80',
  weeklyHours: '29.60',
  contractType: 'permanent',
  contractEndsOn: null,
  startDate: '2004-09-01',
  continuousServiceDate: '1999-01-04',
  noticePeriodWeeks: 4,
  pensionScheme: 'lgps',
  route: CaseRoute.TupeTransfer,
  moveDate: '2017-04-01',
  destinationName: 'NHS Manchester CCG',
  legalBasis: 'tupe_2006',
  disciplinaryGrievance: null,
  claims: '  ',
  collectiveAgreements: 'NJC Green Book',
};

describe('the ELI schedule rows', () => {
  it('takes age on the move date, in whole years, and bands it', () => {
    expect(ageOn('1970-04-02', '2017-04-01')).toBe(46);
    expect(ageOn('1970-04-01', '2017-04-01')).toBe(47);
    expect([24, 25, 34, 35, 64, 65].map(ageBand)).toEqual(['Under 25', '25–34', '25–34', '35–44', '55–64', '65 and over']);
  });

  it('the draft has the staff reference and age band, never the name, date of birth or NI number', () => {
    const [header, row] = eliRows('draft', [person], '2017-01-13');
    expect(header).toContain('Age band at move');
    expect(header).not.toContain('Name');
    expect(header).not.toContain('Date of birth');
    expect(header.some((h) => /National Insurance/.test(h))).toBe(false);
    const text = row.join('|');
    expect(row[0]).toBe('MCC100231');
    expect(row[1]).toBe('45–54');
    for (const s of ['Aisha', 'Okonkwo', '1970-04-02']) expect(text).not.toContain(s);
  });

  it('the final names the person, and says plainly what the product does not hold', () => {
    const [header, row] = eliRows('final', [person], '2017-02-24');
    const cell = (h: string) => row[header.indexOf(h)];
    expect(cell('Name')).toBe('Aisha Okonkwo');
    expect(cell('Date of birth')).toBe('1970-04-02');
    expect(cell('Age at move')).toBe('46');
    expect(cell('National Insurance number')).toBe(NOT_HELD);
    expect(cell('Pay band (as held)')).toBe('Grade 10 (£35,000.00 to £38,000.00)');
    expect(cell('FTE')).toBe('0.8');
    expect(cell('Continuous service from')).toBe('1999-01-04');
    expect(cell('Disciplinary and grievance (last two years)')).toBe(NONE_RECORDED);
    expect(cell('Claims brought or expected')).toBe(NONE_RECORDED);
    expect(cell('Collective agreements that apply')).toBe('NJC Green Book');
    expect(row.every((c) => typeof c === 'string')).toBe(true);
  });
});
