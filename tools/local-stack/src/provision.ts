import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  queueDefinitions,
  tableDefinitions,
  type AwsClients,
  type ResourceNames,
} from '@manga-assist/aws-clients';

export interface ProvisionResult {
  tables: string[];
  /** Queue name -> URL exactly as CreateQueue returned it. */
  queueUrls: Record<string, string>;
}

/** Creates every table and queue (DLQs first, with redrive) if missing. Safe to run repeatedly. */
export async function provision(
  clients: Pick<AwsClients, 'dynamodb' | 'sqs'>,
  names: ResourceNames,
  { maxReceiveCount = 5 }: { maxReceiveCount?: number } = {},
): Promise<ProvisionResult> {
  const tables: string[] = [];
  for (const definition of tableDefinitions(names)) {
    try {
      await clients.dynamodb.send(new CreateTableCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitForTable(clients, definition.TableName as string);
    tables.push(definition.TableName as string);
  }

  const queueUrls: Record<string, string> = {};
  for (const queue of queueDefinitions(names, { maxReceiveCount })) {
    const fifoAttributes = queue.fifo ? { FifoQueue: 'true' } : {};
    const dlq = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queue.dlq,
        Attributes: { ...fifoAttributes, MessageRetentionPeriod: '1209600' },
      }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const main = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queue.name,
        Attributes: {
          ...fifoAttributes,
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: Attributes?.QueueArn,
            maxReceiveCount: queue.maxReceiveCount,
          }),
        },
      }),
    );
    queueUrls[queue.dlq] = dlqUrl;
    queueUrls[queue.name] = main.QueueUrl as string;
  }
  return { tables, queueUrls };
}

async function waitForTable(clients: Pick<AwsClients, 'dynamodb'>, TableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`table ${TableName} did not become ACTIVE`);
}
