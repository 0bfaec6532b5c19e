import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '@manga-assist/aws-clients';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createJobReaper } from './reaper';
import {
  adminToken,
  manga,
  startWorkerHarness,
  submitJobs,
  TEST_AUTH,
  waitFor,
} from './test-support/harness';

const ROOT = join(__dirname, '../../..');

describe('recovery after an outage (DLQ list and redrive through the admin API)', () => {
  it('20 jobs failed by a missing catalog table are listed with their reason, then redriven: back to queued, all 20 complete once the table is back', async () => {
    const h = await startWorkerHarness({
      env: { WORKER_CONCURRENCY_MAX: '10', REAPER_INTERVAL_SECONDS: '1' },
    });
    try {
      const catalog = h.stack.names.tables.catalog;
      await h.stack.clients.dynamodb.send(new DeleteTableCommand({ TableName: catalog }));
      const ids = await submitJobs(
        h,
        Array.from({ length: 20 }, (_, i) => ({ mangaId: `redrive-${i}`, type: 'synopsis' })),
      );
      const statuses = async () =>
        Promise.all(ids.map(async (id) => (await h.api(`/admin/jobs/${id}`)).body));
      await waitFor(async () => (await statuses()).every((j) => j.status === 'failed'), 60_000, 200);

      const listed = await h.api('/admin/dlq');
      expect(listed.status).toBe(200);
      expect(listed.body.count).toBe(20);
      expect(Object.keys(listed.body.byReason)).toHaveLength(1);
      expect(Object.keys(listed.body.byReason)[0]).toMatch(/ResourceNotFoundException/);
      expect(listed.body.messages.map((m: { jobId: string }) => m.jobId).sort()).toEqual([...ids].sort());
      // Listing leaves the messages where they are.
      expect((await h.api('/admin/dlq')).body.count).toBe(20);
      // A reason that matches nothing moves nothing.
      expect(
        (await h.api('/admin/dlq/redrive', { body: { reason: 'ThrottlingException' } })).body,
      ).toMatchObject({ moved: 0, kept: 20 });

      const definition = tableDefinitions(h.stack.names).find((d) => d.TableName === catalog)!;
      await h.stack.clients.dynamodb.send(new CreateTableCommand(definition));
      const redrive = await h.api('/admin/dlq/redrive', { body: { reason: 'resourcenotfound' } });
      expect(redrive.status).toBe(200);
      expect(redrive.body).toMatchObject({ mode: 'copy', moved: 20, kept: 0, failures: [] });
      // Each job went back to queued before its message was sent (the worker may already have taken it further).
      const after = (await statuses()).map((j) => j.status);
      expect(after.filter((s) => !['queued', 'in_progress', 'completed'].includes(s))).toEqual([]);

      await waitFor(async () => (await statuses()).every((j) => j.status === 'completed'), 60_000, 200);
      for (const id of ids)
        expect((await h.api(`/admin/jobs/${id}`)).body).toMatchObject({ status: 'completed' });
      expect((await h.catalogItem('redrive-0'))?.enrichment?.synopsis).toBeTruthy();
      expect((await h.api('/admin/dlq')).body.count).toBe(0);
    } finally {
      await h.stop();
    }
  }, 120_000);

  it('the reaper fails an in-progress job past its lease and leaves finished ones alone', async () => {
    const h = await startWorkerHarness({ env: { REAPER_INTERVAL_SECONDS: '0' } });
    try {
      const { documentClient } = h.stack.clients;
      const table = h.stack.names.tables.enrichmentJobs;
      const put = (jobId: string, status: string, leaseUntil?: number) =>
        documentClient.send(
          new PutCommand({
            TableName: table,
            Item: {
              jobId,
              mangaId: 'm',
              type: 'synopsis',
              status,
              attempts: 1,
              createdAt: 'x',
              updatedAt: 'x',
              ttl: 0,
              ...(leaseUntil ? { leaseUntil } : {}),
            },
          }),
        );
      await put('lease-expired', 'in_progress', Date.now() - 1000);
      await put('lease-live', 'in_progress', Date.now() + 600_000);
      await put('lease-done', 'completed');
      const reaper = createJobReaper({
        sqs: h.stack.clients.sqs,
        dlqUrl: h.stack.env.ENRICHMENT_DLQ,
        jobs: h.worker.jobs,
        logger: h.runtime.logger,
        maxReceives: 5,
        leaseSeconds: 900,
        intervalMs: 60_000,
      });
      expect(await reaper.sweep()).toEqual({ fromDlq: 0, expiredLeases: 1 });
      expect((await h.api('/admin/jobs/lease-expired')).body).toMatchObject({
        status: 'failed',
        errorCode: 'LEASE_EXPIRED',
        reason: expect.stringContaining('900 s lease'),
      });
      expect((await h.api('/admin/jobs/lease-live')).body.status).toBe('in_progress');
      expect((await h.api('/admin/jobs/lease-done')).body.status).toBe('completed');
      expect(await reaper.sweep()).toEqual({ fromDlq: 0, expiredLeases: 0 });
    } finally {
      await h.stop();
    }
  });

  it('a redrive request with unknown fields is refused in the one error shape', async () => {
    const h = await startWorkerHarness();
    try {
      const res = await h.api('/admin/dlq/redrive', { body: { reasons: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'INVALID_REDRIVE',
        message: expect.stringContaining('reason'),
        issues: expect.any(Array),
      });
    } finally {
      await h.stop();
    }
  });
});

/** The worker as its own process (tsx on main.ts), so it can be SIGKILLed like a crashed container. */
function startWorkerProcess(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'apps/enrichment-worker/src/main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + String(d)).slice(-20_000)));
  child.stderr?.on('data', (d) => (output = (output + String(d)).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => output };
}

describe('a job killed on its last allowed receive', () => {
  let stack: LocalStack;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({
      redis: false,
      eventbridge: false,
      maxReceiveCount: 2,
      bedrock: { profile: 'zero' },
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stack.stop();
  });

  it('ends failed with the reason once its message reaches the DLQ', async () => {
    const env = {
      ...stack.env,
      ...TEST_AUTH,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      JOB_MAX_RECEIVES: '2',
      VISIBILITY_TIMEOUT_SECONDS: '2',
      WORKER_WAIT_TIME_SECONDS: '1',
      REAPER_INTERVAL_SECONDS: '1',
    };
    const job = async (jobId: string) =>
      (
        await stack.clients.documentClient.send(
          new GetCommand({
            TableName: stack.names.tables.enrichmentJobs,
            Key: { jobId },
            ConsistentRead: true,
          }),
        )
      ).Item;

    // The model never answers while the first two workers hold the job: each is killed mid-job.
    stack.bedrock!.setFaults({ hangRate: 1 });
    const staff = await adminToken();
    let worker = startWorkerProcess(env);
    children.push(worker.child);
    let jobId = '';
    await waitFor(
      async () => {
        const res = await fetch(
          `${/"url":"(http:[^"]+)"/.exec(worker.output())?.[1] ?? 'http://127.0.0.1:1'}/admin/jobs`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
            body: JSON.stringify({ mangaId: 'last-receive', type: 'synopsis', manga: manga(1) }),
          },
        ).catch(() => undefined);
        if (res?.status !== 202) return false;
        jobId = ((await res.json()) as { jobs: { jobId: string }[] }).jobs[0].jobId;
        return true;
      },
      60_000,
      200,
    );

    for (const receive of [1, 2]) {
      await waitFor(
        async () => {
          const item = await job(jobId);
          return item?.status === 'in_progress' && item.attempts === receive;
        },
        60_000,
        100,
      );
      worker.child.kill('SIGKILL');
      await worker.exited;
      if (receive === 2) stack.bedrock!.setFaults({});
      worker = startWorkerProcess(env);
      children.push(worker.child);
    }

    // Receive 2 was the last allowed one: SQS parks the message in the DLQ, the reaper ends the job.
    await waitFor(async () => (await job(jobId))?.status === 'failed', 60_000, 200);
    const final = await job(jobId);
    process.stdout.write(
      `killed on last receive: ${JSON.stringify({ status: final?.status, errorCode: final?.errorCode, attempts: final?.attempts, reason: final?.reason })}\n`,
    );
    expect(final).toMatchObject({ status: 'failed', errorCode: 'RETRIES_EXHAUSTED', attempts: 2 });
    expect(final?.reason).toMatch(/2 receives/);
    expect(final?.leaseUntil).toBeUndefined();
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 180_000);
});
