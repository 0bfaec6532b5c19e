import { openApiHandler } from '@manga-assist/api-contracts';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  createServiceShell,
  requestLocals,
  sendHttpError,
  type HttpError,
  type ServiceRuntime,
  sendJson,
} from '@manga-assist/service-runtime';
import { dynamoTableCheck, serviceAws, startupWriteChecks, type AwsClients } from '@manga-assist/aws-clients';
import { createIdempotencyStore } from '@manga-assist/idempotency-store';
import { createEventPublisher } from '@manga-assist/event-schemas';
import { createFmClientFromSettings, fmSettingsFromEnv, type FmClient } from '@manga-assist/fm-client';
import { envSecrets, type WebhookReceiverConfig } from './config';
import { DeliveryError } from './errors';
import { createWebhookMetrics } from './metrics';
import { createDeliveryPipeline } from './pipeline';
import { secretsManagerSecrets, staticSecrets, type SecretProvider } from './secrets';
import { createSentimentClassifier } from './sentiment';
import { buildSources } from './sources';
import type { SentimentClassifier } from './sources/types';
import { webhookReceiverOpenApi } from './openapi';

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

export async function startWebhookReceiver({
  config,
  runtime,
  clients,
  now,
}: WebhookReceiverDeps): Promise<WebhookReceiver> {
  const fmSettings = fmSettingsFromEnv(config);
  const { aws, names, close } = serviceAws(config, { clients, bedrockMaxAttempts: fmSettings.maxAttempts });
  const shell = createServiceShell(runtime);
  shell.onStop('aws', close);
  const { logger, registry } = runtime;
  const metrics = createWebhookMetrics(registry);

  const store = createIdempotencyStore({
    documentClient: aws.documentClient,
    tableName: names.tables.idempotency,
    ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    inProgressExpirySeconds: config.IDEMPOTENCY_IN_PROGRESS_SECONDS,
    ...(now ? { now } : {}),
    logger,
  });
  const publisher = createEventPublisher({
    client: aws.eventBridge,
    eventBusName: names.eventBusName,
    logger,
  });

  let classifySentiment: SentimentClassifier = async () => 'unknown';
  if (config.SENTIMENT_ENABLED) {
    const fm: FmClient = createFmClientFromSettings(fmSettings, {
      bedrock: aws.bedrock,
      defaultDeadlineMs: config.SENTIMENT_DEADLINE_MS,
      metrics: registry,
      logger,
    });
    shell.onStop('fm-client', () => fm.close());
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
        onRefreshError: (error) =>
          logger.warn({ err: (error as Error).message }, 'webhook secrets refresh failed'),
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
    inProgressSeconds: config.IDEMPOTENCY_IN_PROGRESS_SECONDS,
    ...(now ? { now } : {}),
  });

  const app = shell.app([
    dynamoTableCheck(aws.dynamodb, names.tables.idempotency),
    ...startupWriteChecks(aws.dynamodb, names, ['idempotency'], { service: 'webhook-receiver', logger }),
  ]);
  app.get('/openapi.json', openApiHandler(webhookReceiverOpenApi()));
  const knownSource = (req: Request, res: Response, next: NextFunction) => {
    if (sources.has(String(req.params.source))) return next();
    metrics.delivery('unknown', 'unknown_source');
    sendHttpError(req, res, new DeliveryError('unknown_source'));
  };
  // The raw bytes are what was signed: no JSON middleware, any content type. Reading stops at 4x
  // the body cap (bounded memory); between 1x and 4x the cap the 413 comes after the signature
  // and JSON checks, in the order of the design.
  const rawBody = express.raw({ type: () => true, limit: config.WEBHOOK_MAX_BODY_BYTES * 4 });

  app.post(
    '/webhooks/:source',
    knownSource,
    rawBody,
    async (req: Request, res: Response, next: NextFunction) => {
      const { log } = requestLocals(res);
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const response = await handleDelivery(String(req.params.source), req.headers, body, log);
        if (response.headers) res.set(response.headers);
        if ('error' in response) sendHttpError(req, res, response.error);
        else sendJson(res, response.status, response.body);
      } catch (error) {
        next(error);
      }
    },
  );

  // Body-read failures keep the receiver's own codes (and are counted); anything else is a 500 to retry.
  const deliveryError = (error: HttpError, req: Request): HttpError => {
    const source = sources.get(String(req.params?.source))?.name ?? 'unknown';
    if (error.status === 413) {
      metrics.delivery(source, 'body_too_large');
      return new DeliveryError('body_too_large');
    }
    if (error.status >= 400 && error.status < 500)
      return new DeliveryError('invalid_json', 'the body could not be read');
    return new DeliveryError('processing_failed');
  };
  const http = await shell.serve(app, {
    port: config.PORT,
    host: config.HOST,
    errors: { map: deliveryError },
  });
  logger.info({ url: http.url, sources: [...sources.keys()] }, 'webhook-receiver listening');
  return { url: http.url, port: http.port, stop: shell.stop };
}
