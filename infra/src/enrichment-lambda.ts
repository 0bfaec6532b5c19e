import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { queueDefinitions, resourceNamesToEnv, type ResourceNames } from '@manga-assist/aws-clients';
import type { DataPlane } from './data';
import type { EventRouting } from './events';
import { grantEnrichment, metricsNamespace } from './services';
import type { StageSettings } from './settings';

/** Output of `nx run enrichment-worker:build-lambda` (the handler in apps/enrichment-worker/src/lambda.ts). */
export const LAMBDA_BUNDLE_DIR = 'dist/apps/enrichment-worker-lambda';

export interface EnrichmentLambdaProps {
  settings: StageSettings;
  names: ResourceNames;
  data: DataPlane;
  routing: EventRouting;
  /** Directory holding index.js (the bundled handler). */
  bundleDir: string;
}

/**
 * The enrichment consumer as a Lambda function (seed scenario 4): reserved concurrency caps what
 * it can take from the account, MaximumConcurrency caps how many the SQS event source invokes,
 * and ReportBatchItemFailures returns only the failed messages to the queue.
 */
export class EnrichmentLambda extends Construct {
  readonly fn: lambda.Function;

  constructor(
    scope: Construct,
    id: string,
    { settings, names, data, routing, bundleDir }: EnrichmentLambdaProps,
  ) {
    super(scope, id);
    if (!existsSync(join(bundleDir, 'index.js'))) {
      throw new Error(
        `enrichment runtime "lambda" needs the bundled handler in ${bundleDir}: run npx nx run enrichment-worker:build-lambda`,
      );
    }
    const def = queueDefinitions(names).find((q) => q.name === names.queues.enrichment);
    if (!def) throw new Error('queueDefinitions() has no enrichment queue');
    const { reservedConcurrency, maxConcurrency, batchSize, memoryMiB } = settings.enrichment.lambda;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/manga-assist/${settings.stage}/enrichment-worker-lambda`,
      retention: settings.logRetentionDays,
      removalPolicy: settings.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.fn = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDir),
      memorySize: memoryMiB,
      // SQS requires the queue's visibility timeout to be at least the function timeout.
      timeout: Duration.seconds(Math.max(10, def.visibilityTimeoutSeconds - 10)),
      reservedConcurrentExecutions: reservedConcurrency,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        ...resourceNamesToEnv(names),
        FM_MODEL_DEFAULT: settings.models.default,
        FM_MODEL_COMPLEX: settings.models.complex,
        JOB_MAX_RECEIVES: String(def.maxReceiveCount),
        METRICS_EMF: 'true',
        METRICS_EMF_NAMESPACE: metricsNamespace(settings.stage),
      },
    });
    if (!this.fn.role) throw new Error('the enrichment function has no execution role');
    grantEnrichment(this.fn.role, data, routing, [settings.models.default, settings.models.complex]);
    this.fn.addEventSource(
      new SqsEventSource(data.queues.enrichment, {
        batchSize,
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
    if (maxConcurrency > reservedConcurrency) {
      throw new Error(
        `${Stack.of(this).stackName}: lambda maxConcurrency ${maxConcurrency} > reserved ${reservedConcurrency}`,
      );
    }
  }
}
