import { setTimeout as wait } from 'node:timers/promises';
import { isFmError, type FmClient } from '@manga-assist/fm-client';
import { activeSpan, type Logger } from '@manga-assist/service-runtime';
import type { QueueMessage } from '@manga-assist/queue-consumer';
import type { ConcurrencyLimit } from './concurrency-limit';
import { CatalogWriteError, type CatalogWriter } from './catalog-writer';
import { PermanentJobError, RetryableJobError } from './errors';
import type { JobStore } from './job-store';
import { parseWork, salvageJobId, type EnrichmentType, type MangaInfo, type Work } from './messages';
import { createRateWindow, type WorkerMetrics } from './metrics';
import { buildPrompt, parseResult } from './prompts';

export interface ProcessorDeps {
  fm: Pick<FmClient, 'invoke'>;
  jobs: JobStore;
  catalog: CatalogWriter;
  catalogTable: string;
  limiter: ConcurrencyLimit;
  metrics: WorkerMetrics;
  logger: Logger;
  model: string;
  modelDeadlineMs: number;
  throttleRetryBudgetMs: number;
  maxReceives: number;
}

export interface JobProcessor {
  handle(message: QueueMessage): Promise<void>;
  counters(): {
    completedPerMinute: number;
    failedPerMinute: number;
    completed: number;
    failed: number;
    skipped: number;
  };
}

/** node's timer (its abort listener is removed), rejecting with the signal's reason as the callers expect. */
const sleep = (ms: number, signal: AbortSignal) =>
  wait(ms, undefined, { signal }).catch(() => Promise.reject(signal.reason));

const isThrottled = (error: unknown) =>
  isFmError(error) && (error.code === 'THROTTLED' || error.code === 'CIRCUIT_OPEN');

