import { startFauxqs } from 'fauxqs';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

/** fauxqs in-process with the given queues (names ending .fifo are FIFO). For this tool's tests. */
export async function startTestSqs(queueNames: string[]) {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const queueUrls: Record<string, string> = {};
  for (const name of queueNames) {
    const fifo = name.endsWith('.fifo');
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }),
    );
    queueUrls[name] = QueueUrl!;
  }
  return {
    endpoint,
    sqs,
    queueUrls,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

/** Receives and deletes every message currently in a queue. */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  messageAttributeNames?: string[],
): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        ...(messageAttributeNames ? { MessageAttributeNames: messageAttributeNames } : {}),
      }),
    );
    if (Messages.length === 0) return all;
    for (const m of Messages) {
      all.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}
