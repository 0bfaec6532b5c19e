import { createLogger, createMetricsRegistry } from '@manga-assist/service-runtime';
import { createConsumerMetrics } from '../metrics';
import type {
  FlagPublisherPort,
  HandlerContext,
  HideInfo,
  ModelPort,
  ModelRequest,
  OutboundPort,
  ReviewsPort,
  ReviewStatus,
  StoredModeration,
} from '../ports';

/** In-memory stand-ins for unit tests of the handlers' logic (integration tests use the real stack). */
export function fakeReviews() {
  const items = new Map<
    string,
    { status?: ReviewStatus; moderation?: StoredModeration; hidden?: HideInfo }
  >();
  const port: ReviewsPort = {
    async getModeration(id) {
      return items.get(id)?.moderation;
    },
    async saveModeration(id, _product, moderation, status) {
      const item = items.get(id) ?? {};
      items.set(id, { ...item, moderation, status: item.status === 'hidden' ? 'hidden' : status });
    },
    async markFlagPublished(id, eventId, flaggedEventId) {
      const m = items.get(id)?.moderation;
      if (m && m.event_id === eventId) m.flagged_event_id = flaggedEventId;
    },
    async hide(id, info) {
      const item = items.get(id) ?? {};
      if (item.status === 'hidden') return 'already_hidden';
      items.set(id, { ...item, status: 'hidden', hidden: info });
      return 'hidden';
    },
  };
  return { port, items };
}

export function scriptedModel(reply: (req: ModelRequest) => string | Error) {
  const calls: ModelRequest[] = [];
  const port: ModelPort = {
    async complete(req) {
      calls.push(req);
      const r = reply(req);
      if (r instanceof Error) throw r;
      return { text: r, modelId: 'anthropic.claude-3-haiku-20240307-v1:0' };
    },
  };
  return { port, calls };
}

export function recordingPublisher() {
  const published: Record<string, unknown>[] = [];
  const port: FlagPublisherPort = {
    async publishModerationFlagged(detail) {
      published.push(detail as Record<string, unknown>);
      return `flag-${published.length}`;
    },
  };
  return { port, published };
}

export function recordingOutbound(result: 'delivered' | 'dead_lettered' = 'delivered') {
  const sent: { target: string; id: string; payload: Record<string, unknown> }[] = [];
  const port: OutboundPort = {
    async deliver(target, id, payload) {
      sent.push({ target, id, payload });
      return result;
    },
  };
  return { port, sent };
}

export function testMetrics() {
  const registry = createMetricsRegistry('moderation-consumer-test', { defaults: false });
  return { registry, metrics: createConsumerMetrics(registry) };
}

export async function counterValue(
  registry: ReturnType<typeof createMetricsRegistry>,
  name: string,
  labels: Record<string, string> = {},
) {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) =>
      Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

export const silentLogger = createLogger({ service: 'moderation-consumer-test', level: 'silent' });

export function context<D>(detail: D, overrides: Partial<HandlerContext<D>> = {}): HandlerContext<D> {
  return {
    envelope: {
      id: 'evt-1',
      source: 'mangaassist.webhooks',
      'detail-type': 'X',
      time: '2026-11-22T00:00:00Z',
      detail,
    },
    detail,
    depth: 0,
    receiveCount: 1,
    signal: new AbortController().signal,
    log: silentLogger,
    ...overrides,
  };
}
