import { ConfigError, createLogger, createServiceRuntime } from '@manga-assist/service-runtime';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { loadWebhookReceiverConfig } from './config';
import { startWebhookReceiver, type WebhookReceiver } from './service';

describe('webhook-receiver service', () => {
  let stack: LocalStack;
  let service: WebhookReceiver;
  const runtime = createServiceRuntime({
    service: 'webhook-receiver',
    logger: createLogger({ service: 'webhook-receiver', level: 'silent' }),
    exit: () => undefined,
  });

  beforeAll(async () => {
    stack = await startLocalStack();
    const config = loadWebhookReceiverConfig({ ...stack.env, PORT: '0', HOST: '127.0.0.1' });
    service = await startWebhookReceiver({ config, runtime });
  });
  afterAll(async () => {
    await runtime.shutdown.trigger('test done');
    await stack.stop();
  });

  it('answers /healthz, /readyz (table reachable) and /metrics', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('service="webhook-receiver"');
  });

  it('echoes a request id on every response', async () => {
    const res = await fetch(`${service.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('rejects an invalid environment with one message naming every problem', () => {
    expect(() => loadWebhookReceiverConfig({ PORT: 'eighty', DYNAMODB_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    try {
      loadWebhookReceiverConfig({ PORT: 'eighty', DYNAMODB_ENDPOINT: 'not a url' });
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
      expect((error as ConfigError).message).toMatch(/DYNAMODB_ENDPOINT[\s\S]*PORT/);
    }
  });

  it('reports unready once shutdown has begun, then stops', async () => {
    const local = createServiceRuntime({
      service: 'webhook-receiver',
      logger: createLogger({ service: 'webhook-receiver', level: 'silent' }),
      exit: () => undefined,
      defaultMetrics: false,
    });
    const config = loadWebhookReceiverConfig({ ...stack.env, PORT: '0', HOST: '127.0.0.1' });
    const second = await startWebhookReceiver({ config, runtime: local });
    const code = await local.shutdown.trigger('SIGTERM');
    expect(code).toBe(0);
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
  });
});
