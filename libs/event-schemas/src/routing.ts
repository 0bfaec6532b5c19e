import type { PutRuleCommandInput, PutTargetsCommandInput } from '@aws-sdk/client-eventbridge';
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
    /**
     * FIFO queues only: the MessageGroupId EventBridge sets on every message of this target. On AWS
     * it is a constant (SqsParameters.MessageGroupId; a rule cannot take it from the event), so
     * every event of the rule is one group: in order, one batch in flight at a time.
     */
    messageGroupId?: string;
  };
}

/**
 * How long EventBridge keeps retrying a failed delivery before it sends the event to the
 * target's dead-letter queue (AWS's maxima, stated rather than left to defaults).
 */
export const TARGET_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;

/** Only events below the maximum chain depth are routed to a consumer at all. */
const belowMaxDepth = [{ numeric: ['<', MAX_CHAIN_DEPTH] }];

/**
 * Every EventBridge rule of the platform, as data: the local router, the tests and the
 * infrastructure all read this one list.
 *
 * Loop guards (docs/architecture.md#loop-guards): consumers publish under `mangaassist.ai` with processing_stage
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
      description:
        'Every CatalogUpdate.<type> from the catalog feed -> enrichment FIFO queue (one message group)',
      eventBusName: bus,
      pattern: {
        source: [EVENT_SOURCES.catalog],
        'detail-type': [{ prefix: CATALOG_UPDATE_PREFIX }],
        detail: { processing_stage: ['raw'], _chain_depth: belowMaxDepth },
      },
      target: { queueName: names.queues.enrichment, messageGroupId: 'catalog-updates' },
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

/**
 * The PutRule and PutTargets requests that create one routing rule on EventBridge: the one
 * provisioning path, used against AWS and the local router alike. Each target gets the retry
 * policy and the dead-letter queue (a standard queue: EventBridge refuses FIFO DLQs).
 */
export function eventBridgeRuleRequests(
  rule: RoutingRule,
  arns: { queueArn: (queueName: string) => string; deadLetterQueueArn: string },
): { putRule: PutRuleCommandInput; putTargets: PutTargetsCommandInput } {
  return {
    putRule: {
      Name: rule.name,
      EventBusName: rule.eventBusName,
      EventPattern: JSON.stringify(rule.pattern),
      State: 'ENABLED',
      Description: rule.description,
    },
    putTargets: {
      Rule: rule.name,
      EventBusName: rule.eventBusName,
      Targets: [
        {
          Id: ruleTargetId(rule),
          Arn: arns.queueArn(rule.target.queueName),
          ...(rule.target.messageGroupId
            ? { SqsParameters: { MessageGroupId: rule.target.messageGroupId } }
            : {}),
          RetryPolicy: { ...TARGET_RETRY_POLICY },
          DeadLetterConfig: { Arn: arns.deadLetterQueueArn },
        },
      ],
    },
  };
}

/** The target id of a rule's queue target (EventBridge ids: `[.\-_A-Za-z0-9]+`, at most 64). */
function ruleTargetId(rule: RoutingRule): string {
  return rule.target.queueName.replace(/[^.\-_A-Za-z0-9]/g, '_').slice(0, 64);
}
