export type {
  OutboundEvent,
  EventPublisherLike,
  Sentiment,
  SentimentClassifier,
  ProcessResult,
  Processor,
} from './types';
export { stripeProcessor, validateStripeEvent, stripeEvent, type StripeValidated } from './stripe';
export { reviewProcessor, validateReview, reviewPayload, type ReviewValidated } from './reviews';
export {
  catalogProcessor,
  validateCatalog,
  catalogEvents,
  catalogPayload,
  CATALOG_TYPES,
  type CatalogValidated,
} from './catalog';
