import { addDays, addMonths, daysBetween, isIsoDate, todayInLondon } from './iso-date';

describe('ISO calendar dates', () => {
  it('subtracts days exactly, across month ends and the clock change', () => {
    expect(addDays('2017-04-01', -28)).toBe('2017-03-04');
    expect(addDays('2017-05-01', -28)).toBe('2017-04-03');
    expect(addDays('2017-03-26', 1)).toBe('2017-03-27'); // BST starts on 2017-03-26
    expect(daysBetween('2017-03-04', '2017-04-01')).toBe(28);
    expect(daysBetween('2017-04-01', '2017-03-04')).toBe(-28);
  });

  it('moves by calendar months, clamped to the month end', () => {
    expect(addMonths('2018-03-31', -3)).toBe('2017-12-31');
    expect(addMonths('2017-05-31', -3)).toBe('2017-02-28');
    expect(addMonths('2016-05-31', -3)).toBe('2016-02-29');
    expect(addMonths('2017-01-15', -3)).toBe('2016-10-15');
  });

  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2017-02-28')).toBe(true);
    expect(isIsoDate('2017-02-29')).toBe(false);
    expect(isIsoDate('2017-2-28')).toBe(false);
    expect(isIsoDate('2017-02-28T00:00:00Z')).toBe(false);
    expect(isIsoDate(20170228)).toBe(false);
  });

  it("takes today's date in London, not in UTC", () => {
    expect(todayInLondon(new Date('2017-06-30T23:30:00Z'))).toBe('2017-07-01'); // 00:30 BST
    expect(todayInLondon(new Date('2017-12-31T23:30:00Z'))).toBe('2017-12-31'); // GMT
  });
});
