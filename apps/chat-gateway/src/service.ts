import { openApiHandler } from '@manga-assist/api-contracts';
import {
  createFmClientFromSettings,
  createAbSplit,
  fmSettingsFromEnv,
  selectModelForComplexity,
  type InferenceRecord,
} from '@manga-assist/fm-client';
import {
  createEventPublisher,
  FIELD_CAPS,
  toResponseSummary,
  truncateForEvent,
} from '@manga-assist/event-schemas';
import { createServiceShell, type ServiceRuntime } from '@manga-assist/service-runtime';
import { dynamoTableCheck, serviceAws, startupWriteChecks, type AwsClients } from '@manga-assist/aws-clients';
import type { Redis } from 'ioredis';
import type { ChatGatewayConfig } from './config';
import { createDevTokenIssuer, verifierFromConfig } from '@manga-assist/identity';
import { createSessionStore } from './session-store';
import { createRedis, redisCheck, waitForRedis } from './redis';
import { createUserRateLimiter } from './rate-limit';
import { createGatewayMetrics } from './metrics';
import { createSummarizer } from './summarizer';
import { createCatalogGrounding } from './catalog';
import {
  createChatService,
  type AcceptedMessage,
  type ChatServiceOptions,
  type ContextTools,
} from './chat-service';
import { createEventOutbox } from './event-outbox';
import { createContextTools } from './context-tools';
import { addChatRoutes, chatErrorMapping } from './http-app';
import { chatGatewayOpenApi } from './openapi';
import { attachChatWebSocket } from './ws-server';
import { createWsMessageHandler } from './ws-handler';
import type { Lang } from './prompt';

export interface ChatGateway {
  url: string;
  port: number;
  /** Resolves when background work (summaries, event publishes) has drained. For tests. */
  idle(): Promise<void>;
  readonly openWebSockets: number;
  stop(): Promise<void>;
}

export interface ChatGatewayDeps {
  config: ChatGatewayConfig;
  runtime: ServiceRuntime;
  /** Defaults to clients built from the config; tests may pass their own. */
  clients?: AwsClients;
  /** Tests may replace the token-estimator adapter. */
  contextTools?: ContextTools;
}

