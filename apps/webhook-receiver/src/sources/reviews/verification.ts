import { partnerScheme } from '@manga-assist/webhook-signatures';
import type { SourceVerification } from '../types';

/** The reviews partner's headers; the timestamp is inside the signed content (docs/architecture.md#webhook-checks). */
export const verification: SourceVerification = {
  scheme: partnerScheme('x-webhook-signature', 'x-webhook-timestamp'),
  idField: 'review_id',
};
