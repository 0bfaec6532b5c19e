import { checkSignatures, hex, hmacSha256, isHex, parseTimestamp, toBuffer } from './crypto';
import { header, type SignatureScheme, type VerifyInput, type VerifyResult } from './types';

/**
 * The partner scheme of the partner feeds (reviews, catalog; docs/architecture.md#webhook-checks), with the seed's replay hole closed: the
 * timestamp header is part of the signed content, so it cannot be changed without the secret.
 *
 *   <sigHeader>: hex(HMAC-SHA256(secret, `${timestamp}.${rawBody}`))   (an optional `sha256=` prefix is accepted)
 *   <tsHeader>:  epoch seconds
 *
 * Several signatures may be sent comma-separated (the sender signing with old and new secret).
 */
export function partnerScheme(signatureHeader: string, timestampHeader: string): SignatureScheme {
  return {
    name: 'partner',
    requiredHeaders: [signatureHeader, timestampHeader],
    verify({ headers, rawBody, secrets, nowSeconds, toleranceSeconds }: VerifyInput): VerifyResult {
      const signature = header(headers, signatureHeader);
      const timestampValue = header(headers, timestampHeader);
      if (signature === undefined || timestampValue === undefined)
        return { ok: false, reason: 'missing_header' };
      const timestamp = parseTimestamp(timestampValue);
      // Hex in either case (no official library to agree with; partners send both).
      const candidates = signature
        .split(',')
        .map((s) => s.trim().replace(/^sha256=/, ''))
        .filter(isHex)
        .map((s) => s.toLowerCase());
      if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
      const signedPrefix = `${timestampValue}.`;
      return checkSignatures({
        keys: secrets,
        signedPrefix,
        rawBody,
        encode: hex,
        candidates,
        timestamp,
        nowSeconds,
        toleranceSeconds,
      });
    },
    sign: ({ secret, timestampSeconds, rawBody }) => ({
      [signatureHeader]: signPartner(secret, timestampSeconds, rawBody),
      [timestampHeader]: String(timestampSeconds),
    }),
  };
}

/** Signs a body the way a partner does (tests, benchmarks, the dev CLI). */
export function signPartner(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return hmacSha256(secret, `${timestamp}.`, toBuffer(rawBody)).toString('hex');
}
