import { register as globalRegistry } from 'prom-client';
import { counter, createMetricsRegistry, gauge, histogram } from './metrics';

const fresh = () => createMetricsRegistry('svc', { defaults: false });

describe('the service registry', () => {
  it("has Node's default metrics, the event-loop lag among them", async () => {
    const text = await createMetricsRegistry('svc').metrics();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toMatch(new RegExp(`^${name}\\{service="svc"\\} `, 'm'));
  });
});

describe('metric helpers', () => {
  it('return the metric already registered under the name on a second call', () => {
    const registry = fresh();
    const first = counter(registry, { name: 'jobs_total', help: 'Jobs', labelNames: ['outcome'] });
    const second = counter(registry, { name: 'jobs_total', help: 'Jobs', labelNames: ['outcome'] });
    expect(second).toBe(first);
    expect(gauge(registry, { name: 'open', help: 'Open' })).toBe(
      gauge(registry, { name: 'open', help: 'Open' }),
    );
    expect(histogram(registry, { name: 'seconds', help: 'Time' })).toBe(
      histogram(registry, { name: 'seconds', help: 'Time' }),
    );
    expect(registry.getMetricsAsArray()).toHaveLength(3);
  });

  it('register in the given registry only, with the help and label names given', async () => {
    const registry = fresh();
    const other = fresh();
    const c = counter(registry, {
      name: 'helper_spec_events_total',
      help: 'Events by kind',
      labelNames: ['kind'],
    });
    c.inc({ kind: 'a' }, 2);

    expect(registry.getSingleMetric('helper_spec_events_total')).toBe(c);
    expect(other.getSingleMetric('helper_spec_events_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('helper_spec_events_total')).toBeUndefined();

    const text = await registry.metrics();
    expect(text).toContain('# HELP helper_spec_events_total Events by kind');
    expect(text).toContain('# TYPE helper_spec_events_total counter');
    expect(text).toContain('helper_spec_events_total{kind="a",service="svc"} 2');
    expect(() => c.inc({ other: 'x' } as never)).toThrow(/not included in initial labelset/);
  });

  it('keep gauge and histogram label names, and histogram buckets when given', async () => {
    const registry = fresh();
    const g = gauge(registry, { name: 'in_flight', help: 'In flight', labelNames: ['queue'] });
    g.set({ queue: 'q1' }, 3);
    const h = histogram(registry, {
      name: 'handler_seconds',
      help: 'Handler time',
      labelNames: ['queue'],
      buckets: [1, 5],
    });
    h.observe({ queue: 'q1' }, 2);

    expect((await g.get()).values).toEqual([{ labels: { queue: 'q1' }, value: 3 }]);
    const buckets = (await h.get()).values
      .filter((v) => v.metricName === 'handler_seconds_bucket')
      .map(({ labels, value }) => [(labels as Record<string, unknown>).le, labels.queue, value]);
    expect(buckets).toEqual([
      [1, 'q1', 0],
      [5, 'q1', 1],
      ['+Inf', 'q1', 1],
    ]);
    expect(() => g.set({ other: 'x' } as never, 1)).toThrow(/not included in initial labelset/);
  });

  it('fall back to prom-client defaults when label names or buckets are left out', async () => {
    const registry = fresh();
    counter(registry, { name: 'plain_total', help: 'Plain' }).inc();
    histogram(registry, { name: 'plain_seconds', help: 'Plain time' }).observe(0.2);

    const text = await registry.metrics();
    expect(text).toContain('plain_total{service="svc"} 1');
    expect(text).toContain('plain_seconds_bucket{le="0.25",service="svc"} 1');
    expect(text).toContain('plain_seconds_bucket{le="10",service="svc"} 1');
  });
});
