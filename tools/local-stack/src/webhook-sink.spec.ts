import { standardWebhookHeaders } from '@manga-assist/webhook-signatures';
import { startWebhookSink } from './webhook-sink';

const secret = `whsec_${Buffer.from('local-sink-test-key-0123456789').toString('base64')}`;

describe('webhook sink', () => {
  it('records signed deliveries and refuses unsigned ones', async () => {
    const sink = await startWebhookSink({ secret });
    try {
      const body = JSON.stringify({ type: 'order.confirmation', text: 'ご注文ありがとうございます ¥1,500' });
      const ok = await fetch(`${sink.url}/crm`, {
        method: 'POST',
        body,
        // An old timestamp on purpose: the sink judges signatures, not their age.
        headers: standardWebhookHeaders(secret, 'msg_1', 1700000000, body),
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
