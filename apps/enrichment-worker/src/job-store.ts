import {
  BatchWriteCommand,
  GetCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { retryBatch, retryPolicy } from '@manga-assist/service-runtime';
import type { EnrichmentType } from './messages';

export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'skipped';

export interface JobRecord {
  jobId: string;
  mangaId: string;
  type: EnrichmentType;
  status: JobStatus;
  attempts: number;
  source?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  completedAt?: string;
  /** in_progress only: after this (epoch ms) the worker holding the job is presumed dead. */
  leaseUntil?: number;
  errorCode?: string;
  reason?: string;
  /** The last attempt's error while the job is retried. */
  lastError?: string;
  /** completed only: what the model generated (also written to the catalog item). */
  result?: Record<string, unknown>;
  ttl: number;
}

/** What readers see: an in_progress job past its lease is reported `stalled`. */
export type JobView = Omit<JobRecord, 'status'> & { status: JobStatus | 'stalled' };

export interface JobStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  leaseSeconds: number;
  ttlDays: number;
  now?: () => number;
}

export interface JobStore {
  /** Records freshly generated jobs as queued (BatchWrite, unprocessed items retried). */
  createQueued(
    jobs: { jobId: string; mangaId: string; type: EnrichmentType; source: string }[],
  ): Promise<void>;
  /**
   * Marks a job in progress with a lease and counts the attempt. Returns false when the job has
   * already completed or been skipped (a duplicate delivery): the caller does nothing.
   */
  start(job: { jobId: string; mangaId: string; type: EnrichmentType; source: string }): Promise<boolean>;
  /** Completed, with the generated fields (synopsis, tags, description) kept on the job for readers. */
  complete(jobId: string, result?: Record<string, unknown>): Promise<void>;
  skip(jobId: string, reason: string): Promise<void>;
  fail(jobId: string, error: { code: string; reason: string }): Promise<void>;
  /** A retryable attempt failed: back to queued with the error, the message will return. */
  retrying(jobId: string, error: { code: string; reason: string }): Promise<void>;
  get(jobId: string): Promise<JobView | undefined>;
  /**
   * Marks a job failed only if it has no end yet (queued or in progress): for the reaper, which
   * must never overwrite a job that completed meanwhile. Returns false when the job already ended
   * or does not exist.
   */
  failUnfinished(jobId: string, error: { code: string; reason: string }): Promise<boolean>;
  /** A redriven job goes back to `queued` (its reason kept as lastError); false if it does not exist. */
  requeue(jobId: string): Promise<boolean>;
  /** In-progress jobs whose lease has passed (Scan, at most `limit`). */
  expiredLeases(limit: number): Promise<JobRecord[]>;
}

