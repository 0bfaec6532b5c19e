import { MetricsLogger, Unit } from 'aws-embedded-metrics';
import type { MetricsContext } from 'aws-embedded-metrics/lib/logger/MetricsContext';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { env, loadConfig } from './config';

/** CloudWatch Embedded Metric Format export of the Prometheus registry; off unless METRICS_EMF=true. */
const emfEnv = {
  METRICS_EMF: env.bool(false),
  METRICS_EMF_NAMESPACE: env.string('MangaAssist'),
  METRICS_EMF_INTERVAL_MS: env.int(60_000, { min: 1_000, max: 3_600_000 }),
};

interface EmfSettings {
  namespace: string;
  intervalMs: number;
}

export function emfSettingsFromEnv(
  service: string,
  source: Record<string, string | undefined> = process.env,
): EmfSettings | undefined {
  const c = loadConfig(service, z.object(emfEnv), source);
  return c.METRICS_EMF
    ? { namespace: c.METRICS_EMF_NAMESPACE, intervalMs: c.METRICS_EMF_INTERVAL_MS }
    : undefined;
}

interface EmfExporterOptions extends EmfSettings {
  registry: Registry;
  service: string;
  /** Where EMF lines go (stdout: CloudWatch Logs extracts the metrics from the task's log stream). */
  write?: (line: string) => void;
}

interface EmfExporter {
  /** Publishes what changed since the last export. */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  stop(): Promise<void>;
}

/** Node's default metrics stay in Prometheus only; CloudWatch has the platform's own for those. */
const SKIPPED = /^(process_|nodejs_)/;
/** At most this many samples per histogram series per export (EMF's limit per metric and event). */
const MAX_SAMPLES = 100;

type Labels = Record<string, string | number>;
interface Series {
  name: string;
  labels: Record<string, string>;
  values: number[];
  unit: Unit;
}

const labelsOf = (labels: Labels = {}) =>
  Object.fromEntries(
    Object.entries(labels)
      .filter(([k, v]) => k !== 'service' && k !== 'le' && String(v) !== '')
      .map(([k, v]) => [k, String(v)])
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/**
 * The dimension sets of a series: `service` alone, with each label and with each pair of labels
 * (what the alarms and the dashboard select on), so CloudWatch can aggregate like a PromQL `sum by`.
 */
export function dimensionSets(service: string, labels: Record<string, string>): Record<string, string>[] {
  const keys = Object.keys(labels);
  const sets: Record<string, string>[] = [{ service }];
  for (const k of keys) sets.push({ service, [k]: labels[k] });
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      sets.push({ service, [keys[i]]: labels[keys[i]], [keys[j]]: labels[keys[j]] });
    }
  }
  return sets;
}

/**
 * `counts[i]` observations fell in bucket `(bounds[i-1], bounds[i]]`: at most MAX_SAMPLES samples
 * at the bucket bounds, spread in proportion (largest remainder), for CloudWatch's percentiles.
 */
export function bucketSamples(bounds: number[], counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const scale = Math.min(1, MAX_SAMPLES / total);
  const exact = counts.map((c) => c * scale);
  const taken = exact.map(Math.floor);
  let left = Math.min(MAX_SAMPLES, total) - taken.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    taken[i]++;
  }
  const samples: number[] = [];
  taken.forEach((n, i) => {
    const finite = Number.isFinite(bounds[i]) ? bounds[i] : (bounds[i - 1] ?? 0);
    for (let k = 0; k < n; k++) samples.push(finite);
  });
  return samples;
}

/**
 * Exports the registry's metrics in EMF every `intervalMs`, under the same names with the labels
 * as dimensions: counters as the increase since the last export (nothing when unchanged), gauges
 * as their value, histograms as samples at their bucket bounds.
 */
export function startEmfExporter({
  registry,
  service,
  namespace,
  intervalMs,
  write = (line) => process.stdout.write(`${line}\n`),
}: EmfExporterOptions): EmfExporter {
  const serializer = new LogSerializer();
  const sink = {
    name: 'stdout',
    accept: async (context: MetricsContext) => {
      for (const line of serializer.serialize(context)) write(line);
    },
  };
  const environment = {
    probe: async () => true,
    getName: () => service,
    getType: () => 'ECS',
    getLogGroupName: () => '',
    configureContext: () => undefined,
    getSink: () => sink,
  };
  const last = new Map<string, number>();
  const delta = (key: string, value: number) => {
    const before = last.get(key) ?? 0;
    last.set(key, value);
    return value >= before ? value - before : value; // a reset counter starts over
  };

  const collect = async (): Promise<Series[]> => {
    const series: Series[] = [];
    for (const metric of await registry.getMetricsAsJSON()) {
      if (SKIPPED.test(metric.name)) continue;
      const type = String(metric.type); // prom-client's MetricType enum holds these strings
      const unit = metric.name.endsWith('_seconds')
        ? Unit.Seconds
        : type === 'counter'
          ? Unit.Count
          : Unit.None;
      if (type === 'counter' || type === 'gauge') {
        for (const v of metric.values) {
          const labels = labelsOf(v.labels as Labels);
          const value =
            type === 'counter' ? delta(`${metric.name}${JSON.stringify(labels)}`, v.value) : v.value;
          if (type === 'counter' && value === 0) continue;
          series.push({ name: metric.name, labels, values: [value], unit });
        }
      } else if (type === 'histogram') {
        type Group = { labels: Record<string, string>; buckets: [number, number][] };
        const groups = new Map<string, Group>();
        for (const v of metric.values as { value: number; labels: Labels; metricName?: string }[]) {
          if (!v.metricName?.endsWith('_bucket')) continue;
          const labels = labelsOf(v.labels);
          const key = JSON.stringify(labels);
          const group: Group = groups.get(key) ?? { labels, buckets: [] };
          const le = v.labels.le;
          group.buckets.push([le === '+Inf' ? Infinity : Number(le), v.value]);
          groups.set(key, group);
        }
        for (const [key, { labels, buckets }] of groups) {
          buckets.sort((a, b) => a[0] - b[0]);
          const counts = buckets.map(([le, cumulative], i) =>
            delta(`${metric.name}${key}${le}`, cumulative - (i > 0 ? buckets[i - 1][1] : 0)),
          );
          const values = bucketSamples(
            buckets.map(([le]) => le),
            counts,
          );
          if (values.length) series.push({ name: metric.name, labels, values, unit });
        }
      }
    }
    return series;
  };

  const flush = async () => {
    for (const s of await collect()) {
      const logger = new MetricsLogger(async () => environment);
      logger.setNamespace(namespace);
      logger.setDimensions(dimensionSets(service, s.labels), false);
      for (const value of s.values) logger.putMetric(s.name, value, s.unit);
      await logger.flush();
    }
  };
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(flush).catch(() => undefined);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    flush: () => (tick(), running),
    stop: async () => {
      clearInterval(timer);
      tick();
      await running;
    },
  };
}
