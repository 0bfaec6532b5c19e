import { checkSignatures, fromHex, hmacSha256, toBuffer } from './crypto';
import { header, type SignatureScheme, type VerifyInput, type VerifyResult } from './types';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

export interface StripeSignatureHeader {
  timestamp: number | undefined;
  /** Every v1 signature (Stripe sends one per active endpoint secret during rotation). */
  v1: string[];
}

/** Parses `t=1700000000,v1=abc...,v1=def...,v0=...` (unknown schemes are ignored, as Stripe's libraries do). */
export function parseStripeSignatureHeader(value: string): StripeSignatureHeader {
  let timestamp: number | undefined;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1') v1.push(v);
  }
  return { timestamp, v1 };
}

/**
 * Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually): HMAC-SHA256, keyed with the
 * whole `whsec_...` string, over `${t}.${rawBody}`, hex encoded in one or more `v1` entries. The
 * signature is checked first, then `t` against the tolerance (a stale `t` is only trusted once it
 * is known to be signed).
 */
export const stripeScheme: SignatureScheme = {
  name: 'stripe',
  requiredHeaders: [STRIPE_SIGNATURE_HEADER],
  verify({ headers, rawBody, secrets, nowSeconds, toleranceSeconds }: VerifyInput): VerifyResult {
    const value = header(headers, STRIPE_SIGNATURE_HEADER);
    if (value === undefined) return { ok: false, reason: 'missing_header' };
    const parsed = parseStripeSignatureHeader(value);
    const candidates = parsed.v1.map(fromHex).filter((b): b is Buffer => b !== undefined);
    if (parsed.timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };

    const { timestamp } = parsed;
    return checkSignatures({ keys: secrets, signedPrefix: `${timestamp}.`, rawBody, candidates, timestamp, nowSeconds, toleranceSeconds });
  },
};

/** Signs like Stripe does: the whole `stripe-signature` header value, `t=<timestamp>,v1=<hex>`. */
export function signStripe(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `t=${timestamp},v1=${hmacSha256(secret, `${timestamp}.`, toBuffer(rawBody)).toString('hex')}`;
}
