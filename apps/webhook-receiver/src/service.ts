import express from 'express';
import {
  createOpsRouter,
  requestContext,
  startHttpServer,
  type ServiceRuntime,
} from '@manga-assist/service-runtime';
import {
  awsClientConfigFromEnv,
  createAwsClients,
  dynamoTableCheck,
  resourceNamesFromEnv,
  type AwsClients,
} from '@manga-assist/aws-clients';
import type { WebhookReceiverConfig } from './config';

export interface WebhookReceiver {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface WebhookReceiverDeps {
  config: WebhookReceiverConfig;
  runtime: ServiceRuntime;
  /** Defaults to clients built from the config; tests may pass their own. */
  clients?: AwsClients;
}

export async function startWebhookReceiver({ config, runtime, clients }: WebhookReceiverDeps): Promise<WebhookReceiver> {
  const aws = clients ?? createAwsClients(awsClientConfigFromEnv(config));
  const names = resourceNamesFromEnv(config);
  const { logger, registry, shutdown } = runtime;

  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.use(
    createOpsRouter({
      registry,
      isShuttingDown: () => shutdown.isShuttingDown,
      checks: [dynamoTableCheck(aws.dynamodb, names.tables.idempotency)],
    }),
  );

  const http = await startHttpServer(app, { port: config.PORT, host: config.HOST });
  logger.info({ url: http.url }, 'webhook-receiver listening');

  const stop = async () => {
    await http.close();
    if (!clients) aws.destroy();
  };
  shutdown.register('webhook-receiver', stop);
  return { url: http.url, port: http.port, stop };
}
