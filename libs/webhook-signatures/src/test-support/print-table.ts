// Prints case | official | ours for the malformed-header table (the issue's acceptance note).
// npx tsx libs/webhook-signatures/src/test-support/print-table.ts
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme, stripeScheme } from '../index';
import {
  NOW,
  STANDARD_SECRET,
  STRIPE_SECRET,
  TOLERANCE,
  standardCases,
  stripeCases,
} from './malformed-headers';

const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
const stripeSignature = (() => {
  const signature = stripe.webhooks.signature;
  if (!signature) throw new Error('stripe.webhooks.signature is missing from the stripe package');
  return signature;
})();
const word = (ok: boolean) => (ok ? 'accept' : 'refuse');
const attempt = (run: () => unknown) => {
  try {
    run();
    return true;
  } catch {
    return false;
  }
};
const realNow = Date.now;
for (const [label, cases, official, scheme, secret] of [
  [
    'Stripe',
    stripeCases,
    (c: (typeof stripeCases)[number]) =>
      attempt(() =>
        stripeSignature.verifyHeader(
          c.body,
          c.headers['stripe-signature'],
          STRIPE_SECRET,
          TOLERANCE,
          undefined,
          NOW * 1000,
        ),
      ),
    stripeScheme,
    STRIPE_SECRET,
  ],
  [
    'Standard Webhooks',
    standardCases,
    (c: (typeof standardCases)[number]) => {
      Date.now = () => NOW * 1000;
      try {
        return attempt(() => new Webhook(STANDARD_SECRET).verify(c.body, c.headers, { jsonParse: false }));
      } finally {
        Date.now = realNow;
      }
    },
    standardWebhooksScheme,
    STANDARD_SECRET,
  ],
] as const) {
  for (const c of cases) {
    const ours = scheme.verify({
      headers: c.headers,
      rawBody: c.body,
      secrets: [secret],
      nowSeconds: NOW,
      toleranceSeconds: TOLERANCE,
    });
    console.log(
      `| ${label}: ${c.name} | ${word(official(c))} | ${word(ours.ok)}${ours.ok ? '' : ` (${ours.reason})`} |`,
    );
  }
}
