export {
  EVENT_SOURCES,
  DETAIL_TYPES,
  CATALOG_UPDATE_TYPES,
  CATALOG_UPDATE_PREFIX,
  SOURCE_BY_DETAIL_TYPE,
  catalogUpdateDetailType,
  type DetailType,
  type CatalogUpdateType,
} from './sources';
export {
  FIELD_CAPS,
  eventEnvelopeSchema,
  type InferenceCompleted,
  type ModerationFlagged,
  type PaymentCompleted,
  type ReviewSubmitted,
  type CatalogUpdate,
  type EventEnvelope,
  type ModerationFlaggedInput,
  type PaymentCompletedInput,
  type ReviewSubmittedInput,
  type CatalogUpdateInput,
} from './schemas';
export { truncateForEvent, toResponseSummary, toContentPreview } from './truncate';
export { detailSchemas, parseDetail } from './parse';
export { MAX_CHAIN_DEPTH, chainDepthOf, withChainMetadata } from './chain';
export { MAX_ENTRY_BYTES, MAX_ENTRIES_PER_PUT, putEventsEntrySize } from './entry-size';
export { createEventPublisher, type EventPublisher, type PublishEvent } from './publisher';
export { type EventPattern } from './event-pattern';
export { routingRules, eventBridgeRuleRequests, TARGET_RETRY_POLICY, type RoutingRule } from './routing';
export { EventValidationError, EventTooLargeError, PublishError } from './errors';
export { toSqsMessageBody } from './sqs-body';
export { formatMinorAmount, formatMoney } from './money';
export { findUndeliverable } from './deliverable';
export { eventJsonSchema } from './json-schema';
