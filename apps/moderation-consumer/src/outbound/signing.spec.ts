import { decodeSecret, signWebhook, verifyWebhook, WebhookSecretError } from './signing';

// The reference vector published with the Standard Webhooks specification.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TS = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';

describe('Standard Webhooks signing', () => {
  it('reproduces the specification test vector', () => {
    expect(signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY)).toEqual({
      'webhook-id': SPEC_ID,
      'webhook-timestamp': String(SPEC_TS),
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies its own signatures and rejects a changed body, id or timestamp', () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    const opts = { nowSeconds: SPEC_TS + 10 };
    expect(verifyWebhook(SPEC_SECRET, headers, SPEC_BODY, opts)).toEqual({ ok: true });
    expect(verifyWebhook(SPEC_SECRET, headers, '{"test": 1}', opts)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook(SPEC_SECRET, { ...headers, 'webhook-id': 'msg_other' }, SPEC_BODY, opts).ok).toBe(false);
    expect(verifyWebhook(SPEC_SECRET, { ...headers, 'webhook-timestamp': String(SPEC_TS + 1) }, SPEC_BODY, opts).ok).toBe(false);
  });

  it('accepts any matching v1 signature in a space-separated list (secret rotation)', () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    const rotated = { ...headers, 'webhook-signature': `v1,AAAA v1a,xyz ${headers['webhook-signature']}` };
    expect(verifyWebhook(SPEC_SECRET, rotated, SPEC_BODY, { nowSeconds: SPEC_TS })).toEqual({ ok: true });
  });

  it('rejects stale timestamps and missing headers', () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    expect(verifyWebhook(SPEC_SECRET, headers, SPEC_BODY, { nowSeconds: SPEC_TS + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SPEC_SECRET, { 'webhook-id': SPEC_ID }, SPEC_BODY)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('refuses secrets without the whsec_ prefix, not base64, or too short', () => {
    expect(() => decodeSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(WebhookSecretError);
    expect(() => decodeSecret('whsec_not base64!')).toThrow(WebhookSecretError);
    expect(() => decodeSecret('whsec_c2hvcnQ=')).toThrow(/16 bytes/);
  });
});