export function createJobStore({
  documentClient: db,
  tableName,
  leaseSeconds,
  ttlDays,
  now = Date.now,
}: JobStoreOptions): JobStore {
  const unprocessedRetry = retryPolicy({ maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 5_000 });
  const stamps = () => {
    const t = now();
    return { iso: new Date(t).toISOString(), ms: t, ttl: Math.floor(t / 1000) + ttlDays * 86_400 };
  };

  const finish = async (
    jobId: string,
    status: JobStatus,
    extra: Record<string, unknown>,
    remove: string[],
  ) => {
    const s = stamps();
    const names: Record<string, string> = { '#s': 'status', '#ttl': 'ttl' };
    const values: Record<string, unknown> = { ':s': status, ':u': s.iso, ':ttl': s.ttl };
    const sets = ['#s = :s', 'updatedAt = :u', '#ttl = :ttl'];
    // Names as placeholders: `result` (and others) are DynamoDB reserved words.
    for (const [k, v] of Object.entries(extra)) {
      names[`#${k}`] = k;
      sets.push(`#${k} = :${k}`);
      values[`:${k}`] = v;
    }
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { jobId },
        UpdateExpression: `SET ${sets.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  };

  return {
    async createQueued(jobs) {
      const s = stamps();
      const items = jobs.map((j) => ({
        PutRequest: {
          Item: {
            ...j,
            status: 'queued',
            attempts: 0,
            createdAt: s.iso,
            updatedAt: s.iso,
            ttl: s.ttl,
          } satisfies Omit<JobRecord, 'mangaId' | 'type'> & Record<string, unknown>,
        },
      }));
      for (let i = 0; i < items.length; i += 25) {
        // Unprocessed items (throttled writes) go again; an error of the call itself surfaces at once.
        let callError: unknown;
        const { failed } = await retryBatch(unprocessedRetry, items.slice(i, i + 25), async (pending) => {
          try {
            const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
            return { retry: (out.UnprocessedItems?.[tableName] ?? []) as typeof items };
          } catch (error) {
            callError = error;
            return { retry: [] };
          }
        });
        if (callError) throw callError;
        if (failed.length) throw new Error(`could not record ${failed.length} jobs in ${tableName}`);
      }
    },

    async start(job) {
      const s = stamps();
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId: job.jobId },
            UpdateExpression:
              'SET #s = :s, mangaId = :m, #type = :type, #source = if_not_exists(#source, :src), createdAt = if_not_exists(createdAt, :u), ' +
              'startedAt = :u, updatedAt = :u, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(jobId) OR NOT (#s IN (:done, :skipped))',
            ExpressionAttributeNames: { '#s': 'status', '#type': 'type', '#source': 'source', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':s': 'in_progress',
              ':m': job.mangaId,
              ':type': job.type,
              ':src': job.source,
              ':u': s.iso,
              ':lease': s.ms + leaseSeconds * 1000,
              ':zero': 0,
              ':one': 1,
              ':ttl': s.ttl,
              ':done': 'completed',
              ':skipped': 'skipped',
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    complete: (jobId, result) =>
      finish(jobId, 'completed', { completedAt: stamps().iso, ...(result ? { result } : {}) }, [
        'leaseUntil',
        'errorCode',
        'reason',
        'lastError',
      ]),
    skip: (jobId, reason) => finish(jobId, 'skipped', { reason, completedAt: stamps().iso }, ['leaseUntil']),
    fail: (jobId, { code, reason }) =>
      finish(jobId, 'failed', { errorCode: code, reason: reason.slice(0, 2000), completedAt: stamps().iso }, [
        'leaseUntil',
      ]),
    retrying: (jobId, { code, reason }) =>
      finish(jobId, 'queued', { errorCode: code, lastError: reason.slice(0, 2000) }, ['leaseUntil']),

    async failUnfinished(jobId, { code, reason }) {
      const s = stamps();
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression:
              'SET #s = :failed, errorCode = :code, reason = :reason, updatedAt = :u, completedAt = :u REMOVE leaseUntil',
            ConditionExpression: 'attribute_exists(jobId) AND #s IN (:queued, :running)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':failed': 'failed',
              ':code': code,
              ':reason': reason.slice(0, 2000),
              ':u': s.iso,
              ':queued': 'queued',
              ':running': 'in_progress',
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async requeue(jobId) {
      const s = stamps();
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression:
              'SET #s = :queued, updatedAt = :u, lastError = if_not_exists(reason, :none) REMOVE errorCode, reason, completedAt, leaseUntil',
            ConditionExpression: 'attribute_exists(jobId)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':u': s.iso, ':none': 'redriven from the DLQ' },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async expiredLeases(limit) {
      const found: JobRecord[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: '#s = :running AND leaseUntil < :now',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':running': 'in_progress', ':now': now() },
            ExclusiveStartKey,
          }),
        );
        found.push(...((out.Items ?? []) as JobRecord[]));
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey && found.length < limit);
      return found.slice(0, limit);
    },

    async get(jobId) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: { jobId }, ConsistentRead: true }),
      );
      const item = out.Item as JobRecord | undefined;
      if (!item) return undefined;
      if (item.status === 'in_progress' && item.leaseUntil !== undefined && item.leaseUntil < now()) {
        return { ...item, status: 'stalled' };
      }
      return item;
    },
  };
}
