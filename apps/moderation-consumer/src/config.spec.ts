import { loadModerationConsumerConfig } from './config';

const secret = `whsec_${Buffer.from('a-32-byte-outbound-signing-key!!').toString('base64')}`;
const required = {
  ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts',
  ALERT_WEBHOOK_SECRET: secret,
  CRM_WEBHOOK_URL: 'http://127.0.0.1:9/crm',
  CRM_WEBHOOK_SECRET: secret,
};

describe('moderation-consumer config', () => {
  it('listens on 3003 by default: 3002 is the enrichment worker (both run on one host locally)', () => {
    expect(loadModerationConsumerConfig(required).PORT).toBe(3003);
  });
});
