export {
  createQueueConsumer,
  type QueueConsumer,
  type QueueConsumerOptions,
  type QueueConsumerStats,
} from './consumer';
export {
  processSqsEvent,
  type SqsEvent,
  type SqsEventRecord,
  type SqsBatchResponse,
  type ProcessSqsEventOptions,
} from './lambda';
export { runBatch, runOne, type RunBatchOptions } from './core';
export { planChains, retryDelaySeconds } from './plan';
export type { QueueMessage, MessageHandler, MessageOutcome, SettledMessage, ConsumerLogger } from './types';
export {
  listDlq,
  redriveDlq,
  createDlqTurns,
  RECEIVES_EXHAUSTED,
  type DlqTurns,
  type DlqMessage,
  type DlqOptions,
  type RedriveOptions,
  type RedriveResult,
} from './dlq';
export { sendToDlq, errorReason } from './dlq-move';
export { redriveSchema, readRedriveRequest, countByReason, type RedriveRequest } from './dlq-http';
