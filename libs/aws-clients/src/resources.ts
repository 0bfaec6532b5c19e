import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ResourceNames } from './config';

/** The DynamoDB tables of docs/architecture.md#tables-and-queues, as CreateTable inputs (on-demand billing). */
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

interface QueueDefinition {
  name: string;
  fifo: boolean;
  dlq: string;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** How long the DLQ keeps a message for inspection and redrive (SQS maximum: 14 days). */
  dlqRetentionSeconds: number;
  /** Server-side encryption of queue and DLQ: SQS-managed keys (SSE-SQS), which EventBridge can deliver to. */
  encryption: 'sqs-managed';
}

const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/** The SQS queues of docs/architecture.md#tables-and-queues, each with its dead-letter queue. */
export function queueDefinitions(names: ResourceNames, { maxReceiveCount = 5 } = {}): QueueDefinition[] {
  return [
    {
      name: names.queues.enrichment,
      fifo: true,
      dlq: names.queues.enrichmentDlq,
      maxReceiveCount,
      visibilityTimeoutSeconds: 60,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      encryption: 'sqs-managed',
    },
    {
      name: names.queues.moderation,
      fifo: false,
      dlq: names.queues.moderationDlq,
      maxReceiveCount,
      visibilityTimeoutSeconds: 60,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      encryption: 'sqs-managed',
    },
  ];
}
