import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resolveQueueUrl } from './queue-url';

/** Readiness check: the table exists and answers. */
export function dynamoTableCheck(dynamodb: DynamoDBClient, tableName: string, critical = true) {
  return {
    name: `dynamodb:${tableName}`,
    critical,
    check: async (abortSignal: AbortSignal) => {
      await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal });
    },
  };
}

/**
 * Readiness check: the queue exists and answers. Takes the queue's name or URL; its URL is asked
 * of SQS (GetQueueUrl) until known, so the check works before a service has resolved its queues.
 */
export function sqsQueueCheck(sqs: SQSClient, nameOrUrl: string, critical = true) {
  let queueUrl: string | undefined;
  return {
    name: `sqs:${nameOrUrl.split('/').pop()}`,
    critical,
    check: async (abortSignal: AbortSignal) => {
      queueUrl ??= await resolveQueueUrl(sqs, nameOrUrl, abortSignal);
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), {
        abortSignal,
      });
    },
  };
}
