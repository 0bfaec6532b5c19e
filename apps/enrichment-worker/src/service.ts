import { openApiHandler } from '@manga-assist/api-contracts';
import type { NextFunction, Request, Response, Router as ExpressRouter } from 'express';
import { Router } from 'express';
import {
  createServiceShell,
  httpError,
  sendHttpError,
  waitForDependency,
  type ServiceRuntime,
} from '@manga-assist/service-runtime';
import {
  dynamoTableCheck,
  resolveQueueUrl,
  serviceAws,
  sqsQueueCheck,
  startupWriteChecks,
  type AwsClients,
} from '@manga-assist/aws-clients';
import { createFmClientFromSettings, fmSettingsFromEnv, type FmClient } from '@manga-assist/fm-client';
import { createDlqTurns, createQueueConsumer, type QueueConsumer } from '@manga-assist/queue-consumer';
import { requireRole, STAFF_ROLE, verifierFromConfig } from '@manga-assist/identity';
import type { EnrichmentWorkerConfig } from './config';
import { createAdminRouter } from './admin';
import { createConcurrencyLimit, type ConcurrencyLimit } from './concurrency-limit';
import { createCatalogWriter } from './catalog-writer';
import { isPermanent } from './errors';
import { createJobStore, type JobStore } from './job-store';
import { createWorkerMetrics } from './metrics';
import { createJobProcessor, type JobProcessor } from './processor';
import { createDlqAdminRouter } from './dlq-admin';
import { createJobReaper, type JobReaper } from './reaper';
import { enrichmentWorkerOpenApi } from './openapi';

export interface EnrichmentWorker {
  url: string;
  port: number;
  /** Undefined until the queues answer (or with WORKER_CONSUME=false). */
  readonly consumer: QueueConsumer | undefined;
  readonly reaper: JobReaper | undefined;
  limiter: ConcurrencyLimit;
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
  const {
    aws,
    names,
    close: closeAws,
  } = serviceAws(config, { clients, bedrockMaxAttempts: settings.maxAttempts });
  const { logger, registry } = runtime;
  const metrics = createWorkerMetrics(registry);
  const model =
    fm ??
    createFmClientFromSettings(settings, {
      bedrock: aws.bedrock,
      metrics: registry,
      logger: logger.child({ component: 'fm-client' }),
    });
  const limiter = createConcurrencyLimit({
    min: config.WORKER_CONCURRENCY_MIN,
    max: config.WORKER_CONCURRENCY_MAX,
    initial: config.WORKER_CONCURRENCY_INITIAL || Math.min(10, config.WORKER_CONCURRENCY_MAX),
    windowMs: config.WORKER_LIMIT_WINDOW_MS,
    tolerance: config.WORKER_LIMIT_TOLERANCE,
    now: Date.now,
    onChange: (limit, reason) => {
      metrics.limit.set(limit);
      metrics.limitChanges.inc({ reason });
      const fields = {
        limit,
        reason,
        mode: limiter.mode,
        ceiling: limiter.ceiling,
        backgroundRate: limiter.backgroundRate,
      };
      if (reason === 'grow') logger.debug(fields, 'concurrency limit raised');
      else logger.info(fields, 'concurrency limit changed by throttling');
    },
  });
  metrics.limit.set(limiter.limit);
  const jobs = createJobStore({
    documentClient: aws.documentClient,
    tableName: names.tables.enrichmentJobs,
    leaseSeconds: config.JOB_LEASE_SECONDS,
    ttlDays: config.JOB_TTL_DAYS,
  });
  const catalog = createCatalogWriter({
    documentClient: aws.documentClientSingleAttempt,
    tableName: names.tables.catalog,
    maxAttempts: config.CATALOG_WRITE_MAX_ATTEMPTS,
    onRetry: ({ code, attempt, delayMs }) => {
      metrics.catalogWriteErrors.inc({ code, severity: 'retryable' });
      logger.warn(
        { code, attempt, delayMs, table: names.tables.catalog },
        'catalog write throttled; retrying',
      );
    },
  });
  const processor = createJobProcessor({
    fm: model,
    jobs,
    catalog,
    catalogTable: names.tables.catalog,
    limiter,
    metrics,
    logger,
    model: config.MODEL,
    modelDeadlineMs: config.MODEL_DEADLINE_MS,
    throttleRetryBudgetMs: config.THROTTLE_RETRY_BUDGET_MS,
    maxReceives: config.JOB_MAX_RECEIVES,
  });
  /** Closes what the core built (the model client, then the AWS clients); what was passed in stays open. */
  const close = async () => {
    if (!fm) await model.close();
    closeAws();
  };
  return { aws, names, metrics, fm: model, limiter, jobs, processor, close };
}

const STARTING = httpError(
  'STARTING',
  503,
  { ja: '起動中です (キューへの接続を待っています)。', en: 'Starting: waiting for the queues.' },
  {},
  { 'retry-after': '5' },
);

