import { bodyAsSignedText, checkSignatures, hex, hmacSha256, toBuffer } from './crypto';
import { header, type SignatureScheme, type VerifyInput, type VerifyResult } from './types';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

export interface StripeSignatureHeader {
  /** parseInt of the last `t=` value (NaN when it is not a number); undefined without a `t=`. */
  timestamp: number | undefined;
  /** Every v1 value as sent (Stripe sends one per active endpoint secret during rotation). */
  v1: string[];
  /** A `v1` with no value (`v1=` or `v1`): the official library throws on it, so the header is refused. */
  emptyV1: boolean;
}

/**
 * Reads `t=1700000000,v1=abc...,v1=def...,v0=...` exactly as the `stripe` package does
 * (Webhooks.js parseHeader): items split on "," and "=", keys compared as sent (no trimming, so
 * " v1" is an unknown scheme), the value is what lies between the first and second "=", unknown
 * schemes are ignored, the last `t` wins and is read with parseInt (" 17", "+17", "017",
 * "17.9" and "17abc" all read 17).
 */
export function parseStripeSignatureHeader(value: string): StripeSignatureHeader {
  let timestamp: number | undefined;
  const v1: string[] = [];
  let emptyV1 = false;
  for (const item of value.split(',')) {
    const [key, v] = item.split('=');
    if (key === 't') timestamp = v === undefined ? Number.NaN : parseInt(v, 10);
    if (key === 'v1') {
      if (v) v1.push(v);
      else emptyV1 = true;
    }
  }
  return { timestamp, v1, emptyV1 };
}

/**
 * Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually): HMAC-SHA256, keyed with the
 * whole `whsec_...` string, over `${t}.${body}` where t is the number as read (so `t=017` is signed
 * as "17."), lower-case hex in one or more `v1` entries compared as text. Accepts and refuses the
 * same headers as `stripe.webhooks.constructEvent`, except that a timestamp more than the tolerance
 * in the future (or unreadable) is refused (see isFresh). The signature is checked first, then t.
 */
export const stripeScheme: SignatureScheme = {
  name: 'stripe',
  requiredHeaders: [STRIPE_SIGNATURE_HEADER],
  verify({ headers, rawBody, secrets, nowSeconds, toleranceSeconds }: VerifyInput): VerifyResult {
    const value = header(headers, STRIPE_SIGNATURE_HEADER);
    if (value === undefined) return { ok: false, reason: 'missing_header' };
    const { timestamp, v1, emptyV1 } = parseStripeSignatureHeader(value);
    // -1 is the library's own "no timestamp" marker, so an explicit t=-1 is refused like none.
    if (timestamp === undefined || timestamp === -1 || v1.length === 0 || emptyV1)
      return { ok: false, reason: 'malformed' };
    return checkSignatures({
      keys: secrets,
      signedPrefix: `${timestamp}.`,
      rawBody: bodyAsSignedText(rawBody, { dropBom: true }),
      encode: hex,
      candidates: v1,
      timestamp,
      nowSeconds,
      toleranceSeconds,
    });
  },
  sign: ({ secret, timestampSeconds, rawBody }) => ({
    [STRIPE_SIGNATURE_HEADER]: signStripe(secret, timestampSeconds, rawBody),
  }),
};

/** Signs like Stripe does: the whole `stripe-signature` header value, `t=<timestamp>,v1=<hex>`. */
export function signStripe(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `t=${timestamp},v1=${hmacSha256(secret, `${timestamp}.`, toBuffer(rawBody)).toString('hex')}`;
}
