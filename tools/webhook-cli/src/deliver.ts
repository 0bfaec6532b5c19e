import { signPartner, signStripe } from '@manga-assist/webhook-signatures';

export type Source = 'stripe' | 'reviews' | 'catalog';

/**
 * How each source signs (the receiver's SOURCE_CONFIG): Stripe's own header, the partners' HMAC of
 * `${timestamp}.${body}` in their header names with the timestamp beside it.
 */
export const SIGNATURE_HEADERS = {
  reviews: { signature: 'x-webhook-signature', timestamp: 'x-webhook-timestamp' },
  catalog: { signature: 'x-catalog-signature', timestamp: 'x-catalog-timestamp' },
} as const;

export function signedHeaders(
  source: Source,
  secret: string,
  body: string,
  timestamp: number,
): Record<string, string> {
  if (source === 'stripe') return { 'stripe-signature': signStripe(secret, timestamp, body) };
  const names = SIGNATURE_HEADERS[source];
  return { [names.signature]: signPartner(secret, timestamp, body), [names.timestamp]: String(timestamp) };
}

export interface DeliveryAnswer {
  status: number;
  body: unknown;
}

/** Signs and POSTs one delivery to `${baseUrl}/webhooks/${source}`; resolves with the receiver's answer. */
export async function deliver(
  baseUrl: string,
  source: Source,
  secret: string,
  payload: unknown,
  now = Date.now(),
): Promise<DeliveryAnswer> {
  const body = JSON.stringify(payload);
  const res = await fetch(new URL(`/webhooks/${source}`, baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedHeaders(source, secret, body, Math.floor(now / 1000)),
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}
