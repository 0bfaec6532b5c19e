import { counterValue, silentLogger, testMetrics } from '../test-support/fakes';
import { OutboundDeadLetterError } from '../errors';
import { createOutbound, type DeadLetterRecord } from './outbound';
import type { DeliveryResult, WebhookSender } from './webhook-sender';

const sender = (result: DeliveryResult): WebhookSender => ({ target: 'alert', send: async () => result });

describe('outbound delivery', () => {
  it('puts a payload that exhausted its retries into the DLQ with the reason, and counts it', async () => {
    const { registry, metrics } = testMetrics();
    const records: DeadLetterRecord[] = [];
    const outbound = createOutbound({
      senders: {
        alert: sender({ delivered: false, attempts: 5, permanent: false, status: 503, error: 'HTTP 503' }),
        crm: sender({ delivered: true, attempts: 1, status: 200 }),
      },
      deadLetters: { put: async (r) => void records.push(r) },
      metrics,
      logger: silentLogger,
    });
    expect(await outbound.deliver('alert', 'msg_1', { a: 1 })).toBe('dead_lettered');
    expect(records[0]).toMatchObject({
      target: 'alert',
      webhook_id: 'msg_1',
      attempts: 5,
      last_status: 503,
      payload: { a: 1 },
    });
    expect(
      await counterValue(registry, 'moderation_outbound_deliveries_total', {
        target: 'alert',
        outcome: 'dead_lettered',
      }),
    ).toBe(1);
    expect(await outbound.deliver('crm', 'msg_2', {})).toBe('delivered');
  });

  it('fails the event (so SQS retries it) when even the DLQ refuses the payload', async () => {
    const { metrics } = testMetrics();
    const outbound = createOutbound({
      senders: {
        alert: sender({ delivered: false, attempts: 1, permanent: true, status: 410, error: 'HTTP 410' }),
        crm: sender({ delivered: true, attempts: 1, status: 200 }),
      },
      deadLetters: {
        put: async () => {
          throw new Error('SQS down');
        },
      },
      metrics,
      logger: silentLogger,
    });
    await expect(outbound.deliver('alert', 'msg_3', {})).rejects.toBeInstanceOf(OutboundDeadLetterError);
  });
});
