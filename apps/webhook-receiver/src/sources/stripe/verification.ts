import { stripeScheme } from '@manga-assist/webhook-signatures';
import type { SourceVerification } from '../types';

/** Stripe's own scheme (`Stripe-Signature: t=..,v1=..` over `${t}.${body}`); the event id is the delivery id. */
export const verification: SourceVerification = { scheme: stripeScheme, idField: 'id' };
