import type { Logger } from '@manga-assist/service-runtime';

/** One SQS message as a handler sees it. */
export interface QueueMessage {
  id: string;
  body: string;
  /** Message attributes (string values). */
  attributes: Record<string, string>;
  /** FIFO message group id, when the queue is FIFO. */
  groupId?: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** Epoch ms the message was sent (SentTimestamp), when SQS reported it. */
  sentAt?: number;
  /** The AWSTraceHeader system attribute (X-Ray format): the trace the message continues. */
  traceHeader?: string;
  /** Aborted when the consumer gives the message up (drain timeout, lost visibility, handler timeout). */
  signal: AbortSignal;
}

export type MessageHandler = (message: QueueMessage) => Promise<void>;

/**
 * What became of one message:
 * - succeeded: deleted from the queue.
 * - failed: made visible again after a short backoff (counts as a receive toward redrive).
 * - poison: will never succeed; moved to the DLQ explicitly (or, without a DLQ, left to redrive).
 * - skipped: an earlier message of the same FIFO group failed in this batch; returned unprocessed.
 */
export type MessageOutcome = 'succeeded' | 'failed' | 'poison' | 'skipped';

export interface SettledMessage {
  message: QueueMessage;
  outcome: MessageOutcome;
  error?: unknown;
}

export type ConsumerLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
