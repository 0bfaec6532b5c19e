import { runBatch } from './core';
import type { MessageHandler, MessageOutcome, QueueMessage } from './types';

/** The parts of an AWS Lambda SQS event record this adapter reads. */
export interface SqsEventRecord {
  messageId: string;
  body: string;
  attributes?: {
    ApproximateReceiveCount?: string;
    MessageGroupId?: string;
    SentTimestamp?: string;
    AWSTraceHeader?: string;
  };
  messageAttributes?: Record<string, { stringValue?: string; dataType?: string }>;
  eventSourceARN?: string;
}
export interface SqsEvent {
  Records: SqsEventRecord[];
}
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

interface ProcessSqsEventOptions {
  /** Default: the event source ARN ends with `.fifo`. */
  fifo?: boolean;
  /**
   * Poison messages are reported as batch item failures (redrive takes them to the DLQ) unless
   * `onPoison` moves them somewhere itself and resolves true.
   */
  isPoison?: (error: unknown) => boolean;
  onPoison?: (message: QueueMessage, error: unknown) => Promise<boolean>;
  /** Aborts every handler's signal (e.g. a little before the Lambda's remaining time runs out). */
  signal?: AbortSignal;
}

/**
 * Lambda adapter (SQS event source with ReportBatchItemFailures) over the same per-batch core as
 * the long-running consumer: FIFO groups in parallel, in order within a group, skip-group-on-error.
 */
export async function processSqsEvent(
  event: SqsEvent,
  handler: MessageHandler,
  options: ProcessSqsEventOptions = {},
): Promise<SqsBatchResponse> {
  const signal = options.signal ?? new AbortController().signal;
  const fifo = options.fifo ?? Boolean(event.Records[0]?.eventSourceARN?.endsWith('.fifo'));
  const messages: QueueMessage[] = event.Records.map((r) => ({
    id: r.messageId,
    body: r.body,
    attributes: Object.fromEntries(
      Object.entries(r.messageAttributes ?? {}).flatMap(([k, v]) =>
        v.stringValue !== undefined ? [[k, v.stringValue]] : [],
      ),
    ),
    groupId: r.attributes?.MessageGroupId,
    receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
    sentAt: r.attributes?.SentTimestamp ? Number(r.attributes.SentTimestamp) : undefined,
    traceHeader: r.attributes?.AWSTraceHeader,
    signal,
  }));
  const failures = new Set<string>();
  await runBatch(messages, handler, {
    fifo,
    isPoison: options.isPoison,
    settle: async ({ message, outcome, error }): Promise<MessageOutcome> => {
      if (outcome === 'succeeded') return outcome;
      if (
        outcome === 'poison' &&
        options.onPoison &&
        (await options.onPoison(message, error).catch(() => false))
      ) {
        return outcome;
      }
      failures.add(message.id);
      return outcome === 'skipped' ? 'skipped' : 'failed';
    },
  });
  // Report in the order received (Lambda's convention).
  return {
    batchItemFailures: messages.filter((m) => failures.has(m.id)).map((m) => ({ itemIdentifier: m.id })),
  };
}
