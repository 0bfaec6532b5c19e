import { sourceNamed, type WebhookSourceName } from '../../../apps/webhook-receiver/src/sources';

export interface DeliveryAnswer {
  status: number;
  body: unknown;
}

/**
 * Signs one delivery the way the source's sender does (its scheme in the receiver's registry) and
 * POSTs it to `${baseUrl}/webhooks/${source}`; resolves with the receiver's answer.
 */
export async function deliver(
  baseUrl: string,
  source: WebhookSourceName,
  secret: string,
  payload: unknown,
  now = Date.now(),
): Promise<DeliveryAnswer> {
  const body = JSON.stringify(payload);
  const signed = sourceNamed(source).verification.scheme.sign({
    secret,
    timestampSeconds: Math.floor(now / 1000),
    rawBody: body,
  });
  const res = await fetch(new URL(`/webhooks/${source}`, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed },
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
