import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createLogger, createServiceRuntime } from '@manga-assist/service-runtime';
import { standardWebhookHeaders } from '@manga-assist/webhook-signatures';
import { loadModerationConsumerConfig } from './config';
import { startModerationConsumer } from './service';
import { ALERT_SECRET, createQueue, CRM_SECRET, getReview, waitFor } from './test-support/harness';
import { startWebhookTestServer, type WebhookTestServer } from './test-support/webhook-server';

const ROOT = path.resolve(__dirname, '../../..');
const REVIEWS_SECRET = `whsec_${Buffer.from('partner-reviews-signing-secret!!').toString('base64')}`;

/**
 * The whole path with nothing imported from webhook-receiver (apps never import apps): it runs as
 * its own process, as in production. Signed review webhook -> webhook-receiver -> EventBridge router
 * -> moderation queue -> this consumer -> verdict stored / review hidden + signed alert.
 */
describe('end to end: signed review webhook -> webhook-receiver (child process) -> router -> moderation-consumer', () => {
  let stack: LocalStack;
  let alerts: WebhookTestServer;
  let crm: WebhookTestServer;
  let receiver: ChildProcess;
  let receiverUrl: string;
  const runtime = createServiceRuntime({
    service: 'moderation-consumer',
    logger: createLogger({ service: 'moderation-consumer', level: 'silent' }),
    exit: () => undefined,
    defaultMetrics: false,
  });

  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: true, redis: false });
    alerts = await startWebhookTestServer(ALERT_SECRET);
    crm = await startWebhookTestServer(CRM_SECRET);
    const outboundDlq = await createQueue(stack.clients.sqs, `outbound-dlq-${randomUUID().slice(0, 8)}`);
    const config = loadModerationConsumerConfig({
      ...stack.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ALERT_WEBHOOK_URL: alerts.url,
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      CRM_WEBHOOK_URL: crm.url,
      CRM_WEBHOOK_SECRET: CRM_SECRET,
      OUTBOUND_DLQ: outboundDlq,
      RECEIVE_WAIT_SECONDS: '1',
    });
    await startModerationConsumer({ config, runtime });

    receiver = spawn(process.execPath, ['--import', 'tsx', 'apps/webhook-receiver/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ...stack.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        WEBHOOK_SCHEME_REVIEWS: 'standard',
        WEBHOOK_SECRETS_REVIEWS: REVIEWS_SECRET,
        WEBHOOK_SECRETS_STRIPE: 'whsec_unused_in_this_test',
        WEBHOOK_SECRETS_CATALOG: 'unused-in-this-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    receiver.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    receiverUrl = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`webhook-receiver did not start: ${stderr}`)), 60_000);
      receiver.once('exit', (code) => reject(new Error(`webhook-receiver exited ${code}: ${stderr}`)));
      receiver.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split('\n')) {
          const url = /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1];
          if (url && line.includes('listening')) {
            clearTimeout(timer);
            resolve(url);
          }
        }
      });
    });
  }, 90_000);

  afterAll(async () => {
    if (receiver && receiver.exitCode === null) {
      const exited = new Promise((r) => receiver.once('exit', r));
      receiver.kill('SIGTERM');
      await exited;
    }
    await runtime.shutdown.trigger('test done');
    await alerts?.close();
    await crm?.close();
    await stack?.stop();
  });

  async function postReview(review: Record<string, unknown>) {
    const body = JSON.stringify(review);
    const headers = standardWebhookHeaders(
      REVIEWS_SECRET,
      `msg_${randomUUID()}`,
      Math.floor(Date.now() / 1000),
      body,
    );
    return fetch(`${receiverUrl}/webhooks/reviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it('a friendly review: accepted by the receiver, moderated, verdict stored as approved', async () => {
    const reviewId = `e2e-${randomUUID().slice(0, 8)}`;
    const res = await postReview({
      review_id: reviewId,
      product_id: 'manga-77',
      text: 'とても面白かった！絵も綺麗です。',
      rating: 5,
    });
    expect(res.status).toBe(200);
    const item = await waitFor(
      async () => (await getReview(stack.clients, stack.names.tables.reviews, reviewId)) ?? false,
      'verdict',
      20_000,
    );
    expect(item).toMatchObject({ status: 'approved', moderation: { safe: true, verdict_source: 'model' } });
  });

  it('an abusive review: ModerationFlagged high -> router -> review hidden and a signed alert verified by the receiver', async () => {
    const reviewId = `e2e-${randomUUID().slice(0, 8)}`;
    const res = await postReview({
      review_id: reviewId,
      product_id: 'manga-77',
      text: '作者はバカ。クソつまらない。',
      rating: 1,
    });
    expect(res.status).toBe(200);
    const item = await waitFor(
      async () => {
        const it = await getReview(stack.clients, stack.names.tables.reviews, reviewId);
        return it?.status === 'hidden' && it;
      },
      'review hidden',
      20_000,
    );
    expect(item.moderation).toMatchObject({ safe: false, severity: 'high' });
    const [alert] = await alerts.waitFor(1, 20_000);
    expect(alert.verification).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(alert.json).toMatchObject({
      type: 'moderation.alert',
      review_id: reviewId,
      severity: 'high',
      review_hidden: true,
    });
  });
});
