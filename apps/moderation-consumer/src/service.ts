import { openApiHandler } from '@manga-assist/api-contracts';
import type { NextFunction, Request, Response, Router } from 'express';
import {
  createServiceShell,
  httpError,
  sendHttpError,
  waitForDependency,
  type ServiceRuntime,
  sendJson,
} from '@manga-assist/service-runtime';
import {
  dynamoTableCheck,
  resolveQueueUrl,
  serviceAws,
  sqsQueueCheck,
  startupWriteChecks,
  type AwsClients,
} from '@manga-assist/aws-clients';
import { createEventPublisher, DETAIL_TYPES, EVENT_SOURCES } from '@manga-assist/event-schemas';
import { createFmClientFromSettings, fmSettingsFromEnv } from '@manga-assist/fm-client';
import {
  createQueueConsumer,
  notStartedStats,
  type QueueConsumer,
  type QueueConsumerStats,
} from '@manga-assist/queue-consumer';
import type { ModerationConsumerConfig } from './config';
import { createDispatcher, type Route } from './dispatcher';
import { isPoisonError } from './errors';
import { createModerationFlaggedHandler } from './handlers/moderation-flagged';
import { createPaymentCompletedHandler } from './handlers/payment-completed';
import { createReviewSubmittedHandler } from './handlers/review-submitted';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics';
import { createOutbound, sqsDeadLetterSink, type DeadLetterSink } from './outbound/outbound';
import { createDlqAdminRouter } from './dlq-admin';
import { createWebhookSender } from './outbound/webhook-sender';
import type { FlagPublisherPort, ModelPort, OutboundPort } from './ports';
import { createReviewsStore } from './reviews/reviews-store';
import { moderationConsumerOpenApi } from './openapi';
import { createReviewDecisions } from './reviews/review-decisions';
import { createReviewAdminRouter } from './reviews/review-admin';
import { requireRole, STAFF_ROLE, verifierFromConfig } from '@manga-assist/identity';

export interface ModerationConsumer {
  url: string;
  port: number;
  stats(): QueueConsumerStats;
  stop(): Promise<void>;
}

export interface ModerationConsumerDeps {
  config: ModerationConsumerConfig;
  runtime: ServiceRuntime;
  /** Defaults to clients built from the config; tests may pass their own. */
  clients?: AwsClients;
  /** Outbound HTTP (default global fetch). */
  fetch?: typeof fetch;
  /** Backoff sleep of the outbound sender (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  /** Extra routes on top of the built-in three (tests: a deliberately self-triggering handler). */
  extraRoutes?: (parts: { metrics: ConsumerMetrics; outbound: OutboundPort; model: ModelPort }) => Route[];
}

const STARTING = httpError(
  'STARTING',
  503,
  { ja: '起動中です (キューへの接続を待っています)。', en: 'Starting: waiting for the queues.' },
  {},
  { 'retry-after': '5' },
);

