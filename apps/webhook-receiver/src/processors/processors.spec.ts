import { DeliveryError } from '../errors';
import { catalogEvents, validateCatalog, validateReview, validateStripeEvent } from './index';
import { truncateGraphemes } from '@manga-assist/unicode-validator';

const checkout = (object: Record<string, unknown>, type = 'checkout.session.completed') => ({
  id: 'evt_1',
  type,
  data: { object: { id: 'cs_1', ...object } },
});

describe('amounts by the currency minor unit', () => {
  it('keeps JPY ¥1,500 as 1500 (JPY has no minor unit)', () => {
    const v = validateStripeEvent(
      checkout({ amount_total: 1500, currency: 'jpy', metadata: { order_id: 'ord-1' } }),
    );
    expect(v).toMatchObject({
      kind: 'payment',
      detail: { order_id: 'ord-1', amount_minor: 1500, amount: '1500', currency: 'JPY' },
    });
  });
});

describe('Stripe event validation', () => {
  it('carries the checkout locale and the billing country, for a confirmation in the customer language', () => {
    const v = validateStripeEvent(
      checkout({
        amount_total: 999,
        currency: 'eur',
        locale: 'en-GB',
        customer_details: { email: 'a@example.com', address: { country: 'de' } },
      }),
    );
    expect(v).toMatchObject({
      kind: 'payment',
      detail: { locale: 'en-GB', customer_country: 'DE', customer_email: 'a@example.com' },
    });
    const none = validateStripeEvent(checkout({ amount_total: 1500, currency: 'jpy', locale: null }));
    expect(none.kind === 'payment' && 'locale' in none.detail).toBe(false);
  });

  it('acknowledges and ignores other event types without looking at their object', () => {
    expect(validateStripeEvent({ id: 'evt_2', type: 'invoice.paid', data: { object: {} } })).toEqual({
      kind: 'ignored',
      eventId: 'evt_2',
      type: 'invoice.paid',
    });
  });

  it('falls back to the session id for the order, parses metadata items, drops an invalid email', () => {
    const v = validateStripeEvent(
      checkout({
        amount_total: 3000,
        currency: 'jpy',
        customer_email: 'not-an-email',
        metadata: { items: JSON.stringify([{ title: 'ワンピース 107', qty: 2 }]) },
      }),
    );
    expect(v.kind === 'payment' && v.detail).toMatchObject({
      order_id: 'cs_1',
      items: [{ title: 'ワンピース 107', qty: 2 }],
      processing_stage: 'raw',
    });
    expect(v.kind === 'payment' && v.detail.customer_email).toBeUndefined();
  });

  it('refuses a completed checkout without an integer amount', () => {
    expect(() => validateStripeEvent(checkout({ amount_total: 15.5, currency: 'usd' }))).toThrow(
      DeliveryError,
    );
    expect(() => validateStripeEvent({ hello: 'world' })).toThrow(
      expect.objectContaining({ code: 'invalid_payload' }),
    );
  });
});

describe('review validation', () => {
  it('requires id, product, non-blank text and a 1-5 rating', () => {
    expect(validateReview({ review_id: 7, product_id: 'p', text: '最高', rating: 5 })).toMatchObject({
      review_id: '7',
    });
    for (const bad of [
      { review_id: 'r', product_id: 'p', text: '   ', rating: 5 },
      { review_id: 'r', product_id: 'p', text: 'ok', rating: 6 },
      { review_id: 'r', text: 'ok', rating: 3 },
    ]) {
      expect(() => validateReview(bad)).toThrow(
        expect.objectContaining({ code: 'invalid_payload', status: 422 }),
      );
    }
  });

  it('truncates by grapheme clusters, never splitting a family emoji', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(truncateGraphemes(family.repeat(3), 2)).toBe(family.repeat(2));
    expect(truncateGraphemes('𠮷野家', 5)).toBe('𠮷野家');
  });
});

describe('catalog validation and fan-out', () => {
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `m-${i}`, title: `巻${i}`, price: 500 + i }));

  it('makes one CatalogUpdate.<type> per item, all 35 of 35 (not the first 10)', () => {
    const v = validateCatalog({ batch_id: 'b-1', type: 'price_change', items: items(35) }, 500);
    const events = catalogEvents(v);
    expect(events).toHaveLength(35);
    expect(new Set(events.map((e) => e.detail.product_id)).size).toBe(35);
    expect(events[34]).toMatchObject({
      detailType: 'CatalogUpdate.price_change',
      detail: {
        product_id: 'm-34',
        update_type: 'price_change',
        batch_id: 'b-1',
        processing_stage: 'raw',
        data: { price: 534 },
      },
    });
  });

  it('answers 413 above the item cap and 422 for an invalid item or type', () => {
    expect(() => validateCatalog({ batch_id: 'b', type: 'new_release', items: items(11) }, 10)).toThrow(
      expect.objectContaining({ code: 'too_many_items', status: 413 }),
    );
    expect(() => validateCatalog({ batch_id: 'b', type: 'new_release', items: [{ id: 'x' }] }, 10)).toThrow(
      expect.objectContaining({ code: 'invalid_payload', detail: 'items[0] needs id and title' }),
    );
    expect(() => validateCatalog({ batch_id: 'b', type: 'reprint', items: items(1) }, 10)).toThrow(
      expect.objectContaining({ status: 422 }),
    );
  });
});
