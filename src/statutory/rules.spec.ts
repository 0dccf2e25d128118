import { BankHolidayDivision, calendarFlags, coveredYears } from './calendar';
import {
  aggregateProposals,
  DismissalProposal,
  eliDue,
  payProtectionExpiry,
  protectiveAwardMaximum,
  reg13ConsultationEnd,
  reg13InformationDue,
  remainsOwed,
  RuleId,
  RULES,
  secondmentReviewDue,
  startByRule,
} from './rules';

describe('statutory rules', () => {
  describe('TUPE reg. 11 ELI', () => {
    it('28 days for a transfer on or after 1 May 2014', () => {
      expect(eliDue('2017-04-01')).toMatchObject({ dueOn: '2017-03-04', rule: { id: RuleId.TupeEli28Days } });
      expect(eliDue('2014-05-01').dueOn).toBe('2014-04-03');
    });
    it('14 days for a transfer before 1 May 2014', () => {
      expect(eliDue('2014-04-01')).toMatchObject({ dueOn: '2014-03-18', rule: { id: RuleId.TupeEli14Days } });
      expect(eliDue('2014-04-30').dueOn).toBe('2014-04-16');
    });
  });

  describe('working days', () => {
    it('flags a Saturday and sends on the Friday before', () => {
      expect(calendarFlags('2017-03-04')).toMatchObject({ dayOfWeek: 'Saturday', nonWorkingDay: true, nonWorkingReason: 'Saturday', sendBy: '2017-03-03' });
      expect(calendarFlags('2017-03-03')).toMatchObject({ nonWorkingDay: false, nonWorkingReason: null, sendBy: '2017-03-03' });
    });
    it('steps back over Easter (Good Friday and the weekend) in England and Wales', () => {
      expect(calendarFlags('2017-04-17')).toMatchObject({ nonWorkingReason: 'Easter Monday (bank holiday)', sendBy: '2017-04-13' });
    });
    it('uses the division: Easter Monday is a working day in Scotland, St Andrew’s Day is not', () => {
      expect(calendarFlags('2017-04-17', BankHolidayDivision.Scotland)).toMatchObject({ nonWorkingDay: false, sendBy: '2017-04-17' });
      expect(calendarFlags('2017-11-30', BankHolidayDivision.Scotland)).toMatchObject({ nonWorkingDay: true, sendBy: '2017-11-29' });
      expect(calendarFlags('2017-11-30')).toMatchObject({ nonWorkingDay: false });
      expect(calendarFlags('2017-03-17', BankHolidayDivision.NorthernIreland)).toMatchObject({ nonWorkingReason: 'St Patrick’s Day (bank holiday)', sendBy: '2017-03-16' });
    });
    it('ships 2012 to 2027 with the one-off holidays', () => {
      expect(coveredYears()).toEqual({ from: 2012, to: 2027 });
      expect(calendarFlags('2022-09-19').nonWorkingDay).toBe(true);
      expect(calendarFlags('2023-05-08').nonWorkingDay).toBe(true);
      expect(calendarFlags('2020-05-08').nonWorkingDay).toBe(true);
      expect(calendarFlags('2020-05-04').nonWorkingDay).toBe(false);
    });
  });

  describe('TUPE reg. 13', () => {
    it('information is due when the consultation opens, if that is early enough', () => {
      expect(reg13InformationDue('2017-04-01', '2016-12-05')).toMatchObject({ dueOn: '2016-12-05', basis: 'consultation_start' });
    });
    it('and at least 30 days (programme-set) before the transfer otherwise', () => {
      expect(reg13InformationDue('2017-04-01', null)).toMatchObject({ dueOn: '2017-03-02', basis: 'days_before_transfer' });
      expect(reg13InformationDue('2017-04-01', '2017-03-20', 45)).toMatchObject({ dueOn: '2017-02-15', basis: 'days_before_transfer' });
    });
    it('the consultation must end before the transfer date', () => {
      expect(reg13ConsultationEnd('2017-04-01', '2017-03-03')).toMatchObject({ dueOn: '2017-03-31', problem: null });
      expect(reg13ConsultationEnd('2017-04-01', '2017-04-01').problem).toMatch(/not before the transfer/);
    });
  });

  describe('secondments and pay protection', () => {
    it('the recorded review date wins', () => {
      expect(secondmentReviewDue({ startDate: '2017-04-01', endDate: '2019-03-31', reviewDate: '2018-12-14' })).toMatchObject({ dueOn: '2018-12-14', basis: 'secondment_review_date' });
    });
    it('without one, three months before the end, never before the start', () => {
      expect(secondmentReviewDue({ startDate: '2017-04-01', endDate: '2018-03-31', reviewDate: null })!.dueOn).toBe('2017-12-31');
      expect(secondmentReviewDue({ startDate: '2017-04-01', endDate: '2017-05-31', reviewDate: null })!.dueOn).toBe('2017-04-01');
    });
    it('pay protection reminds 90 days before it ends', () => {
      expect(payProtectionExpiry('2019-03-31')).toMatchObject({ dueOn: '2019-03-31', remindFrom: '2018-12-31' });
    });
  });

  it('cites the reasons-for-rejecting duty of a transfer as TUPE reg. 13(7), not TULRCA', () => {
    expect(RULES[RuleId.TupeReg13Reasons].citation).toBe('TUPE 2006 reg. 13(7)');
  });

  it('gives every rule a citation and the date the rule is keyed on', () => {
    for (const r of Object.values(RULES)) {
      expect(r.citation.length).toBeGreaterThan(5);
      expect(r.keyedOn.length).toBeGreaterThan(3);
      if (r.appliesFrom && r.appliesUntil) expect(r.appliesUntil > r.appliesFrom).toBe(true);
    }
  });

  describe('TULRCA', () => {
    const base = { startDate: '2017-02-15', plannedEndDate: '2017-03-31', closedOn: null, firstDismissalDate: '2017-04-01', firstNoticeDate: null };
    it('s.188(1A): 45 days before the first dismissal on 1 April 2017 is 15 February', () => {
      expect(startByRule(base, 45, 45)).toMatchObject({ mustBeginBy: '2017-02-15', startedLate: false, hr1DueDate: '2017-02-15' });
      expect(startByRule({ ...base, startDate: '2017-02-20' }, 45, 45)).toMatchObject({ startedLate: true, daysLate: 5 });
    });
    it('s.193: HR1 by the earlier of the first notice and 45 days before', () => {
      expect(startByRule({ ...base, firstNoticeDate: '2017-02-10' }, 45, 45)).toMatchObject({ hr1DueDate: '2017-02-10', hr1Basis: 'first_notice_date' });
      expect(startByRule({ ...base, firstNoticeDate: '2017-03-01' }, 45, 45)).toMatchObject({ hr1DueDate: '2017-02-15', hr1Basis: 'days_before_first_dismissal' });
    });
    it('closing early is allowed and says what remains owed', () => {
      const closed = { ...base, closedOn: '2017-03-26' };
      const owed = remainsOwed(closed, startByRule(closed, 45, 45), { hr1: true, disclosure: false });
      expect(owed[0]).toMatch(/day 40 of 45.*2017-04-01/);
      expect(owed[1]).toMatch(/HR1.*2017-02-15/);
    });
    it('s.188(1) adds up proposals at one establishment within 90 days; s.188(3) leaves out those already under consultation', () => {
      const p = (id: string, n: number, start: string, fd: string, begun = false): DismissalProposal => ({
        id,
        title: id,
        establishment: 'Town Hall',
        proposedDismissals: n,
        startDate: start,
        plannedEndDate: start,
        firstDismissalDate: fd,
        consultationBegun: begun,
        openedAt: begun ? `${start}T09:00:00.000Z` : null,
        createdAt: `${start}T08:00:00.000Z`,
      });
      const first = p('first', 12, '2017-01-01', '2017-03-31');
      const second = p('second', 10, '2017-02-10', '2017-04-30');
      expect(aggregateProposals(second, [first])).toMatchObject({ total: 22, counted: [{ consultationId: 'first' }], notCounted: [] });
      const begun = aggregateProposals(second, [{ ...first, consultationBegun: true }]);
      expect(begun).toMatchObject({ total: 10, counted: [], notCounted: [{ consultationId: 'first', reason: expect.stringMatching(/s\.188\(3\)/) }] });
      expect(aggregateProposals(second, [{ ...first, establishment: 'Elsewhere' }]).total).toBe(10);
      expect(aggregateProposals(second, [{ ...first, firstDismissalDate: '2017-01-30' }]).total).toBe(10);
      // Opened only after the second proposal was recorded: it was not under consultation then.
      expect(aggregateProposals(second, [{ ...first, consultationBegun: true, openedAt: '2017-02-11T09:00:00.000Z' }]).total).toBe(22);
    });
    it('s.189: 90 days’ protective award before the Employment Rights Act 2025 commences, 180 after', () => {
      expect(protectiveAwardMaximum('2017-02-15').maxDaysPay).toBe(90);
      expect(protectiveAwardMaximum('2026-04-06').maxDaysPay).toBe(180);
    });
  });
});
