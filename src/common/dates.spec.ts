import { addDays, addMonths, daysBetween, isDateOnly, startOfDayInLondon, todayInLondon } from './dates';

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
    expect(isDateOnly('2017-02-28')).toBe(true);
    expect(isDateOnly('2017-02-29')).toBe(false);
    expect(isDateOnly('2017-2-28')).toBe(false);
    expect(isDateOnly('2017-02-28T00:00:00Z')).toBe(false);
    expect(isDateOnly(20170228)).toBe(false);
  });

  it("takes today's date in London, not in UTC", () => {
    expect(todayInLondon(new Date('2017-06-30T23:30:00Z'))).toBe('2017-07-01'); // 00:30 BST
    expect(todayInLondon(new Date('2017-12-31T23:30:00Z'))).toBe('2017-12-31'); // GMT
  });
});


describe('calendar dates, London', () => {
  it('accepts only real YYYY-MM-DD dates', () => {
    expect(isDateOnly('2017-04-01')).toBe(true);
    expect(isDateOnly('2016-02-29')).toBe(true);
    expect(isDateOnly('2017-02-29')).toBe(false);
    expect(isDateOnly('2017-4-1')).toBe(false);
    expect(isDateOnly('2017-04-01T00:00:00Z')).toBe(false);
    expect(isDateOnly(20170401)).toBe(false);
  });

  it('adds days across month ends and clock changes', () => {
    expect(addDays('2017-03-25', 2)).toBe('2017-03-27'); // BST starts 26 March 2017
    expect(addDays('2016-12-31', 1)).toBe('2017-01-01');
    expect(addDays('2017-04-01', -28)).toBe('2017-03-04');
    expect(daysBetween('2017-03-25', '2017-03-27')).toBe(2);
    expect(daysBetween('2017-04-01', '2017-03-04')).toBe(-28);
  });

  it('knows the date and the start of the day in London', () => {
    expect(todayInLondon(new Date('2017-06-30T23:30:00Z'))).toBe('2017-07-01'); // BST
    expect(todayInLondon(new Date('2017-01-31T23:30:00Z'))).toBe('2017-01-31'); // GMT
    expect(startOfDayInLondon('2017-07-01').toISOString()).toBe('2017-06-30T23:00:00.000Z');
    expect(startOfDayInLondon('2017-01-31').toISOString()).toBe('2017-01-31T00:00:00.000Z');
  });
});
