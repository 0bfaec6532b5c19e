import { DeliveryError } from '../../errors';
import { validateStripeEvent } from './processor';

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
