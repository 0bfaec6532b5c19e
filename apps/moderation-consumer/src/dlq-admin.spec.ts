import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { DETAIL_TYPES } from '@manga-assist/event-schemas';
import { createLogger, createServiceRuntime } from '@manga-assist/service-runtime';
import { createContractValidator } from '@manga-assist/contract-testing';
import { loadModerationConsumerConfig } from './config';
import { moderationConsumerOpenApi } from './openapi';
import { startModerationConsumer, type ModerationConsumer } from './service';
import { startWebhookTestServer, type WebhookTestServer } from './test-support/webhook-server';
import { ALERT_SECRET, busPublisher, CRM_SECRET, sendRaw, waitFor } from './test-support/harness';

describe('moderation-consumer DLQ admin API (list with reasons, redrive by reason)', () => {
  let stack: LocalStack;
  let alerts: WebhookTestServer;
  let crm: WebhookTestServer;
  let service: ModerationConsumer;
  const runtime = createServiceRuntime({
    service: 'moderation-consumer',
    logger: createLogger({ service: 'moderation-consumer', level: 'silent' }),
    exit: () => undefined,
    defaultMetrics: false,
  });

  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: true, maxReceiveCount: 3, redis: false });
    alerts = await startWebhookTestServer(ALERT_SECRET);
    crm = await startWebhookTestServer(CRM_SECRET);
    const config = loadModerationConsumerConfig({
      ...stack.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ALERT_WEBHOOK_URL: alerts.url,
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      CRM_WEBHOOK_URL: crm.url,
      CRM_WEBHOOK_SECRET: CRM_SECRET,
      OUTBOUND_MAX_ATTEMPTS: '2',
      OUTBOUND_BASE_DELAY_MS: '20',
      OUTBOUND_MAX_DELAY_MS: '40',
      RECEIVE_WAIT_SECONDS: '1',
      FM_CACHE_ENABLED: 'false',
    });
    service = await startModerationConsumer({ config, runtime });
  });
  afterAll(async () => {
    await runtime.shutdown.trigger('test done');
    await alerts?.close();
    await crm?.close();
    await stack?.stop();
  });

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    // Every answer is checked against the consumer's OpenAPI document.
    contract.check({
      method: body ? 'POST' : 'GET',
      path,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: json,
    });
    return { status: res.status, body: json as any };
  };
  const contract = createContractValidator(moderationConsumerOpenApi());

  it('lists a parked alert and a poison event with their reasons, redrives the alert once its endpoint is back', async () => {
    alerts.respondWith(503);
    const reviewId = `rev-${randomUUID().slice(0, 8)}`;
    await busPublisher(
      stack.clients,
      stack.names.eventBusName,
    )({
      detailType: DETAIL_TYPES.ReviewSubmitted,
      detail: {
        review_id: reviewId,
        product_id: 'manga-001',
        review_text: 'お前は本当にバカだな',
        rating: 1,
      },
    });
    await sendRaw(stack.clients.sqs, stack.queueUrls[stack.names.queues.moderation], '{"not": "an event"');

    const listed = await waitFor(
      async () => {
        const res = await api('/admin/dlq');
        return res.body.count === 2 && res.body;
      },
      'an alert and a poison event in the DLQ',
      30_000,
    );
    const alert = listed.messages.find((m: { kind: string }) => m.kind === 'outbound_webhook');
    const poison = listed.messages.find((m: { kind: string }) => m.kind === 'event');
    expect(alert).toMatchObject({
      target: 'alert',
      reason: expect.stringMatching(/^outbound alert webhook undelivered after 2 attempts: HTTP 503/),
    });
    expect(poison.reason).toMatch(/JSON|parse|event/i);
    expect(Object.values(listed.byReason)).toEqual([1, 1]);

    alerts.respondWith(204);
    const before = alerts.received.length;
    const redrive = await api('/admin/dlq/redrive', { reason: 'outbound alert' });
    expect(redrive).toMatchObject({ status: 200, body: { redelivered: 1, moved: 0, kept: 1, failures: [] } });
    const delivered = alerts.received
      .slice(before)
      .filter((r) => (r.json as { review_id?: string }).review_id === reviewId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].verification.ok).toBe(true);

    const after = await api('/admin/dlq');
    expect(after.body.count).toBe(1);
    expect(after.body.messages[0].kind).toBe('event');
  }, 60_000);

  it('refuses a redrive request with unknown fields', async () => {
    const res = await api('/admin/dlq/redrive', { all: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REDRIVE');
  });
});
