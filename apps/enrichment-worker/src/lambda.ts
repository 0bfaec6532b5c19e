import { createServiceRuntime } from '@manga-assist/service-runtime';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { resolveQueueUrl } from '@manga-assist/aws-clients';
import { processSqsEvent, errorReason, type SqsEvent, type SqsBatchResponse } from '@manga-assist/queue-consumer';
import { loadEnrichmentWorkerConfig } from './config';
import { isPermanent } from './errors';
import { createWorkerCore } from './service';

let core: ReturnType<typeof createWorkerCore> | undefined;
let dlqUrl: Promise<string> | undefined;

/**
 * AWS Lambda handler for an SQS event source (FunctionResponseTypes: ReportBatchItemFailures),
 * sharing the job-processing core with the long-running worker. Poison jobs are recorded failed
 * and sent to the DLQ explicitly, so they do not burn the redrive's receive count.
 */
export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  const config = loadEnrichmentWorkerConfig();
  core ??= createWorkerCore({
    config,
    runtime: createServiceRuntime({ service: 'enrichment-worker', logLevel: config.LOG_LEVEL, defaultMetrics: false }),
  });
  const { aws, processor } = core;
  dlqUrl ??= resolveQueueUrl(aws.sqs, config.ENRICHMENT_DLQ);
  const dlq = await dlqUrl;
  return processSqsEvent(event, (m) => processor.handle(m), {
    isPoison: isPermanent,
    onPoison: async (message, error) => {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq,
          MessageBody: message.body,
          MessageAttributes: { DlqReason: { DataType: 'String', StringValue: errorReason(error).slice(0, 1000) } },
          ...(dlq.endsWith('.fifo') ? { MessageGroupId: message.groupId ?? 'poison', MessageDeduplicationId: message.id } : {}),
        }),
      );
      return true;
    },
  });
}
