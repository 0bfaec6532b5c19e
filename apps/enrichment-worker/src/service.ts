import express from 'express';
import {
  createOpsRouter,
  requestContext,
  startHttpServer,
  type ServiceRuntime,
} from '@manga-assist/service-runtime';
import {
  awsClientConfigFromEnv,
  createAwsClients,
  dynamoTableCheck,
  resolveQueueUrl,
  resourceNamesFromEnv,
  sqsQueueCheck,
  type AwsClients,
} from '@manga-assist/aws-clients';
import { createFmClient, createModelRegistry, fmSettingsFromEnv, type FmClient } from '@manga-assist/fm-client';
import { createQueueConsumer, type QueueConsumer } from '@manga-assist/queue-consumer';
import type { EnrichmentWorkerConfig } from './config';
import { createAdminRouter } from './admin';
import { createAimdLimiter, type AimdLimiter } from './aimd';
import { createCatalogWriter } from './catalog-writer';
import { isPermanent } from './errors';
import { createJobStore, type JobStore } from './job-store';
import { createWorkerMetrics } from './metrics';
import { createJobProcessor, type JobProcessor } from './processor';

export interface EnrichmentWorker {
  url: string;
  port: number;
  consumer: QueueConsumer | undefined;
  aimd: AimdLimiter;
  processor: JobProcessor;
  jobs: JobStore;
  stop(): Promise<void>;
}

export interface EnrichmentWorkerDeps {
  config: EnrichmentWorkerConfig;
  runtime: ServiceRuntime;
  /** Defaults to clients built from the config; tests may pass their own. */
  clients?: AwsClients;
  fm?: FmClient;
}

/** Everything but the HTTP server and the consumer: shared with the Lambda handler. */
export function createWorkerCore({ config, runtime, clients, fm }: EnrichmentWorkerDeps) {
  const settings = fmSettingsFromEnv(config);
  const aws = clients ?? createAwsClients(awsClientConfigFromEnv(config), { bedrockMaxAttempts: settings.maxAttempts });
  const names = resourceNamesFromEnv(config);
  const { logger, registry } = runtime;
  const metrics = createWorkerMetrics(registry);
  const model =
    fm ??
    createFmClient({
      bedrock: aws.bedrock,
      registry: createModelRegistry(settings.registry),
      breaker: settings.breaker,
      defaultDeadlineMs: settings.defaultDeadlineMs,
      metrics: registry,
      logger: logger.child({ component: 'fm-client' }),
    });
  const aimd = createAimdLimiter({
    min: config.WORKER_CONCURRENCY_MIN,
    max: config.WORKER_CONCURRENCY_MAX,
    initial: config.WORKER_CONCURRENCY_INITIAL || config.WORKER_CONCURRENCY_MAX,
    increaseEvery: config.WORKER_AIMD_INCREASE_EVERY,
    decreaseFactor: config.WORKER_AIMD_DECREASE_FACTOR,
    cooldownMs: config.WORKER_AIMD_COOLDOWN_MS,
    onChange: (limit, reason) => {
      metrics.limit.set(limit);
      if (reason === 'decrease') logger.warn({ limit }, 'model throttled: concurrency limit lowered');
      else logger.debug({ limit }, 'concurrency limit raised');
    },
  });
  metrics.limit.set(aimd.limit);
  const jobs = createJobStore({
    documentClient: aws.documentClient,
    tableName: names.tables.enrichmentJobs,
    leaseSeconds: config.JOB_LEASE_SECONDS,
    ttlDays: config.JOB_TTL_DAYS,
  });
  const catalog = createCatalogWriter({
    documentClient: aws.documentClient,
    tableName: names.tables.catalog,
    maxAttempts: config.CATALOG_WRITE_MAX_ATTEMPTS,
    onRetry: ({ code, attempt, delayMs }) => {
      metrics.catalogWriteErrors.inc({ code, severity: 'retryable' });
      logger.warn({ code, attempt, delayMs, table: names.tables.catalog }, 'catalog write throttled; retrying');
    },
  });
  const processor = createJobProcessor({
    fm: model,
    jobs,
    catalog,
    catalogTable: names.tables.catalog,
    aimd,
    metrics,
    logger,
    model: config.MODEL,
    modelDeadlineMs: config.MODEL_DEADLINE_MS,
    throttleRetryBudgetMs: config.THROTTLE_RETRY_BUDGET_MS,
    maxReceives: config.JOB_MAX_RECEIVES,
  });
  return { aws, names, metrics, fm: model, aimd, jobs, processor, ownsClients: !clients, ownsFm: !fm };
}

export async function startEnrichmentWorker(deps: EnrichmentWorkerDeps): Promise<EnrichmentWorker> {
  const { config, runtime } = deps;
  const { logger, registry, shutdown } = runtime;
  const core = createWorkerCore(deps);
  const { aws, names, aimd, jobs, processor, metrics } = core;
  const queueUrl = await resolveQueueUrl(aws.sqs, config.ENRICHMENT_QUEUE);
  const dlqUrl = await resolveQueueUrl(aws.sqs, config.ENRICHMENT_DLQ);

  const consumer = config.WORKER_CONSUME
    ? createQueueConsumer({
        sqs: aws.sqs,
        queueUrl,
        deadLetterQueueUrl: dlqUrl,
        handler: (message) => processor.handle(message),
        // Model calls are gated at aimd.limit inside the processor; the consumer holds a few more.
        concurrency: () => aimd.limit + config.WORKER_PREFETCH,
        pollers: config.WORKER_POLLERS,
        waitTimeSeconds: config.WORKER_WAIT_TIME_SECONDS,
        visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
        isPoison: isPermanent,
        logger: logger.child({ component: 'queue-consumer' }),
        metrics: registry,
      })
    : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.use(
    createOpsRouter({
      registry,
      isShuttingDown: () => shutdown.isShuttingDown,
      checks: [
        dynamoTableCheck(aws.dynamodb, names.tables.enrichmentJobs),
        // Not critical for readiness (the admin API still answers), but visible as "degraded".
        dynamoTableCheck(aws.dynamodb, names.tables.catalog, false),
        sqsQueueCheck(aws.sqs, queueUrl),
      ],
    }),
  );
  app.use(
    createAdminRouter({
      sqs: aws.sqs,
      queueUrl,
      dlqUrl,
      jobs,
      consumer,
      processor,
      aimd,
      metrics,
      logger,
      backlogMax: config.BACKLOG_MAX,
      oldestAgeMaxSeconds: config.OLDEST_AGE_MAX_SECONDS,
      bulkMaxJobs: config.BULK_MAX_JOBS,
    }),
  );

  const http = await startHttpServer(app, { port: config.PORT, host: config.HOST });
  consumer?.start();
  logger.info({ url: http.url, queueUrl, limit: aimd.limit, consuming: Boolean(consumer) }, 'enrichment-worker listening');

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Drain first (in-flight jobs finish and are deleted), then close the admin API.
      const drain = await consumer?.stop({ drainTimeoutMs: Math.max(100, config.SHUTDOWN_TIMEOUT_MS - 5_000) });
      if (drain && !drain.drained) logger.error({ abandoned: drain.abandoned }, 'drain incomplete: abandoned jobs return after their visibility timeout');
      await http.close(2_000);
      if (core.ownsFm) await core.fm.close();
      if (core.ownsClients) aws.destroy();
    })());
  shutdown.register('enrichment-worker', stop);
  return { url: http.url, port: http.port, consumer, aimd, processor, jobs, stop };
}
