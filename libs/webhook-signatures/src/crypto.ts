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

export const isHex = (value: string) => value.length % 2 === 0 && HEX.test(value);

/** Integer epoch seconds from a partner's header value, or undefined. */
export function parseTimestamp(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Within the tolerance BOTH ways. Stripe's library only refuses the past side; refusing
 * timestamps too far in the future too (and NaN, which no comparison holds for) is our one
 * documented difference from the official libraries: a signed future timestamp would otherwise
 * stay replayable until that future arrives.
 */
export function isFresh(timestamp: number, nowSeconds: number, toleranceSeconds: number): boolean {
  return Math.abs(nowSeconds - timestamp) <= toleranceSeconds;
}

export const toBuffer = (body: string | Buffer): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body));

/**
 * The body as the official libraries sign it: they verify the TEXT of the body (Stripe's through
 * TextDecoder, which also drops a leading BOM; Standard Webhooks' through Buffer#toString), so
 * invalid UTF-8 is replaced by U+FFFD before the HMAC. Valid UTF-8 comes out byte for byte.
 */
export function bodyAsSignedText(rawBody: Buffer, { dropBom }: { dropBom: boolean }): Buffer {
  const text = dropBom ? new TextDecoder('utf-8').decode(rawBody) : rawBody.toString('utf8');
  const bytes = Buffer.from(text, 'utf8');
  return bytes.equals(rawBody) ? rawBody : bytes;
}

/**
 * The tail every scheme shares: HMAC-SHA256 of `signedPrefix` + body under each key, written as
 * the scheme writes it (`encode`), compared as text with every candidate exactly as sent (no early
 * exit: timing does not say which key or candidate matched), then the timestamp's age. The
 * signature goes first, so `stale` is only said of a signed timestamp.
 */
export function checkSignatures(args: {
  keys: readonly (string | Buffer)[];
  signedPrefix: string;
  rawBody: Buffer;
  encode: (digest: Buffer) => string;
  candidates: readonly string[];
  timestamp: number;
  nowSeconds: number;
  toleranceSeconds: number;
}): VerifyResult {
  const candidates = args.candidates.map((c) => Buffer.from(c, 'utf8'));
  let matched = false;
  for (const key of args.keys) {
    const expected = Buffer.from(args.encode(hmacSha256(key, args.signedPrefix, args.rawBody)), 'utf8');
    for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  if (!isFresh(args.timestamp, args.nowSeconds, args.toleranceSeconds)) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: args.timestamp };
}

export const hex = (digest: Buffer) => digest.toString('hex');
export const base64 = (digest: Buffer) => digest.toString('base64');
