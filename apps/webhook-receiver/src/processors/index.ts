export type {
  OutboundEvent,
  EventPublisherLike,
  Sentiment,
  SentimentClassifier,
  ProcessResult,
  Processor,
} from './types';
export { stripeProcessor, validateStripeEvent, type StripeValidated } from './stripe';
export { reviewProcessor, validateReview, type ReviewValidated } from './reviews';
export {
  catalogProcessor,
  validateCatalog,
  catalogEvents,
  CATALOG_TYPES,
  type CatalogValidated,
} from './catalog';
