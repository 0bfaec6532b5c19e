import { Router, type Request, type Response } from 'express';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  activeSpan,
  httpError,
  jsonBody,
  retryBatch,
  retryPolicy,
  sendHttpError,
  type Logger,
  sendJson,
} from '@manga-assist/service-runtime';
import type { QueueConsumer } from '@manga-assist/queue-consumer';
import type { ConcurrencyLimit } from './concurrency-limit';
import { jobErrorMessage } from './errors';
import type { JobStore } from './job-store';
import { jobRequestSchema, newJobMessage, type JobMessage } from './messages';
import type { WorkerMetrics } from './metrics';
import type { JobProcessor } from './processor';

export interface AdminDeps {
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  jobs: JobStore;
  /** The Catalog table, read by GET /admin/catalog/:mangaId. */
  catalog: { documentClient: DynamoDBDocumentClient; tableName: string };
  consumer?: QueueConsumer;
  processor: JobProcessor;
  limiter: ConcurrencyLimit;
  metrics: WorkerMetrics;
  logger: Logger;
  backlogMax: number;
  oldestAgeMaxSeconds: number;
  bulkMaxJobs: number;
}

const refusal = (
  code: string,
  status: number,
  ja: string,
  en: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
) => httpError(code, status, { ja, en }, extra, headers);

interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** `POST /admin/jobs` with a list; one job may also be posted alone (`jobRequestSchema`). */
export const bulkSchema = z.object({ jobs: z.array(jobRequestSchema).min(1) });

/**
 * Admin API: submit one job or a bulk list with backpressure, read a job, read stats.
 * Queue depth comes from GetQueueAttributes (cached 1 s). SQS has no "age of oldest message"
 * attribute (that is a CloudWatch metric), so the age is measured on the messages this worker
 * receives: now - SentTimestamp of the oldest one in the latest receive. With fauxqs,
 * ApproximateNumberOfMessages is not updated when a visibility timeout expires, so after a crash
 * the depth reads low until those messages are received again.
 */
