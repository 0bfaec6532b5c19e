import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from './types';

/** Why a handler failed, for the DLQ attribute and logs: `CODE: message`, else `Name: message`. */
function errorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}

/**
 * The one DLQ move (long-running consumer and Lambda adapter): the body as received, up to six of
 * its attributes, and why (DlqReason, source message id, source queue, receive count). FIFO DLQs
 * keep the message's group and deduplicate on its id. Throws when SQS refuses.
 */
export async function sendToDlq(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  message: Pick<QueueMessage, 'id' | 'body' | 'attributes' | 'groupId' | 'receiveCount'>,
  error: unknown,
  sourceQueue: string,
): Promise<void> {
  const reason = errorReason(error).slice(0, 1000);
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(message.attributes).slice(0, 6))
    attributes[k] = { DataType: 'String', StringValue: v };
  attributes.DlqReason = { DataType: 'String', StringValue: reason || 'poison' };
  attributes.DlqSourceMessageId = { DataType: 'String', StringValue: message.id };
  attributes.DlqSourceQueue = { DataType: 'String', StringValue: sourceQueue };
  attributes.DlqReceiveCount = { DataType: 'Number', StringValue: String(message.receiveCount) };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: message.body,
      MessageAttributes: attributes,
      ...(deadLetterQueueUrl.endsWith('.fifo')
        ? { MessageGroupId: message.groupId ?? 'poison', MessageDeduplicationId: message.id }
        : {}),
    }),
  );
}
