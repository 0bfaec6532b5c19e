import type { ResourceNames } from '@manga-assist/aws-clients';
import { MAX_CHAIN_DEPTH } from './chain';
import type { EventPattern } from './event-pattern';
import { CATALOG_UPDATE_PREFIX, DETAIL_TYPES, EVENT_SOURCES } from './sources';

export interface RoutingRule {
  name: string;
  description: string;
  eventBusName: string;
  pattern: EventPattern;
  target: {
    queueName: string;
    /** JSONPath-like (`$.detail.product_id`) to the FIFO MessageGroupId; FIFO queues only. */
    messageGroupIdPath?: string;
  };
}

/** Only events below the maximum chain depth are routed to a consumer at all. */
const belowMaxDepth = [{ numeric: ['<', MAX_CHAIN_DEPTH] }];

/**
 * Every EventBridge rule of the platform, as data: the local router, the tests and the
 * infrastructure all read this one list.
 *
 * Loop guards (seed 004 §3.3): consumers publish under `mangaassist.ai` with processing_stage
 * `processed`. The rules that feed the moderation consumer match producer sources only and
 * `processing_stage: raw`, so nothing it publishes can re-trigger them, with one deliberate
 * exception: ModerationFlagged high|critical (source ai) reaches it so it can hide the review;
 * that handler publishes nothing, and the rule still stops at chain depth MAX_CHAIN_DEPTH.
 *
 * MessageReceived, InferenceCompleted and Recommendation.Generated have no queue target here
 * (analytics); the bus archive keeps them.
 */
export function routingRules(names: ResourceNames): RoutingRule[] {
  const bus = names.eventBusName;
  return [
    {
      name: 'catalog-updates-to-enrichment',
      description: 'Every CatalogUpdate.<type> from the catalog feed -> enrichment FIFO queue, grouped by product',
      eventBusName: bus,
      pattern: {
        source: [EVENT_SOURCES.catalog],
        'detail-type': [{ prefix: CATALOG_UPDATE_PREFIX }],
        detail: { processing_stage: ['raw'], _chain_depth: belowMaxDepth },
      },
      target: { queueName: names.queues.enrichment, messageGroupIdPath: '$.detail.product_id' },
    },
    {
      name: 'reviews-to-moderation',
      description: 'Raw ReviewSubmitted from the review webhook -> moderation queue',
      eventBusName: bus,
      pattern: {
        source: [EVENT_SOURCES.webhooks],
        'detail-type': [DETAIL_TYPES.ReviewSubmitted],
        detail: { processing_stage: ['raw'], _chain_depth: belowMaxDepth },
      },
      target: { queueName: names.queues.moderation },
    },
    {
      name: 'payments-to-moderation',
      description: 'Raw PaymentCompleted from the Stripe webhook -> moderation queue (order confirmation)',
      eventBusName: bus,
      pattern: {
        source: [EVENT_SOURCES.webhooks],
        'detail-type': [DETAIL_TYPES.PaymentCompleted],
        detail: { processing_stage: ['raw'], _chain_depth: belowMaxDepth },
      },
      target: { queueName: names.queues.moderation },
    },
    {
      name: 'severe-flags-to-moderation',
      description: 'ModerationFlagged with severity high|critical -> moderation queue (hide review, alert)',
      eventBusName: bus,
      pattern: {
        source: [EVENT_SOURCES.ai],
        'detail-type': [DETAIL_TYPES.ModerationFlagged],
        detail: { severity: ['high', 'critical'], _chain_depth: belowMaxDepth },
      },
      target: { queueName: names.queues.moderation },
    },
  ];
}

/** Resolves `$.a.b` against an event envelope; undefined when absent or not a scalar. */
export function resolvePath(path: string, event: unknown): string | undefined {
  const segments = path.replace(/^\$\.?/, '').split('.').filter(Boolean);
  let value: unknown = event;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
