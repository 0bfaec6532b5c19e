export { header } from './types';
export type { SignatureScheme, VerifyInput, VerifyResult, VerifyFailure, Headers } from './types';
export { stripeScheme, signStripe, parseStripeSignatureHeader, STRIPE_SIGNATURE_HEADER } from './stripe';
export type { StripeSignatureHeader } from './stripe';
export { partnerScheme, signPartner } from './partner';
export {
  standardWebhooksScheme,
  signStandardWebhook,
  standardWebhookHeaders,
  verifyStandardWebhook,
  STANDARD_WEBHOOK_HEADERS,
} from './standard-webhooks';
export type { StandardWebhookHeaders, VerifyOptions } from './standard-webhooks';
export { decodeStandardWebhookSecret, WebhookSecretError, STANDARD_WEBHOOK_SECRET_PREFIX } from './secret';