export async function startEnrichmentWorker(deps: EnrichmentWorkerDeps): Promise<EnrichmentWorker> {
  const { config, runtime } = deps;
  const { logger, registry } = runtime;
  const shell = createServiceShell(runtime);
  const core = createWorkerCore(deps);
  shell.onStop('worker-core', core.close);
  const { aws, names, limiter, jobs, processor, metrics } = core;

  // SQS may be unreachable at start-up: the service serves /healthz at once, /readyz says what it
  // waits for, and the consumer and admin API start as soon as the queues answer.
  const queues = waitForDependency({
    name: 'sqs queues',
    logger,
    attempt: async (signal) => ({
      queueUrl: await resolveQueueUrl(aws.sqs, config.ENRICHMENT_QUEUE, signal),
      dlqUrl: await resolveQueueUrl(aws.sqs, config.ENRICHMENT_DLQ, signal),
    }),
  });
  let consumer: QueueConsumer | undefined;
  let reaper: JobReaper | undefined;
  let admin: ExpressRouter | undefined;
  const dlqTurns = createDlqTurns();

  const wire = ({ queueUrl, dlqUrl }: { queueUrl: string; dlqUrl: string }) => {
    consumer = config.WORKER_CONSUME
      ? createQueueConsumer({
          sqs: aws.sqs,
          queueUrl,
          deadLetterQueueUrl: dlqUrl,
          handler: (message) => processor.handle(message),
          // Model calls are gated at limiter.limit inside the processor; the consumer holds a few more.
          concurrency: () => limiter.limit + config.WORKER_PREFETCH,
          pollers: config.WORKER_POLLERS,
          waitTimeSeconds: config.WORKER_WAIT_TIME_SECONDS,
          visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
          isPoison: isPermanent,
          logger: logger.child({ component: 'queue-consumer' }),
          metrics: registry,
        })
      : undefined;
    reaper =
      config.REAPER_INTERVAL_SECONDS > 0
        ? createJobReaper({
            sqs: aws.sqs,
            dlqUrl,
            jobs,
            logger: logger.child({ component: 'job-reaper' }),
            maxReceives: config.JOB_MAX_RECEIVES,
            leaseSeconds: config.JOB_LEASE_SECONDS,
            intervalMs: config.REAPER_INTERVAL_SECONDS * 1000,
            exclusive: dlqTurns,
            onFailed: (code) =>
              metrics.jobs.inc({
                outcome: 'failed',
                type: code === 'LEASE_EXPIRED' ? 'lease_expired' : 'dlq',
              }),
          })
        : undefined;
    const router = Router();
    router.use(createDlqAdminRouter({ sqs: aws.sqs, queueUrl, dlqUrl, jobs, logger, exclusive: dlqTurns }));
    router.use(
      createAdminRouter({
        sqs: aws.sqs,
        queueUrl,
        dlqUrl,
        jobs,
        catalog: { documentClient: aws.documentClient, tableName: names.tables.catalog },
        consumer,
        processor,
        limiter,
        metrics,
        logger,
        backlogMax: config.BACKLOG_MAX,
        oldestAgeMaxSeconds: config.OLDEST_AGE_MAX_SECONDS,
        bulkMaxJobs: config.BULK_MAX_JOBS,
      }),
    );
    admin = router;
    consumer?.start();
    reaper?.start();
    logger.info(
      { queueUrl, limit: limiter.limit, consuming: Boolean(consumer) },
      'enrichment-worker consuming',
    );
  };
  const wired = queues.ready.then(wire);
  wired.catch(() => undefined);

  const app = shell.app([
    queues.check,
    dynamoTableCheck(aws.dynamodb, names.tables.enrichmentJobs),
    // Not critical for readiness (the admin API still answers), but visible as "degraded".
    dynamoTableCheck(aws.dynamodb, names.tables.catalog, false),
    sqsQueueCheck(aws.sqs, config.ENRICHMENT_QUEUE),
    // The critical writes (seed scenario 5): a role or table that cannot take them is not ready.
    ...startupWriteChecks(aws.dynamodb, names, ['enrichmentJobs', 'catalog'], {
      service: 'enrichment-worker',
      logger,
    }),
  ]);
  app.get('/openapi.json', openApiHandler(enrichmentWorkerOpenApi()));
  // The admin API is staff-only: a JWT of the chat's kind carrying the staff role.
  app.use('/admin', requireRole(verifierFromConfig(config), STAFF_ROLE));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (admin) return admin(req, res, next);
    if (!req.path.startsWith('/admin')) return next();
    sendHttpError(req, res, STARTING);
  });

  const http = await shell.serve(app, { port: config.PORT, host: config.HOST, closeGraceMs: 2_000 });
  // Drain first (in-flight jobs finish and are deleted), then close the admin API.
  shell.onStop('queue-consumer', async () => {
    queues.cancel();
    await reaper?.stop();
    const drain = await consumer?.stop({ drainTimeoutMs: Math.max(100, config.SHUTDOWN_TIMEOUT_MS - 5_000) });
    if (drain && !drain.drained)
      logger.error(
        { abandoned: drain.abandoned },
        'drain incomplete: abandoned jobs return after their visibility timeout',
      );
  });
  logger.info({ url: http.url }, 'enrichment-worker listening');
  // When the queues answer at once, everything is wired before start-up returns.
  await queues.firstAttempt;
  if (queues.value()) await wired;
  return {
    url: http.url,
    port: http.port,
    get consumer() {
      return consumer;
    },
    get reaper() {
      return reaper;
    },
    limiter,
    processor,
    jobs,
    stop: shell.stop,
  };
}
