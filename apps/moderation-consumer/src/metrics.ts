import { Counter, getOrCreateMetric, type Registry } from '@manga-assist/service-runtime';

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

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return getOrCreateMetric(registry, name, () => new Counter<L>({ name, help, labelNames, registers: [registry] }));
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    events: counter(registry, 'moderation_events_total', 'Events received, by detail type and outcome', ['detail_type', 'outcome']),
    verdicts: counter(registry, 'moderation_verdicts_total', 'Moderation verdicts, by severity and source (model | fail_closed)', [
      'severity',
      'source',
    ]),
    failClosed: counter(registry, 'moderation_fail_closed_total', 'Verdicts that failed closed (flagged for human review)', ['reason']),
    outboundDeliveries: counter(registry, 'moderation_outbound_deliveries_total', 'Outbound webhooks, by target and final outcome', [
      'target',
      'outcome',
    ]),
    outboundAttempts: counter(registry, 'moderation_outbound_attempts_total', 'Outbound webhook HTTP attempts, by result', ['target', 'result']),
    outboundRetries: counter(registry, 'moderation_outbound_retries_total', 'Outbound webhook retries scheduled', ['target']),
    loopRejections: counter(registry, 'moderation_loop_rejections_total', 'Events rejected by a loop guard', ['reason', 'detail_type']),
    reviewsHidden: counter(registry, 'moderation_reviews_hidden_total', 'Reviews hidden after a high|critical flag', ['severity']),
    confirmationFallbacks: counter(
      registry,
      'moderation_confirmation_fallbacks_total',
      'Order confirmations sent from the fixed template instead of the model text',
      ['reason'],
    ),
  };
}
