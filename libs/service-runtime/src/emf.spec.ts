import { bucketSamples, dimensionSets, emfSettingsFromEnv, startEmfExporter } from './emf';
import { counter, createMetricsRegistry, gauge, histogram } from './metrics';

function setup() {
  const registry = createMetricsRegistry('chat-gateway');
  const lines: Record<string, any>[] = [];
  const exporter = startEmfExporter({
    registry,
    service: 'chat-gateway',
    namespace: 'MangaAssist/test',
    intervalMs: 3_600_000,
    write: (line) => lines.push(JSON.parse(line)),
  });
  const requests = counter(registry, {
    name: 'chat_requests_total',
    help: 'r',
    labelNames: ['status', 'lang'],
  });
  const open = gauge(registry, { name: 'chat_websockets_open', help: 'o' });
  const latency = histogram(registry, {
    name: 'chat_model_duration_seconds',
    help: 'l',
    labelNames: ['model'],
    buckets: [1, 5, 20],
  });
  const of = (name: string) =>
    lines.filter((l) => l._aws.CloudWatchMetrics[0].Metrics.some((m: any) => m.Name === name));
  return { registry, lines, exporter, requests, open, latency, of };
}

describe('EMF export of the Prometheus registry', () => {
  it('is off unless METRICS_EMF=true, and validates its settings', () => {
    expect(emfSettingsFromEnv('svc', {})).toBeUndefined();
    expect(
      emfSettingsFromEnv('svc', { METRICS_EMF: 'true', METRICS_EMF_NAMESPACE: 'MangaAssist/prod' }),
    ).toEqual({
      namespace: 'MangaAssist/prod',
      intervalMs: 60_000,
    });
    expect(() => emfSettingsFromEnv('svc', { METRICS_EMF: 'maybe' })).toThrow(/METRICS_EMF/);
  });

  it('publishes counters as the increase since the last export, under the same name and labels', async () => {
    const { exporter, requests, of, lines } = setup();
    requests.inc({ status: '400', lang: 'ja' }, 3);
    await exporter.flush();
    const [first] = of('chat_requests_total');
    expect(first).toMatchObject({
      service: 'chat-gateway',
      status: '400',
      lang: 'ja',
      chat_requests_total: 3,
    });
    expect(first._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'MangaAssist/test',
      Metrics: [{ Name: 'chat_requests_total', Unit: 'Count' }],
    });
    expect(first._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['service'],
      ['service', 'lang'],
      ['service', 'status'],
      ['service', 'lang', 'status'],
    ]);
    requests.inc({ status: '400', lang: 'ja' }, 2);
    await exporter.flush();
    expect(of('chat_requests_total').map((l) => l.chat_requests_total)).toEqual([3, 2]);
    const before = lines.length;
    await exporter.flush();
    expect(of('chat_requests_total')).toHaveLength(2); // unchanged: nothing new published
    expect(lines.length - before).toBe(1); // only the gauge
    await exporter.stop();
  });

  it('publishes gauges as their value and histograms as samples at their bucket bounds', async () => {
    const { exporter, open, latency, of } = setup();
    open.set(42);
    for (const s of [0.5, 0.7, 3, 12, 30]) latency.observe({ model: 'haiku' }, s);
    await exporter.flush();
    expect(of('chat_websockets_open').at(-1)).toMatchObject({ chat_websockets_open: 42 });
    const [h] = of('chat_model_duration_seconds');
    expect(h).toMatchObject({ model: 'haiku' });
    expect(h._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'chat_model_duration_seconds', Unit: 'Seconds' },
    ]);
    // (0,1]: 2, (1,5]: 1, (5,20]: 1, (20,+Inf): 1 -> the last bucket is reported at its lower bound.
    expect(h.chat_model_duration_seconds).toEqual([1, 1, 5, 20, 20]);
    latency.observe({ model: 'haiku' }, 2);
    await exporter.flush();
    expect(of('chat_model_duration_seconds').at(-1)!.chat_model_duration_seconds).toBe(5);
    await exporter.stop();
  });

  it('keeps at most 100 samples per series, in proportion', () => {
    const samples = bucketSamples([1, 5, Infinity], [900, 100, 0]);
    expect(samples).toHaveLength(100);
    expect(samples.filter((s) => s === 1)).toHaveLength(90);
    expect(samples.filter((s) => s === 5)).toHaveLength(10);
    expect(bucketSamples([1, 5], [0, 0])).toEqual([]);
  });

  it('uses the service alone, each label and each pair of labels as dimension sets', () => {
    expect(dimensionSets('w', { a: '1', b: '2', c: '3' })).toEqual([
      { service: 'w' },
      { service: 'w', a: '1' },
      { service: 'w', b: '2' },
      { service: 'w', c: '3' },
      { service: 'w', a: '1', b: '2' },
      { service: 'w', a: '1', c: '3' },
      { service: 'w', b: '2', c: '3' },
    ]);
  });
});
