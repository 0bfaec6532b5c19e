import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';
import { fmEnv } from '@manga-assist/fm-client';
import { SOURCES, secretsKey, sourcesEnv, type WebhookSourceName } from './sources';

export const webhookReceiverEnv = z
  .object({
    ...awsEnv,
    ...resourceNamesEnv,
    ...fmEnv,
    PORT: env.port(3001),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_TIMEOUT_MS: env.int(15_000, { min: 100 }),
    /** Per source: WEBHOOK_SECRETS_<NAME> (newest first; several during rotation), WEBHOOK_SCHEME_<NAME>, its own settings. */
    ...sourcesEnv(),
    /** Optional Secrets Manager secret (ARN or name) holding `{"stripe": "a,b", "reviews": [...], ...}`. */
    WEBHOOK_SECRETS_ARN: env.optionalString(),
    WEBHOOK_SECRETS_CACHE_SECONDS: env.int(300, { min: 1, max: 86_400 }),
    WEBHOOK_TOLERANCE_SECONDS: env.int(300, { min: 1, max: 3600 }),
    /** Size cap of a delivery body, checked after JSON (413). Reading stops at 4x this (413 at once). */
    WEBHOOK_MAX_BODY_BYTES: env.int(256 * 1024, { min: 1024, max: 6 * 1024 * 1024 }),
    /** Review sentiment: the model answers within this or the review goes out with `unknown`. */
    SENTIMENT_ENABLED: env.bool(true),
    SENTIMENT_DEADLINE_MS: env.int(1500, { min: 50, max: 10_000 }),
    IDEMPOTENCY_TTL_SECONDS: env.int(86_400, { min: 60 }),
    /** How long a claim may stay in progress before a crashed owner is assumed (> processing time). */
    IDEMPOTENCY_IN_PROGRESS_SECONDS: env.int(60, { min: 5, max: 3600 }),
  })
  .superRefine(
    (c, ctx) => {
      if (c.WEBHOOK_SECRETS_ARN) return;
      for (const { name } of SOURCES) {
        const key = secretsKey(name);
        if (!Array.isArray(c[key]) || c[key].length > 0) continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `no signing secret for ${name} (or set WEBHOOK_SECRETS_ARN)`,
        });
      }
    },
    // Runs even when other variables are invalid, so ConfigError lists every problem at once.
    { when: () => true },
  );

export type WebhookReceiverConfig = z.infer<typeof webhookReceiverEnv>;

export function loadWebhookReceiverConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('webhook-receiver', webhookReceiverEnv, source);
}

export function envSecrets(config: WebhookReceiverConfig): Record<WebhookSourceName, string[]> {
  return Object.fromEntries(SOURCES.map(({ name }) => [name, config[secretsKey(name)]])) as Record<
    WebhookSourceName,
    string[]
  >;
}
