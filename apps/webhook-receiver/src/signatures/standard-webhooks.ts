import { constantTimeEqual, fromBase64, hmacSha256, isFresh, parseTimestamp } from './crypto';
import { header, type SignatureScheme, type VerifyInput, type VerifyResult } from './types';

export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** A Standard Webhooks secret is `whsec_` + base64 of the key bytes. */
export function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Standard Webhooks (https://www.standardwebhooks.com, spec.md): HMAC-SHA256 keyed with the
 * base64-decoded secret over `${webhook-id}.${webhook-timestamp}.${body}`; `webhook-signature` is a
 * space-separated list of `v1,<base64>` (other versions, e.g. `v1a` asymmetric, are skipped).
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard',
  requiredHeaders: Object.values(STANDARD_WEBHOOK_HEADERS),
  verify({ headers, rawBody, secrets, nowSeconds, toleranceSeconds }: VerifyInput): VerifyResult {
    const id = header(headers, STANDARD_WEBHOOK_HEADERS.id);
    const timestampValue = header(headers, STANDARD_WEBHOOK_HEADERS.timestamp);
    const signatures = header(headers, STANDARD_WEBHOOK_HEADERS.signature);
    if (id === undefined || timestampValue === undefined || signatures === undefined) {
      return { ok: false, reason: 'missing_header' };
    }
    const timestamp = parseTimestamp(timestampValue);
    const candidates = signatures
      .split(' ')
      .filter((s) => s.startsWith('v1,'))
      .map((s) => fromBase64(s.slice(3)))
      .filter((b): b is Buffer => b !== undefined);
    if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };

    let matched = false;
    for (const secret of secrets) {
      const expected = hmacSha256(standardWebhookKey(secret), `${id}.${timestampValue}.`, rawBody);
      for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
    }
    if (!matched) return { ok: false, reason: 'bad_signature' };
    if (!isFresh(timestamp, nowSeconds, toleranceSeconds)) return { ok: false, reason: 'stale' };
    return { ok: true, timestamp };
  },
};

/** Signs like a Standard Webhooks sender: returns the `webhook-signature` header value. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, rawBody: string | Buffer): string {
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
  return `v1,${hmacSha256(standardWebhookKey(secret), `${id}.${timestamp}.`, body).toString('base64')}`;
}
