import { decodeStandardWebhookSecret, standardWebhookHeaders, verifyStandardWebhook } from './index';
import { WebhookSecretError } from './secret';

// The reference vector published with the Standard Webhooks specification.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TS = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('Standard Webhooks sending (standardWebhookHeaders) and verifyStandardWebhook', () => {
  it('reproduces the specification test vector', () => {
    expect(standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY)).toEqual({
      'webhook-id': SPEC_ID,
      'webhook-timestamp': String(SPEC_TS),
      'webhook-signature': SPEC_SIGNATURE,
    });
    expect(
      standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, Buffer.from(SPEC_BODY))['webhook-signature'],
    ).toBe(SPEC_SIGNATURE);
  });

  it('verifies the reference vector and rejects a changed body', () => {
    const headers = {
      'webhook-id': SPEC_ID,
      'webhook-timestamp': String(SPEC_TS),
      'webhook-signature': SPEC_SIGNATURE,
    };
    const at = { nowSeconds: SPEC_TS };
    expect(verifyStandardWebhook(SPEC_SECRET, headers, SPEC_BODY, at)).toEqual({
      ok: true,
      timestamp: SPEC_TS,
    });
    expect(verifyStandardWebhook(SPEC_SECRET, headers, '{"test": 2432232315}', at)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('verifies its own signatures and rejects a changed body, id or timestamp', () => {
    const headers = standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    const opts = { nowSeconds: SPEC_TS + 10 };
    expect(verifyStandardWebhook(SPEC_SECRET, headers, SPEC_BODY, opts)).toEqual({
      ok: true,
      timestamp: SPEC_TS,
    });
    expect(verifyStandardWebhook(SPEC_SECRET, headers, '{"test": 1}', opts)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(
      verifyStandardWebhook(SPEC_SECRET, { ...headers, 'webhook-id': 'msg_other' }, SPEC_BODY, opts).ok,
    ).toBe(false);
    expect(
      verifyStandardWebhook(
        SPEC_SECRET,
        { ...headers, 'webhook-timestamp': String(SPEC_TS + 1) },
        SPEC_BODY,
        opts,
      ).ok,
    ).toBe(false);
  });

  it('accepts any matching v1 signature in a space-separated list (secret rotation)', () => {
    const headers = standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    const rotated = { ...headers, 'webhook-signature': `v1,AAAA v1a,xyz ${headers['webhook-signature']}` };
    expect(verifyStandardWebhook(SPEC_SECRET, rotated, SPEC_BODY, { nowSeconds: SPEC_TS })).toEqual({
      ok: true,
      timestamp: SPEC_TS,
    });
  });

  it('accepts a signature by any of several active secrets on the receiving side', () => {
    const other = `whsec_${Buffer.from('another-key-0123456789').toString('base64')}`;
    const headers = standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    expect(verifyStandardWebhook([other, SPEC_SECRET], headers, SPEC_BODY, { nowSeconds: SPEC_TS }).ok).toBe(
      true,
    );
    expect(verifyStandardWebhook([other], headers, SPEC_BODY, { nowSeconds: SPEC_TS })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects stale timestamps and missing headers', () => {
    const headers = standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY);
    expect(verifyStandardWebhook(SPEC_SECRET, headers, SPEC_BODY, { nowSeconds: SPEC_TS + 301 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyStandardWebhook(SPEC_SECRET, headers, SPEC_BODY, { nowSeconds: SPEC_TS - 301 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyStandardWebhook(SPEC_SECRET, { 'webhook-id': SPEC_ID }, SPEC_BODY)).toEqual({
      ok: false,
      reason: 'missing_header',
    });
  });

  it('refuses secrets without the whsec_ prefix, not base64, or too short, with a typed error', () => {
    expect(() => decodeStandardWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(WebhookSecretError);
    expect(() => decodeStandardWebhookSecret('whsec_not base64!')).toThrow(WebhookSecretError);
    expect(() => decodeStandardWebhookSecret('whsec_c2hvcnQ=')).toThrow(/16 bytes/);
    expect(() => standardWebhookHeaders('whsec_c2hvcnQ=', SPEC_ID, SPEC_TS, SPEC_BODY)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SECRET_INVALID', name: 'WebhookSecretError' }),
    );
    expect(decodeStandardWebhookSecret(SPEC_SECRET)).toHaveLength(24);
  });
});
