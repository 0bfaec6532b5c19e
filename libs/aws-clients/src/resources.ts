import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ResourceNames } from './config';

/** The DynamoDB tables of DESIGN.md §5, as CreateTable inputs (on-demand billing). */
export function tableDefinitions(names: ResourceNames): CreateTableCommandInput[] {
  const table = (TableName: string, key: string): CreateTableCommandInput => ({
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
  });
  return [
    table(names.tables.sessions, 'sessionId'),
    table(names.tables.catalog, 'mangaId'),
    table(names.tables.idempotency, 'idempotency_key'),
    table(names.tables.enrichmentJobs, 'jobId'),
    table(names.tables.reviews, 'reviewId'),
  ];
}

/** Tables whose items carry an epoch-seconds `ttl` attribute for DynamoDB TTL. */
export function ttlAttributes(names: ResourceNames): Record<string, string> {
  return {
    [names.tables.sessions]: 'ttl',
    [names.tables.idempotency]: 'ttl',
    [names.tables.enrichmentJobs]: 'ttl',
  };
}

export interface QueueDefinition {
  name: string;
  fifo: boolean;
  dlq: string;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

/** The SQS queues of DESIGN.md §5, each with its dead-letter queue. */
export function queueDefinitions(names: ResourceNames, { maxReceiveCount = 5 } = {}): QueueDefinition[] {
  return [
    {
      name: names.queues.enrichment,
      fifo: true,
      dlq: names.queues.enrichmentDlq,
      maxReceiveCount,
      visibilityTimeoutSeconds: 60,
    },
    {
      name: names.queues.moderation,
      fifo: false,
      dlq: names.queues.moderationDlq,
      maxReceiveCount,
      visibilityTimeoutSeconds: 60,
    },
  ];
}
