import { partnerScheme } from '@manga-assist/webhook-signatures';
import type { SourceVerification } from '../types';

/** The publisher feed's headers (the seed's names), same partner scheme as reviews; one id per batch. */
export const verification: SourceVerification = {
  scheme: partnerScheme('x-catalog-signature', 'x-catalog-timestamp'),
  idField: 'batch_id',
};
