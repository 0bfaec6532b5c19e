import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@manga-assist/service-runtime';
import { OutboundDeadLetterError } from '../errors';
import type { ConsumerMetrics } from '../metrics';
import type { OutboundPort, OutboundTarget } from '../ports';
import type { WebhookSender } from './webhook-sender';

export interface DeadLetterRecord {
  kind: 'outbound_webhook';
  target: OutboundTarget;
  webhook_id: string;
  attempts: number;
  permanent: boolean;
  last_status: number | null;
  last_error: string;
  failed_at: string;
  /** The exact payload, so an operator can re-send it once the endpoint is back. */
  payload: Record<string, unknown>;
}

export interface DeadLetterSink {
  put(record: DeadLetterRecord): Promise<void>;
}

/** The outbound DLQ as an SQS queue; message attributes make records filterable without parsing. */
export function sqsDeadLetterSink(sqs: SQSClient, queueUrl: string): DeadLetterSink {
  return {
    async put(record) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(record),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: record.kind },
            target: { DataType: 'String', StringValue: record.target },
            webhook_id: { DataType: 'String', StringValue: record.webhook_id },
            // Read by the DLQ listing and redrive-by-reason of the admin API.
            DlqReason: {
              DataType: 'String',
              StringValue:
                `outbound ${record.target} webhook undelivered after ${record.attempts} attempts: ${record.last_status ? `HTTP ${record.last_status} ` : ''}${record.last_error}`.slice(
                  0,
                  1000,
                ),
            },
          },
        }),
      );
    },
  };
}

export interface OutboundDeps {
  senders: Record<OutboundTarget, WebhookSender>;
  deadLetters: DeadLetterSink;
  metrics: ConsumerMetrics;
  logger: Pick<Logger, 'warn' | 'error' | 'info'>;
  now?: () => Date;
}

/** Signed delivery with retries, then the DLQ: an alert or confirmation is never just dropped. */
export function createOutbound(deps: OutboundDeps): OutboundPort {
  const now = deps.now ?? (() => new Date());
  return {
    async deliver(target, webhookId, payload) {
      const result = await deps.senders[target].send(webhookId, payload);
      if (result.delivered) {
        deps.metrics.outboundDeliveries.inc({ target, outcome: 'delivered' });
        deps.logger.info({ target, webhookId, attempts: result.attempts }, 'outbound webhook delivered');
        return 'delivered';
      }
      const record: DeadLetterRecord = {
        kind: 'outbound_webhook',
        target,
        webhook_id: webhookId,
        attempts: result.attempts,
        permanent: result.permanent,
        last_status: result.status ?? null,
        last_error: result.error,
        failed_at: now().toISOString(),
        payload,
      };
      try {
        await deps.deadLetters.put(record);
      } catch (error) {
        deps.metrics.outboundDeliveries.inc({ target, outcome: 'dlq_failed' });
        deps.logger.error(
          { target, webhookId, err: error },
          'outbound webhook failed and the DLQ refused it; event will be retried',
        );
        throw new OutboundDeadLetterError(target, error);
      }
      deps.metrics.outboundDeliveries.inc({ target, outcome: 'dead_lettered' });
      deps.logger.error(
        { target, webhookId, attempts: result.attempts, lastStatus: result.status, lastError: result.error },
        'outbound webhook failed after retries; sent to the outbound DLQ',
      );
      return 'dead_lettered';
    },
  };
}
