/**
 * Money in the currency's smallest unit (Stripe's `amount_total`, event field `amount_minor`).
 * The number of minor digits comes from ICU's ISO 4217 data: JPY has none, so 1500 is ¥1,500 and
 * never ¥15 (seed bug, DESIGN §8.2).
 */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function toMajorUnits(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** minorDigits(currency);
}

/** `¥1,500`, `$15.00`, `€9.99`: half-width symbols (en-US), as customers and the CRM expect. */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amountMinor / 10 ** digits);
}
