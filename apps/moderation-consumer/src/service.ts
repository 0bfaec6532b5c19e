import { createServiceShell, type ServiceRuntime } from '@manga-assist/service-runtime';
import { dynamoTableCheck, resolveQueueUrl, serviceAws, sqsQueueCheck, type AwsClients } from '@manga-assist/aws-clients';
import { createEventPublisher, DETAIL_TYPES, EVENT_SOURCES } from '@manga-assist/event-schemas';
import { createFmClientFromSettings, fmSettingsFromEnv } from '@manga-assist/fm-client';
import { createQueueConsumer, type QueueConsumerStats } from '@manga-assist/queue-consumer';
import type { ModerationConsumerConfig } from './config';
import { createDispatcher, type Route } from './dispatcher';
import { isPoisonError } from './errors';
import { createModerationFlaggedHandler } from './handlers/moderation-flagged';
import { createPaymentCompletedHandler } from './handlers/payment-completed';
import { createReviewSubmittedHandler } from './handlers/review-submitted';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics';
import { createOutbound, sqsDeadLetterSink } from './outbound/outbound';
import { createWebhookSender } from './outbound/webhook-sender';
import type { FlagPublisherPort, ModelPort, OutboundPort } from './ports';
import { createReviewsStore } from './reviews/reviews-store';

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

export async function startModerationConsumer(deps: ModerationConsumerDeps): Promise<ModerationConsumer> {
  const { config, runtime, clients } = deps;
  const fm = fmSettingsFromEnv(config);
  const { aws, names, close } = serviceAws(config, { clients, bedrockMaxAttempts: fm.maxAttempts });
  const shell = createServiceShell(runtime);
  shell.onStop('aws', close);
  const { logger, registry } = runtime;
  const metrics = createConsumerMetrics(registry);

  const [queueUrl, dlqUrl, outboundDlqUrl] = await Promise.all([
    resolveQueueUrl(aws.sqs, names.queues.moderation),
    resolveQueueUrl(aws.sqs, names.queues.moderationDlq),
    resolveQueueUrl(aws.sqs, config.OUTBOUND_DLQ ?? names.queues.moderationDlq),
  ]);

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
      const { eventIds } = await eventPublisher.publish([{ detailType: DETAIL_TYPES.ModerationFlagged, detail }]);
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
    createWebhookSender({ target, url, secret, retry, timeoutMs: config.OUTBOUND_TIMEOUT_MS, fetch: deps.fetch, sleep: deps.sleep, onAttempt });
  const outbound = createOutbound({
    senders: {
      alert: sender('alert', config.ALERT_WEBHOOK_URL, config.ALERT_WEBHOOK_SECRET),
      crm: sender('crm', config.CRM_WEBHOOK_URL, config.CRM_WEBHOOK_SECRET),
    },
    deadLetters: sqsDeadLetterSink(aws.sqs, outboundDlqUrl),
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
      handle: createPaymentCompletedHandler({ model, outbound, metrics, fallbackAfterReceives: config.FAIL_CLOSED_AFTER_RECEIVES }),
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

  const consumer = createQueueConsumer({
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
      await dispatch({ id: message.id, body: message.body, receiveCount: message.receiveCount, signal: message.signal });
    },
  });

  const app = shell.app([
    sqsQueueCheck(aws.sqs, queueUrl),
    sqsQueueCheck(aws.sqs, outboundDlqUrl),
    dynamoTableCheck(aws.dynamodb, names.tables.reviews),
    {
      name: 'consumer',
      critical: true,
      check: async () => {
        if (!consumer.stats().running) throw new Error('queue consumer is not running');
      },
    },
  ]);
  app.get('/stats', (_req, res) => {
    res.json(consumer.stats());
  });

  const http = await shell.serve(app, { port: config.PORT, host: config.HOST });
  consumer.start();
  // Drain first (in-flight messages finish and are deleted), then close the HTTP server.
  shell.onStop('queue-consumer', async () => {
    const drain = await consumer.stop({ drainTimeoutMs: config.DRAIN_TIMEOUT_MS });
    logger.info(drain, 'queue consumer stopped');
  });
  logger.info({ url: http.url, queueUrl }, 'moderation-consumer consuming');
  return { url: http.url, port: http.port, stats: () => consumer.stats(), stop: shell.stop };
}
