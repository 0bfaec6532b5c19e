export {
  createQueueConsumer,
  notStartedStats,
  type QueueConsumer,
  type QueueConsumerStats,
} from './consumer';
export { processSqsEvent, type SqsEvent, type SqsEventRecord, type SqsBatchResponse } from './lambda';
export type { QueueMessage } from './types';
export {
  listDlq,
  redriveDlq,
  createDlqTurns,
  type DlqTurns,
  type DlqMessage,
  type RedriveResult,
} from './dlq';
export { sendToDlq } from './dlq-move';
export { redriveSchema, readRedriveRequest, countByReason } from './dlq-http';
