import type { Logger } from './logger';
import { retryPolicy } from './retry';
import type { ReadinessCheck } from './health';

interface DependencyWaitOptions<T> {
  /** What is awaited, for logs and /readyz ("sqs queues", "dynamodb"...). */
  name: string;
  /** One try at what the service needs before it can work (resolve queue URLs...). */
  attempt: (signal: AbortSignal) => Promise<T>;
  logger: Pick<Logger, 'info' | 'warn'>;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

interface DependencyWait<T> {
  /** Resolves with the attempt's value once it succeeds; rejects only when cancelled. */
  readonly ready: Promise<T>;
  /** Settles after the first attempt, whatever its outcome (a service may wire what it can at once). */
  readonly firstAttempt: Promise<void>;
  /** The value once ready, else undefined. */
  value(): T | undefined;
  /** A critical readiness check that fails with what is awaited and the last error until ready. */
  readonly check: ReadinessCheck;
  /** Stops retrying (shutdown). */
  cancel(): void;
}

/**
 * The one start-up behaviour of every service: what it needs from its dependencies (SQS, DynamoDB)
 * is retried in the background with the one retry policy (0.5 s growing to 5 s, no attempt limit,
 * so a service is ready within seconds of its dependency) while the service already serves /healthz, and /readyz says what it is waiting for and why, until it can work.
 * The process never exits because a dependency is down at start-up.
 */
export function waitForDependency<T>({
  name,
  attempt,
  logger,
  initialDelayMs = 500,
  maxDelayMs = 5_000,
}: DependencyWaitOptions<T>): DependencyWait<T> {
  const controller = new AbortController();
  let value: T | undefined;
  let done = false;
  let lastError = 'not tried yet';
  let attempts = 0;
  let firstAttemptDone!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));

  // The one retry policy, without an attempt limit: a service waits as long as its dependency is down.
  const policy = retryPolicy({
    maxAttempts: Number.POSITIVE_INFINITY,
    initialDelayMs,
    maxDelayMs,
    onRetry: ({ error, attempt, delayMs }) => {
      firstAttemptDone();
      lastError = error instanceof Error ? error.message || error.name : String(error);
      logger.warn(
        { dependency: name, attempt, retryInMs: Math.round(delayMs), err: lastError },
        `waiting for ${name}`,
      );
    },
  });

  const ready = (async () => {
    try {
      value = await policy.execute(({ signal }) => {
        attempts++;
        return attempt(signal);
      }, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`stopped while waiting for ${name}`);
      throw error;
    }
    done = true;
    firstAttemptDone();
    if (attempts > 1) logger.info({ dependency: name, attempts }, `${name} reachable: starting`);
    return value;
  })();
  ready.catch(() => undefined); // a cancelled wait is not an unhandled rejection

  return {
    ready,
    firstAttempt,
    value: () => value,
    check: {
      name: `startup:${name}`,
      critical: true,
      check: async () => {
        if (!done) throw new Error(`waiting for ${name} (attempt ${attempts}): ${lastError}`);
      },
    },
    cancel: () => controller.abort(),
  };
}
