import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';
import { fmEnv } from '@manga-assist/fm-client';
import { checkIdentityConfig, identityEnv } from '@manga-assist/identity';

export const chatGatewayEnv = z
  .object({
    ...awsEnv,
    ...resourceNamesEnv,
    ...fmEnv,
    PORT: env.port(3000),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_TIMEOUT_MS: env.int(15_000, { min: 100 }),

    // Identity: HS256 shared secret or a JWKS URL (one of them is required).
    ...identityEnv,
    /** Local mode only: POST /dev/token signs tokens with AUTH_JWT_SECRET. */
    AUTH_DEV_ISSUER: env.bool(false),
    /** Serves the web chat page at `/` (local mode). */
    WEB_UI: env.bool(false),

    // Redis: response cache and rate limiting. Unset or unreachable = degraded, still answering.
    REDIS_URL: env.optionalUrl(),
    REDIS_KEY_PREFIX: env.string('manga-assist:'),
    RATE_LIMIT_POINTS: env.int(30, { min: 1 }),
    RATE_LIMIT_WINDOW_S: env.int(60, { min: 1 }),

    // Request bounds.
    BODY_LIMIT_BYTES: env.int(64 * 1024, { min: 1024 }),
    WS_MAX_PAYLOAD_BYTES: env.int(64 * 1024, { min: 1024 }),
    WS_HEARTBEAT_MS: env.int(30_000, { min: 10 }),
    /** A client whose socket holds more unsent bytes than this is cut off (slow consumer). */
    WS_MAX_BUFFERED_BYTES: env.int(1024 * 1024, { min: 1024 }),
    WS_MAX_CONNECTIONS: env.int(20_000, { min: 1 }),

    // Sessions.
    SESSION_TTL_S: env.int(30 * 60, { min: 1 }),
    SESSION_MAX_TURNS: env.int(40, { min: 2 }),
    SESSION_MAX_BYTES: env.int(128 * 1024, { min: 4096 }),
    SUMMARIZE_AFTER_TURNS: env.int(5, { min: 1 }),
    SUMMARY_KEEP_RECENT_TURNS: env.int(2, { min: 0 }),
    SUMMARY_QUEUE_MAX: env.int(200, { min: 1 }),

    // Model and deadlines (seed scenario 1). DEADLINE_SCALE multiplies every time budget: tests run
    // the 29 s story at a tenth of the time against an emulator running at the same time scale.
    INPUT_TOKEN_BUDGET: env.int(6000, { min: 500 }),
    MAX_OUTPUT_TOKENS: env.int(1024, { min: 16 }),
    REQUEST_CEILING_MS: env.int(29_000, { min: 100 }),
    MODEL_DEADLINE_CAP_MS: env.int(25_000, { min: 100 }),
    DEADLINE_SCALE: env.number(1, { min: 0.001, max: 10 }),
    CATALOG_REFRESH_MS: env.int(5 * 60_000, { min: 1000 }),
    CATALOG_MAX_TITLES: env.int(50_000, { min: 1 }),
    /** Link of a product card when the catalog item has no `url`; `{mangaId}` is replaced. */
    PRODUCT_URL_TEMPLATE: env.string('https://manga-assist.example/products/{mangaId}'),
  })
  .superRefine(
    (c, ctx) => {
      if (!c.AUTH_JWT_SECRET && !c.AUTH_JWKS_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['AUTH_JWT_SECRET'],
          message: 'set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL',
        });
      }
      checkIdentityConfig(c, ctx);
      if (c.AUTH_DEV_ISSUER && !c.AUTH_JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['AUTH_DEV_ISSUER'],
          message: 'the dev issuer needs AUTH_JWT_SECRET',
        });
      }
      // `when`: run even when another variable is invalid, so one message names every problem.
    },
    { when: () => true },
  );

export type ChatGatewayConfig = z.infer<typeof chatGatewayEnv>;

export function loadChatGatewayConfig(
  source: Record<string, string | undefined> = process.env,
): ChatGatewayConfig {
  return loadConfig('chat-gateway', chatGatewayEnv, source);
}
