import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult } from './types';

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

export const toBuffer = (body: string | Buffer): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body));

/**
 * The tail every scheme shares: HMAC-SHA256 of `signedPrefix` + body under each key, compared with
 * every candidate (no early exit: timing does not say which key or candidate matched), then the
 * timestamp's age. The signature goes first, so `stale` is only said of a signed timestamp.
 */
export function checkSignatures(args: {
  keys: readonly (string | Buffer)[];
  signedPrefix: string;
  rawBody: Buffer;
  candidates: readonly Buffer[];
  timestamp: number;
  nowSeconds: number;
  toleranceSeconds: number;
}): VerifyResult {
  let matched = false;
  for (const key of args.keys) {
    const expected = hmacSha256(key, args.signedPrefix, args.rawBody);
    for (const candidate of args.candidates) matched = constantTimeEqual(expected, candidate) || matched;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  if (!isFresh(args.timestamp, args.nowSeconds, args.toleranceSeconds)) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: args.timestamp };
}
