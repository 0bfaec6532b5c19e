import { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { provision } from './provision';
import { startLocalStack, type LocalStack } from './stack';

describe('local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.stop());

  it('provisions every table of the design', async () => {
    const { TableNames } = await stack.clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames?.sort()).toEqual(Object.values(stack.names.tables).sort());
  });

  it('provisions the FIFO enrichment queue with a working redrive to its DLQ', async () => {
    const stackWithOneReceive = await startLocalStack({ maxReceiveCount: 1, redis: false });
    try {
      const { sqs } = stackWithOneReceive.clients;
      const q = stackWithOneReceive.queueUrls;
      const names = stackWithOneReceive.names.queues;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: q[names.enrichment],
          MessageBody: '{"poison":true}',
          MessageGroupId: 'manga-1',
          MessageDeduplicationId: 'd1',
        }),
      );
      const first = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: q[names.enrichment],
          VisibilityTimeout: 1,
          WaitTimeSeconds: 1,
        }),
      );
      expect(first.Messages).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 1200));
      // Second receive exceeds maxReceiveCount=1: SQS moves it to the DLQ.
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: q[names.enrichment], WaitTimeSeconds: 1 }));
      const dead = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: q[names.enrichmentDlq], WaitTimeSeconds: 2 }),
      );
      expect(dead.Messages?.[0]?.Body).toBe('{"poison":true}');
    } finally {
      await stackWithOneReceive.stop();
    }
  });

  it('listens on 127.0.0.1 only: DynamoDB, SQS (fauxqs binds 0.0.0.0 by itself), Bedrock, EventBridge', () => {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    const listening = handles
      .filter((h): h is Server => h instanceof Server && h.listening)
      .map((server) => server.address() as AddressInfo);
    const ports = [
      stack.endpoints.dynamodb,
      stack.endpoints.sqs,
      stack.env.BEDROCK_ENDPOINT,
      stack.env.EVENTBRIDGE_ENDPOINT,
    ].map((u) => Number(new URL(u).port));
    const ours = listening.filter((a) => ports.includes(a.port));
    expect(ours.map((a) => a.port).sort()).toEqual([...ports].sort());
    expect(ours.map((a) => a.address)).toEqual(ports.map(() => '127.0.0.1'));
  });

  it('provisioning twice is harmless and returns the same queue URLs', async () => {
    const again = await provision(stack.clients, stack.names);
    expect(again.queueUrls).toEqual(stack.queueUrls);
  });

  it('exports an environment that points services at the stack', () => {
    expect(stack.env.DYNAMODB_ENDPOINT).toBe(stack.endpoints.dynamodb);
    expect(stack.env.ENRICHMENT_QUEUE).toMatch(/manga-enrichment-queue\.fifo$/);
  });

  it('finds the machine Redis and gives each stack its own key prefix', async () => {
    const other = await startLocalStack({ redis: 'required' });
    try {
      expect(other.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(other.redisKeyPrefix).not.toBe(stack.redisKeyPrefix);
    } finally {
      await other.stop();
    }
  });
});