export function createAdminRouter(deps: AdminDeps): Router {
  const { sqs, queueUrl, dlqUrl, jobs, logger, metrics } = deps;
  const router = Router();
  router.use(jsonBody({ limitBytes: 8 * 1024 * 1024 }));

  let cached: { at: number; depth: QueueDepth } | undefined;
  const depthOf = async (url: string): Promise<QueueDepth> => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  };
  const queueDepth = async (): Promise<QueueDepth> => {
    if (cached && Date.now() - cached.at < 1000) return cached.depth;
    const depth = await depthOf(queueUrl);
    cached = { at: Date.now(), depth };
    return depth;
  };
  const oldestAgeSeconds = () => Math.round((deps.consumer?.stats().oldestReceivedAgeMs ?? 0) / 1000);

  router.post('/admin/jobs', async (req: Request, res: Response) => {
    const body = req.body as unknown;
    const parsed = Array.isArray((body as { jobs?: unknown })?.jobs)
      ? bulkSchema.safeParse(body)
      : jobRequestSchema.transform((j) => ({ jobs: [j] })).safeParse(body);
    if (!parsed.success) {
      sendHttpError(
        req,
        res,
        refusal('INVALID_JOB', 400, 'ジョブの内容が不正です。', 'The job request is invalid.', {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
      return;
    }
    const requests = parsed.data.jobs;
    if (requests.length > deps.bulkMaxJobs || requests.length > deps.backlogMax) {
      sendHttpError(
        req,
        res,
        refusal(
          'TOO_MANY_JOBS',
          413,
          `一度に送信できるジョブは最大${Math.min(deps.bulkMaxJobs, deps.backlogMax)}件です。`,
          `At most ${Math.min(deps.bulkMaxJobs, deps.backlogMax)} jobs per request.`,
        ),
      );
      return;
    }

    let depth: QueueDepth;
    try {
      depth = await queueDepth();
    } catch (error) {
      logger.error({ err: error }, 'queue depth unavailable; refusing submissions');
      sendHttpError(
        req,
        res,
        refusal(
          'QUEUE_UNAVAILABLE',
          503,
          'キューに接続できません。',
          'The queue is unavailable.',
          {},
          { 'retry-after': '5' },
        ),
      );
      return;
    }
    const age = oldestAgeSeconds();
    const over = depth.visible + requests.length - deps.backlogMax;
    if (over > 0 || age > deps.oldestAgeMaxSeconds) {
      const reason = over > 0 ? 'backlog' : 'age';
      const perSecond = Math.max(1, deps.processor.counters().completedPerMinute / 60);
      const retryAfter = reason === 'backlog' ? Math.min(300, Math.max(1, Math.ceil(over / perSecond))) : 30;
      metrics.rejected.inc({ reason });
      sendHttpError(
        req,
        res,
        refusal(
          'BACKPRESSURE',
          429,
          `処理待ちのジョブが多すぎます。${retryAfter}秒後に再送してください。`,
          `Too many jobs are waiting. Retry in ${retryAfter} s.`,
          {
            reason,
            backlog: depth.visible,
            backlogMax: deps.backlogMax,
            oldestMessageAgeSeconds: age,
            retryAfterSeconds: retryAfter,
          },
          { 'retry-after': String(retryAfter) },
        ),
      );
      return;
    }

    const messages = requests.map((r) => newJobMessage(r));
    activeSpan().setAttribute(
      'job.id',
      messages.map((m) => m.jobId),
    );
    try {
      await jobs.createQueued(
        messages.map((m) => ({ jobId: m.jobId, mangaId: m.mangaId, type: m.type, source: 'admin' })),
      );
    } catch (error) {
      logger.error({ err: error }, 'could not record submitted jobs');
      sendHttpError(
        req,
        res,
        refusal(
          'JOB_STORE_UNAVAILABLE',
          503,
          'ジョブを記録できません。',
          'Jobs could not be recorded.',
          {},
          { 'retry-after': '5' },
        ),
      );
      return;
    }
    const failed = await enqueue(messages);
    for (const f of failed) {
      await jobs
        .fail(f.jobId, { code: 'ENQUEUE_FAILED', reason: f.reason })
        .catch((e) => logger.error({ err: e, jobId: f.jobId }, 'could not record enqueue failure'));
    }
    cached = undefined;
    const accepted = messages.length - failed.length;
    metrics.submitted.inc(accepted);
    sendJson(res, failed.length === messages.length ? 503 : 202, {
      accepted,
      jobs: messages
        .filter((m) => !failed.some((f) => f.jobId === m.jobId))
        .map((m) => ({ jobId: m.jobId, mangaId: m.mangaId, type: m.type, status: 'queued' })),
      failed,
    });
  });

  const sendRetry = retryPolicy({ maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 });
  async function enqueue(messages: JobMessage[]): Promise<{ jobId: string; reason: string }[]> {
    const chunks: JobMessage[][] = [];
    for (let i = 0; i < messages.length; i += 10) chunks.push(messages.slice(i, i + 10));
    const failed: { jobId: string; reason: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const { failed: left, reason } = await retryBatch(sendRetry, chunks[next++], async (pending) => {
          const out = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: pending.map((m, i) => ({
                Id: String(i),
                MessageBody: JSON.stringify(m),
                MessageGroupId: m.mangaId,
                MessageDeduplicationId: m.jobId,
              })),
            }),
          );
          const bad = new Set((out.Failed ?? []).map((f) => Number(f.Id)));
          return {
            retry: pending.filter((_, i) => bad.has(i)),
            reason: (out.Failed ?? []).map((f) => f.Code).join(','),
          };
        });
        failed.push(...left.map((m) => ({ jobId: m.jobId, reason: reason ?? 'not sent' })));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    if (failed.length)
      logger.error({ count: failed.length }, 'jobs could not be enqueued; recorded as failed');
    return failed;
  }

  router.get('/admin/jobs/:jobId', async (req: Request, res: Response) => {
    const job = await jobs.get(String(req.params.jobId));
    if (!job) {
      sendHttpError(req, res, refusal('JOB_NOT_FOUND', 404, 'ジョブが見つかりません。', 'Job not found.'));
      return;
    }
    sendJson(res, 200, {
      ...job,
      ...(job.status === 'failed' ? { message: jobErrorMessage(job.errorCode) } : {}),
      // Where the result lives for good: the catalog item (the job record expires after JOB_TTL_DAYS).
      links: { catalogItem: `/admin/catalog/${encodeURIComponent(job.mangaId)}` },
    });
  });

  router.get('/admin/catalog/:mangaId', async (req: Request, res: Response) => {
    const mangaId = String(req.params.mangaId);
    const out = await deps.catalog.documentClient.send(
      new GetCommand({ TableName: deps.catalog.tableName, Key: { mangaId }, ConsistentRead: true }),
    );
    if (!out.Item) {
      sendHttpError(
        req,
        res,
        refusal(
          'CATALOG_ITEM_NOT_FOUND',
          404,
          'カタログに該当する商品がありません。',
          'No catalog item with this id.',
        ),
      );
      return;
    }
    sendJson(res, 200, out.Item);
  });

  router.get('/admin/stats', async (_req: Request, res: Response) => {
    const [queue, dlq] = await Promise.all([
      queueDepth().catch(() => undefined),
      depthOf(dlqUrl).catch(() => undefined),
    ]);
    const consumer = deps.consumer?.stats();
    const counters = deps.processor.counters();
    sendJson(res, 200, {
      queue: queue ?? { error: 'unavailable' },
      dlq: dlq ? { visible: dlq.visible } : { error: 'unavailable' },
      oldestMessageAgeSeconds: oldestAgeSeconds(),
      inFlight: consumer?.inFlight ?? 0,
      modelCallsRunning: deps.limiter.running,
      concurrencyLimit: deps.limiter.limit,
      concurrencyMode: deps.limiter.mode,
      throttlesSeen: deps.limiter.throttles,
      limitDecreases: deps.limiter.decreases,
      completedPerMinute: counters.completedPerMinute,
      failedPerMinute: counters.failedPerMinute,
      totals: { completed: counters.completed, failed: counters.failed, skipped: counters.skipped },
      consumer,
      notes: [
        'queue.visible is SQS ApproximateNumberOfMessages; fauxqs does not raise it when a visibility timeout expires.',
        'oldestMessageAgeSeconds is measured on received messages (SQS exposes the age only as a CloudWatch metric).',
      ],
    });
  });

  return router;
}
