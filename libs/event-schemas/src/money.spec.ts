import { formatMinorAmount, formatMoney, minorUnitDigits } from './money';

/** The digits and number in a formatted total: '¥1,500' -> '1500', 'HUF 1,234.56' -> '1234.56'. */
const numberIn = (formatted: string) => formatted.replace(/[^0-9.-]/g, '');

describe("money in minor units (one table, Stripe's)", () => {
  it('treats JPY as zero-decimal: 1500 is ¥1,500, not ¥15', () => {
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(formatMinorAmount(1500, 'JPY')).toBe('1500');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
  });

  it('divides two-decimal and three-decimal currencies correctly', () => {
    expect(formatMoney(1500, 'USD')).toBe('$15.00');
    expect(formatMoney(999, 'EUR')).toBe('€9.99');
    expect(formatMoney(1234, 'KWD')).toMatch(/^KWD\s1\.234$/);
  });

  it('formats two- and three-decimal currencies exactly, without floating point', () => {
    expect(formatMinorAmount(1500, 'usd')).toBe('15.00');
    expect(formatMinorAmount(5, 'EUR')).toBe('0.05');
    expect(formatMinorAmount(1234567, 'KWD')).toBe('1234.567');
    expect(formatMinorAmount(990, 'KRW')).toBe('990');
    expect(formatMinorAmount(-250, 'usd')).toBe('-2.50');
    expect(minorUnitDigits('vnd')).toBe(0);
    expect(() => formatMinorAmount(15.5, 'JPY')).toThrow(RangeError);
  });

  it('formats large yen amounts with separators', () => {
    expect(formatMoney(1_234_567, 'JPY')).toBe('¥1,234,567');
  });

  it('follows Stripe where ICU differs: HUF, ISK, IQD and LYD amounts arrive with two decimals', () => {
    for (const currency of ['HUF', 'ISK', 'IQD', 'LYD']) expect(minorUnitDigits(currency)).toBe(2);
    expect(formatMinorAmount(123456, 'HUF')).toBe('1234.56');
  });

  it.each([
    ['JPY', 1500, '1500'],
    ['USD', 1500, '15.00'],
    ['KWD', 1234, '1.234'],
    ['HUF', 123456, '1234.56'],
  ])('the event amount and the confirmation total agree for %s', (currency, amountMinor, amount) => {
    // PaymentCompleted.amount (webhook-receiver) and the CRM confirmation's total (moderation-consumer)
    // are both made from amount_minor with this table.
    expect(formatMinorAmount(amountMinor, currency)).toBe(amount);
    expect(numberIn(formatMoney(amountMinor, currency))).toBe(amount);
  });
});

describe('money for the customer language', () => {
  it('Japanese: half-width yen, grouped, same digits', () => {
    expect(formatMoney(1500, 'JPY', 'ja')).toBe('¥1,500');
    expect(formatMoney(1500, 'USD', 'ja')).toBe('$15.00');
  });
});
