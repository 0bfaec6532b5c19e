import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the base64 bytes after the
 * `whsec_` prefix, sent as `webhook-signature: v1,<base64>`.
 */
export const SECRET_PREFIX = 'whsec_';

export class WebhookSecretError extends Error {
  readonly code = 'WEBHOOK_SECRET_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Decodes a `whsec_<base64>` secret into its key bytes; throws on anything else. */
export function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new WebhookSecretError('webhook secret must start with whsec_');
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new WebhookSecretError('webhook secret is not base64 after whsec_');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new WebhookSecretError('webhook secret must hold at least 16 bytes');
  return key;
}

export function computeSignature(key: Buffer, id: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** Headers for one delivery attempt. `timestamp` is epoch seconds. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): StandardWebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${computeSignature(decodeSecret(secret), id, timestamp, body)}`,
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale' | 'bad_signature' };

/**
 * Verifies a received webhook as a Standard Webhooks consumer would (constant-time compare, any of
 * the space-separated `v1,` signatures may match, timestamp within `toleranceSeconds`). Used by
 * tests and by anyone receiving our alerts.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  { nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300 } = {},
): VerifyResult {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const ts = one('webhook-timestamp');
  const sig = one('webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing_headers' };
  const timestamp = Number(ts);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(computeSignature(decodeSecret(secret), id, timestamp, body));
  const match = sig.split(' ').some((part) => {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
