import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of `prefix` followed by the raw body bytes (no string round trip of the body). */
export function hmacSha256(key: string | Buffer, prefix: string, body: Buffer): Buffer {
  return createHmac('sha256', key).update(prefix, 'utf8').update(body).digest();
}

/**
 * Constant-time equality of two byte strings. Lengths are not secret (every valid signature of a
 * scheme has the same length), so a length mismatch returns early; equal lengths always go
 * through crypto.timingSafeEqual.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function fromHex(value: string): Buffer | undefined {
  return value.length % 2 === 0 && HEX.test(value) ? Buffer.from(value, 'hex') : undefined;
}

export function fromBase64(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** Integer epoch seconds from a header value, or undefined. */
export function parseTimestamp(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  return Number(value);
}

export function isFresh(timestamp: number, nowSeconds: number, toleranceSeconds: number): boolean {
  return Math.abs(nowSeconds - timestamp) <= toleranceSeconds;
}
