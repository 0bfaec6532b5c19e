import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';

export const webhookReceiverEnv = z.object({
  ...awsEnv,
  ...resourceNamesEnv,
  PORT: env.port(3001),
  HOST: env.string('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_TIMEOUT_MS: env.int(15_000, { min: 100 }),
});

export type WebhookReceiverConfig = z.infer<typeof webhookReceiverEnv>;

export function loadWebhookReceiverConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('webhook-receiver', webhookReceiverEnv, source);
}
