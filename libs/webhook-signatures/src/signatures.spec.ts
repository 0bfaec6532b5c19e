import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import {
  partnerScheme,
  signPartner,
  signStandardWebhook,
  signStripe,
  standardWebhooksScheme,
  stripeScheme,
} from './index';
import type { VerifyInput } from './types';

const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
const SECRET = 'whsec_test_secret_primary';
const OLD_SECRET = 'whsec_test_secret_previous';
const NOW = 1_763_000_000;
const body = JSON.stringify({
  id: 'evt_1',
  type: 'checkout.session.completed',
  data: { object: { amount_total: 1500, currency: 'jpy' } },
});

const input = (
  headers: Record<string, string>,
  rawBody: string | Buffer = body,
  extra: Partial<VerifyInput> = {},
): VerifyInput => ({
  headers,
  rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody),
  secrets: [SECRET],
  nowSeconds: NOW,
  toleranceSeconds: 300,
  ...extra,
});

const stripeHeader = (opts: { payload?: string; secret?: string; timestamp?: number } = {}) =>
  stripe.webhooks.generateTestHeaderString({
    payload: opts.payload ?? body,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp ?? NOW,
  });

describe('Stripe signature scheme', () => {
  it('accepts an event signed by the official stripe package', () => {
    expect(stripeScheme.verify(input({ 'stripe-signature': stripeHeader() }))).toEqual({
      ok: true,
      timestamp: NOW,
    });
  });

  it('signStripe writes the same header as the official stripe package', () => {
    expect(signStripe(SECRET, NOW, body)).toBe(stripeHeader());
    expect(signStripe(SECRET, NOW - 60, Buffer.from(body))).toBe(stripeHeader({ timestamp: NOW - 60 }));
    expect(
      stripeScheme.verify(
        input({ 'stripe-signature': signStripe(OLD_SECRET, NOW, body) }, body, {
          secrets: [SECRET, OLD_SECRET],
        }),
      ),
    ).toEqual({
      ok: true,
      timestamp: NOW,
    });
  });

  it('rejects a changed body', () => {
    const changed = body.replace('1500', '15');
    expect(stripeScheme.verify(input({ 'stripe-signature': stripeHeader() }, changed))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a changed t (the timestamp is part of the signed content)', () => {
    const h = stripeHeader().replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(stripeScheme.verify(input({ 'stripe-signature': h }))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a correctly signed but stale t, in both directions', () => {
    const old = stripeHeader({ timestamp: NOW - 301 });
    const future = stripeHeader({ timestamp: NOW + 301 });
    expect(stripeScheme.verify(input({ 'stripe-signature': old }))).toEqual({ ok: false, reason: 'stale' });
    expect(stripeScheme.verify(input({ 'stripe-signature': future }))).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      stripeScheme.verify(input({ 'stripe-signature': stripeHeader({ timestamp: NOW - 300 }) })).ok,
    ).toBe(true);
  });

  it('rejects a wrong secret', () => {
    const h = stripeHeader({ secret: 'whsec_attacker' });
    expect(stripeScheme.verify(input({ 'stripe-signature': h }))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('accepts a header with two v1 signatures (rotation) when either one matches', () => {
    const v1 = (secret: string) => stripeHeader({ secret }).split(',v1=')[1];
    const both = (a: string, b: string) => `t=${NOW},v1=${a},v1=${b}`;
    expect(stripeScheme.verify(input({ 'stripe-signature': both(v1(SECRET), v1('whsec_other')) })).ok).toBe(
      true,
    );
    expect(stripeScheme.verify(input({ 'stripe-signature': both(v1('whsec_other'), v1(SECRET)) })).ok).toBe(
      true,
    );
    expect(stripeScheme.verify(input({ 'stripe-signature': both(v1('whsec_x'), v1('whsec_y')) })).ok).toBe(
      false,
    );
  });

  it('accepts a signature by any of several active secrets on our side', () => {
    const h = stripeHeader({ secret: OLD_SECRET });
    expect(
      stripeScheme.verify(input({ 'stripe-signature': h }, body, { secrets: [SECRET, OLD_SECRET] })).ok,
    ).toBe(true);
    expect(stripeScheme.verify(input({ 'stripe-signature': h }, body, { secrets: [SECRET] })).ok).toBe(false);
  });

  it('distinguishes a missing header from a malformed one', () => {
    expect(stripeScheme.verify(input({}))).toEqual({ ok: false, reason: 'missing_header' });
    expect(stripeScheme.verify(input({ 'stripe-signature': 'garbage' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(stripeScheme.verify(input({ 'stripe-signature': `t=${NOW},v0=abcd` }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('signs the body text as the stripe package decodes it (invalid UTF-8 becomes U+FFFD, as in constructEvent)', () => {
    const raw = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const overText = createHmac('sha256', SECRET)
      .update(`${NOW}.`)
      .update(raw.toString('utf8'))
      .digest('hex');
    const overBytes = createHmac('sha256', SECRET).update(`${NOW}.`).update(raw).digest('hex');
    expect(stripeScheme.verify(input({ 'stripe-signature': `t=${NOW},v1=${overText}` }, raw)).ok).toBe(true);
    expect(stripeScheme.verify(input({ 'stripe-signature': `t=${NOW},v1=${overBytes}` }, raw)).ok).toBe(
      false,
    );
    const changed = Buffer.from(raw.toString('utf8').replace('a', 'b'));
    expect(stripeScheme.verify(input({ 'stripe-signature': `t=${NOW},v1=${overText}` }, changed)).ok).toBe(
      false,
    );
  });
});

describe('partner scheme (reviews, catalog)', () => {
  const scheme = partnerScheme('x-webhook-signature', 'x-webhook-timestamp');
  const signed = (secret = SECRET, ts = NOW, payload = body) => ({
    'x-webhook-signature': signPartner(secret, ts, payload),
    'x-webhook-timestamp': String(ts),
  });

  it('accepts `${timestamp}.${body}` signed with an active secret', () => {
    expect(scheme.verify(input(signed()))).toEqual({ ok: true, timestamp: NOW });
    expect(
      scheme.verify(input({ ...signed(), 'x-webhook-signature': `sha256=${signPartner(SECRET, NOW, body)}` }))
        .ok,
    ).toBe(true);
  });

  it('rejects a replay with a fresh timestamp header swapped in', () => {
    const replay = { ...signed(SECRET, NOW - 3600), 'x-webhook-timestamp': String(NOW) };
    expect(scheme.verify(input(replay))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects stale, wrong-secret, changed-body and missing-header deliveries', () => {
    expect(scheme.verify(input(signed(SECRET, NOW - 301)))).toEqual({ ok: false, reason: 'stale' });
    expect(scheme.verify(input(signed('other')))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(scheme.verify(input(signed(), `${body} `))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(scheme.verify(input({ 'x-webhook-signature': 'ab' }))).toEqual({
      ok: false,
      reason: 'missing_header',
    });
    expect(scheme.verify(input({ ...signed(), 'x-webhook-timestamp': 'yesterday' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('Standard Webhooks scheme', () => {
  // The example of the Standard Webhooks spec (and of issue 7).
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const headers = (signature = vector.signature) => ({
    'webhook-id': vector.id,
    'webhook-timestamp': String(vector.timestamp),
    'webhook-signature': signature,
  });

  it('verifies the spec example vector with the tolerance check set to its time', () => {
    const result = standardWebhooksScheme.verify(
      input(headers(), vector.body, { secrets: [vector.secret], nowSeconds: vector.timestamp }),
    );
    expect(result).toEqual({ ok: true, timestamp: vector.timestamp });
    expect(signStandardWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(
      vector.signature,
    );
  });

  it('rejects the vector today (stale), with a changed id, and skips unknown versions', () => {
    expect(
      standardWebhooksScheme.verify(input(headers(), vector.body, { secrets: [vector.secret] })),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
    const otherId = { ...headers(), 'webhook-id': 'msg_other' };
    expect(
      standardWebhooksScheme.verify(
        input(otherId, vector.body, { secrets: [vector.secret], nowSeconds: vector.timestamp }),
      ),
    ).toEqual({ ok: false, reason: 'bad_signature' });
    const several = headers(`v1a,AAAA v1,bm90LWl0 ${vector.signature}`);
    expect(
      standardWebhooksScheme.verify(
        input(several, vector.body, { secrets: [vector.secret], nowSeconds: vector.timestamp }),
      ).ok,
    ).toBe(true);
  });
});

describe('each scheme signs as its senders do', () => {
  const schemes = [stripeScheme, partnerScheme('x-sig', 'x-ts'), standardWebhooksScheme];

  it.each(schemes.map((s) => [s.name, s] as const))(
    '%s: sign() writes every required header and its own verify() accepts them, refusing another secret',
    (_name, scheme) => {
      const headers = scheme.sign({ secret: SECRET, timestampSeconds: NOW, rawBody: body });
      expect(Object.keys(headers).sort()).toEqual([...scheme.requiredHeaders].sort());
      expect(scheme.verify(input(headers))).toEqual({ ok: true, timestamp: NOW });
      expect(scheme.verify(input(headers, body, { secrets: [OLD_SECRET] }))).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    },
  );

  it('keeps the helpers and sign() in agreement (Stripe header, partner hex, Standard Webhooks id)', () => {
    expect(stripeScheme.sign({ secret: SECRET, timestampSeconds: NOW, rawBody: body })).toEqual({
      'stripe-signature': signStripe(SECRET, NOW, body),
    });
    expect(
      partnerScheme('x-sig', 'x-ts').sign({ secret: SECRET, timestampSeconds: NOW, rawBody: body }),
    ).toEqual({ 'x-sig': signPartner(SECRET, NOW, body), 'x-ts': String(NOW) });
    expect(
      standardWebhooksScheme.sign({ secret: SECRET, timestampSeconds: NOW, rawBody: body, id: 'msg_1' }),
    ).toMatchObject({
      'webhook-id': 'msg_1',
      'webhook-signature': signStandardWebhook(SECRET, 'msg_1', NOW, body),
    });
  });
});
