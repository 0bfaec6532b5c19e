import { z } from 'zod';

/** Any Stripe event: only checkout.session.completed is acted on, the rest acknowledged. */
export const stripeEvent = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.looseObject({ object: z.looseObject({}) }),
});

export const checkoutSession = z.looseObject({
  id: z.string().min(1),
  amount_total: z.number().int().nonnegative(),
  currency: z.string().regex(/^[a-zA-Z]{3}$/),
  customer: z.string().nullish(),
  customer_email: z.string().nullish(),
  customer_details: z
    .looseObject({
      email: z.string().nullish(),
      address: z.looseObject({ country: z.string().nullish() }).nullish(),
    })
    .nullish(),
  /** The checkout page's language (`ja`, `en-GB`, `auto`...): the customer's language for the confirmation. */
  locale: z.string().nullish(),
  payment_intent: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

/** Items arrive as a JSON string in session metadata (Stripe metadata values are strings). */
export const orderItems = z.array(
  z.looseObject({ title: z.string(), qty: z.number().int().positive(), product_id: z.string().optional() }),
);
