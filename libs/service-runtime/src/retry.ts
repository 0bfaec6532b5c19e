import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';

interface RetryOptions {
  /** Attempts including the first. */
  maxAttempts: number;
  /** First delay; later ones grow exponentially with decorrelated jitter (cockatiel's default), up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs?: number;
  /** Which errors deserve another attempt (default: every error). */
  retryIf?: (error: unknown) => boolean;
  /** Before each wait: the error, the attempt that failed (1-based) and the delay before the next. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/**
 * The one retry policy of the services (cockatiel): `policy.execute(({ attempt, signal }) => ..., signal)`
 * retries what `retryIf` accepts with exponential backoff, stops when the signal aborts, and rethrows
 * the last error when the attempts run out. Loops that are not retries (optimistic locking, a
 * throttled model call held in its concurrency slot) stay bespoke and say so.
 */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  const policy = retry(handleWhen(options.retryIf ?? (() => true)), {
    maxAttempts: Math.max(0, options.maxAttempts - 1),
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs,
      maxDelay: options.maxDelayMs ?? 30_000,
    }),
  });
  const { onRetry } = options;
  if (onRetry)
    policy.onRetry((e) =>
      onRetry({ error: 'error' in e ? e.error : e.value, attempt: e.attempt, delayMs: e.delay }),
    );
  return policy;
}

/** Thrown inside a batch retry while some entries still fail; carries why. */
class PartialBatchFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A batch call that can fail for some entries (SQS *Batch, DynamoDB BatchWrite, PutEvents): sends
 * the entries, then only those that failed again, under `policy`. `send` returns the entries to try
 * again (and why); an error thrown by `send` retries the whole remainder. Resolves with the entries
 * that still failed after the last attempt, never throws for them.
 */
export async function retryBatch<T>(
  policy: RetryPolicy,
  entries: T[],
  send: (pending: T[], attempt: number) => Promise<{ retry: T[]; reason?: string }>,
  signal?: AbortSignal,
): Promise<{ failed: T[]; reason?: string }> {
  let pending = entries;
  try {
    await policy.execute(async ({ attempt }) => {
      const out = await send(pending, attempt + 1);
      pending = out.retry;
      if (pending.length) throw new PartialBatchFailure(out.reason ?? `${pending.length} entries failed`);
    }, signal);
    return { failed: [] };
  } catch (error) {
    return { failed: pending, reason: error instanceof Error ? error.message : String(error) };
  }
}