export async function startModerationConsumer(deps: ModerationConsumerDeps): Promise<ModerationConsumer> {
  const { config, runtime, clients } = deps;
  const fm = fmSettingsFromEnv(config);
  const { aws, names, close } = serviceAws(config, { clients, bedrockMaxAttempts: fm.maxAttempts });
  const shell = createServiceShell(runtime);
  shell.onStop('aws', close);
  const { logger, registry } = runtime;
  const metrics = createConsumerMetrics(registry);

  // SQS may be unreachable at start-up: /healthz answers at once, /readyz says what is awaited,
  // and the consumer starts as soon as the queues answer.
  const queues = waitForDependency({
    name: 'sqs queues',
    logger,
    attempt: async (signal) => {
      const [queueUrl, dlqUrl, outboundDlqUrl] = await Promise.all([
        resolveQueueUrl(aws.sqs, names.queues.moderation, signal),
        resolveQueueUrl(aws.sqs, names.queues.moderationDlq, signal),
        resolveQueueUrl(aws.sqs, config.OUTBOUND_DLQ ?? names.queues.moderationDlq, signal),
      ]);
      return { queueUrl, dlqUrl, outboundDlqUrl };
    },
  });
  // The outbound DLQ's URL is only needed once a delivery has failed every retry.
  const deadLetters: DeadLetterSink = {
    put: async (record) => sqsDeadLetterSink(aws.sqs, (await queues.ready).outboundDlqUrl).put(record),
  };

  const fmClient = createFmClientFromSettings(fm, { bedrock: aws.bedrock, metrics: registry, logger });
  shell.onStop('fm-client', () => fmClient.close());
  const model: ModelPort = {
    async complete({ system, prompt, maxTokens, temperature, signal }) {
      const answer = await fmClient.invoke(
        { model: 'haiku', system, messages: [{ role: 'user', content: prompt }], maxTokens, temperature },
        { signal, deadlineMs: config.FM_CALL_DEADLINE_MS, cache: false },
      );
      return { text: answer.text, modelId: answer.modelId };
    },
  };

  const eventPublisher = createEventPublisher({
    client: aws.eventBridge,
    eventBusName: names.eventBusName,
    source: EVENT_SOURCES.ai,
    logger,
  });
  const publisher: FlagPublisherPort = {
    async publishModerationFlagged(detail) {
      const { eventIds } = await eventPublisher.publish([
        { detailType: DETAIL_TYPES.ModerationFlagged, detail },
      ]);
      return eventIds[0];
    },
  };

  const retry = {
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
    baseDelayMs: config.OUTBOUND_BASE_DELAY_MS,
    maxDelayMs: config.OUTBOUND_MAX_DELAY_MS,
  };
  const onAttempt = (a: { target: string; status?: number; error?: string; retryInMs?: number }) => {
    metrics.outboundAttempts.inc({ target: a.target, result: a.status ? String(a.status) : 'network_error' });
    if (a.retryInMs !== undefined) {
      metrics.outboundRetries.inc({ target: a.target });
      logger.warn({ ...a }, 'outbound webhook attempt failed; retrying');
    }
  };
  const sender = (target: 'alert' | 'crm', url: string, secret: string) =>
    createWebhookSender({
      target,
      url,
      secret,
      retry,
      timeoutMs: config.OUTBOUND_TIMEOUT_MS,
      fetch: deps.fetch,
      sleep: deps.sleep,
      onAttempt,
    });
  const outbound = createOutbound({
    senders: {
      alert: sender('alert', config.ALERT_WEBHOOK_URL, config.ALERT_WEBHOOK_SECRET),
      crm: sender('crm', config.CRM_WEBHOOK_URL, config.CRM_WEBHOOK_SECRET),
    },
    deadLetters,
    metrics,
    logger,
  });

  const reviews = createReviewsStore(aws.documentClient, names.tables.reviews);
  const inputStages = ['raw'] as const;
  const routes: Route[] = [
    {
      detailType: DETAIL_TYPES.ReviewSubmitted,
      acceptOwnSource: false,
      stages: inputStages,
      handle: createReviewSubmittedHandler({
        model,
        reviews,
        publisher,
        metrics,
        failClosedAfterReceives: config.FAIL_CLOSED_AFTER_RECEIVES,
      }),
    },
    {
      detailType: DETAIL_TYPES.PaymentCompleted,
      acceptOwnSource: false,
      stages: inputStages,
      handle: createPaymentCompletedHandler({
        model,
        outbound,
        metrics,
        fallbackAfterReceives: config.FAIL_CLOSED_AFTER_RECEIVES,
      }),
    },
    {
      detailType: DETAIL_TYPES.ModerationFlagged,
      acceptOwnSource: true,
      stages: ['processed'],
      handle: createModerationFlaggedHandler({ reviews, outbound, metrics }),
    },
    ...(deps.extraRoutes?.({ metrics, outbound, model }) ?? []),
  ];
  const dispatch = createDispatcher({ routes, ownSource: EVENT_SOURCES.ai, metrics, logger });

  let consumer: QueueConsumer | undefined;
  let admin: Router | undefined;
  const wire = ({
    queueUrl,
    dlqUrl,
    outboundDlqUrl,
  }: {
    queueUrl: string;
    dlqUrl: string;
    outboundDlqUrl: string;
  }) => {
    consumer = createQueueConsumer({
      sqs: aws.sqs,
      queueUrl,
      name: 'moderation',
      concurrency: config.CONSUMER_CONCURRENCY,
      visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
      waitTimeSeconds: config.RECEIVE_WAIT_SECONDS,
      isPoison: isPoisonError,
      deadLetterQueueUrl: dlqUrl,
      logger,
      metrics: registry,
      handler: async (message) => {
        await dispatch({
          id: message.id,
          body: message.body,
          receiveCount: message.receiveCount,
          signal: message.signal,
        });
      },
    });
    admin = createDlqAdminRouter({ sqs: aws.sqs, queueUrl, dlqUrl, outboundDlqUrl, outbound, logger });
    consumer.start();
    logger.info({ queueUrl }, 'moderation-consumer consuming');
  };
  const wired = queues.ready.then(wire);
  wired.catch(() => undefined);
  const stats = () => consumer?.stats() ?? notStartedStats('moderation', config.CONSUMER_CONCURRENCY);

  const app = shell.app([
    queues.check,
    sqsQueueCheck(aws.sqs, names.queues.moderation),
    sqsQueueCheck(aws.sqs, config.OUTBOUND_DLQ ?? names.queues.moderationDlq),
    dynamoTableCheck(aws.dynamodb, names.tables.reviews),
    ...startupWriteChecks(aws.dynamodb, names, ['reviews'], { service: 'moderation-consumer', logger }),
    {
      name: 'consumer',
      critical: true,
      check: async () => {
        if (!stats().running) throw new Error('queue consumer is not running');
      },
    },
  ]);
  app.get('/openapi.json', openApiHandler(moderationConsumerOpenApi()));
  app.get('/stats', (_req, res) => {
    sendJson(res, 200, stats());
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (admin) return admin(req, res, next);
    if (!req.path.startsWith('/admin/dlq')) return next();
    sendHttpError(req, res, STARTING);
  });
  // Human review: staff-only (a JWT of the chat's kind carrying the staff role).
  app.use('/admin', requireRole(verifierFromConfig(config), STAFF_ROLE));
  app.use(
    createReviewAdminRouter({
      decisions: createReviewDecisions(aws.documentClient, names.tables.reviews),
      logger,
      async publishDecision(review) {
        const d = review.review_decision;
        if (!d) throw new Error('review has no decision to publish');
        const { eventIds } = await eventPublisher.publish([
          {
            detailType: DETAIL_TYPES.ReviewDecided,
            source: EVENT_SOURCES.staff,
            detail: {
              review_id: review.reviewId,
              ...(review.productId ? { product_id: review.productId } : {}),
              decision: d.decision,
              previous_status: d.previous_status,
              status: review.status === 'approved' ? 'approved' : 'hidden',
              decided_by: d.decided_by,
              decided_at: d.decided_at,
              ...(d.note ? { note: d.note } : {}),
            },
          },
        ]);
        return eventIds[0];
      },
    }),
  );

  const http = await shell.serve(app, { port: config.PORT, host: config.HOST });
  // Drain first (in-flight messages finish and are deleted), then close the HTTP server.
  shell.onStop('queue-consumer', async () => {
    queues.cancel();
    const drain = await consumer?.stop({ drainTimeoutMs: config.DRAIN_TIMEOUT_MS });
    if (drain) logger.info(drain, 'queue consumer stopped');
  });
  logger.info({ url: http.url }, 'moderation-consumer listening');
  // When the queues answer at once, the consumer is running before start-up returns.
  await queues.firstAttempt;
  if (queues.value()) await wired;
  return { url: http.url, port: http.port, stats, stop: shell.stop };
}
