import { randomUUID } from 'node:crypto';
import { base64, bodyAsSignedText, checkSignatures, hmacSha256, toBuffer } from './crypto';
import { decodeStandardWebhookSecret, standardWebhookKey } from './secret';
import { header, type Headers, type SignatureScheme, type VerifyInput, type VerifyResult } from './types';

export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/**
 * Standard Webhooks (https://www.standardwebhooks.com, spec.md): HMAC-SHA256 keyed with the
 * base64-decoded secret over `${webhook-id}.${timestamp}.${body}`; `webhook-signature` is a
 * space-separated list of `v1,<base64>` (other versions, e.g. `v1a` asymmetric, are skipped).
 * Read as the `standardwebhooks` package reads it (Webhook.verify): the timestamp with parseInt
 * and signed as that number ("017" signs as "17"), each entry split on "," (what follows a second
 * comma is ignored), the base64 compared as text (padding included). Same accept/refuse as the
 * package, which also refuses timestamps more than the tolerance in the future.
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
    const timestamp = parseInt(timestampValue, 10);
    const candidates = signatures
      .split(' ')
      .map((entry) => entry.split(','))
      .filter(([version, signature]) => version === 'v1' && signature)
      .map(([, signature]) => signature);
    if (Number.isNaN(timestamp) || candidates.length === 0) return { ok: false, reason: 'malformed' };
    return checkSignatures({
      keys: secrets.map(standardWebhookKey),
      signedPrefix: `${id}.${timestamp}.`,
      rawBody: bodyAsSignedText(rawBody, { dropBom: false }),
      encode: base64,
      candidates,
      timestamp,
      nowSeconds,
      toleranceSeconds,
    });
  },
  sign: ({ secret, timestampSeconds, rawBody, id = `msg_${randomUUID()}` }) => ({
    [STANDARD_WEBHOOK_HEADERS.id]: id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestampSeconds),
    [STANDARD_WEBHOOK_HEADERS.signature]: signStandardWebhook(secret, id, timestampSeconds, rawBody),
  }),
};

const signWithKey = (key: Buffer, id: string, timestamp: number, body: string | Buffer) =>
  `v1,${hmacSha256(key, `${id}.${timestamp}.`, toBuffer(body)).toString('base64')}`;

/** Signs like a Standard Webhooks sender: returns the `webhook-signature` header value (lenient secret decoding). */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: number,
  rawBody: string | Buffer,
): string {
  return signWithKey(standardWebhookKey(secret), id, timestamp, rawBody);
}

export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The three headers of one delivery attempt, for senders. The secret is decoded strictly
 * (WebhookSecretError on anything but `whsec_` + base64 of >= 16 bytes).
 */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): StandardWebhookHeaders {
  return {
    [STANDARD_WEBHOOK_HEADERS.id]: id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestampSeconds),
    [STANDARD_WEBHOOK_HEADERS.signature]: signWithKey(
      decodeStandardWebhookSecret(secret),
      id,
      timestampSeconds,
      body,
    ),
  };
}

export interface VerifyOptions {
  /** Epoch seconds; defaults to the clock. */
  nowSeconds?: number;
  /** Accepted clock difference both ways; default 300 s (the spec's suggestion). */
  toleranceSeconds?: number;
}

/** One received Standard Webhook checked against one or several secrets (rotation). */
export function verifyStandardWebhook(
  secrets: string | readonly string[],
  headers: Headers,
  body: string | Buffer,
  { nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300 }: VerifyOptions = {},
): VerifyResult {
  return standardWebhooksScheme.verify({
    headers,
    rawBody: toBuffer(body),
    secrets: typeof secrets === 'string' ? [secrets] : secrets,
    nowSeconds,
    toleranceSeconds,
  });
}
