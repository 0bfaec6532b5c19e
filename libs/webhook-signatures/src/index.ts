export { header } from './types';
export type { SignatureScheme, VerifyResult, VerifyFailure, Headers } from './types';
export { stripeScheme, signStripe } from './stripe';
export { partnerScheme, signPartner } from './partner';
export {
  standardWebhooksScheme,
  signStandardWebhook,
  standardWebhookHeaders,
  verifyStandardWebhook,
  STANDARD_WEBHOOK_HEADERS,
} from './standard-webhooks';
export { decodeStandardWebhookSecret } from './secret';
