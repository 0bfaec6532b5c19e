/**
 * THE minor-unit table of the platform (PaymentCompleted.amount_minor, its `amount` string, the CRM
 * confirmation's total). It follows Stripe, which sends the amounts, not ICU/ISO 4217: Stripe's
 * zero-decimal and three-decimal lists (https://docs.stripe.com/currencies#zero-decimal,
 * #three-decimal); every other currency is two-decimal in Stripe's API, including the ones ICU
 * counts differently (HUF, ISK, IQD, LYD; Stripe's "special cases" still send HUF and ISK amounts
 * with two decimals). Stripe's `amount_total` is always an integer in that unit: JPY 1500 is ¥1,500
 * (JPY has no minor unit), USD 1500 is $15.00.
 */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function minorUnitDigits(currency: string): 0 | 2 | 3 {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** The decimal amount as an exact string (no floating point): JPY 1500 -> "1500", USD 1500 -> "15.00". */
export function formatMinorAmount(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amount ${amountMinor} is not an integer of minor units`);
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amountMinor);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/**
 * `¥1,500`, `$15.00`, `€9.99`: half-width symbols (en-US), as customers and the CRM expect, with
 * exactly the digits of the table above (Intl alone would use ICU's digits).
 */
export function formatMoney(amountMinor: number, currency: string, lang: 'ja' | 'en' = 'en'): string {
  const digits = minorUnitDigits(currency);
  // For the customer's language (ja-JP or en-US grouping and symbol placement), with the half-width
  // yen sign customers and the CRM expect (ja-JP's own is the full-width ￥).
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
    .format(Number(formatMinorAmount(amountMinor, currency)))
    .replace(/\uffe5/g, '¥');
}
