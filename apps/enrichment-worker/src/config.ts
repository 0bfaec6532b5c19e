import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';
import { fmEnv } from '@manga-assist/fm-client';
import { checkIdentityConfig, identityEnv } from '@manga-assist/identity';

export const enrichmentWorkerEnv = z
  .object({
    ...awsEnv,
    ...resourceNamesEnv,
    ...fmEnv,
    /** Who may use the admin API: tokens with the staff role (unset: the admin API stays closed, 503). */
    ...identityEnv,
    // Throttling is the concurrency limit's signal: the SDK must not hide it behind its own retries, and
    // a burst of throttles must not open the model's circuit for everyone.
    FM_MAX_ATTEMPTS: env.int(1, { min: 1, max: 10 }),
    FM_BREAKER_FAILURES: env.int(200, { min: 1, max: 100_000 }),
    FM_BREAKER_HALF_OPEN_MS: env.int(5_000, { min: 10, max: 3_600_000 }),
    FM_CACHE_ENABLED: env.bool(false),
    PORT: env.port(3002),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_TIMEOUT_MS: env.int(60_000, { min: 100 }),
    /** Upper bound of the adaptive limit on model calls in flight (docs/architecture.md#concurrency-limit). */
    WORKER_CONCURRENCY_MAX: env.int(100, { min: 1, max: 2_000 }),
    WORKER_CONCURRENCY_MIN: env.int(1, { min: 1, max: 2_000 }),
    /** Start value of the limit, which then doubles per clean window (0: min(10, max)). */
    WORKER_CONCURRENCY_INITIAL: env.int(0, { min: 0, max: 2_000 }),
    /** Shortest measurement window of the limit; a window also lasts at least one model round trip. */
    WORKER_LIMIT_WINDOW_MS: env.int(1_000, { min: 50, max: 60_000 }),
    /** Throttled share of a window's calls still counted as no throttling. */
    WORKER_LIMIT_TOLERANCE: env.number(0.02, { min: 0, max: 0.5 }),
    WORKER_POLLERS: env.int(4, { min: 1, max: 64 }),
    /**
     * Messages held beyond the model-call limit, so that job bookkeeping (status writes, catalog
     * write, receive/delete round trips) overlaps other jobs' model calls instead of idling a slot.
     */
    WORKER_PREFETCH: env.int(20, { min: 0, max: 1_000 }),
    WORKER_WAIT_TIME_SECONDS: env.int(20, { min: 0, max: 20 }),
    VISIBILITY_TIMEOUT_SECONDS: env.int(60, { min: 2, max: 43_200 }),
    /** The queue's redrive maxReceiveCount: a retryable failure on the last receive ends the job as failed. */
    JOB_MAX_RECEIVES: env.int(5, { min: 1, max: 1_000 }),
    /** An in_progress job whose lease has passed is reported stalled (the worker died with it). */
    JOB_LEASE_SECONDS: env.int(900, { min: 5, max: 86_400 }),
    JOB_TTL_DAYS: env.int(30, { min: 1, max: 3_650 }),
    /** Every this often the job reaper marks failed the jobs whose message reached the DLQ or whose lease passed (0: off). */
    REAPER_INTERVAL_SECONDS: env.int(60, { min: 0, max: 86_400 }),
    MODEL: env.string('haiku'),
    MODEL_DEADLINE_MS: env.int(30_000, { min: 100, max: 600_000 }),
    /** How long one job keeps retrying a throttled model in place (no receive burnt) before giving it back to SQS. */
    THROTTLE_RETRY_BUDGET_MS: env.int(300_000, { min: 0, max: 3_600_000 }),
    CATALOG_WRITE_MAX_ATTEMPTS: env.int(5, { min: 1, max: 20 }),
    /** Backpressure: submissions answer 429 when the backlog (visible messages) would pass this. */
    BACKLOG_MAX: env.int(10_000, { min: 1 }),
    /** ...or when the oldest message received waited longer than this. */
    OLDEST_AGE_MAX_SECONDS: env.int(900, { min: 1 }),
    BULK_MAX_JOBS: env.int(5_000, { min: 1, max: 100_000 }),
    /** Consume the queue (false: admin API only, e.g. a submit-only instance). */
    WORKER_CONSUME: env.bool(true),
  })
  .superRefine(checkIdentityConfig)
  .superRefine((c, ctx) => {
    if (c.WORKER_CONCURRENCY_MIN > c.WORKER_CONCURRENCY_MAX)
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_CONCURRENCY_MIN'],
        message: 'must not exceed WORKER_CONCURRENCY_MAX',
      });
  });

export type EnrichmentWorkerConfig = z.infer<typeof enrichmentWorkerEnv>;

export function loadEnrichmentWorkerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('enrichment-worker', enrichmentWorkerEnv, source);
}
