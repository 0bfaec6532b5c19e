import { setTimeout as wait } from 'node:timers/promises';
import { decodeStandardWebhookSecret, standardWebhookHeaders } from '@manga-assist/webhook-signatures';
import { injectTraceHeaders, recordError, SpanKind, withSpan } from '@manga-assist/service-runtime';

/** Delivers signed Standard Webhooks with retries; I/O (fetch, sleep, clock, randomness) injected. */

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface AttemptInfo {
  target: string;
  id: string;
  attempt: number;
  status?: number;
  error?: string;
  /** Milliseconds before the next attempt; undefined when this was the last one. */
  retryInMs?: number;
}

export interface WebhookSenderOptions {
  /** Label used in logs and metrics (e.g. `alert`, `crm`). */
  target: string;
  url: string;
  secret: string;
  retry: RetryPolicy;
  timeoutMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  nowMs?: () => number;
  onAttempt?: (info: AttemptInfo) => void;
}

export type DeliveryResult =
  | { delivered: true; attempts: number; status: number }
  | { delivered: false; attempts: number; permanent: boolean; status?: number; error: string };

export interface WebhookSender {
  readonly target: string;
  /** `id` is the webhook-id, the same on every attempt so the receiver can deduplicate. */
  send(id: string, payload: unknown): Promise<DeliveryResult>;
}

/** Status codes worth retrying: timeouts, rate limits and server errors. Other 4xx are permanent. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random, so
 * retries from many consumers spread out without ever collapsing to zero.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  decodeStandardWebhookSecret(options.secret); // fail at start-up, not on the first alert
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => wait(ms));
  const random = options.random ?? Math.random;
  const nowMs = options.nowMs ?? Date.now;
  const { retry, target } = options;

  return {
    target,
    // One CLIENT span per delivery (all attempts); each request carries traceparent so the
    // receiver can join the trace. Never the body or the signature.
    send: (id, payload) =>
      withSpan(
        `webhook ${target}`,
        { kind: SpanKind.CLIENT, attributes: { 'outbound.target': target, 'webhook.delivery_id': id } },
        async (span) => {
          const result = await deliver(id, payload);
          span.setAttributes({
            'webhook.attempts': result.attempts,
            ...(result.status ? { 'http.response.status_code': result.status } : {}),
          });
          if (!result.delivered)
            recordError(span, { name: result.permanent ? 'PERMANENT' : 'EXHAUSTED', message: result.error });
          return result;
        },
      ),
  };

  async function deliver(id: string, payload: unknown): Promise<DeliveryResult> {
    const body = JSON.stringify(payload);
    let last: { status?: number; error: string } = { error: 'not attempted' };
    // Bespoke on purpose: each answer can set the next delay (Retry-After) and every attempt is reported.
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
      const headers = standardWebhookHeaders(options.secret, id, Math.floor(nowMs() / 1000), body);
      let retryAfterMs: number | undefined;
      try {
        const res = await doFetch(options.url, {
          method: 'POST',
          headers: injectTraceHeaders({
            'content-type': 'application/json',
            'user-agent': 'mangaassist-moderation-consumer',
            ...headers,
          }),
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined); // free the socket
        if (res.ok) {
          options.onAttempt?.({ target, id, attempt, status: res.status });
          return { delivered: true, attempts: attempt, status: res.status };
        }
        last = { status: res.status, error: `HTTP ${res.status}` };
        if (!isRetryableStatus(res.status)) {
          options.onAttempt?.({ target, id, attempt, status: res.status, error: last.error });
          return { delivered: false, attempts: attempt, permanent: true, ...last };
        }
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), nowMs());
      } catch (error) {
        last = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
      const isLast = attempt === retry.maxAttempts;
      const delay = isLast
        ? undefined
        : Math.min(retry.maxDelayMs, Math.max(retryAfterMs ?? 0, backoffDelay(attempt, retry, random)));
      options.onAttempt?.({ target, id, attempt, ...last, retryInMs: delay });
      if (delay !== undefined) await sleep(delay);
    }
    return { delivered: false, attempts: retry.maxAttempts, permanent: false, ...last };
  }
}
