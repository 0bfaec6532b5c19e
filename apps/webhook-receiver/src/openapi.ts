import { z } from 'zod';
import {
  buildOpenApiDocument,
  opsRoutes,
  type HeaderSpec,
  type ResponseSpec,
  type RouteSpec,
} from '@manga-assist/api-contracts';
import { standardWebhooksScheme, type SignatureScheme } from '@manga-assist/webhook-signatures';
import { DELIVERY_ERRORS, type DeliveryErrorCode } from './errors';
import { schemeKey, SOURCES } from './sources';

const deliveryAnswerSchema = z.object({
  status: z
    .enum(['processed', 'ignored', 'already_processed'])
    .describe('already_processed: a duplicate; the first result is repeated.'),
  key: z.string().describe('Idempotency key: source and delivery id.'),
  result: z.looseObject({ processed: z.boolean() }),
});

const RETRY_AFTER: HeaderSpec = {
  name: 'retry-after',
  description: 'Seconds to wait before delivering again.',
  required: true,
};

/** Every status a delivery can be answered with, from the receiver's own error table. */
function deliveryResponses(): Record<number, ResponseSpec> {
  const byStatus = new Map<number, DeliveryErrorCode[]>();
  for (const [code, { status }] of Object.entries(DELIVERY_ERRORS) as [
    DeliveryErrorCode,
    { status: number },
  ][])
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const responses: Record<number, ResponseSpec> = {
    200: {
      description:
        'Processed, ignored (an event type the source does not act on), or a duplicate already processed.',
      schema: deliveryAnswerSchema,
    },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: codes.map((c) => `${c}: ${DELIVERY_ERRORS[c].en}`).join('; '),
      errorCodes: codes,
      errorDetails: { detail: z.string().optional() },
      ...(status === 409 || status === 503 ? { headers: [RETRY_AFTER] } : {}),
    };
  }
  return responses;
}

const signatureHeaders = (scheme: SignatureScheme): HeaderSpec[] =>
  scheme.requiredHeaders.map((name) => ({
    name,
    description: `Signature scheme "${scheme.name}".`,
    required: true,
  }));

function sourceRoute({ name, verification, payload, summary }: (typeof SOURCES)[number]): RouteSpec {
  const { scheme, idField } = verification;
  return {
    method: 'post',
    path: `/webhooks/${name}`,
    operationId: `webhook_${name}`,
    summary,
    description:
      `Signed with the "${scheme.name}" scheme over the raw body (the default; ${schemeKey(name)}=standard switches to ` +
      `Standard Webhooks: ${standardWebhooksScheme.requiredHeaders.join(', ')}). Delivery id: \`${idField}\`. ` +
      'Checked in order: source, signature headers (401), signature and timestamp (403), JSON (400), delivery id (400), size (413), fields (422); ' +
      'then processed exactly once per delivery id.',
    tags: ['webhooks'],
    headers: signatureHeaders(scheme),
    requestBody: { schema: payload },
    responses: deliveryResponses(),
  };
}

/** The webhook receiver's OpenAPI 3.1 document: one route per source with its signature headers. */
export function webhookReceiverOpenApi(): Record<string, unknown> {
  return buildOpenApiDocument({
    title: 'MangaAssist webhook receiver',
    version: '1.0.0',
    description:
      'Webhooks from Stripe and the partners. Every error answer is the services\' one shape `{ "error": { "code", "message", ...details } }`; ' +
      'a source that does not exist answers 404 unknown_source.',
    routes: [...SOURCES.map(sourceRoute), ...opsRoutes()],
  });
}
