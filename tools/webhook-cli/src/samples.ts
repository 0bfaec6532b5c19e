import { randomUUID } from 'node:crypto';

/** Pure builders of realistic deliveries, shaped as each sender really sends them. */

export interface StripeOptions {
  /** Integer in the currency's smallest unit, as Stripe sends `amount_total` (JPY 1500 = ¥1,500). */
  amount: number;
  currency: string;
  /** Checkout page language (`ja`, `en`, `auto`...). Default: `ja` for JPY, else `en`. */
  locale?: string;
  country?: string;
  email?: string;
  orderId?: string;
  items?: { title: string; qty: number; product_id?: string }[];
}

/** A `checkout.session.completed` event as Stripe delivers it (the fields the receiver reads, and a few it ignores). */
export function stripeCheckoutCompleted(o: StripeOptions, now = new Date()) {
  const currency = o.currency.toLowerCase();
  const sessionId = `cs_test_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const items = o.items ?? [{ title: '葬送のフリーレン 13', qty: 1, product_id: 'manga-frieren-13' }];
  return {
    id: `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor(now.getTime() / 1000),
    type: 'checkout.session.completed',
    livemode: false,
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: 'paid',
        amount_subtotal: o.amount,
        amount_total: o.amount,
        currency,
        locale: o.locale ?? (currency === 'jpy' ? 'ja' : 'en'),
        customer: `cus_${randomUUID().replace(/-/g, '').slice(0, 14)}`,
        customer_email: o.email ?? 'reader@example.com',
        customer_details: {
          email: o.email ?? 'reader@example.com',
          address: { country: o.country ?? (currency === 'jpy' ? 'JP' : 'US') },
        },
        payment_intent: `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        metadata: { order_id: o.orderId ?? `ord-${randomUUID().slice(0, 8)}`, items: JSON.stringify(items) },
      },
    },
  };
}

export interface ReviewOptions {
  text: string;
  rating: number;
  productId?: string;
  reviewId?: string;
  customerId?: string;
}

export function reviewSubmitted(o: ReviewOptions) {
  return {
    review_id: o.reviewId ?? `rev-${randomUUID().slice(0, 8)}`,
    product_id: o.productId ?? 'manga-frieren-13',
    text: o.text,
    rating: o.rating,
    customer_id: o.customerId ?? 'cus-local-1',
  };
}

export interface CatalogOptions {
  count: number;
  type?: 'new_release' | 'price_change' | 'discontinued' | 'metadata_update';
  batchId?: string;
}

const TITLES = [
  '葬送のフリーレン',
  'SPY×FAMILY',
  '薬屋のひとりごと',
  'ダンジョン飯',
  'チェンソーマン',
  '僕のヒーローアカデミア',
  '呪術廻戦',
  'ブルーロック',
];

/** A publisher's catalog batch of `count` items (volumes of well-known series, yen prices). */
export function catalogBatch(o: CatalogOptions) {
  const batch = o.batchId ?? `batch-${randomUUID().slice(0, 8)}`;
  return {
    batch_id: batch,
    type: o.type ?? 'new_release',
    items: Array.from({ length: o.count }, (_, i) => {
      const series = TITLES[i % TITLES.length];
      const volume = Math.floor(i / TITLES.length) + 1;
      return {
        id: `${batch}-${i + 1}`,
        title: `${series} ${volume}`,
        volume,
        author: '作者未定',
        price: 528 + 66 * (i % 5),
        currency: 'JPY',
        release_date: new Date(Date.UTC(2026, 11, 1 + (i % 28))).toISOString().slice(0, 10),
      };
    }),
  };
}
