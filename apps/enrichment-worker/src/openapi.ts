import { z } from 'zod';
import {
  buildOpenApiDocument,
  opsRoutes,
  withStaffAuth,
  type ResponseSpec,
  type RouteSpec,
} from '@manga-assist/api-contracts';
import { bulkSchema } from './admin';
import { redriveSchema } from '@manga-assist/queue-consumer';
import { jobRequestSchema } from './messages';

const errorShape = (codes: [string, ...string[]]) =>
  z.object({ error: z.looseObject({ code: z.enum(codes), message: z.string() }) });
const issues = { issues: z.array(z.object({ path: z.string(), message: z.string() })) };
const STARTING: ResponseSpec = {
  description: 'Starting: the queues are not reachable yet.',
  errorCodes: ['STARTING'],
  headers: [{ name: 'retry-after', description: 'Seconds to wait.', required: true }],
};
const queuedJob = z.object({
  jobId: z.string(),
  mangaId: z.string(),
  type: z.string(),
  status: z.literal('queued'),
});
const failedJob = z.object({ jobId: z.string(), reason: z.string() });
const submitted = z.object({ accepted: z.number(), jobs: z.array(queuedJob), failed: z.array(failedJob) });
const redriveResult = z.object({
  mode: z.enum(['message-move-task', 'copy']),
  moved: z.number(),
  handled: z.number(),
  kept: z.number(),
  failures: z.array(z.object({ messageId: z.string(), error: z.string() })),
});

function adminRoutes(): RouteSpec[] {
  const tags = ['admin'];
  return [
    {
      method: 'post',
      path: '/admin/jobs',
      operationId: 'submitJobs',
      summary: 'Submit one enrichment job, or a list, with backpressure.',
      tags,
      requestBody: { schema: z.union([jobRequestSchema, bulkSchema]) },
      responses: {
        202: {
          description: 'Queued (the jobs that could not be enqueued are listed in `failed`).',
          schema: submitted,
        },
        400: {
          description: 'Not a valid job.',
          errorCodes: ['INVALID_JOB', 'INVALID_JSON', 'BAD_REQUEST'],
          errorDetails: issues,
        },
        413: {
          description: 'Too many jobs at once, or the body is too large.',
          errorCodes: ['TOO_MANY_JOBS', 'PAYLOAD_TOO_LARGE'],
        },
        429: {
          description: 'Backpressure: the backlog or the age of the oldest message is over its limit.',
          errorCodes: ['BACKPRESSURE'],
          errorDetails: { reason: z.enum(['backlog', 'age']), retryAfterSeconds: z.number() },
          headers: [{ name: 'retry-after', description: 'Seconds to wait.', required: true }],
        },
        503: {
          description:
            'The queue or the job store is unavailable, or the worker is starting (error shape); or no job could be enqueued (the 202 body, every job in `failed`).',
          schema: z.union([
            submitted,
            errorShape(['QUEUE_UNAVAILABLE', 'JOB_STORE_UNAVAILABLE', 'STARTING']),
          ]),
        },
      },
    },
    {
      method: 'get',
      path: '/admin/jobs/{jobId}',
      operationId: 'getJob',
      summary: 'A job record (with a readable `message` when it failed).',
      tags,
      pathParams: [{ name: 'jobId', description: 'The id `POST /admin/jobs` returned.', schema: z.string() }],
      responses: {
        200: { description: 'The job.', schema: z.looseObject({ jobId: z.string(), status: z.string() }) },
        404: { description: 'No such job.', errorCodes: ['JOB_NOT_FOUND'] },
        503: STARTING,
      },
    },
    {
      method: 'get',
      path: '/admin/catalog/{mangaId}',
      operationId: 'getCatalogItem',
      summary: 'A catalog item as stored, with the `enrichment` the jobs wrote.',
      tags,
      pathParams: [{ name: 'mangaId', description: 'The manga id of the job.', schema: z.string() }],
      responses: {
        200: { description: 'The catalog item.', schema: z.looseObject({ mangaId: z.string() }) },
        404: { description: 'No catalog item with this id.', errorCodes: ['CATALOG_ITEM_NOT_FOUND'] },
        503: STARTING,
      },
    },
    {
      method: 'get',
      path: '/admin/stats',
      operationId: 'stats',
      summary:
        'Queue depth, DLQ depth, concurrency limit (and its mode: open, probe, background) and throughput.',
      tags,
      responses: {
        200: {
          description: 'Stats.',
          schema: z.looseObject({ oldestMessageAgeSeconds: z.number(), concurrencyLimit: z.number() }),
        },
        503: STARTING,
      },
    },
    {
      method: 'get',
      path: '/admin/dlq',
      operationId: 'listDlq',
      summary: 'The jobs parked in the dead-letter queue, with their reasons.',
      tags,
      responses: {
        200: {
          description: 'Parked jobs (filter: `?reason=` substring).',
          schema: z.object({
            count: z.number(),
            byReason: z.record(z.string(), z.number()),
            messages: z.array(
              z.looseObject({ messageId: z.string(), jobId: z.string(), reason: z.string() }),
            ),
          }),
        },
        503: STARTING,
      },
    },
    {
      method: 'post',
      path: '/admin/dlq/redrive',
      operationId: 'redriveDlq',
      summary: 'Send the parked jobs back to the queue (all, or those whose reason contains `reason`).',
      tags,
      requestBody: { schema: redriveSchema },
      responses: {
        200: { description: 'What was moved.', schema: redriveResult },
        400: {
          description: 'Not a valid redrive request.',
          errorCodes: ['INVALID_REDRIVE', 'INVALID_JSON', 'BAD_REQUEST'],
          errorDetails: issues,
        },
        503: STARTING,
      },
    },
  ];
}

/** The enrichment worker's OpenAPI 3.1 document (admin API and ops routes). */
export function enrichmentWorkerOpenApi(): Record<string, unknown> {
  return buildOpenApiDocument({
    title: 'MangaAssist enrichment worker',
    version: '1.0.0',
    description:
      'Admin API of the enrichment worker (a staff bearer token on every `/admin` route). Every error answer is the services\' one shape `{ "error": { "code", "message", ...details } }`.',
    routes: [...adminRoutes().map(withStaffAuth), ...opsRoutes()],
  });
}
