import { z } from 'zod';
import { buildOpenApiDocument, opsRoutes, type ResponseSpec } from '@manga-assist/api-contracts';
import { redriveSchema } from './dlq-admin';

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
      "Admin API of the moderation consumer (events from the bus, outbound webhooks). Every error answer is the services' one shape " +
      '`{ "error": { "code", "message", ...details } }`.',
    routes: [
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
      ...opsRoutes(),
    ],
  });
}
