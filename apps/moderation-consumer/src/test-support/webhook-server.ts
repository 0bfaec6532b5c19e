import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook, type VerifyResult } from '@manga-assist/webhook-signatures';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  verification: VerifyResult;
  at: number;
}

export interface WebhookTestServer {
  url: string;
  received: ReceivedWebhook[];
  /** Only deliveries whose signature verified with the server's secret. */
  verified(): ReceivedWebhook[];
  /** Status to answer with; a function sees the 1-based request number. */
  respondWith(status: number | ((n: number) => number)): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A real HTTP server on a random port that records and verifies Standard Webhooks deliveries. */
export async function startWebhookTestServer(secret: string): Promise<WebhookTestServer> {
  const received: ReceivedWebhook[] = [];
  let respond: (n: number) => number = () => 204;
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({
        headers: req.headers,
        body,
        json,
        verification: verifyStandardWebhook(secret, req.headers, body),
        at: Date.now(),
      });
      count += 1;
      res.statusCode = respond(count);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    verified: () => received.filter((r) => r.verification.ok),
    respondWith(status) {
      respond = typeof status === 'function' ? status : () => status;
    },
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} webhooks, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received.slice(0, n);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