export async function startChatGateway({
  config,
  runtime,
  clients,
  contextTools,
}: ChatGatewayDeps): Promise<ChatGateway> {
  const fmSettings = fmSettingsFromEnv(config);
  const { aws, names, close } = serviceAws(config, { clients, bedrockMaxAttempts: fmSettings.maxAttempts });
  const shell = createServiceShell(runtime);
  shell.onStop('aws', close);
  const { logger, registry } = runtime;
  const metrics = createGatewayMetrics(registry);
  const redis: Redis | undefined = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
  if (redis) shell.onStop('redis', () => redis.disconnect());
  if (redis && !(await waitForRedis(redis))) logger.warn('redis not ready at start-up: starting degraded');
  if (!redis) logger.warn('REDIS_URL not set: no response cache, in-memory rate limiter (degraded)');

  // InferenceCompleted per inference and MessageReceived per accepted user message, off the
  // critical path: queued, batched into PutEvents after the answers; a failure is logged and counted.
  const publisher = createEventPublisher({
    client: aws.eventBridge,
    eventBusName: names.eventBusName,
    logger,
    maxAttempts: 3,
  });
  const outbox = createEventOutbox({
    publisher,
    onFailed: (event, context, reason, message) => {
      metrics.publishFailed(reason);
      if (reason === 'backlog_full')
        logger.warn(
          { ...context, err: message },
          `${event.detailType} not published: too many publishes in flight`,
        );
      else
        logger.warn(
          { ...context, err: message, reason },
          `${event.detailType} publish failed (chat unaffected)`,
        );
    },
  });
  shell.onStop('event-outbox', () => outbox.flush());
  const onInference = (record: InferenceRecord & { text?: string }) => {
    outbox.enqueue(
      {
        detailType: 'InferenceCompleted',
        detail: {
          session_id: record.sessionId ?? 'none',
          model_id: record.modelId,
          status: 'success',
          metrics: {
            input_tokens: record.inputTokens,
            output_tokens: record.outputTokens,
            latency_ms: Math.round(record.latencyMs),
            estimated_cost_usd: record.costUsd,
          },
          stop_reason: record.stopReason,
          cached: record.cached,
          ...(record.variant ? { variant: record.variant } : {}),
          ...(record.text ? { response_summary: toResponseSummary(record.text) } : {}),
        },
      },
      { sessionId: record.sessionId, requestId: record.requestId },
    );
  };
  // Recommendation.Generated when an answer came with product cards (the catalog titles grounding found).
  const onRecommendations: ChatServiceOptions['onRecommendations'] = (r) => {
    outbox.enqueue(
      {
        detailType: 'Recommendation.Generated',
        detail: {
          user_id: r.userId,
          session_id: r.sessionId,
          model_id: r.modelId,
          recommendations: r.products.map((p) => ({
            product_id: p.mangaId,
            title: p.title,
            reason: 'catalog title mentioned in the conversation',
          })),
          processing_stage: 'processed',
        },
      },
      { sessionId: r.sessionId, requestId: r.requestId },
    );
  };
  const onMessage = (m: AcceptedMessage) => {
    outbox.enqueue(
      {
        detailType: 'MessageReceived',
        detail: {
          session_id: m.sessionId,
          user_id: m.userId,
          message_id: m.requestId,
          message: truncateForEvent(m.message, FIELD_CAPS.message),
          language: m.lang,
          channel: m.transport === 'ws' ? 'web' : 'api',
        },
      },
      { sessionId: m.sessionId, requestId: m.requestId },
    );
  };

  const fm = createFmClientFromSettings(fmSettings, {
    bedrock: aws.bedrock,
    redis,
    cacheKeyPrefix: `${config.REDIS_KEY_PREFIX}fm:`,
    metrics: registry,
    logger,
    onInference,
  });
  shell.onStop('fm-client', () => fm.close());

  const store = createSessionStore({
    documentClient: aws.documentClient,
    tableName: names.tables.sessions,
    ttlSeconds: config.SESSION_TTL_S,
    maxMessages: config.SESSION_MAX_TURNS * 2,
    maxItemBytes: config.SESSION_MAX_BYTES,
    onDropped: (sessionId, n) => {
      metrics.session('messages_dropped', n);
      logger.info({ sessionId, dropped: n }, 'oldest messages dropped to bound the session item');
    },
    onStaleContext: (sessionId, n) => {
      metrics.session('stale_context', n);
      logger.info(
        { sessionId, missedAnswers: n },
        'answered from a session read before the previous exchange was saved (another instance); saved in order',
      );
    },
  });
  const limiter = createUserRateLimiter({
    redis,
    points: config.RATE_LIMIT_POINTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
    keyPrefix: config.REDIS_KEY_PREFIX,
  });
  const summarizer = createSummarizer({
    fm,
    store,
    logger,
    metrics,
    afterTurns: config.SUMMARIZE_AFTER_TURNS,
    keepRecentTurns: config.SUMMARY_KEEP_RECENT_TURNS,
    queueMax: config.SUMMARY_QUEUE_MAX,
    deadlineMs: config.MODEL_DEADLINE_CAP_MS * config.DEADLINE_SCALE,
  });
  shell.onStop('summarizer', () => summarizer.stop());
  const grounding = createCatalogGrounding({
    documentClient: aws.documentClient,
    tableName: names.tables.catalog,
    refreshMs: config.CATALOG_REFRESH_MS,
    maxTitles: config.CATALOG_MAX_TITLES,
    logger,
  });
  void grounding.refresh();
  shell.onStop('catalog-grounding', () => grounding.stop());

  const abSplit = fmSettings.abSplit ? createAbSplit(fmSettings.abSplit) : undefined;
  const chat = createChatService({
    fm,
    store,
    limiter,
    summarizer,
    context: contextTools ?? createContextTools(),
    grounding,
    metrics,
    selectModel: (message) =>
      selectModelForComplexity(message, { threshold: fmSettings.complexityThreshold }),
    abSplit,
    deadlines: {
      ceilingMs: config.REQUEST_CEILING_MS,
      modelCapMs: config.MODEL_DEADLINE_CAP_MS,
      scale: config.DEADLINE_SCALE,
    },
    inputTokenBudget: config.INPUT_TOKEN_BUDGET,
    maxOutputTokens: config.MAX_OUTPUT_TOKENS,
    onMessage,
    onRecommendations,
    productUrlTemplate: config.PRODUCT_URL_TEMPLATE,
  });

  // Exchanges saved after their REST answer are written before the AWS clients close.
  shell.onStop('session-writes', () => chat.drain());

  // Each message carries the same token: its signature is checked once, not per message.
  const verifier = verifierFromConfig(config);
  if (!verifier) throw new Error('chat-gateway needs AUTH_JWT_SECRET or AUTH_JWKS_URL');
  const devIssuer = config.AUTH_DEV_ISSUER
    ? createDevTokenIssuer({
        secret: config.AUTH_JWT_SECRET,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      })
    : undefined;
  if (devIssuer)
    logger.warn('AUTH_DEV_ISSUER is on: POST /dev/token issues tokens to anyone (local mode only)');

  const app = shell.app([
    dynamoTableCheck(aws.dynamodb, names.tables.sessions),
    ...startupWriteChecks(aws.dynamodb, names, ['sessions'], { service: 'chat-gateway', logger }),
    redisCheck(redis),
  ]);
  addChatRoutes(app, {
    verifier,
    devIssuer,
    webUi: config.WEB_UI,
    // The page labels answers from the Bedrock emulator (a local endpoint), never from Bedrock itself.
    modelBackend: isEmulatorEndpoint(config.BEDROCK_ENDPOINT) ? 'emulator' : 'bedrock',
    chat,
    metrics,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  app.get('/openapi.json', openApiHandler(chatGatewayOpenApi()));
  const http = await shell.serve(app, {
    port: config.PORT,
    host: config.HOST,
    errors: chatErrorMapping(metrics, config.BODY_LIMIT_BYTES),
  });
  const ws = attachChatWebSocket({
    server: http.server,
    path: '/v1/ws',
    verifier,
    logger,
    maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
    heartbeatMs: config.WS_HEARTBEAT_MS,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    maxConnections: config.WS_MAX_CONNECTIONS,
    onMessage: createWsMessageHandler(chat, metrics),
    metrics: {
      open: (d) => metrics.websocketOpen(d),
      slowConsumer: () => metrics.websocketEvent('slow_consumer_cut'),
      reaped: () => metrics.websocketEvent('reaped'),
      rejected: (reason) => metrics.websocketEvent('upgrade_rejected', reason),
    },
  });
  shell.onStop('websockets', () => ws.close());
  logger.info(
    { url: http.url, redis: Boolean(redis), webUi: config.WEB_UI, devIssuer: Boolean(devIssuer) },
    'chat-gateway listening',
  );

  const idle = async () => {
    await chat.drain();
    await summarizer.idle();
    await outbox.flush();
    await fm.close();
  };
  return {
    url: http.url,
    port: http.port,
    idle,
    get openWebSockets() {
      return ws.size;
    },
    stop: shell.stop,
  };
}

export type { Lang };

/** A Bedrock endpoint on this machine or the compose emulator service: the local stand-in, not a model. */
export function isEmulatorEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === 'bedrock-emulator';
  } catch {
    return false;
  }
}
