import { createTraceStore, decodeOtlpJson, summarize, waterfall } from './store';
import { renderTrace } from './page';
import { startTraceCollector } from './server';
import { gzipSync } from 'node:zlib';

const T = '5759e988bd862e3fe1be46a994272793';
const span = (
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  startMs: number,
  durMs: number,
  extra: object = {},
) => ({
  traceId: T,
  spanId,
  ...(parentSpanId ? { parentSpanId } : {}),
  name,
  kind: 2,
  startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
  endTimeUnixNano: String(BigInt(startMs + durMs) * 1_000_000n),
  attributes: [
    { key: 'event.detail_type', value: { stringValue: 'ReviewSubmitted' } },
    { key: 'tokens', value: { intValue: '42' } },
  ],
  status: {},
  ...extra,
});
const request = (service: string, spans: object[]) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans }],
    },
  ],
});

describe('local trace store (OTLP/HTTP JSON)', () => {
  it('decodes spans with their service, times, attributes and status', () => {
    const [s] = decodeOtlpJson(
      request('webhook-receiver', [
        span('aaaaaaaaaaaaaaaa', undefined, 'POST /webhooks/:source', 1000, 12, {
          status: { code: 2, message: 'boom' },
        }),
      ]),
    );
    expect(s).toMatchObject({
      traceId: T,
      spanId: 'aaaaaaaaaaaaaaaa',
      service: 'webhook-receiver',
      kind: 'server',
      startMs: 1000,
      durationMs: 12,
      status: 'error',
      statusMessage: 'boom',
      attributes: { 'event.detail_type': 'ReviewSubmitted', tokens: 42 },
    });
    expect(() => decodeOtlpJson({ spans: [] })).toThrow(/resourceSpans/);
  });

  it('joins spans of one trace from several services into a waterfall, children under parents by start', () => {
    const store = createTraceStore();
    store.add(
      decodeOtlpJson(
        request('moderation-consumer', [
          span('cccccccccccccccc', 'bbbbbbbbbbbbbbbb', 'process message', 1020, 30),
        ]),
      ),
    );
    store.add(
      decodeOtlpJson(
        request('webhook-receiver', [
          span('bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa', 'publish ReviewSubmitted', 1005, 3),
          span('dddddddddddddddd', 'aaaaaaaaaaaaaaaa', 'verify signature', 1001, 1),
          span('aaaaaaaaaaaaaaaa', undefined, 'POST /webhooks/:source', 1000, 12),
        ]),
      ),
    );
    const spans = store.get(T)!;
    expect(waterfall(spans).map(({ span: s, depth }) => `${depth}:${s.name}`)).toEqual([
      '0:POST /webhooks/:source',
      '1:verify signature',
      '1:publish ReviewSubmitted',
      '2:process message',
    ]);
    expect(summarize(T, spans)).toMatchObject({
      root: 'POST /webhooks/:source',
      spans: 4,
      durationMs: 50,
      services: ['moderation-consumer', 'webhook-receiver'],
    });
  });

  it('keeps only the most recent traces', () => {
    const store = createTraceStore({ maxTraces: 2 });
    for (const id of ['1', '2', '3'])
      store.add(
        decodeOtlpJson(
          request('s', [
            { ...span('aaaaaaaaaaaaaaaa', undefined, id, Number(id), 1), traceId: id.repeat(32) },
          ]),
        ),
      );
    expect(store.list().map((t) => t.root)).toEqual(['3', '2']);
  });

  it('escapes what it renders', () => {
    const [s] = decodeOtlpJson(
      request('<svc>', [span('aaaaaaaaaaaaaaaa', undefined, '<script>x</script>', 1, 1)]),
    );
    const html = renderTrace(T, [s]);
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;script&gt;');
  });

  it('the receiver accepts JSON (gzip too), refuses protobuf, and serves the pages', async () => {
    const collector = await startTraceCollector();
    try {
      const body = JSON.stringify(
        request('chat-gateway', [span('aaaaaaaaaaaaaaaa', undefined, 'WS sendMessage', 1000, 5)]),
      );
      const ok = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(body),
      });
      expect(ok.status).toBe(200);
      const proto = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: 'x',
      });
      expect(proto.status).toBe(415);
      const list = await (await fetch(`${collector.url}/`)).text();
      expect(list).toContain(`/traces/${T}`);
      const page = await (await fetch(`${collector.url}/traces/${T}`)).text();
      expect(page).toContain('WS sendMessage');
      expect((await fetch(`${collector.url}/traces/${'f'.repeat(32)}`)).status).toBe(404);
    } finally {
      await collector.stop();
    }
  });
});
