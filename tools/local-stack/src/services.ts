import { join } from 'node:path';

export interface LocalService {
  name: string;
  entry: string;
  port: number;
  /** Extra environment for local mode (dev secrets, dev token issuer...). Never used outside it. */
  env: Record<string, string>;
}

/** The four services as `npm start` runs them, with the local-only settings each needs. */
/** Standard Webhooks secret shared by the moderation consumer and the local webhook sink. */
export const LOCAL_OUTBOUND_SECRET = `whsec_${Buffer.from('mangaassist-local-outbound-key').toString('base64')}`;
export const LOCAL_SINK_PORT = 4030;

export function localServices(root: string): LocalService[] {
  const sink = `http://127.0.0.1:${LOCAL_SINK_PORT}`;
  const entry = (app: string) => join(root, 'apps', app, 'src', 'main.ts');
  return [
    {
      name: 'chat-gateway',
      entry: entry('chat-gateway'),
      port: 3000,
      env: {
        WEB_UI: 'true',
        AUTH_DEV_ISSUER: 'true',
        AUTH_JWT_SECRET: 'local-dev-only-secret-change-me-0123456789',
      },
    },
    {
      name: 'webhook-receiver',
      entry: entry('webhook-receiver'),
      port: 3001,
      env: {
        WEBHOOK_SECRETS_STRIPE: 'whsec_local_dev_stripe',
        WEBHOOK_SECRETS_REVIEWS: 'local-dev-reviews-secret',
        WEBHOOK_SECRETS_CATALOG: 'local-dev-catalog-secret',
      },
    },
    { name: 'enrichment-worker', entry: entry('enrichment-worker'), port: 3002, env: {} },
    {
      name: 'moderation-consumer',
      entry: entry('moderation-consumer'),
      port: 3003,
      env: {
        ALERT_WEBHOOK_URL: `${sink}/alerts`,
        ALERT_WEBHOOK_SECRET: LOCAL_OUTBOUND_SECRET,
        CRM_WEBHOOK_URL: `${sink}/crm`,
        CRM_WEBHOOK_SECRET: LOCAL_OUTBOUND_SECRET,
      },
    },
  ];
}
