import { contextFromXrayHeader, SpanKind, withSpan } from '@manga-assist/service-runtime';
import { planChains } from './plan';
import type { MessageHandler, MessageOutcome, QueueMessage, SettledMessage } from './types';

interface RunBatchOptions {
  fifo: boolean;
  isPoison?: (error: unknown) => boolean;
  /**
   * Called once per message as soon as its outcome is known; resolves with the outcome that
   * actually held (a poison message whose DLQ move failed becomes 'failed', which stops its group).
   */
  settle: (settled: SettledMessage) => Promise<MessageOutcome> | MessageOutcome;
}

// The handler runs in a CONSUMER span that continues the producer's trace from AWSTraceHeader
// (EventBridge forwards PutEvents' TraceHeader there; our SQS sends set it), so one user action
// stays one trace across the bus and the queues. A message without one starts a new trace.
function traced(message: QueueMessage, handler: MessageHandler): Promise<void> {
  return withSpan(
    'process message',
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromXrayHeader(message.traceHeader),
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.message.id': message.id,
        'messaging.sqs.receive_count': message.receiveCount,
        ...(message.groupId ? { 'messaging.message.group_id': message.groupId } : {}),
        ...(message.sentAt ? { 'messaging.queue_time_ms': Math.max(0, Date.now() - message.sentAt) } : {}),
      },
    },
    () => handler(message),
  );
}

/** Runs one message through the handler and classifies the result. Never throws. */
async function runOne(
  message: QueueMessage,
  handler: MessageHandler,
  isPoison?: (error: unknown) => boolean,
): Promise<SettledMessage> {
  try {
    await traced(message, handler);
    return { message, outcome: 'succeeded' };
  } catch (error) {
    let poison = false;
    try {
      poison = isPoison?.(error) ?? false;
    } catch {
      poison = false;
    }
    return { message, outcome: poison ? 'poison' : 'failed', error };
  }
}

/**
 * The per-batch core shared by the long-running consumer and the Lambda adapter: message groups
 * run in parallel, one group's messages in order; a failure in a group skips the rest of that
 * group in this batch (Powertools' skip-group-on-error), so order is never broken by a retry.
 */
export async function runBatch(
  messages: readonly QueueMessage[],
  handler: MessageHandler,
  { fifo, isPoison, settle }: RunBatchOptions,
): Promise<SettledMessage[]> {
  const results: SettledMessage[] = [];
  await Promise.all(
    planChains(messages, fifo).map(async (chain) => {
      let blocked: unknown;
      let isBlocked = false;
      for (const message of chain) {
        if (isBlocked) {
          const skipped: SettledMessage = { message, outcome: 'skipped', error: blocked };
          results.push(skipped);
          await settle(skipped);
          continue;
        }
        const settled = await runOne(message, handler, isPoison);
        const final = await settle(settled);
        results.push({ ...settled, outcome: final });
        if (final === 'failed' || final === 'skipped') {
          isBlocked = true;
          blocked = settled.error;
        }
      }
    }),
  );
  return results;
}
