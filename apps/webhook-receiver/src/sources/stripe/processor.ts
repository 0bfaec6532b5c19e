import { z } from 'zod';
import { formatMinorAmount, type PaymentCompletedInput } from '@manga-assist/event-schemas';
import { DeliveryError } from '../../errors';
import type { ProcessResult, Processor, SourceDeps } from '../types';
import { checkoutSession, orderItems, stripeEvent } from './payload';

export type StripeValidated =
  | { kind: 'ignored'; eventId: string; type: string }
  | { kind: 'payment'; eventId: string; detail: PaymentCompletedInput };

function parseItems(raw: string | undefined): {
  items: z.infer<typeof orderItems>;
  itemsUnreadable: boolean;
} {
  if (raw === undefined) return { items: [], itemsUnreadable: false };
  try {
    const parsed = orderItems.safeParse(JSON.parse(raw));
    return parsed.success
      ? { items: parsed.data, itemsUnreadable: false }
      : { items: [], itemsUnreadable: true };
  } catch {
    return { items: [], itemsUnreadable: true };
  }
}

/** Pure: a Stripe event -> the PaymentCompleted detail (checkout.session.completed) or "ignored". */
export function validateStripeEvent(payload: unknown): StripeValidated {
  const event = stripeEvent.safeParse(payload);
  if (!event.success)
    throw new DeliveryError('invalid_payload', 'not a Stripe event (id, type, data.object)');
  if (event.data.type !== 'checkout.session.completed') {
    return { kind: 'ignored', eventId: event.data.id, type: event.data.type };
  }
  const session = checkoutSession.safeParse(event.data.data.object);
  if (!session.success) {
    throw new DeliveryError(
      'invalid_payload',
      'checkout session without id, integer amount_total or currency',
    );
  }
  const s = session.data;
  const currency = s.currency.toUpperCase();
  const email = s.customer_email ?? s.customer_details?.email ?? undefined;
  const country = s.customer_details?.address?.country ?? undefined;
  const { items, itemsUnreadable } = parseItems(s.metadata?.items);
  const detail: PaymentCompletedInput = {
    order_id: s.metadata?.order_id || s.id,
    payment_id: s.payment_intent ?? s.id,
    checkout_session_id: s.id,
    stripe_event_id: event.data.id,
    // amount_total is already in the currency's smallest unit: never divide by 100 (¥1,500 is 1500).
    amount_minor: s.amount_total,
    amount: formatMinorAmount(s.amount_total, currency),
    currency,
    items,
    ...(itemsUnreadable ? { items_unreadable: true } : {}),
    ...(s.customer ? { customer_id: s.customer } : {}),
    ...(email && z.email().safeParse(email).success ? { customer_email: email } : {}),
    ...(s.locale && s.locale.length <= 35 ? { locale: s.locale } : {}),
    ...(country && /^[A-Za-z]{2}$/.test(country) ? { customer_country: country.toUpperCase() } : {}),
    processing_stage: 'raw',
    _chain_depth: 0,
  };
  return { kind: 'payment', eventId: event.data.id, detail };
}

export function stripeProcessor({ publisher }: SourceDeps): Processor<StripeValidated> {
  return {
    validate: validateStripeEvent,
    async process(v): Promise<ProcessResult> {
      if (v.kind === 'ignored') return { processed: false, ignored: true, type: v.type };
      await publisher.publish([{ detailType: 'PaymentCompleted', detail: v.detail }]);
      return { processed: true, order_id: v.detail.order_id, amount_minor: v.detail.amount_minor };
    },
  };
}
