import type { WebhookReceiverConfig } from './config';
import type { SourceDefinition } from './pipeline';
import {
  catalogProcessor,
  reviewProcessor,
  stripeProcessor,
  type EventPublisherLike,
  type SentimentClassifier,
} from './processors';
import {
  partnerScheme,
  standardWebhooksScheme,
  stripeScheme,
  STANDARD_WEBHOOK_HEADERS,
  type SignatureScheme,
} from '@manga-assist/webhook-signatures';

/** The partner feeds' header names and delivery id fields per source (docs/architecture.md#webhook-checks). */
export const PARTNER_HEADERS = {
  reviews: { signature: 'x-webhook-signature', timestamp: 'x-webhook-timestamp' },
  catalog: { signature: 'x-catalog-signature', timestamp: 'x-catalog-timestamp' },
} as const;

export const ID_FIELDS = { stripe: 'id', reviews: 'review_id', catalog: 'batch_id' } as const;

/** With Standard Webhooks the delivery id is the `webhook-id` header, as that spec defines it. */
const idFieldFor = (scheme: SignatureScheme, payloadField: string) =>
  scheme.name === 'standard' ? `header:${STANDARD_WEBHOOK_HEADERS.id}` : payloadField;

export function buildSources(
  config: WebhookReceiverConfig,
  deps: { publisher: EventPublisherLike; classifySentiment: SentimentClassifier },
): Map<string, SourceDefinition> {
  const stripe = config.WEBHOOK_SCHEME_STRIPE === 'standard' ? standardWebhooksScheme : stripeScheme;
  const partner = (source: keyof typeof PARTNER_HEADERS, choice: 'partner' | 'standard') =>
    choice === 'standard'
      ? standardWebhooksScheme
      : partnerScheme(PARTNER_HEADERS[source].signature, PARTNER_HEADERS[source].timestamp);
  const reviews = partner('reviews', config.WEBHOOK_SCHEME_REVIEWS);
  const catalog = partner('catalog', config.WEBHOOK_SCHEME_CATALOG);

  const definitions: SourceDefinition[] = [
    {
      name: 'stripe',
      scheme: stripe,
      idField: idFieldFor(stripe, ID_FIELDS.stripe),
      processor: stripeProcessor(deps.publisher),
    },
    {
      name: 'reviews',
      scheme: reviews,
      idField: idFieldFor(reviews, ID_FIELDS.reviews),
      processor: reviewProcessor(deps.publisher, deps.classifySentiment),
    },
    {
      name: 'catalog',
      scheme: catalog,
      idField: idFieldFor(catalog, ID_FIELDS.catalog),
      processor: catalogProcessor(deps.publisher, config.CATALOG_MAX_ITEMS),
    },
  ];
  return new Map(definitions.map((d) => [d.name, d]));
}
