import { chatGatewayOpenApi } from '../../../apps/chat-gateway/src/openapi';
import { webhookReceiverOpenApi } from '../../../apps/webhook-receiver/src/openapi';
import { enrichmentWorkerOpenApi } from '../../../apps/enrichment-worker/src/openapi';
import { moderationConsumerOpenApi } from '../../../apps/moderation-consumer/src/openapi';

/** Every published HTTP contract: its file under docs/contracts/ and how the service's code builds it. */
export const OPENAPI_DOCUMENTS: { service: string; file: string; build: () => Record<string, unknown> }[] = [
  { service: 'chat-gateway', file: 'chat-gateway.openapi.json', build: chatGatewayOpenApi },
  { service: 'webhook-receiver', file: 'webhook-receiver.openapi.json', build: webhookReceiverOpenApi },
  { service: 'enrichment-worker', file: 'enrichment-worker.openapi.json', build: enrichmentWorkerOpenApi },
  {
    service: 'moderation-consumer',
    file: 'moderation-consumer.openapi.json',
    build: moderationConsumerOpenApi,
  },
];
