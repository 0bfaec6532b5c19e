import { randomUUID } from 'node:crypto';
import { defineSample } from '../types';

const token = (length: number) => randomUUID().replace(/-/g, '').slice(0, length);

interface StripeSampleOptions {
  /** Integer in the currency's smallest unit, as Stripe sends `amount_total` (JPY 1500 = ¥1,500). */
  amount: number;
  currency: string;
  /** Checkout page language (`ja`, `en`, `auto`...). Default: `ja` for JPY, else `en`. */
  locale?: string | undefined;
  country?: string | undefined;
  email?: string | undefined;
  orderId?: string | undefined;
  items?: { title: string; qty: number; product_id?: string }[];
}

/** A `checkout.session.completed` event as Stripe delivers it (the fields the receiver reads, and a few it ignores). */
function stripeCheckoutCompleted(o: StripeSampleOptions, now = new Date()) {
  const currency = o.currency.toLowerCase();
  const items = o.items ?? [{ title: '葬送のフリーレン 13', qty: 1, product_id: 'manga-frieren-13' }];
  return {
    id: `evt_${token(24)}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor(now.getTime() / 1000),
    type: 'checkout.session.completed',
    livemode: false,
    data: {
      object: {
        id: `cs_test_${token(24)}`,
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: 'paid',
        amount_subtotal: o.amount,
        amount_total: o.amount,
        currency,
        locale: o.locale ?? (currency === 'jpy' ? 'ja' : 'en'),
        customer: `cus_${token(14)}`,
        customer_email: o.email ?? 'reader@example.com',
        customer_details: {
          email: o.email ?? 'reader@example.com',
          address: { country: o.country ?? (currency === 'jpy' ? 'JP' : 'US') },
        },
        payment_intent: `pi_${token(24)}`,
        metadata: { order_id: o.orderId ?? `ord-${randomUUID().slice(0, 8)}`, items: JSON.stringify(items) },
      },
    },
  };
}

export const sample = defineSample({
  aliases: [],
  usage:
    '--amount 1500 --currency jpy [--locale ja|en|auto] [--country JP] [--email a@b.c] [--order ord-1]\n' +
    "           (amount in the currency's smallest unit, as Stripe sends it: jpy 1500 = ¥1,500, usd 1500 = $15.00)",
  options: {
    amount: { kind: 'int', default: 1500, min: 0, max: 99_999_999 },
    currency: {
      kind: 'text',
      default: 'jpy',
      pattern: /^[a-zA-Z]{3}$/,
      must: 'be an ISO 4217 code such as jpy or usd',
    },
    locale: { kind: 'text' },
    country: { kind: 'text' },
    email: { kind: 'text' },
    order: { kind: 'text' },
  },
  build: (o) =>
    stripeCheckoutCompleted({
      amount: o.amount,
      currency: o.currency,
      locale: o.locale,
      country: o.country?.toUpperCase(),
      email: o.email,
      orderId: o.order,
    }),
});
