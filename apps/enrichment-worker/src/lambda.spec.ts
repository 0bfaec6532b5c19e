import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import type { SqsEventRecord } from '@manga-assist/queue-consumer';
import { newJobMessage } from './messages';

describe('Lambda handler (SQS event source, shared core)', () => {
  let stack: LocalStack;
  const saved = { ...process.env };
  beforeAll(async () => {
    stack = await startLocalStack({ redis: false, eventbridge: false, bedrock: { profile: 'zero' } });
    Object.assign(process.env, stack.env, { LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    process.env = saved;
    await stack.stop();
  });

  it('processes a batch: good jobs complete, poison goes to the DLQ and is not reported as a failure', async () => {
    const { handler } = await import('./lambda');
    const good = newJobMessage({ mangaId: 'l-1', type: 'synopsis', manga: { title: 'Lambda' } });
    const record = (messageId: string, body: string, group: string): SqsEventRecord => ({
      messageId,
      body,
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: group },
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:manga-enrichment-queue.fifo',
    });
    const result = await handler({
      Records: [
        record('a', JSON.stringify(good), 'l-1'),
        record('b', JSON.stringify({ kind: 'enrichment-job', jobId: 'lp-1' }), 'l-2'),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const job = await stack.clients.documentClient.send(
      new GetCommand({ TableName: stack.names.tables.enrichmentJobs, Key: { jobId: good.jobId } }),
    );
    expect(job.Item?.status).toBe('completed');
    const poison = await stack.clients.documentClient.send(
      new GetCommand({ TableName: stack.names.tables.enrichmentJobs, Key: { jobId: 'lp-1' } }),
    );
    expect(poison.Item).toMatchObject({ status: 'failed', errorCode: 'INVALID_JOB' });
    const dlq = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.env.ENRICHMENT_DLQ, MessageAttributeNames: ['All'] }),
    );
    expect(dlq.Messages?.[0]?.MessageAttributes?.DlqReason?.StringValue).toMatch(/^INVALID_JOB/);
  });

  it('parses its configuration once per container, not on every invocation', async () => {
    const { handler, containerState } = await import('./lambda');
    const first = containerState();
    const saved = process.env.WORKER_CONCURRENCY_MAX;
    process.env.WORKER_CONCURRENCY_MAX = 'not a number'; // a parse per invocation would now throw
    try {
      await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
      expect(containerState()).toBe(first);
    } finally {
      if (saved === undefined) delete process.env.WORKER_CONCURRENCY_MAX;
      else process.env.WORKER_CONCURRENCY_MAX = saved;
    }
  });
});
