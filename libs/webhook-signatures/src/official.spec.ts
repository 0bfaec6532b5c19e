import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme, stripeScheme } from './index';
import {
  NOW,
  STANDARD_SECRET,
  STRIPE_SECRET,
  TOLERANCE,
  standardCases,
  stripeCases,
  type HeaderCase,
} from './test-support/malformed-headers';

/*
 * Differential test: every header of the table goes through the official library and through ours;
 * both must accept or refuse alike. The one documented exception (`exception: true`): a timestamp
 * more than the tolerance in the future (or one no clock comparison can read) is refused by ours,
 * where Stripe's library only checks the past side.
 */
const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
const stripeSignature = (() => {
  const signature = stripe.webhooks.signature;
  if (!signature) throw new Error('stripe.webhooks.signature is missing from the stripe package');
  return signature;
})();

function stripeAccepts(c: HeaderCase): boolean {
  try {
    // What constructEvent runs before JSON.parse; receivedAt (ms) fixes the clock.
    stripeSignature.verifyHeader(
      c.body,
      c.headers['stripe-signature'],
      STRIPE_SECRET,
      TOLERANCE,
      undefined,
      NOW * 1000,
    );
    return true;
  } catch {
    return false;
  }
}

function standardAccepts(c: HeaderCase): boolean {
  const now = jest.spyOn(Date, 'now').mockReturnValue(NOW * 1000);
  try {
    new Webhook(STANDARD_SECRET).verify(c.body, c.headers, { jsonParse: false });
    return true;
  } catch {
    return false;
  } finally {
    now.mockRestore();
  }
}

const oursAccepts = (scheme: typeof stripeScheme, secret: string, c: HeaderCase) =>
  scheme.verify({
    headers: c.headers,
    rawBody: c.body,
    secrets: [secret],
    nowSeconds: NOW,
    toleranceSeconds: TOLERANCE,
  }).ok;

describe.each([
  [
    'Stripe-Signature vs stripe.webhooks (constructEvent / verifyHeader)',
    stripeCases,
    stripeAccepts,
    stripeScheme,
    STRIPE_SECRET,
  ],
  [
    'Standard Webhooks vs standardwebhooks Webhook.verify',
    standardCases,
    standardAccepts,
    standardWebhooksScheme,
    STANDARD_SECRET,
  ],
] as const)('%s', (_name, cases, official, scheme, secret) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_caseName, c) => {
    const theirs = official(c);
    if (c.exception) {
      expect(theirs).toBe(true);
      expect(oursAccepts(scheme, secret, c)).toBe(false);
    } else {
      expect(oursAccepts(scheme, secret, c)).toBe(theirs);
    }
  });

  it('the table has headers the official library accepts and ones it refuses', () => {
    const results = cases.map(official);
    expect(results.filter(Boolean).length).toBeGreaterThan(3);
    expect(results.filter((r) => !r).length).toBeGreaterThan(3);
  });
});
