import { join } from 'node:path';
import { LOCAL_HOST, localPorts, type LocalPorts } from './ports';

export interface LocalService {
  name: string;
  entry: string;
  port: number;
  /** Extra environment for local mode (dev secrets, dev token issuer...). Never used outside it. */
  env: Record<string, string>;
}

/** Standard Webhooks secret shared by the moderation consumer and the local webhook sink. */
export const LOCAL_OUTBOUND_SECRET = `whsec_${Buffer.from('mangaassist-local-outbound-key').toString('base64')}`;

/** The local mode's webhook secrets (the receiver accepts them; `npm run webhook` signs with them). */
export const LOCAL_WEBHOOK_SECRETS = {
  stripe: 'whsec_local_dev_stripe',
  reviews: 'local-dev-reviews-secret',
  catalog: 'local-dev-catalog-secret',
} as const;

/** The local mode's HS256 secret: the gateway verifies with it, and its dev issuer signs with it. */
export const LOCAL_JWT_SECRET = 'local-dev-only-secret-change-me-0123456789';

/**
 * The four services as `npm start` runs them, with the local-only settings each needs. Every one
 * listens on 127.0.0.1 only (their own default is 0.0.0.0, for containers).
 */
export function localServices(root: string, ports: LocalPorts = localPorts(0)): LocalService[] {
  const sink = `http://${LOCAL_HOST}:${ports['webhook-sink']}`;
  const entry = (app: string) => join(root, 'apps', app, 'src', 'main.ts');
  return withTracing(`http://${LOCAL_HOST}:${ports.traces}`, [
    {
      name: 'chat-gateway',
      entry: entry('chat-gateway'),
      port: ports['chat-gateway'],
      env: {
        WEB_UI: 'true',
        AUTH_DEV_ISSUER: 'true',
        AUTH_JWT_SECRET: LOCAL_JWT_SECRET,
      },
    },
    {
      name: 'webhook-receiver',
      entry: entry('webhook-receiver'),
      port: ports['webhook-receiver'],
      env: {
        WEBHOOK_SECRETS_STRIPE: LOCAL_WEBHOOK_SECRETS.stripe,
        WEBHOOK_SECRETS_REVIEWS: LOCAL_WEBHOOK_SECRETS.reviews,
        WEBHOOK_SECRETS_CATALOG: LOCAL_WEBHOOK_SECRETS.catalog,
      },
    },
    // Admin APIs: staff tokens from the gateway's dev issuer (POST /dev/token {"roles":["staff"]}).
    {
      name: 'enrichment-worker',
      entry: entry('enrichment-worker'),
      port: ports['enrichment-worker'],
      env: { AUTH_JWT_SECRET: LOCAL_JWT_SECRET },
    },
    {
      name: 'moderation-consumer',
      entry: entry('moderation-consumer'),
      port: ports['moderation-consumer'],
      env: {
        AUTH_JWT_SECRET: LOCAL_JWT_SECRET,
        ALERT_WEBHOOK_URL: `${sink}/alerts`,
        ALERT_WEBHOOK_SECRET: LOCAL_OUTBOUND_SECRET,
        CRM_WEBHOOK_URL: `${sink}/crm`,
        CRM_WEBHOOK_SECRET: LOCAL_OUTBOUND_SECRET,
      },
    },
  ]);
}

/** Every service exports its spans to the local stack's OTLP receiver (the page at its URL shows them). */
export function withTracing(collectorUrl: string, services: LocalService[]): LocalService[] {
  return services.map((s) => ({
    ...s,
    env: {
      OTEL_SERVICE_NAME: s.name,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      ...s.env,
    },
  }));
}
