import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startLocalStack, type LocalStack } from './stack';

// X-Ray trace headers across the local bus and queues, as EventBridge and SQS carry them.
const HEADER = 'Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1';
const OTHER = 'Root=1-67891234-bbbbbb012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

describe('AWSTraceHeader through the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ redis: false });
  });
  afterAll(() => stack.stop());

  async function receiveAll(queueName: string, names: string[]): Promise<Message[]> {
    const url = stack.queueUrls[queueName];
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: names as never,
        }),
      );
      if (Messages.length === 0) return all;
      for (const m of Messages) {
        all.push(m);
        await stack.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }),
        );
      }
    }
  }

  it('SQS keeps a sent message AWSTraceHeader and returns it when AWSTraceHeader or All is asked for', async () => {
    const queue = stack.names.queues.moderation;
    const url = stack.queueUrls[queue];
    const traced = { AWSTraceHeader: { DataType: 'String', StringValue: HEADER } };
    await stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'one', MessageSystemAttributes: traced }),
    );
    const [first] = await receiveAll(queue, ['AWSTraceHeader']);
    expect(first.Attributes?.AWSTraceHeader).toBe(HEADER);

    await stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          {
            Id: 'a',
            MessageBody: 'a',
            MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: OTHER } },
          },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    const batch = await receiveAll(queue, ['All']);
    const byBody = Object.fromEntries(batch.map((m) => [m.Body, m.Attributes?.AWSTraceHeader]));
    expect(byBody).toEqual({ a: OTHER, b: undefined });
  });

  it('is not returned when not asked for', async () => {
    const queue = stack.names.queues.moderation;
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls[queue],
        MessageBody: 'quiet',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: HEADER } },
      }),
    );
    const [m] = await receiveAll(queue, ['SentTimestamp']);
    expect(m.Attributes?.AWSTraceHeader).toBeUndefined();
    expect(m.Attributes?.SentTimestamp).toBeDefined();
  });

  const review = (id: string) => ({
    Source: 'mangaassist.webhooks',
    DetailType: 'ReviewSubmitted',
    EventBusName: stack.names.eventBusName,
    Detail: JSON.stringify({
      review_id: id,
      manga_id: 'm-1',
      user_id: 'u-1',
      rating: 4,
      text: 'よかった',
      language: 'ja',
      _chain_depth: 0,
      processing_stage: 'raw',
    }),
  });

  it('the router passes PutEvents TraceHeader to the SQS target as AWSTraceHeader, not inside the event', async () => {
    const answer = await stack.clients.eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...review('r-trace'), TraceHeader: HEADER }] }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    const [m] = await receiveAll(stack.names.queues.moderation, ['All']);
    expect(m.Attributes?.AWSTraceHeader).toBe(HEADER);
    expect(m.Body).not.toContain('Root=');
  });

  it('the router drops an invalid TraceHeader and still routes the event; entry header overrides the HTTP one', async () => {
    const bad = await stack.clients.eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...review('r-bad'), TraceHeader: 'Root=not-a-trace' }] }),
    );
    expect(bad.FailedEntryCount).toBe(0);
    const [m] = await receiveAll(stack.names.queues.moderation, ['All']);
    expect(JSON.parse(m.Body!).detail.review_id).toBe('r-bad');
    expect(m.Attributes?.AWSTraceHeader).toBeUndefined();

    const res = await fetch(stack.router!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
        'x-amzn-trace-id': OTHER,
      },
      body: JSON.stringify({ Entries: [review('r-http'), { ...review('r-entry'), TraceHeader: HEADER }] }),
    });
    expect(res.status).toBe(200);
    const got = await receiveAll(stack.names.queues.moderation, ['All']);
    const byReview = Object.fromEntries(
      got.map((g) => [JSON.parse(g.Body!).detail.review_id, g.Attributes?.AWSTraceHeader]),
    );
    expect(byReview).toEqual({ 'r-http': OTHER, 'r-entry': HEADER });
  });
});
