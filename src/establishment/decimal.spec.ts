import { decimalTextToNumber, hundredthsToNumber, hundredthsToText, numberToDecimalText, toHundredths, tryHundredths } from './decimal';

describe('decimal (FTE arithmetic)', () => {
  it('parses two-decimal values exactly', () => {
    expect(toHundredths('0.5')).toBe(50);
    expect(toHundredths('1.00')).toBe(100);
    expect(toHundredths('.25')).toBe(25);
    expect(toHundredths(0.29)).toBe(29);
    expect(toHundredths('66.20')).toBe(6620);
  });

  it('refuses more than two decimals, signs and junk', () => {
    for (const bad of ['1.001', '-0.5', 'abc', '', '1e-2', '0,5']) expect(tryHundredths(bad)).toBeNull();
  });

  it('sums without float drift', () => {
    const ftes = [...Array(58).fill('1.00'), ...Array(8).fill('0.50'), ...Array(3).fill('0.60'), ...Array(3).fill('0.80')];
    const exact = ftes.reduce((a, b) => a + toHundredths(b), 0);
    expect(hundredthsToNumber(exact)).toBe(66.2);
    expect(JSON.stringify(hundredthsToNumber(exact))).toBe('66.2');
  });

  it('prints short and padded forms', () => {
    expect(hundredthsToText(6620)).toBe('66.2');
    expect(hundredthsToText(100)).toBe('1');
    expect(hundredthsToText(5)).toBe('0.05');
    expect(hundredthsToText(0)).toBe('0');
    expect(numberToDecimalText(0.5)).toBe('0.50');
    expect(numberToDecimalText(1)).toBe('1.00');
    expect(decimalTextToNumber('0.80')).toBe(0.8);
  });
});
