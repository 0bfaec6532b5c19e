import { counter, histogram, type Registry } from '@manga-assist/service-runtime';
import type { WebhookSourceName } from './sources';

/** The `source` label: a registered source, or `unknown` (bounded by the registry, whatever the path says). */
export type SourceLabel = WebhookSourceName | 'unknown';

export type DeliveryOutcome =
  | 'processed'
  | 'ignored'
  | 'duplicate'
  | 'in_progress'
  | 'unknown_source'
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale_timestamp'
  | 'invalid_json'
  | 'body_too_large'
  | 'missing_delivery_id'
  | 'too_many_items'
  | 'invalid_payload'
  | 'payload_mismatch'
  | 'undeliverable_content'
  | 'rejected'
  | 'processing_failed'
  | 'unavailable';

export interface WebhookMetrics {
  delivery(source: SourceLabel, outcome: DeliveryOutcome): void;
  signatureFailure(source: SourceLabel, reason: string): void;
  duplicate(source: SourceLabel, state: 'completed' | 'in_progress'): void;
  processing(
    source: SourceLabel,
    outcome: 'processed' | 'ignored' | 'rejected' | 'failed',
    seconds: number,
  ): void;
  sentiment(outcome: string): void;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const deliveries = counter(registry, {
    name: 'webhook_deliveries_total',
    help: 'Webhook deliveries by source and outcome',
    labelNames: ['source', 'outcome'],
  });
  const signatureFailures = counter(registry, {
    name: 'webhook_signature_failures_total',
    help: 'Deliveries refused by signature checks (missing_header, malformed, bad_signature, stale)',
    labelNames: ['source', 'reason'],
  });
  const duplicates = counter(registry, {
    name: 'webhook_duplicates_total',
    help: 'Duplicate deliveries (of a completed or an in-progress delivery)',
    labelNames: ['source', 'state'],
  });
  const latency = histogram(registry, {
    name: 'webhook_processing_seconds',
    help: 'Time from claim to completion of a delivery (processing only)',
    labelNames: ['source', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const sentiment = counter(registry, {
    name: 'webhook_review_sentiment_total',
    help: 'Review sentiment calls by outcome (answered, timeout, error, unparseable)',
    labelNames: ['outcome'],
  });
  return {
    delivery: (source, outcome) => deliveries.inc({ source, outcome }),
    signatureFailure: (source, reason) => signatureFailures.inc({ source, reason }),
    duplicate: (source, state) => duplicates.inc({ source, state }),
    processing: (source, outcome, seconds) => latency.observe({ source, outcome }, seconds),
    sentiment: (outcome) => sentiment.inc({ outcome }),
  };
}
