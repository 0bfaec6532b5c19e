import { formatMoney, minorDigits, toMajorUnits } from './money';

describe('money in minor units', () => {
  it('treats JPY as zero-decimal: 1500 is ¥1,500, not ¥15', () => {
    expect(minorDigits('JPY')).toBe(0);
    expect(toMajorUnits(1500, 'JPY')).toBe(1500);
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
  });

  it('divides two-decimal and three-decimal currencies correctly', () => {
    expect(formatMoney(1500, 'USD')).toBe('$15.00');
    expect(formatMoney(999, 'EUR')).toBe('€9.99');
    expect(formatMoney(1234, 'KWD')).toMatch(/^KWD\s1\.234$/);
  });

  it('formats large yen amounts with separators', () => {
    expect(formatMoney(1_234_567, 'JPY')).toBe('¥1,234,567');
  });
});
