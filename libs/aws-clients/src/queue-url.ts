import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A queue URL as SQS itself reports it (never built by hand: emulators and AWS differ). */
export async function resolveQueueUrl(
  sqs: SQSClient,
  nameOrUrl: string,
  abortSignal?: AbortSignal,
): Promise<string> {
  if (/^https?:\/\//.test(nameOrUrl)) return nameOrUrl;
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }), { abortSignal });
  if (!QueueUrl) throw new Error(`SQS returned no URL for queue ${nameOrUrl}`);
  return QueueUrl;
}
