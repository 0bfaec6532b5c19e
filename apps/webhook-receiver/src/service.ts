import express, { type NextFunction, type Request, type Response } from 'express';
import {
  createOpsRouter,
  requestContext,
  requestLocals,
  startHttpServer,
  type ServiceRuntime,
} from '@manga-assist/service-runtime';
import {
  awsClientConfigFromEnv,
  createAwsClients,
  dynamoTableCheck,
  resourceNamesFromEnv,
  type AwsClients,
} from '@manga-assist/aws-clients';
import { createIdempotencyStore } from '@manga-assist/idempotency-store';
import { createEventPublisher, type PublishEvent } from '@manga-assist/event-schemas';
import { createFmClient, createModelRegistry, fmSettingsFromEnv, type FmClient } from '@manga-assist/fm-client';
import { envSecrets, type WebhookReceiverConfig } from './config';
import { errorBody } from './errors';
import { createWebhookMetrics } from './metrics';
import { createDeliveryPipeline } from './pipeline';
import type { EventPublisherLike, SentimentClassifier } from './processors';
import { secretsManagerSecrets, staticSecrets, type SecretProvider } from './secrets';
import { createSentimentClassifier } from './sentiment';
import { buildSources } from './sources';

export interface WebhookReceiver {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface WebhookReceiverDeps {
  config: WebhookReceiverConfig;
  runtime: ServiceRuntime;
  /** Defaults to clients built from the config; tests may pass their own. */
  clients?: AwsClients;
  /** Clock (epoch ms) for signature freshness and idempotency expiry. */
  now?: () => number;
}

export async function startWebhookReceiver({ config, runtime, clients, now }: WebhookReceiverDeps): Promise<WebhookReceiver> {
  const fmSettings = fmSettingsFromEnv(config);
  const aws = clients ?? createAwsClients(awsClientConfigFromEnv(config), { bedrockMaxAttempts: fmSettings.maxAttempts });
  const names = resourceNamesFromEnv(config);
  const { logger, registry, shutdown } = runtime;
  const metrics = createWebhookMetrics(registry);

  const store = createIdempotencyStore({
    documentClient: aws.documentClient,
    tableName: names.tables.idempotency,
    ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    inProgressExpirySeconds: config.IDEMPOTENCY_IN_PROGRESS_SECONDS,
    ...(now ? { now } : {}),
    logger,
  });
  const eventPublisher = createEventPublisher({ client: aws.eventBridge, eventBusName: names.eventBusName, logger });
  // Processors build details as plain records; the publisher validates each against its schema.
  const publisher: EventPublisherLike = { publish: (events) => eventPublisher.publish(events as PublishEvent[]) };

  let fm: FmClient | undefined;
  let classifySentiment: SentimentClassifier = async () => 'unknown';
  if (config.SENTIMENT_ENABLED) {
    fm = createFmClient({
      bedrock: aws.bedrock,
      registry: createModelRegistry(fmSettings.registry),
      breaker: fmSettings.breaker,
      defaultDeadlineMs: config.SENTIMENT_DEADLINE_MS,
      metrics: registry,
      logger,
    });
    classifySentiment = createSentimentClassifier({
      fm,
      deadlineMs: config.SENTIMENT_DEADLINE_MS,
      onOutcome: (outcome) => metrics.sentiment(outcome),
    });
  }

  const fallback = envSecrets(config);
  const secrets: SecretProvider = config.WEBHOOK_SECRETS_ARN
    ? secretsManagerSecrets({
        client: aws.secretsManager,
        secretId: config.WEBHOOK_SECRETS_ARN,
        cacheSeconds: config.WEBHOOK_SECRETS_CACHE_SECONDS,
        fallback,
        onRefreshError: (error) => logger.warn({ err: (error as Error).message }, 'webhook secrets refresh failed'),
      })
    : staticSecrets(fallback);

  const sources = buildSources(config, { publisher, classifySentiment });
  const handleDelivery = createDeliveryPipeline({
    sources,
    secrets,
    store,
    metrics,
    toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    ...(now ? { now } : {}),
  });

  const app = express();
  app.disable('x-powered-by');
  // No ETag: senders never revalidate a webhook answer, and hashing every response body is CPU spent for nothing.
  app.set('etag', false);
  app.use(requestContext(logger));
  app.use(
    createOpsRouter({
      registry,
      isShuttingDown: () => shutdown.isShuttingDown,
      checks: [dynamoTableCheck(aws.dynamodb, names.tables.idempotency)],
    }),
  );

  const knownSource = (req: Request, res: Response, next: NextFunction) => {
    if (sources.has(String(req.params.source))) return next();
    metrics.delivery('unknown', 'unknown_source');
    res.status(404).json(errorBody('unknown_source'));
  };
  // The raw bytes are what was signed: no JSON middleware, any content type. Reading stops at 4x
  // the body cap (bounded memory); between 1x and 4x the cap the 413 comes after the signature
  // and JSON checks, in the order of the design.
  const rawBody = express.raw({ type: () => true, limit: config.WEBHOOK_MAX_BODY_BYTES * 4 });

  app.post('/webhooks/:source', knownSource, rawBody, async (req: Request, res: Response, next: NextFunction) => {
    const { log } = requestLocals(res);
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const response = await handleDelivery(String(req.params.source), req.headers, body, log);
      if (response.headers) res.set(response.headers);
      res.status(response.status).json(response.body);
    } catch (error) {
      next(error);
    }
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number; message?: string };
    const source = String(req.params?.source ?? 'unknown');
    if (e.type === 'entity.too.large') {
      metrics.delivery(source, 'body_too_large');
      res.status(413).json(errorBody('body_too_large'));
      return;
    }
    if (e.status && e.status >= 400 && e.status < 500) {
      res.status(400).json(errorBody('invalid_json', 'the body could not be read'));
      return;
    }
    requestLocals(res).log?.error({ err: e.message }, 'unhandled error in webhook route');
    res.status(500).json(errorBody('processing_failed'));
  });

  const http = await startHttpServer(app, { port: config.PORT, host: config.HOST });
  logger.info({ url: http.url, sources: [...sources.keys()] }, 'webhook-receiver listening');

  const stop = async () => {
    await http.close();
    await fm?.close();
    if (!clients) aws.destroy();
  };
  shutdown.register('webhook-receiver', stop);
  return { url: http.url, port: http.port, stop };
}
