import { counter, gauge, histogram, type Registry } from '@manga-assist/service-runtime';

/**
 * Gateway metrics. Model-level figures (calls, model latency, tokens, cost, cache hits, breaker
 * state) come from fm-client's metrics in the same registry; these add the request view.
 */
export function createGatewayMetrics(registry: Registry) {
  const requests = counter(registry, {
    name: 'chat_requests_total',
    help: 'Chat requests by action, transport, outcome status and language',
    labelNames: ['action', 'transport', 'status', 'lang'],
  });
  const duration = histogram(registry, {
    name: 'chat_request_duration_seconds',
    help: 'Whole chat request latency (validation to final answer)',
    labelNames: ['action', 'transport', 'path'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 29],
  });
  const modelDuration = histogram(registry, {
    name: 'chat_model_duration_seconds',
    help: 'Model time inside a chat request, by path taken and model',
    labelNames: ['path', 'model'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 16, 25],
  });
  const fallbacks = counter(registry, {
    name: 'chat_fallbacks_total',
    help: 'Answers that left the primary path: fallback (Haiku, less context) or apology, by cause',
    labelNames: ['path', 'reason'],
  });
  const openWebsockets = gauge(registry, {
    name: 'chat_websockets_open',
    help: 'Open WebSocket connections',
  });
  const wsEvents = counter(registry, {
    name: 'chat_websocket_events_total',
    help: 'WebSocket events: slow consumers cut off, dead connections reaped, upgrades refused',
    labelNames: ['event', 'reason'],
  });
  const publishFailures = counter(registry, {
    name: 'chat_event_publish_failures_total',
    help: 'Bus events (InferenceCompleted, MessageReceived) that could not be published (logged; the chat is unaffected)',
    labelNames: ['reason'],
  });
  const summaries = counter(registry, {
    name: 'chat_summaries_total',
    help: 'Background summarisations by outcome',
    labelNames: ['outcome'],
  });
  const sessionWrites = counter(registry, {
    name: 'chat_session_events_total',
    help: 'Session store events: messages dropped to bound the item, failed writes, answers given without the previous exchange (stale_context)',
    labelNames: ['event'],
  });
  return {
    request(
      action: string,
      transport: string,
      status: number | string,
      lang: string,
      seconds: number,
      path = 'none',
    ) {
      requests.inc({ action, transport, status: String(status), lang });
      duration.observe({ action, transport, path }, seconds);
    },
    model(path: string, model: string, seconds: number) {
      modelDuration.observe({ path, model }, seconds);
    },
    fallback(path: 'fallback' | 'apology', reason: string) {
      fallbacks.inc({ path, reason });
    },
    websocketOpen(delta: number) {
      openWebsockets.inc(delta);
    },
    websocketEvent(event: string, reason = '') {
      wsEvents.inc({ event, reason });
    },
    publishFailed(reason: string) {
      publishFailures.inc({ reason });
    },
    summary(outcome: string) {
      summaries.inc({ outcome });
    },
    session(event: string, n = 1) {
      sessionWrites.inc({ event }, n);
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
