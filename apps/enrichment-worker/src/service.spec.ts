import { ConfigError } from '@manga-assist/service-runtime';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { loadEnrichmentWorkerConfig } from './config';
import {
  adminToken,
  manga,
  scaled,
  sleep,
  startWorkerHarness,
  submitJobs,
  waitFor,
  type WorkerHarness,
} from './test-support/harness';

const allDone = async (h: WorkerHarness, ids: string[]) => {
  const views = await Promise.all(ids.map((id) => h.worker.jobs.get(id)));
  return views;
};

describe('enrichment-worker service', () => {
  describe('with a healthy stack (model latency 200 ms)', () => {
    let h: WorkerHarness;
    beforeAll(async () => {
      h = await startWorkerHarness({
        // Starts at the max (no slow start): these tests check the gate, not how the limit moves.
        env: {
          WORKER_CONCURRENCY_MAX: '20',
          WORKER_CONCURRENCY_INITIAL: '20',
          VISIBILITY_TIMEOUT_SECONDS: '10',
        },
        stack: { bedrock: { profile: 'zero', faults: { extraLatencyMs: 200 } } },
      });
    });
    afterAll(() => h.stop());

    it('answers /healthz, /readyz and /metrics', async () => {
      expect((await h.api('/healthz')).status).toBe(200);
      expect((await h.api('/readyz')).body).toMatchObject({ status: 'ok' });
      const metrics = await (await fetch(`${h.worker.url}/metrics`)).text();
      expect(metrics).toContain('enrichment_concurrency_limit');
    });

    it('rejects an invalid environment naming every problem', () => {
      expect(() => loadEnrichmentWorkerConfig({ WORKER_CONCURRENCY_MAX: '0', PORT: 'x' })).toThrow(
        ConfigError,
      );
      expect(() => loadEnrichmentWorkerConfig({ WORKER_LIMIT_TOLERANCE: '0.9' })).toThrow(
        /WORKER_LIMIT_TOLERANCE/,
      );
      expect(() =>
        loadEnrichmentWorkerConfig({ WORKER_CONCURRENCY_MIN: '30', WORKER_CONCURRENCY_MAX: '20' }),
      ).toThrow(/WORKER_CONCURRENCY_MIN.*must not exceed WORKER_CONCURRENCY_MAX/);
    });

    it('runs jobs in parallel up to the limit and writes enrichment.<type> + lastUpdated, creating the map', async () => {
      h.stack.bedrock!.resetStats();
      // Model calls of 3 s: far longer than the bookkeeping between them even on a loaded machine,
      // so every slot the limit allows is seen busy at once, whatever the machine's speed.
      h.stack.bedrock!.setFaults({ extraLatencyMs: 3000 });
      const n = 60;
      let ids: string[];
      try {
        ids = await submitJobs(
          h,
          Array.from({ length: n }, (_, i) => ({ mangaId: `par-${i}`, type: 'synopsis' })),
        );
        await waitFor(async () => (await allDone(h, ids)).every((j) => j?.status === 'completed'));
      } finally {
        h.stack.bedrock!.setFaults({ extraLatencyMs: 200 });
      }
      const item = await h.catalogItem('par-7');
      expect(typeof item?.enrichment?.synopsis).toBe('string');
      expect(item?.enrichment?.lastUpdated).toMatch(/^\d{4}-/);
      // The emulator saw exactly the limit at once (across receive batches), never more.
      expect(h.stack.bedrock!.stats().peakConcurrency).toBe(20);
      const job = (await h.api(`/admin/jobs/${ids[0]}`)).body;
      expect(job).toMatchObject({ status: 'completed', attempts: 1, mangaId: 'par-0', type: 'synopsis' });
      expect(job.ttl).toBeGreaterThan(Date.now() / 1000);
    });

    it('a completed job shows what was generated, and the catalog item is readable through the admin API', async () => {
      const [id] = await submitJobs(h, [{ mangaId: 'readable-1', type: 'description' }]);
      await waitFor(async () => (await allDone(h, [id]))[0]?.status === 'completed');
      const job = (await h.api(`/admin/jobs/${id}`)).body;
      expect(job.result).toEqual({
        description: expect.stringMatching(/\w{10}/),
        tags: expect.arrayContaining(['manga']),
      });
      expect(job.links).toEqual({ catalogItem: '/admin/catalog/readable-1' });
      const item = await h.api(job.links.catalogItem);
      expect(item.status).toBe(200);
      expect(item.body).toMatchObject({
        mangaId: 'readable-1',
        enrichment: { description: job.result.description, tags: job.result.tags },
      });
      const missing = await h.api('/admin/catalog/nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('CATALOG_ITEM_NOT_FOUND');
    });

    it('the admin API is staff-only: no token 401, a customer token 403', async () => {
      const none = await h.api('/admin/stats', { token: '' });
      expect(none.status).toBe(401);
      const customer = await h.api('/admin/stats', { token: await adminToken([], 'customer-1') });
      expect(customer.status).toBe(403);
      expect(customer.body.error.code).toBe('FORBIDDEN');
      expect((await h.api('/admin/stats')).status).toBe(200);
    });

    it('applies the jobs of one manga in order and keeps earlier fields of the map', async () => {
      const types = ['synopsis', 'tags', 'description', 'synopsis', 'tags'];
      const ids = await submitJobs(
        h,
        types.map((type) => ({ mangaId: 'ordered-1', type })),
      );
      await waitFor(async () => (await allDone(h, ids)).every((j) => j?.status === 'completed'));
      const jobs = await allDone(h, ids);
      const completed = jobs.map((j) => Date.parse(j!.completedAt!));
      const started = jobs.map((j) => Date.parse(j!.startedAt!));
      for (let i = 1; i < ids.length; i++) expect(started[i]).toBeGreaterThanOrEqual(completed[i - 1]);
      const item = await h.catalogItem('ordered-1');
      expect(Object.keys(item!.enrichment).sort()).toEqual([
        'description',
        'lastUpdated',
        'synopsis',
        'tags',
      ]);
      expect(Array.isArray(item!.enrichment.tags)).toBe(true);
    });

    it('brings back exactly the jobs that failed (3 of 10) and completes them on retry', async () => {
      h.stack.bedrock!.setFaults({ failNext: { type: 'InternalServerException', count: 3 } });
      const ids = await submitJobs(
        h,
        Array.from({ length: 10 }, (_, i) => ({ mangaId: `pf-${i}`, type: 'tags' })),
      );
      await waitFor(async () => (await allDone(h, ids)).every((j) => j?.status === 'completed'), 60_000);
      const attempts = (await allDone(h, ids)).map((j) => j!.attempts);
      expect(attempts.filter((a) => a === 2)).toHaveLength(3);
      expect(attempts.filter((a) => a === 1)).toHaveLength(7);
      h.stack.bedrock!.resetFaults();
      h.stack.bedrock!.setFaults({ extraLatencyMs: 200 });
    });

    it('poison: records the job failed with why and moves it to the DLQ without retries', async () => {
      await h.sendRaw([
        {
          body: JSON.stringify({
            kind: 'enrichment-job',
            jobId: 'poison-1',
            mangaId: 'm-1',
            submittedAt: 'x',
          }),
          groupId: 'm-1',
          dedupId: 'p1',
        },
        { body: '{"kind": "enrichment-job", "jobId": "poison-2",', groupId: 'm-2', dedupId: 'p2' },
      ]);
      await waitFor(async () => (await h.worker.jobs.get('poison-1'))?.status === 'failed');
      const job = (await h.api('/admin/jobs/poison-1')).body;
      expect(job).toMatchObject({ status: 'failed', errorCode: 'INVALID_JOB' });
      expect(job.reason).toMatch(/type/);
      expect(job.message.ja).toBeTruthy();
      const dead = await (async () => {
        let found: Awaited<ReturnType<WorkerHarness['dlqMessages']>> = [];
        await waitFor(async () => (found = [...found, ...(await h.dlqMessages())]).length >= 2);
        return found;
      })();
      expect(dead.map((d) => d.attributes.DlqReceiveCount)).toEqual(['1', '1']);
      expect(dead.map((d) => d.attributes.DlqReason).sort()).toEqual([
        expect.stringMatching(/^BAD_JSON/),
        expect.stringMatching(/^INVALID_JOB/),
      ]);
      // The unparseable one is recorded under the id of its message.
      const badJson = h.logs.find((l) => l.code === 'BAD_JSON');
      expect(badJson?.jobId).toMatch(/^message-/);
    });

    it('CatalogUpdate events from the EventBridge rule: new releases enriched, discontinued skipped with a reason', async () => {
      const put = (type: string, id: string) => ({
        Source: 'mangaassist.catalog',
        DetailType: `CatalogUpdate.${type}`,
        EventBusName: h.stack.names.eventBusName,
        Detail: JSON.stringify({
          product_id: id,
          title: `T ${id}`,
          update_type: type,
          data: { author: 'A', genre: 'seinen' },
          processing_stage: 'raw',
          _chain_depth: 0,
        }),
      });
      const out = await h.stack.clients.eventBridge.send(
        new PutEventsCommand({ Entries: [put('new_release', 'cu-1'), put('discontinued', 'cu-2')] }),
      );
      expect(out.FailedEntryCount).toBe(0);
      const [newId, discId] = out.Entries!.map((e) => `event-${e.EventId}`);
      await waitFor(
        async () =>
          (await h.worker.jobs.get(newId))?.status === 'completed' &&
          (await h.worker.jobs.get(discId))?.status === 'skipped',
      );
      expect((await h.worker.jobs.get(discId))?.reason).toBe('discontinued_product');
      const item = await h.catalogItem('cu-1');
      expect(item?.enrichment).toMatchObject({ description: expect.any(String), tags: expect.any(Array) });
      expect(await h.catalogItem('cu-2')).toBeUndefined();
    });

    it('stats report queue depth, in-flight, age of oldest, rates, limit and throttles', async () => {
      const stats = (await h.api('/admin/stats')).body;
      expect(stats).toMatchObject({
        queue: { visible: expect.any(Number), inFlight: expect.any(Number) },
        inFlight: expect.any(Number),
        oldestMessageAgeSeconds: expect.any(Number),
        concurrencyLimit: 20,
        throttlesSeen: 0,
      });
      expect(stats.completedPerMinute).toBeGreaterThan(0);
      expect(stats.failedPerMinute).toBeGreaterThan(0);
    });

    it('unknown job -> 404 in the language asked for (Japanese or English); invalid submission -> 400', async () => {
      const res = await h.api('/admin/jobs/nope', { headers: { 'accept-language': 'en' } });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'JOB_NOT_FOUND', message: 'Job not found.' });
      const ja = await h.api('/admin/jobs/nope', { headers: { 'accept-language': 'ja' } });
      expect(ja.headers.get('content-language')).toBe('ja');
      expect(ja.body.error).toEqual({ code: 'JOB_NOT_FOUND', message: 'ジョブが見つかりません。' });
      expect((await h.api('/admin/jobs', { body: { mangaId: 'x', type: 'poem' } })).status).toBe(400);
    });

    it('SIGTERM drains: in-flight jobs finish and nothing stays in progress', async () => {
      h.stack.bedrock!.setFaults({ extraLatencyMs: 1500 });
      const ids = await submitJobs(
        h,
        Array.from({ length: 10 }, (_, i) => ({ mangaId: `drain-${i}`, type: 'synopsis' })),
      );
      await waitFor(() => h.worker.limiter.running === 10);
      const code = await h.runtime.shutdown.trigger('SIGTERM');
      expect(code).toBe(0);
      const jobs = await allDone(h, ids);
      expect(jobs.map((j) => j?.status)).toEqual(Array(10).fill('completed'));
      h.stack.bedrock!.setFaults({ extraLatencyMs: 200 });
      await h.restart();
    });
  });

  it('start-up permission check: started against a missing Catalog table, the worker is not ready and says why in one log line', async () => {
    const missing = `MangaAssist-Catalog-missing-${Date.now()}`;
    const h = await startWorkerHarness({ env: { CATALOG_TABLE: missing } });
    try {
      let ready: Awaited<ReturnType<typeof h.api>> | undefined;
      await waitFor(async () => (ready = await h.api('/readyz')).status === 503);
      expect(ready!.body.status).toBe('unavailable');
      expect(ready!.body.checks).toContainEqual(
        expect.objectContaining({ name: `dynamodb-write:${missing}`, ok: false, critical: true }),
      );
      const lines = h.logs.filter((l) => l.check === 'startup-write');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'error', table: missing, error: 'ResourceNotFoundException' });
      expect(String(lines[0].msg)).toMatch(
        new RegExp(
          `^permission check failed: cannot write to table ${missing} \\(ResourceNotFoundException: .*\\); not ready$`,
        ),
      );
    } finally {
      await h.stop();
    }
  });

  it('scenario 5: Catalog table missing -> jobs fail with the code (API, error log, alarm metric), none in progress', async () => {
    const h = await startWorkerHarness({ env: { WORKER_CONCURRENCY_MAX: '10' } });
    try {
      // The table disappears after the start-up permission check passed (that check is tested above).
      await waitFor(async () => (await h.api('/readyz')).body.status === 'ok');
      await h.stack.clients.dynamodb.send(
        new DeleteTableCommand({ TableName: h.stack.names.tables.catalog }),
      );
      const ids = await submitJobs(
        h,
        Array.from({ length: 5 }, (_, i) => ({ mangaId: `s5-${i}`, type: 'synopsis' })),
      );
      await waitFor(async () => (await allDone(h, ids)).every((j) => j?.status === 'failed'));
      for (const id of ids) {
        const job = (await h.api(`/admin/jobs/${id}`)).body;
        expect(job).toMatchObject({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
        expect(job.reason).toContain(h.stack.names.tables.catalog);
        expect(job.leaseUntil).toBeUndefined();
      }
      const errors = h.logs.filter((l) => l.level === 'error' && l.code === 'ResourceNotFoundException');
      expect(errors).toHaveLength(5);
      expect(errors[0]).toMatchObject({
        table: h.stack.names.tables.catalog,
        jobId: expect.any(String),
        mangaId: expect.any(String),
      });
      const metrics = await (await fetch(`${h.worker.url}/metrics`)).text();
      expect(metrics).toMatch(
        /enrichment_critical_errors_total\{code="ResourceNotFoundException",table="[^"]+",service="enrichment-worker"\} 5/,
      );
      expect((await h.api('/readyz')).body.status).toBe('degraded');
      const dead = await h.dlqMessages();
      expect(dead).toHaveLength(5);
    } finally {
      await h.stop();
    }
  });

  it('scenario 4: model quota 20, a burst of jobs: all complete, none in the DLQ, the limit settles near the quota', async () => {
    const n = scaled(2000, 200);
    const h = await startWorkerHarness({
      // 1 s model latency: long enough for 100 jobs in flight on dynalite (~4 writes per job).
      env: {
        WORKER_CONCURRENCY_MAX: '100',
        VISIBILITY_TIMEOUT_SECONDS: '20',
      },
      stack: { bedrock: { profile: 'zero', faults: { extraLatencyMs: 1000, concurrencyLimit: 20 } } },
    });
    try {
      const ids = await submitJobs(
        h,
        Array.from({ length: n }, (_, i) => ({ mangaId: `s4-${i}`, type: 'synopsis' })),
        1000,
      );
      const limits: number[] = [];
      const throttledAndRequests = () => {
        const model = h.stack.bedrock!.stats();
        return [model.errors.ThrottlingException ?? 0, model.requests] as const;
      };
      let atHalfway: readonly [number, number] | undefined;
      await waitFor(
        async () => {
          limits.push(h.worker.limiter.limit);
          const { completed } = h.worker.processor.counters();
          if (!atHalfway && completed >= n / 2) atHalfway = throttledAndRequests();
          return completed >= n;
        },
        800_000,
        100,
      );
      const statuses = await allDone(h, ids);
      expect(statuses.every((j) => j?.status === 'completed')).toBe(true);
      expect(await h.dlqMessages()).toHaveLength(0);
      const stats = (await h.api('/admin/stats')).body;
      expect(stats.throttlesSeen).toBeGreaterThan(0);
      const secondHalf = limits.slice(Math.floor(limits.length / 2));
      const mean = secondHalf.reduce((a, b) => a + b, 0) / secondHalf.length;
      const [throttled, requests] = throttledAndRequests();
      const [throttledBefore, requestsBefore] = atHalfway!;
      // Model calls throttled while the second half of the jobs ran (after the start-up burst at 100).
      const throttledShare = (throttled - throttledBefore) / (requests - requestsBefore);
      process.stdout.write(
        `scenario 4: ${n} jobs, quota 20 -> throttles ${stats.throttlesSeen}, ${(100 * throttledShare).toFixed(1)}% of ` +
          `model calls throttled in the 2nd half, limit mean (2nd half) ${mean.toFixed(1)}, ` +
          `range ${Math.min(...secondHalf)}-${Math.max(...secondHalf)}, emulator peak ${h.stack.bedrock!.stats().peakConcurrency}\n`,
      );
      // The limit backed off from 100 and did not collapse.
      expect(h.worker.limiter.decreases).toBeGreaterThan(0);
      expect(mean).toBeGreaterThanOrEqual(8);
      // No upper bound on the limit sampled by the wall clock: on a loaded machine the worker keeps
      // fewer calls in flight than the limit allows (dynalite is slow), windows are clean and the
      // limit grows unused. What does not depend on speed: once backed off, nearly every model call
      // fits the quota. A limit that stayed at 100 for a quota of 20 would see most calls throttled.
      expect(throttledShare).toBeLessThan(0.2);
    } finally {
      await h.stop();
    }
  }, 900_000);

  it('backpressure: a bulk submission beyond the backlog threshold answers 429 with Retry-After', async () => {
    const h = await startWorkerHarness({ env: { WORKER_CONSUME: 'false', BACKLOG_MAX: '50' } });
    try {
      const first = await h.api('/admin/jobs', {
        body: {
          jobs: Array.from({ length: 40 }, (_, i) => ({ mangaId: `bp-${i}`, type: 'tags', manga: manga(i) })),
        },
      });
      expect(first.status).toBe(202);
      expect(first.body.accepted).toBe(40);
      await sleep(1100); // depth is cached for 1 s
      const second = await h.api('/admin/jobs', {
        body: {
          jobs: Array.from({ length: 20 }, (_, i) => ({ mangaId: `bq-${i}`, type: 'tags', manga: manga(i) })),
        },
      });
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(second.body.error).toMatchObject({ code: 'BACKPRESSURE', reason: 'backlog', backlog: 40 });
      const one = await h.api('/admin/jobs', {
        body: { mangaId: 'bp-x', type: 'synopsis', manga: manga(1) },
      });
      expect(one.status).toBe(202);
      expect((await h.api(`/admin/jobs/${one.body.jobs[0].jobId}`)).body.status).toBe('queued');
    } finally {
      await h.stop();
    }
  });
});
