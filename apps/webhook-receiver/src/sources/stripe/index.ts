import { defineSource } from '../types';
import { stripeEvent } from './payload';
import { stripeProcessor } from './processor';
import { sample } from './sample';
import { verification } from './verification';

export const stripe = defineSource({
  name: 'stripe',
  summary: 'Stripe events (checkout.session.completed -> PaymentCompleted).',
  verification,
  payload: stripeEvent,
  settings: {},
  processor: stripeProcessor,
  sample,
});
