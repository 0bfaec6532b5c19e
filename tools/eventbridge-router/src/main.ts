/**
 * CLI: the EventBridge local router against an existing SQS endpoint (fauxqs, docker SQS image).
 * Env: SQS_ENDPOINT, AWS_REGION, EVENTBRIDGE_PORT (default 4020), EVENTBRIDGE_HOST (127.0.0.1),
 * EVENT_ARCHIVE_PATH (JSONL, optional). It starts with the default bus only: the bus, rules and
 * targets arrive through the EventBridge API (provision-cli), and live in memory, so a restarted
 * router needs provisioning again. Target queues are looked up by name (GetQueueUrl).
 */
import { z } from 'zod';
import { SQSClient } from '@aws-sdk/client-sqs';
import { env, loadConfig, runMain, createLogger } from '@manga-assist/service-runtime';
import { startEventBridgeRouter } from './router';

const schema = z.object({
  AWS_REGION: env.string('us-east-1'),
  SQS_ENDPOINT: env.optionalUrl(),
  EVENTBRIDGE_PORT: env.int(4020, { min: 0, max: 65535 }),
  EVENTBRIDGE_HOST: env.string('127.0.0.1'),
  EVENT_ARCHIVE_PATH: z.string().optional(),
});

runMain('eventbridge-router', async () => {
  const config = loadConfig('eventbridge-router', schema, process.env);
  const logger = createLogger({ service: 'eventbridge-router' });
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    ...(config.SQS_ENDPOINT && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const router = await startEventBridgeRouter({
    port: config.EVENTBRIDGE_PORT,
    host: config.EVENTBRIDGE_HOST,
    sqs,
    region: config.AWS_REGION,
    archivePath: config.EVENT_ARCHIVE_PATH,
    logger,
  });
  const stop = async () => {
    await router.stop();
    sqs.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
});