/** What a failed model call means for the job: permanent (to the DLQ) or worth another receive. */
function modelCallError(error: unknown, throttleRetryBudgetMs: number): Error {
  if (isThrottled(error))
    return new RetryableJobError(
      'MODEL_THROTTLED',
      `model still throttled after ${throttleRetryBudgetMs} ms`,
      { cause: error },
    );
  if (isFmError(error) && error.code === 'INVALID_REQUEST')
    return new PermanentJobError('MODEL_FAILED', `model rejected the request: ${error.message}`, undefined, {
      cause: error,
    });
  // An FmError's message already says what failed ("model call failed: ..."): one cause, not a chain of prefixes.
  if (isFmError(error)) return new RetryableJobError(error.code, error.message, { cause: error });
  return new RetryableJobError(
    'MODEL_FAILED',
    `model call failed: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

/**
 * The job-processing core shared by the long-running consumer and the Lambda handler: parse,
 * claim (job status in_progress with a lease), call the model under the adaptive limit, write the
 * catalog, record the outcome. Throws PermanentJobError for what must not be retried (the queue
 * layer moves it to the DLQ) and RetryableJobError for what may succeed later.
 */
export function createJobProcessor(deps: ProcessorDeps): JobProcessor {
  const { fm, jobs, catalog, limiter, metrics, logger } = deps;
  const completedWindow = createRateWindow();
  const failedWindow = createRateWindow();
  const totals = { completed: 0, failed: 0, skipped: 0 };

  const recordFailed = async (jobId: string, code: string, reason: string, type = 'unknown') => {
    totals.failed++;
    failedWindow.add();
    metrics.jobs.inc({ outcome: 'failed', type });
    try {
      await jobs.fail(jobId, { code, reason });
    } catch (error) {
      logger.error({ jobId, code, err: error }, 'could not record the job as failed');
    }
  };

  async function callModel(prompt: string, signal: AbortSignal) {
    const giveUpAt = Date.now() + deps.throttleRetryBudgetMs;
    for (let attempt = 0; ; attempt++) {
      const permit = await limiter.acquire(signal);
      let error: unknown;
      try {
        const response = await fm.invoke(
          { model: deps.model, messages: [{ role: 'user', content: prompt }], maxTokens: 400 },
          { deadlineMs: deps.modelDeadlineMs, signal, cache: false },
        );
        permit.record('success');
        return response;
      } catch (e) {
        error = e;
        if (isThrottled(e)) {
          permit.record('throttled');
          metrics.throttles.inc();
          // Not a generic retry (so not the shared policy): paced by the concurrency limit under a
          // time budget, in place (visibility is extended; no receive is burnt). The call keeps its
          // slot while it backs off, so that slots over a quota do not spin on throttles
          // (docs/architecture.md#concurrency-limit).
          if (Date.now() < giveUpAt) {
            await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()), signal);
            continue;
          }
        }
      } finally {
        permit.release();
      }
      throw modelCallError(error, deps.throttleRetryBudgetMs);
    }
  }

  async function enrich(
    work: Extract<Work, { action: 'enrich' }>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const result = await callModel(buildPrompt(work.type, work.manga as MangaInfo), signal);
    return parseResult(work.type, result.text);
  }

  return {
    counters: () => ({
      completedPerMinute: completedWindow.total(),
      failedPerMinute: failedWindow.total(),
      ...totals,
    }),

    async handle(message) {
      const started = performance.now();
      let work: Work;
      try {
        work = parseWork(message.body, message.id);
      } catch (error) {
        const e = error as PermanentJobError;
        const jobId = e.jobId ?? salvageJobId(message.body, message.id);
        logger.warn(
          { jobId, messageId: message.id, code: e.code, reason: e.message },
          'poison message: recorded failed, moved to the DLQ',
        );
        await recordFailed(jobId, e.code, e.message);
        throw error;
      }
      const { jobId, mangaId } = work;
      const type: EnrichmentType = work.type;
      activeSpan().setAttributes({ 'job.id': jobId, 'manga.id': mangaId, 'job.type': type });
      const log = logger.child({
        jobId,
        mangaId,
        type,
        messageId: message.id,
        receiveCount: message.receiveCount,
      });

      const claimed = await jobs.start({ jobId, mangaId, type, source: work.source });
      if (!claimed) {
        metrics.jobs.inc({ outcome: 'duplicate', type });
        log.info('job already finished; duplicate delivery ignored');
        return;
      }
      if (work.action === 'skip') {
        await jobs.skip(jobId, work.reason);
        totals.skipped++;
        metrics.jobs.inc({ outcome: 'skipped', type });
        log.info({ reason: work.reason }, 'job skipped');
        return;
      }
      try {
        const fields = await enrich(work, message.signal);
        await catalog.write(mangaId, fields, message.signal);
        await jobs.complete(jobId, fields);
        totals.completed++;
        completedWindow.add();
        metrics.jobs.inc({ outcome: 'completed', type });
        metrics.jobSeconds.observe({ outcome: 'completed' }, (performance.now() - started) / 1000);
      } catch (error) {
        metrics.jobSeconds.observe({ outcome: 'failed' }, (performance.now() - started) / 1000);
        if (error instanceof CatalogWriteError) {
          metrics.catalogWriteErrors.inc({ code: error.code, severity: error.severity });
          if (error.severity === 'critical') {
            metrics.critical.inc({ code: error.code, table: error.table });
            log.error(
              { table: error.table, code: error.code, err: error.cause },
              'CRITICAL: catalog write refused; job failed',
            );
            await recordFailed(jobId, error.code, error.message, type);
            throw new PermanentJobError(error.code, error.message, jobId, { cause: error });
          }
        }
        if (error instanceof PermanentJobError) {
          log.error({ code: error.code, err: error }, 'job failed permanently');
          await recordFailed(jobId, error.code, error.message, type);
          throw error;
        }
        const code =
          error instanceof RetryableJobError || error instanceof CatalogWriteError
            ? error.code
            : 'UNEXPECTED';
        const reason = (error as Error)?.message ?? String(error);
        if (message.receiveCount >= deps.maxReceives) {
          log.error({ code, err: error }, 'job failed on its last attempt; the queue moves it to the DLQ');
          await recordFailed(jobId, code, `${reason} (after ${message.receiveCount} attempts)`, type);
        } else {
          log.warn({ code, err: error }, 'job attempt failed; it will be retried');
          metrics.jobs.inc({ outcome: 'retry', type });
          await jobs
            .retrying(jobId, { code, reason })
            .catch((e) => log.error({ err: e }, 'could not record the retry'));
        }
        throw error;
      }
    },
  };
}
