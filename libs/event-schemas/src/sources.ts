/**
 * Event sources. Source differentiation is one of the three loop guards (docs/architecture.md#loop-guards): a rule
 * that feeds a consumer matches only the sources of the *producers* of its input, never the
 * source the consumer itself publishes under (`mangaassist.ai`).
 *
 * - `mangaassist.chat`     chat-gateway: user messages entering the system.
 * - `mangaassist.ai`       anything produced by a model consumer (inference results, moderation
 *                          verdicts, recommendations). Consumers publish ONLY under this source.
 * - `mangaassist.webhooks` webhook-receiver: payments and reviews from external systems.
 * - `mangaassist.catalog`  catalog changes (publisher feed via webhook-receiver, admin tools).
 * - `mangaassist.staff`    decisions people made through the admin APIs (human review). No rule
 *                          feeds them back to a consumer: they are the end of a chain.
 */
export const EVENT_SOURCES = {
  chat: 'mangaassist.chat',
  ai: 'mangaassist.ai',
  webhooks: 'mangaassist.webhooks',
  catalog: 'mangaassist.catalog',
  staff: 'mangaassist.staff',
} as const;
export type EventSource = (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES];

export const CATALOG_UPDATE_TYPES = [
  'new_release',
  'price_change',
  'discontinued',
  'metadata_update',
] as const;
export type CatalogUpdateType = (typeof CATALOG_UPDATE_TYPES)[number];

/** `CatalogUpdate.<type>` detail types share this prefix (rules match it with `prefix`). */
export const CATALOG_UPDATE_PREFIX = 'CatalogUpdate.';

export const DETAIL_TYPES = {
  MessageReceived: 'MessageReceived',
  InferenceCompleted: 'InferenceCompleted',
  ModerationFlagged: 'ModerationFlagged',
  RecommendationGenerated: 'Recommendation.Generated',
  PaymentCompleted: 'PaymentCompleted',
  ReviewSubmitted: 'ReviewSubmitted',
  ReviewDecided: 'ReviewDecided',
  CatalogUpdateNewRelease: 'CatalogUpdate.new_release',
  CatalogUpdatePriceChange: 'CatalogUpdate.price_change',
  CatalogUpdateDiscontinued: 'CatalogUpdate.discontinued',
  CatalogUpdateMetadataUpdate: 'CatalogUpdate.metadata_update',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export function catalogUpdateDetailType(type: CatalogUpdateType): `CatalogUpdate.${CatalogUpdateType}` {
  return `${CATALOG_UPDATE_PREFIX}${type}`;
}

export function isDetailType(value: string): value is DetailType {
  return (Object.values(DETAIL_TYPES) as string[]).includes(value);
}

/** The one source each detail type is published under. The publisher enforces it. */
export const SOURCE_BY_DETAIL_TYPE: Record<DetailType, EventSource> = {
  MessageReceived: EVENT_SOURCES.chat,
  InferenceCompleted: EVENT_SOURCES.ai,
  ModerationFlagged: EVENT_SOURCES.ai,
  'Recommendation.Generated': EVENT_SOURCES.ai,
  PaymentCompleted: EVENT_SOURCES.webhooks,
  ReviewSubmitted: EVENT_SOURCES.webhooks,
  ReviewDecided: EVENT_SOURCES.staff,
  'CatalogUpdate.new_release': EVENT_SOURCES.catalog,
  'CatalogUpdate.price_change': EVENT_SOURCES.catalog,
  'CatalogUpdate.discontinued': EVENT_SOURCES.catalog,
  'CatalogUpdate.metadata_update': EVENT_SOURCES.catalog,
};
