import { addDays, daysBetween, isDateOnly, startOfDayInLondon, todayInLondon } from './dates';

describe('calendar dates', () => {
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
