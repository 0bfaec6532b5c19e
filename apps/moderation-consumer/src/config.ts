import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';
import { fmEnv } from '@manga-assist/fm-client';
import { checkIdentityConfig, identityEnv } from '@manga-assist/identity';

/** A Standard Webhooks secret: `whsec_` + base64 key bytes. */
const webhookSecret = () =>
  z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/,
      'must be a Standard Webhooks secret: whsec_ followed by base64 (>= 16 bytes)',
    );

export const moderationConsumerEnv = z
  .object({
    ...awsEnv,
    ...resourceNamesEnv,
    ...fmEnv,
    /** Who may use the human-review admin API: tokens with the staff role (unset: closed, 503). */
    ...identityEnv,
    /** Ops HTTP server: /healthz /readyz /metrics /stats. */
    PORT: env.port(3003),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_TIMEOUT_MS: env.int(30_000, { min: 100 }),
    /** How long SIGTERM waits for in-flight events before giving them back to the queue. */
    DRAIN_TIMEOUT_MS: env.int(20_000, { min: 0 }),
    CONSUMER_CONCURRENCY: env.int(16, { min: 1, max: 1_000 }),
    /** Must exceed one event's worst case: model deadline + every outbound retry (the heartbeat extends it too). */
    VISIBILITY_TIMEOUT_SECONDS: env.int(90, { min: 5, max: 43_200 }),
    RECEIVE_WAIT_SECONDS: env.int(20, { min: 0, max: 20 }),
    /** Deadline of one Haiku call (moderation verdict, order confirmation). */
    FM_CALL_DEADLINE_MS: env.int(10_000, { min: 100, max: 60_000 }),
    /** From this SQS receive on, a model that still fails no longer blocks: fail closed / template. */
    FAIL_CLOSED_AFTER_RECEIVES: env.int(3, { min: 1, max: 100 }),
    ALERT_WEBHOOK_URL: env.url(),
    ALERT_WEBHOOK_SECRET: webhookSecret(),
    CRM_WEBHOOK_URL: env.url(),
    CRM_WEBHOOK_SECRET: webhookSecret(),
    /**
     * Where alerts and confirmations go after their last retry (name or URL; must exist). Unset: the
     * moderation DLQ, where these records carry the message attribute kind=outbound_webhook.
     */
    OUTBOUND_DLQ: env.optionalString(),
    OUTBOUND_MAX_ATTEMPTS: env.int(5, { min: 1, max: 20 }),
    OUTBOUND_BASE_DELAY_MS: env.int(500, { min: 0 }),
    OUTBOUND_MAX_DELAY_MS: env.int(8_000, { min: 0 }),
    OUTBOUND_TIMEOUT_MS: env.int(5_000, { min: 100, max: 60_000 }),
  })
  .superRefine(checkIdentityConfig);

export type ModerationConsumerConfig = z.infer<typeof moderationConsumerEnv>;

export function loadModerationConsumerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('moderation-consumer', moderationConsumerEnv, source);
}
