import { Counter, Gauge, Histogram, getOrCreateMetric, type Registry } from '@manga-assist/service-runtime';

export interface WorkerMetrics {
  jobs: Counter<'outcome' | 'type'>;
  catalogWriteErrors: Counter<'code' | 'severity'>;
  critical: Counter<'code' | 'table'>;
  throttles: Counter;
  limit: Gauge;
  jobSeconds: Histogram<'outcome'>;
  submitted: Counter;
  rejected: Counter<'reason'>;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    getOrCreateMetric(registry, name, () => new Counter<L>({ name, help, labelNames, registers: [registry] }));
  return {
    jobs: counter('enrichment_jobs_total', 'Jobs by outcome (completed, failed, skipped, retry, duplicate)', ['outcome', 'type']),
    catalogWriteErrors: counter('enrichment_catalog_write_errors_total', 'Catalog write failures by AWS error code and severity', [
      'code',
      'severity',
    ]),
    critical: counter(
      'enrichment_critical_errors_total',
      'Critical failures an alarm must watch (catalog AccessDenied / ResourceNotFound / Validation)',
      ['code', 'table'],
    ),
    throttles: counter('enrichment_model_throttles_total', 'Model calls answered with throttling (or an open circuit)'),
    limit: getOrCreateMetric(
      registry,
      'enrichment_concurrency_limit',
      () => new Gauge({ name: 'enrichment_concurrency_limit', help: 'Current adaptive concurrency limit', registers: [registry] }),
    ),
    jobSeconds: getOrCreateMetric(
      registry,
      'enrichment_job_seconds',
      () =>
        new Histogram<'outcome'>({
          name: 'enrichment_job_seconds',
          help: 'Job processing time',
          labelNames: ['outcome'],
          buckets: [0.1, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
          registers: [registry],
        }),
    ),
    submitted: counter('enrichment_jobs_submitted_total', 'Jobs accepted by the admin API'),
    rejected: counter('enrichment_submit_rejected_total', 'Submissions refused by backpressure', ['reason']),
  };
}

/** Events per rolling minute, in one-second buckets (bounded memory). */
export function createRateWindow(windowSeconds = 60, now = Date.now) {
  const buckets = new Array<number>(windowSeconds).fill(0);
  const stamps = new Array<number>(windowSeconds).fill(-1);
  return {
    add(n = 1) {
      const s = Math.floor(now() / 1000);
      const i = s % windowSeconds;
      if (stamps[i] !== s) {
        stamps[i] = s;
        buckets[i] = 0;
      }
      buckets[i] += n;
    },
    total() {
      const s = Math.floor(now() / 1000);
      let sum = 0;
      for (let i = 0; i < windowSeconds; i++) if (stamps[i] > s - windowSeconds) sum += buckets[i];
      return sum;
    },
  };
}
