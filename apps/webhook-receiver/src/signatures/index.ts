export { header } from './types';
export type { SignatureScheme, VerifyInput, VerifyResult, VerifyFailure, Headers } from './types';
export { stripeScheme, parseStripeSignatureHeader, STRIPE_SIGNATURE_HEADER } from './stripe';
export { partnerScheme, signPartner } from './partner';
export { standardWebhooksScheme, signStandardWebhook, STANDARD_WEBHOOK_HEADERS } from './standard-webhooks';
