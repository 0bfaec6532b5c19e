import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

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

/** Readiness check: the queue exists and answers. */
export function sqsQueueCheck(sqs: SQSClient, queueUrl: string, critical = true) {
  return {
    name: `sqs:${queueUrl.split('/').pop()}`,
    critical,
    check: async (abortSignal: AbortSignal) => {
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), {
        abortSignal,
      });
    },
  };
}
