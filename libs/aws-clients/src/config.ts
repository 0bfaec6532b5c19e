import { z } from 'zod';
import { env } from '@manga-assist/service-runtime';

/**
 * Environment variables shared by every service that talks to AWS. Endpoint overrides point a
 * client at the local stack; unset, the SDK resolves AWS's endpoints, region and credentials
 * (env, profile, ECS task role...) the usual way.
 */
export const awsEnv = {
  AWS_REGION: env.string('us-east-1'),
  DYNAMODB_ENDPOINT: env.optionalUrl(),
  SQS_ENDPOINT: env.optionalUrl(),
  EVENTBRIDGE_ENDPOINT: env.optionalUrl(),
  BEDROCK_ENDPOINT: env.optionalUrl(),
  SECRETS_MANAGER_ENDPOINT: env.optionalUrl(),
  AWS_MAX_SOCKETS: env.int(256, { min: 1, max: 10_000 }),
  AWS_IDLE_SOCKET_TIMEOUT_MS: env.int(4000, { min: 100, max: 600_000 }),
};

/** Resource names (tables, queues, bus), configurable per environment. */
export const resourceNamesEnv = {
  SESSIONS_TABLE: env.string('MangaAssist-Sessions'),
  CATALOG_TABLE: env.string('MangaAssist-Catalog'),
  IDEMPOTENCY_TABLE: env.string('MangaAssist-WebhookIdempotency'),
  ENRICHMENT_JOBS_TABLE: env.string('MangaAssist-EnrichmentJobs'),
  REVIEWS_TABLE: env.string('MangaAssist-Reviews'),
  ENRICHMENT_QUEUE: env.string('manga-enrichment-queue.fifo'),
  ENRICHMENT_DLQ: env.string('manga-enrichment-dlq.fifo'),
  MODERATION_QUEUE: env.string('manga-moderation-queue'),
  MODERATION_DLQ: env.string('manga-moderation-dlq'),
  /** Standard queue for events EventBridge could not deliver to a rule's target. */
  EVENTS_DLQ: env.string('manga-events-dlq'),
  EVENT_BUS_NAME: env.string('MangaAssist-AI-Events'),
};

const namesSchema = z.object(resourceNamesEnv);
export type AwsEnv = z.infer<z.ZodObject<typeof awsEnv>>;
export type ResourceNamesEnv = z.infer<typeof namesSchema>;

export interface AwsClientConfig {
  region: string;
  endpoints: {
    dynamodb?: string;
    sqs?: string;
    eventbridge?: string;
    bedrock?: string;
    secretsManager?: string;
  };
  maxSockets: number;
  /**
   * A keep-alive socket idle this long is closed by the client (default 4 s). It must stay below the
   * server's idle timeout (Node servers: 5 s; AWS endpoints: longer) so the client never reuses a
   * socket the server is closing. A server's `Keep-Alive: timeout=N` hint lowers it further.
   */
  idleSocketTimeoutMs?: number;
}

export function awsClientConfigFromEnv(e: AwsEnv): AwsClientConfig {
  return {
    region: e.AWS_REGION,
    endpoints: {
      dynamodb: e.DYNAMODB_ENDPOINT,
      sqs: e.SQS_ENDPOINT,
      eventbridge: e.EVENTBRIDGE_ENDPOINT,
      bedrock: e.BEDROCK_ENDPOINT,
      secretsManager: e.SECRETS_MANAGER_ENDPOINT,
    },
    maxSockets: e.AWS_MAX_SOCKETS,
    idleSocketTimeoutMs: e.AWS_IDLE_SOCKET_TIMEOUT_MS,
  };
}

export interface ResourceNames {
  tables: { sessions: string; catalog: string; idempotency: string; enrichmentJobs: string; reviews: string };
  queues: {
    enrichment: string;
    enrichmentDlq: string;
    moderation: string;
    moderationDlq: string;
    /** Where EventBridge sends events it could not deliver to a target (standard queue). */
    eventsDlq: string;
  };
  eventBusName: string;
}

export function resourceNamesFromEnv(e: ResourceNamesEnv): ResourceNames {
  return {
    tables: {
      sessions: e.SESSIONS_TABLE,
      catalog: e.CATALOG_TABLE,
      idempotency: e.IDEMPOTENCY_TABLE,
      enrichmentJobs: e.ENRICHMENT_JOBS_TABLE,
      reviews: e.REVIEWS_TABLE,
    },
    queues: {
      enrichment: e.ENRICHMENT_QUEUE,
      enrichmentDlq: e.ENRICHMENT_DLQ,
      moderation: e.MODERATION_QUEUE,
      moderationDlq: e.MODERATION_DLQ,
      eventsDlq: e.EVENTS_DLQ,
    },
    eventBusName: e.EVENT_BUS_NAME,
  };
}

/** The inverse of resourceNamesFromEnv: the environment that makes a service use `names`. */
export function resourceNamesToEnv(names: ResourceNames): ResourceNamesEnv {
  return {
    SESSIONS_TABLE: names.tables.sessions,
    CATALOG_TABLE: names.tables.catalog,
    IDEMPOTENCY_TABLE: names.tables.idempotency,
    ENRICHMENT_JOBS_TABLE: names.tables.enrichmentJobs,
    REVIEWS_TABLE: names.tables.reviews,
    ENRICHMENT_QUEUE: names.queues.enrichment,
    ENRICHMENT_DLQ: names.queues.enrichmentDlq,
    MODERATION_QUEUE: names.queues.moderation,
    MODERATION_DLQ: names.queues.moderationDlq,
    EVENTS_DLQ: names.queues.eventsDlq,
    EVENT_BUS_NAME: names.eventBusName,
  };
}

/** The default names, as the local stack provisions them. */
export const DEFAULT_RESOURCE_NAMES: ResourceNames = resourceNamesFromEnv(namesSchema.parse({}));
