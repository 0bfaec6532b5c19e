import { createServiceRuntime } from '@manga-assist/service-runtime';
import { resolveQueueUrl } from '@manga-assist/aws-clients';
import {
  processSqsEvent,
  sendToDlq,
  type SqsEvent,
  type SqsBatchResponse,
} from '@manga-assist/queue-consumer';
import { loadEnrichmentWorkerConfig, type EnrichmentWorkerConfig } from './config';
import { isPermanent } from './errors';
import { createWorkerCore } from './service';

interface Container {
  config: EnrichmentWorkerConfig;
  core: ReturnType<typeof createWorkerCore>;
  dlqUrl: Promise<string>;
}

/** Built on the first invocation and kept for the container's life: config parsed once, clients reused. */
let container: Container | undefined;

export function containerState(): Container {
  if (container) return container;
  const config = loadEnrichmentWorkerConfig();
  const core = createWorkerCore({
    config,
    runtime: createServiceRuntime({
      service: 'enrichment-worker',
      logLevel: config.LOG_LEVEL,
      defaultMetrics: false,
    }),
  });
  container = { config, core, dlqUrl: resolveQueueUrl(core.aws.sqs, config.ENRICHMENT_DLQ) };
  return container;
}

/**
 * AWS Lambda handler for an SQS event source (FunctionResponseTypes: ReportBatchItemFailures),
 * sharing the job-processing core with the long-running worker. Poison jobs are recorded failed
 * and sent to the DLQ explicitly (the consumer's DLQ move), so they do not burn the redrive's receive count.
 */
export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  const { config, core, dlqUrl } = containerState();
  const dlq = await dlqUrl;
  return processSqsEvent(event, (m) => core.processor.handle(m), {
    isPoison: isPermanent,
    onPoison: async (message, error) => {
      await sendToDlq(core.aws.sqs, dlq, message, error, config.ENRICHMENT_QUEUE);
      return true;
    },
  });
}
