import { createHmac } from 'node:crypto';
import { startWebhookSink, verifyStandardWebhook } from './webhook-sink';

const secret = `whsec_${Buffer.from('local-sink-test-key-0123456789').toString('base64')}`;
const sign = (id: string, ts: string, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
    .update(`${id}.${ts}.${body}`)
    .digest('base64')}`;

describe('webhook sink', () => {
  it('verifies the Standard Webhooks reference vector', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    expect(
      verifyStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers, '{"test": 2432232314}'),
    ).toBe(true);
    expect(
      verifyStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers, '{"test": 2432232315}'),
    ).toBe(false);
  });

  it('records signed deliveries and refuses unsigned ones', async () => {
    const sink = await startWebhookSink({ secret });
    try {
      const body = JSON.stringify({ type: 'order.confirmation', text: 'ご注文ありがとうございます ¥1,500' });
      const ok = await fetch(`${sink.url}/crm`, {
        method: 'POST',
        body,
        headers: {
          'webhook-id': 'msg_1',
          'webhook-timestamp': '1700000000',
          'webhook-signature': sign('msg_1', '1700000000', body),
        },
      });
      expect(ok.status).toBe(204);
      const forged = await fetch(`${sink.url}/alerts`, { method: 'POST', body });
      expect(forged.status).toBe(401);
      const seen = await (await fetch(sink.url)).json();
      expect(seen.map((d: { path: string; signatureValid: boolean }) => [d.path, d.signatureValid])).toEqual([
        ['/crm', true],
        ['/alerts', false],
      ]);
      expect(sink.deliveries()[0].body).toMatchObject({ text: 'ご注文ありがとうございます ¥1,500' });
    } finally {
      await sink.stop();
    }
  });
});
