import { counter, type Counter, type Registry } from '@manga-assist/service-runtime';

export interface ConsumerMetrics {
  events: Counter<'detail_type' | 'outcome'>;
  verdicts: Counter<'severity' | 'source'>;
  failClosed: Counter<'reason'>;
  outboundDeliveries: Counter<'target' | 'outcome'>;
  outboundAttempts: Counter<'target' | 'result'>;
  outboundRetries: Counter<'target'>;
  loopRejections: Counter<'reason' | 'detail_type'>;
  reviewsHidden: Counter<'severity'>;
  confirmationFallbacks: Counter<'reason'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    events: counter(registry, {
      name: 'moderation_events_total',
      help: 'Events received, by detail type and outcome',
      labelNames: ['detail_type', 'outcome'],
    }),
    verdicts: counter(registry, {
      name: 'moderation_verdicts_total',
      help: 'Moderation verdicts, by severity and source (model | fail_closed)',
      labelNames: ['severity', 'source'],
    }),
    failClosed: counter(registry, {
      name: 'moderation_fail_closed_total',
      help: 'Verdicts that failed closed (flagged for human review)',
      labelNames: ['reason'],
    }),
    outboundDeliveries: counter(registry, {
      name: 'moderation_outbound_deliveries_total',
      help: 'Outbound webhooks, by target and final outcome',
      labelNames: ['target', 'outcome'],
    }),
    outboundAttempts: counter(registry, {
      name: 'moderation_outbound_attempts_total',
      help: 'Outbound webhook HTTP attempts, by result',
      labelNames: ['target', 'result'],
    }),
    outboundRetries: counter(registry, {
      name: 'moderation_outbound_retries_total',
      help: 'Outbound webhook retries scheduled',
      labelNames: ['target'],
    }),
    loopRejections: counter(registry, {
      name: 'moderation_loop_rejections_total',
      help: 'Events rejected by a loop guard',
      labelNames: ['reason', 'detail_type'],
    }),
    reviewsHidden: counter(registry, {
      name: 'moderation_reviews_hidden_total',
      help: 'Reviews hidden after a high|critical flag',
      labelNames: ['severity'],
    }),
    confirmationFallbacks: counter(registry, {
      name: 'moderation_confirmation_fallbacks_total',
      help: 'Order confirmations sent from the fixed template instead of the model text',
      labelNames: ['reason'],
    }),
  };
}
