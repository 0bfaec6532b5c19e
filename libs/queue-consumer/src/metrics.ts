import { counter, gauge, histogram } from '@manga-assist/service-runtime';
import type { Registry } from 'prom-client';

export interface ConsumerMetrics {
  messages: { inc(labels: { outcome: string }, value?: number): void };
  sqsErrors: { inc(labels: { operation: string }, value?: number): void };
  inFlight: { set(value: number): void };
  duration: { startTimer(): () => void };
}

/** queue_consumer_* metrics, labelled with the queue; shared when several consumers use one registry. */
export function consumerMetrics(registry: Registry, queue: string): ConsumerMetrics {
  const messages = counter(registry, {
    name: 'queue_consumer_messages_total',
    help: 'Messages settled by outcome (succeeded, failed, poison, skipped)',
    labelNames: ['queue', 'outcome'],
  });
  const sqsErrors = counter(registry, {
    name: 'queue_consumer_sqs_errors_total',
    help: 'SQS calls that failed, by operation',
    labelNames: ['queue', 'operation'],
  });
  const inFlight = gauge(registry, {
    name: 'queue_consumer_in_flight',
    help: 'Messages received and not yet settled',
    labelNames: ['queue'],
  });
  const duration = histogram(registry, {
    name: 'queue_consumer_handler_seconds',
    help: 'Handler run time',
    labelNames: ['queue'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  });
  return {
    messages: { inc: (labels, value = 1) => messages.inc({ queue, ...labels }, value) },
    sqsErrors: { inc: (labels, value = 1) => sqsErrors.inc({ queue, ...labels }, value) },
    inFlight: { set: (value) => inFlight.set({ queue }, value) },
    duration: { startTimer: () => duration.startTimer({ queue }) },
  };
}
