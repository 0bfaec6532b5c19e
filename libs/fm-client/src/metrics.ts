import { counter, gauge, histogram, type Registry } from '@manga-assist/service-runtime';
import type { CacheEvent } from './response-cache';

export type Operation = 'invoke' | 'stream';
export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated';

interface FmMetrics {
  call(
    labels: { model: string; operation: Operation; outcome: string; variant: string; cached: boolean },
    seconds: number,
  ): void;
  usage(model: string, inputTokens: number, outputTokens: number, costUsd: number): void;
  cache(event: CacheEvent): void;
  breaker(model: string, state: BreakerStateName): void;
  transientRetry(model: string, operation: Operation): void;
}

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, open: 1, 'half-open': 2, isolated: 3 };

const noop: FmMetrics = {
  call: () => undefined,
  usage: () => undefined,
  cache: () => undefined,
  breaker: () => undefined,
  transientRetry: () => undefined,
};

/** Prometheus metrics; a no-op without a registry. Model labels are ids from configuration (bounded). */
export function createFmMetrics(registry: Registry | undefined): FmMetrics {
  if (!registry) return noop;
  const calls = counter(registry, {
    name: 'fm_calls_total',
    help: 'Model calls by model, operation, outcome (ok or error code), variant and cache',
    labelNames: ['model', 'operation', 'outcome', 'variant', 'cached'],
  });
  const latency = histogram(registry, {
    name: 'fm_call_duration_seconds',
    help: 'Model call duration (whole answer), by model, operation and cache',
    labelNames: ['model', 'operation', 'cached'],
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 25, 30],
  });
  const tokens = counter(registry, {
    name: 'fm_tokens_total',
    help: 'Tokens billed by the model, by direction (input/output)',
    labelNames: ['model', 'direction'],
  });
  const cost = counter(registry, {
    name: 'fm_cost_usd_total',
    help: 'Model cost in USD',
    labelNames: ['model'],
  });
  const cacheEvents = counter(registry, {
    name: 'fm_cache_events_total',
    help: 'Response cache events: hit, miss, store, error, timeout, unavailable',
    labelNames: ['event'],
  });
  const transient = counter(registry, {
    name: 'fm_transient_retries_total',
    help: 'Model requests sent again at once after a connection reset (not throttling, not breaker failures)',
    labelNames: ['model', 'operation'],
  });
  const breakerState = gauge(registry, {
    name: 'fm_breaker_state',
    help: 'Circuit breaker per model: 0 closed, 1 open, 2 half-open, 3 isolated',
    labelNames: ['model'],
  });
  return {
    call({ model, operation, outcome, variant, cached }, seconds) {
      calls.inc({ model, operation, outcome, variant, cached: String(cached) });
      latency.observe({ model, operation, cached: String(cached) }, seconds);
    },
    usage(model, inputTokens, outputTokens, costUsd) {
      tokens.inc({ model, direction: 'input' }, inputTokens);
      tokens.inc({ model, direction: 'output' }, outputTokens);
      cost.inc({ model }, costUsd);
    },
    cache: (event) => cacheEvents.inc({ event }),
    breaker: (model, state) => breakerState.set({ model }, BREAKER_VALUE[state]),
    transientRetry: (model, operation) => transient.inc({ model, operation }),
  };
}
