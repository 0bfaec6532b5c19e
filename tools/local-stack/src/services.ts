import { join } from 'node:path';

export interface LocalService {
  name: string;
  entry: string;
  port: number;
  /** Extra environment for local mode (dev secrets, dev token issuer...). Never used outside it. */
  env: Record<string, string>;
}

/** The four services as `npm start` runs them, with the local-only settings each needs. */
export function localServices(root: string): LocalService[] {
  const entry = (app: string) => join(root, 'apps', app, 'src', 'main.ts');
  return [
    {
      name: 'chat-gateway',
      entry: entry('chat-gateway'),
      port: 3000,
      env: {
        LOCAL_MODE: 'true',
        AUTH_DEV_ISSUER: 'true',
        JWT_SECRET: 'local-dev-only-secret-change-me-0123456789',
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
    { name: 'moderation-consumer', entry: entry('moderation-consumer'), port: 3003, env: {} },
  ];
}
