import { z } from 'zod';
import {
  buildOpenApiDocument,
  opsRoutes,
  withStaffAuth,
  type ResponseSpec,
  type RouteSpec,
} from '@manga-assist/api-contracts';
import { redriveSchema } from '@manga-assist/queue-consumer';
import { decisionBody } from './reviews/review-admin';

const issue = { issue: z.string() };
const review = z.looseObject({ reviewId: z.string(), status: z.string() });

function reviewRoutes(tags: string[]): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/admin/reviews',
      operationId: 'listReviews',
      summary:
        'Reviews waiting for a person: `needs_review` and `hidden` (query: `status`, `limit` <= 200, `cursor`).',
      tags,
      responses: {
        200: {
          description: 'A page of reviews; `next` is the cursor of the following page, or null.',
          schema: z.object({ reviews: z.array(review), next: z.string().nullable() }),
        },
        400: {
          description: 'A query parameter is not valid.',
          errorCodes: ['INVALID_REQUEST'],
          errorDetails: issue,
        },
      },
    },
    {
      method: 'post',
      path: '/admin/reviews/{reviewId}/decision',
      operationId: 'decideReview',
      summary:
        'Approve (visible) or reject (stays hidden) a review; recorded with who and when, published as ReviewDecided.',
      tags,
      pathParams: [{ name: 'reviewId', description: 'The review.', schema: z.string() }],
      requestBody: { schema: decisionBody },
      responses: {
        200: {
          description: 'The decided review; `repeated` when the same decision had already been made.',
          schema: z.object({ review, repeated: z.boolean() }),
        },
        400: {
          description: 'Not a valid decision.',
          errorCodes: ['INVALID_REQUEST', 'INVALID_JSON', 'BAD_REQUEST'],
          errorDetails: issue,
        },
        404: { description: 'No such review.', errorCodes: ['REVIEW_NOT_FOUND'] },
        409: {
          description: 'Another decision was made first.',
          errorCodes: ['REVIEW_ALREADY_DECIDED'],
          errorDetails: { review },
        },
        413: { description: 'The body is too large.', errorCodes: ['PAYLOAD_TOO_LARGE'] },
        503: {
          description:
            'The decision is recorded but ReviewDecided could not be published; repeating it publishes it.',
          errorCodes: ['DECISION_EVENT_NOT_PUBLISHED'],
          errorDetails: { review },
        },
      },
    },
  ];
}

const STARTING: ResponseSpec = {
  description: 'Starting: the queues are not reachable yet.',
  errorCodes: ['STARTING'],
  headers: [{ name: 'retry-after', description: 'Seconds to wait.', required: true }],
};

/** The moderation consumer's OpenAPI 3.1 document (stats, DLQ admin API and ops routes). */
export function moderationConsumerOpenApi(): Record<string, unknown> {
  const tags = ['admin'];
  return buildOpenApiDocument({
    title: 'MangaAssist moderation consumer',
    version: '1.0.0',
    description:
      "Admin API of the moderation consumer (events from the bus, outbound webhooks, human review; a staff bearer token on every `/admin` route). Every error answer is the services' one shape " +
      '`{ "error": { "code", "message", ...details } }`.',
    routes: (
      [
        {
          method: 'get',
          path: '/stats',
          operationId: 'stats',
          summary: 'The queue consumer: running, limit, in flight, counters.',
          tags,
          responses: {
            200: { description: 'Consumer stats.', schema: z.looseObject({ running: z.boolean() }) },
          },
        },
        {
          method: 'get',
          path: '/admin/dlq',
          operationId: 'listDlq',
          summary: 'Events and outbound webhooks parked in the dead-letter queues, with their reasons.',
          tags,
          responses: {
            200: {
              description: 'Parked messages (filter: `?reason=` substring).',
              schema: z.object({
                count: z.number(),
                byReason: z.record(z.string(), z.number()),
                messages: z.array(
                  z.looseObject({
                    messageId: z.string(),
                    reason: z.string(),
                    kind: z.enum(['event', 'outbound_webhook']),
                  }),
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
          summary: 'Events back to the moderation queue; parked outbound webhooks delivered again.',
          tags,
          requestBody: { schema: redriveSchema },
          responses: {
            200: {
              description: 'What was moved and redelivered.',
              schema: z.object({
                moved: z.number(),
                redelivered: z.number(),
                kept: z.number(),
                failures: z.array(z.object({ messageId: z.string(), error: z.string() })),
              }),
            },
            400: {
              description: 'Not a valid redrive request.',
              errorCodes: ['INVALID_REDRIVE', 'INVALID_JSON', 'BAD_REQUEST'],
              errorDetails: { issues: z.array(z.object({ path: z.string(), message: z.string() })) },
            },
            503: STARTING,
          },
        },
        ...reviewRoutes(tags),
        ...opsRoutes(),
      ] satisfies RouteSpec[]
    ).map((route) => (route.path.startsWith('/admin') ? withStaffAuth(route) : route)),
  });
}
