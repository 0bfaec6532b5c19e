import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '@manga-assist/aws-clients';
import { createEventPublisher, EVENT_SOURCES, type PublishEvent } from '@manga-assist/event-schemas';
import type { Registry } from '@manga-assist/service-runtime';
import { counterValue } from './fakes';

export const ALERT_SECRET = `whsec_${Buffer.from('alert-endpoint-secret-0123456789').toString('base64')}`;
export const CRM_SECRET = `whsec_${Buffer.from('crm-endpoint-secret-abcdefghijkl').toString('base64')}`;

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function createQueue(sqs: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl as string;
}

export async function receiveAll(sqs: SQSClient, queueUrl: string, waitSeconds = 1) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** Publishes through the real EventBridge client, as the producers (webhook-receiver) do. */
export function busPublisher(clients: AwsClients, eventBusName: string) {
  const publisher = createEventPublisher({ client: clients.eventBridge, eventBusName });
  return async (event: PublishEvent) => (await publisher.publish([event])).eventIds[0];
}

export async function getReview(clients: AwsClients, table: string, reviewId: string) {
  const { Item } = await clients.documentClient.send(
    new GetCommand({ TableName: table, Key: { reviewId }, ConsistentRead: true }),
  );
  return Item;
}

/** An envelope exactly as an EventBridge target receives it, for messages sent straight to the queue. */
export function envelope(detailType: string, source: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export async function sendRaw(sqs: SQSClient, queueUrl: string, body: unknown) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export const metric = (registry: Registry, name: string, labels: Record<string, string> = {}) =>
  counterValue(registry, name, labels);

export { EVENT_SOURCES };
