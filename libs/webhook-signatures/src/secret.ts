/** Standard Webhooks secrets are `whsec_` + base64 of the key bytes. */
export const STANDARD_WEBHOOK_SECRET_PREFIX = 'whsec_';

const MIN_KEY_BYTES = 16;

export class WebhookSecretError extends Error {
  readonly code = 'WEBHOOK_SECRET_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

/**
 * Strict decoding for senders (fail at start-up on a bad secret): `whsec_` prefix, base64 after it,
 * at least 16 key bytes. Throws WebhookSecretError (code WEBHOOK_SECRET_INVALID).
 */
export function decodeStandardWebhookSecret(secret: string): Buffer {
  if (!secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX))
    throw new WebhookSecretError('webhook secret must start with whsec_');
  const encoded = secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new WebhookSecretError('webhook secret is not base64 after whsec_');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES)
    throw new WebhookSecretError(`webhook secret must hold at least ${MIN_KEY_BYTES} bytes`);
  return key;
}

/**
 * Lenient decoding for verifiers: the prefix is optional and nothing throws, so a receiver with an
 * odd secret answers bad_signature per delivery instead of crashing on it.
 */
export function standardWebhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX)
    ? secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length)
    : secret;
  return Buffer.from(encoded, 'base64');
}
