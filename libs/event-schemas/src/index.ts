export {
  EVENT_SOURCES,
  DETAIL_TYPES,
  CATALOG_UPDATE_TYPES,
  CATALOG_UPDATE_PREFIX,
  SOURCE_BY_DETAIL_TYPE,
  catalogUpdateDetailType,
  isDetailType,
  type EventSource,
  type DetailType,
  type CatalogUpdateType,
} from './sources';
export {
  FIELD_CAPS,
  PROCESSING_STAGES,
  SEVERITIES,
  usdAmount,
  messageReceivedSchema,
  inferenceCompletedSchema,
  moderationFlaggedSchema,
  recommendationGeneratedSchema,
  paymentCompletedSchema,
  reviewSubmittedSchema,
  reviewDecidedSchema,
  REVIEW_DECISIONS,
  catalogUpdateSchema,
  eventEnvelopeSchema,
  type ProcessingStage,
  type Severity,
  type MessageReceived,
  type InferenceCompleted,
  type ModerationFlagged,
  type RecommendationGenerated,
  type PaymentCompleted,
  type ReviewSubmitted,
  type CatalogUpdate,
  type ReviewDecided,
  type EventEnvelope,
  type MessageReceivedInput,
  type InferenceCompletedInput,
  type ModerationFlaggedInput,
  type RecommendationGeneratedInput,
  type PaymentCompletedInput,
  type ReviewSubmittedInput,
  type CatalogUpdateInput,
  type ReviewDecidedInput,
} from './schemas';
export { truncateForEvent, toResponseSummary, toContentPreview } from './truncate';
export {
  detailSchemas,
  parseDetail,
  parseEnvelope,
  isEnvelopeOf,
  type DetailOf,
  type DetailInputOf,
  type TypedEvent,
  type TypedEnvelopeTag,
} from './parse';
export {
  MAX_CHAIN_DEPTH,
  chainDepthOf,
  assertChainDepth,
  withChainMetadata,
  type ChainMetadata,
} from './chain';
export { MAX_ENTRY_BYTES, MAX_ENTRIES_PER_PUT, putEventsEntrySize, type SizedEntry } from './entry-size';
export {
  createEventPublisher,
  type EventPublisher,
  type EventPublisherOptions,
  type PublishEvent,
  type PublisherLogger,
} from './publisher';
export { type EventPattern, type PatternCondition, type PatternScalar } from './event-pattern';
export {
  routingRules,
  eventBridgeRuleRequests,
  ruleTargetId,
  TARGET_RETRY_POLICY,
  type RoutingRule,
} from './routing';
export {
  EventSchemasError,
  EventValidationError,
  ChainDepthExceededError,
  EventTooLargeError,
  PublishError,
  type EventValidationCode,
  type ValidationIssue,
  type FailedEntry,
} from './errors';
export { toSqsMessageBody } from './sqs-body';
export { minorUnitDigits, formatMinorAmount, formatMoney } from './money';
export { findUndeliverable, cleanUndeliverable, type UndeliverableContent } from './deliverable';
export { eventJsonSchema } from './json-schema';
