import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook } from '@manga-assist/webhook-signatures';

/** A delivery the sink received: what a CRM or alerting endpoint would have seen. */
export interface SinkDelivery {
  path: string;
  webhookId: string | undefined;
  signatureValid: boolean;
  /** The W3C traceparent the sender propagated, if any (the delivery's trace). */
  traceparent?: string;
  body: unknown;
  receivedAt: string;
}

export interface WebhookSink {
  url: string;
  port: number;
  deliveries(): SinkDelivery[];
  stop(): Promise<void>;
}

/**
 * The outbound-webhook receiver of the local stack: stands in for the alerting endpoint and the
 * CRM, verifies each delivery's Standard Webhooks signature, keeps the last `keep` deliveries and
 * reports them. It judges the signature only, not the timestamp's age (tolerance: Infinity), so
 * replayed or hand-made deliveries with old timestamps still show up as signed.
 */
export async function startWebhookSink({
  secret,
  port = 0,
  host = '127.0.0.1',
  keep = 200,
  onDelivery,
}: {
  secret: string;
  port?: number;
  host?: string;
  keep?: number;
  onDelivery?: (delivery: SinkDelivery) => void;
}): Promise<WebhookSink> {
  const received: SinkDelivery[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(received));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw text
      }
      const delivery: SinkDelivery = {
        path: req.url ?? '/',
        webhookId: req.headers['webhook-id'] as string | undefined,
        signatureValid: verifyStandardWebhook(secret, req.headers, raw, { toleranceSeconds: Infinity }).ok,
        ...(typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
        body,
        receivedAt: new Date().toISOString(),
      };
      received.push(delivery);
      if (received.length > keep) received.shift();
      onDelivery?.(delivery);
      res.statusCode = delivery.signatureValid ? 204 : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    deliveries: () => [...received],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
