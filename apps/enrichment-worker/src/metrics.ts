import {
  counter,
  gauge,
  histogram,
  type Counter,
  type Gauge,
  type Histogram,
  type Registry,
} from '@manga-assist/service-runtime';

export interface WorkerMetrics {
  jobs: Counter<'outcome' | 'type'>;
  catalogWriteErrors: Counter<'code' | 'severity'>;
  critical: Counter<'code' | 'table'>;
  throttles: Counter;
  limit: Gauge;
  limitChanges: Counter<'reason'>;
  jobSeconds: Histogram<'outcome'>;
  submitted: Counter;
  rejected: Counter<'reason'>;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return {
    jobs: counter(registry, {
      name: 'enrichment_jobs_total',
      help: 'Jobs by outcome (completed, failed, skipped, retry, duplicate)',
      labelNames: ['outcome', 'type'],
    }),
    catalogWriteErrors: counter(registry, {
      name: 'enrichment_catalog_write_errors_total',
      help: 'Catalog write failures by AWS error code and severity',
      labelNames: ['code', 'severity'],
    }),
    critical: counter(registry, {
      name: 'enrichment_critical_errors_total',
      help: 'Critical failures an alarm must watch (catalog AccessDenied / ResourceNotFound / Validation)',
      labelNames: ['code', 'table'],
    }),
    throttles: counter(registry, {
      name: 'enrichment_model_throttles_total',
      help: 'Model calls answered with throttling (or an open circuit)',
    }),
    limit: gauge(registry, {
      name: 'enrichment_concurrency_limit',
      help: 'Current adaptive concurrency limit',
    }),
    limitChanges: counter(registry, {
      name: 'enrichment_concurrency_limit_changes_total',
      help: 'Changes of the concurrency limit by reason (grow, probe, quota, background, back-to-ceiling)',
      labelNames: ['reason'],
    }),
    jobSeconds: histogram(registry, {
      name: 'enrichment_job_seconds',
      help: 'Job processing time',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
    }),
    submitted: counter(registry, {
      name: 'enrichment_jobs_submitted_total',
      help: 'Jobs accepted by the admin API',
    }),
    rejected: counter(registry, {
      name: 'enrichment_submit_rejected_total',
      help: 'Submissions refused by backpressure',
      labelNames: ['reason'],
    }),
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
