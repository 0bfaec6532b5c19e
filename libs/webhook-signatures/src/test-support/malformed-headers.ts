import { createHmac } from 'node:crypto';

/*
 * Malformed (and unusual but valid) signature headers, run through the official libraries and
 * ours by official.spec.ts. Only the headers and body vary; secret, clock and tolerance (300 s) are
 * fixed. `exception` marks the one documented difference: a timestamp more than the tolerance in
 * the future (or none the freshness check can read) stays refused by ours.
 */
export const NOW = 1_763_000_000;
export const TOLERANCE = 300;
export const STRIPE_SECRET = 'whsec_test_secret_primary';
export const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const BODY = JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed', amount: 1500 });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"a":"'),
  Buffer.from([0xc3, 0x28, 0xff]),
  Buffer.from('"}'),
]);

export interface HeaderCase {
  name: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Ours refuses where the official library accepts (the documented future-timestamp exception). */
  exception?: true;
}

const hmac = (key: string | Buffer, content: Buffer) => createHmac('sha256', key).update(content).digest();
const content = (prefix: string, body: Buffer) => Buffer.concat([Buffer.from(prefix), body]);

/** Stripe: hex HMAC keyed with the whole whsec_ string over `${t}.${body}`; t given as the signed text. */
const sv1 = (t: string | number, body: Buffer = Buffer.from(BODY)) =>
  hmac(STRIPE_SECRET, content(`${t}.`, body)).toString('hex');
const stripe = (name: string, value: string, body: Buffer | string = BODY, exception?: true): HeaderCase => ({
  name,
  headers: { 'stripe-signature': value },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  ...(exception ? { exception } : {}),
});
const good = sv1(NOW);

export const stripeCases: HeaderCase[] = [
  stripe('canonical t=..,v1=..', `t=${NOW},v1=${good}`),
  stripe('upper-case hex', `t=${NOW},v1=${good.toUpperCase()}`),
  stripe('upper-case hex next to a lower-case one', `t=${NOW},v1=${good.toUpperCase()},v1=${good}`),
  stripe('space after the comma', `t=${NOW}, v1=${good}`),
  stripe('space before "="', `t=${NOW},v1 =${good}`),
  stripe('space after "=" in v1', `t=${NOW},v1= ${good}`),
  stripe('space after "=" in t', `t= ${NOW},v1=${good}`),
  stripe('space before t', ` t=${NOW},v1=${good}`),
  stripe('space after the timestamp', `t=${NOW} ,v1=${good}`),
  stripe('trailing space after the signature', `t=${NOW},v1=${good} `),
  stripe('unknown schemes v2, foo', `t=${NOW},v1=${good},v2=abc,foo=bar`),
  stripe('v0 only', `t=${NOW},v0=${good}`),
  stripe('v0 and v1', `t=${NOW},v0=${sv1(NOW - 1)},v1=${good}`),
  stripe('duplicate t, the signed one last', `t=${NOW - 1000},t=${NOW},v1=${good}`),
  stripe('duplicate t, the signed one first', `t=${NOW},t=${NOW - 1000},v1=${good}`),
  stripe('upper-case keys T=, V1=', `T=${NOW},V1=${good}`),
  stripe('leading zeros, signed as the number', `t=0${NOW},v1=${good}`),
  stripe('leading zeros, signed as the text', `t=0${NOW},v1=${sv1(`0${NOW}`)}`),
  stripe('decimal timestamp, signed as the integer', `t=${NOW}.9,v1=${good}`),
  stripe('decimal timestamp, signed as the text', `t=${NOW}.9,v1=${sv1(`${NOW}.9`)}`),
  stripe('plus sign', `t=+${NOW},v1=${good}`),
  stripe('trailing letters after the timestamp', `t=${NOW}abc,v1=${good}`),
  stripe('exponent form (parses as 1)', `t=1.763e9,v1=${sv1(1)}`),
  stripe('negative timestamp', `t=-5,v1=${sv1(-5)}`),
  stripe('t=-1 (the "no timestamp" marker)', `t=-1,v1=${sv1(-1)}`),
  stripe('non-numeric timestamp, signed as NaN', `t=abc,v1=${sv1('NaN')}`, BODY, true),
  stripe('non-numeric timestamp, signed as now', `t=abc,v1=${good}`),
  stripe('empty timestamp', `t=,v1=${sv1('NaN')}`, BODY, true),
  stripe('huge timestamp (1e20)', `t=99999999999999999999,v1=${sv1('100000000000000000000')}`, BODY, true),
  stripe('301 s in the future', `t=${NOW + 301},v1=${sv1(NOW + 301)}`, BODY, true),
  stripe('299 s in the future', `t=${NOW + 299},v1=${sv1(NOW + 299)}`),
  stripe('300 s old', `t=${NOW - 300},v1=${sv1(NOW - 300)}`),
  stripe('301 s old', `t=${NOW - 301},v1=${sv1(NOW - 301)}`),
  stripe('empty body, correctly signed', `t=${NOW},v1=${sv1(NOW, Buffer.alloc(0))}`, Buffer.alloc(0)),
  stripe('several v1, the good one last', `t=${NOW},v1=${sv1(NOW - 1)},v1=${'0'.repeat(64)},v1=${good}`),
  stripe('empty v1 next to a good one', `t=${NOW},v1=,v1=${good}`),
  stripe('v1 without "=" next to a good one', `t=${NOW},v1,v1=${good}`),
  stripe('extra "=" after the signature', `t=${NOW},v1=${good}=x`),
  stripe('odd-length hex', `t=${NOW},v1=${good.slice(1)}`),
  stripe('missing t', `v1=${good}`),
  stripe('missing v1', `t=${NOW}`),
  stripe('semicolons instead of commas', `t=${NOW};v1=${good}`),
  stripe(
    'body with invalid UTF-8, signed over the raw bytes',
    `t=${NOW},v1=${sv1(NOW, INVALID_UTF8)}`,
    INVALID_UTF8,
  ),
  stripe(
    'body with invalid UTF-8, signed over its decoded text',
    `t=${NOW},v1=${sv1(NOW, Buffer.from(INVALID_UTF8.toString('utf8')))}`,
    INVALID_UTF8,
  ),
  stripe(
    'body with a BOM, signed with the BOM',
    `t=${NOW},v1=${sv1(NOW, Buffer.concat([BOM, Buffer.from(BODY)]))}`,
    Buffer.concat([BOM, Buffer.from(BODY)]),
  ),
  stripe(
    'body with a BOM, signed without it',
    `t=${NOW},v1=${good}`,
    Buffer.concat([BOM, Buffer.from(BODY)]),
  ),
];

const STANDARD_KEY = Buffer.from(STANDARD_SECRET.slice('whsec_'.length), 'base64');
const MSG_ID = 'msg_2b7Qe7kP';
/** Standard Webhooks: base64 HMAC keyed with the decoded secret over `${id}.${ts}.${body}`. */
const wv1 = (t: string | number, body: Buffer = Buffer.from(BODY), id = MSG_ID) =>
  hmac(STANDARD_KEY, content(`${id}.${t}.`, body)).toString('base64');
const standard = (
  name: string,
  timestamp: string | number,
  signature: string,
  body: Buffer | string = BODY,
  id = MSG_ID,
  exception?: true,
): HeaderCase => ({
  name,
  headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  ...(exception ? { exception } : {}),
});
const w = wv1(NOW);

export const standardCases: HeaderCase[] = [
  standard('canonical', NOW, `v1,${w}`),
  standard('leading zeros, signed as the number', `0${NOW}`, `v1,${w}`),
  standard('leading zeros, signed as the text', `0${NOW}`, `v1,${wv1(`0${NOW}`)}`),
  standard('decimal timestamp, signed as the integer', `${NOW}.5`, `v1,${w}`),
  standard('leading space in the timestamp', ` ${NOW}`, `v1,${w}`),
  standard('trailing letters after the timestamp', `${NOW}abc`, `v1,${w}`),
  standard('plus sign', `+${NOW}`, `v1,${w}`),
  standard('non-numeric timestamp', 'abc', `v1,${w}`),
  standard('negative timestamp', '-5', `v1,${wv1(-5)}`),
  standard('huge timestamp', '99999999999999999999', `v1,${wv1('100000000000000000000')}`),
  standard('301 s in the future', NOW + 301, `v1,${wv1(NOW + 301)}`),
  standard('299 s in the future', NOW + 299, `v1,${wv1(NOW + 299)}`),
  standard('301 s old', NOW - 301, `v1,${wv1(NOW - 301)}`),
  standard('several signatures, good one last', NOW, `v1,${wv1(NOW - 1)} v1,${w}`),
  standard('two spaces between signatures', NOW, `v1,${wv1(NOW - 1)}  v1,${w}`),
  standard('leading space in the signature header', NOW, ` v1,${w}`),
  standard('unknown version next to v1', NOW, `v1a,${w} v1,${w}`),
  standard('v2 only', NOW, `v2,${w}`),
  standard('upper-case V1', NOW, `V1,${w}`),
  standard('extra ",x" after the signature', NOW, `v1,${w},x`),
  standard('signature without base64 padding', NOW, `v1,${w.replace(/=+$/, '')}`),
  standard('base64url signature', NOW, `v1,${w.replace(/\+/g, '-').replace(/\//g, '_')}`),
  standard('comma-separated signatures', NOW, `v1,${wv1(NOW - 1)},v1,${w}`),
  standard('v1 without a signature', NOW, 'v1'),
  standard('empty body, correctly signed', NOW, `v1,${wv1(NOW, Buffer.alloc(0))}`, Buffer.alloc(0)),
  standard(
    'body with invalid UTF-8, signed over the raw bytes',
    NOW,
    `v1,${wv1(NOW, INVALID_UTF8)}`,
    INVALID_UTF8,
  ),
  standard(
    'body with invalid UTF-8, signed over its decoded text',
    NOW,
    `v1,${wv1(NOW, Buffer.from(INVALID_UTF8.toString('utf8')))}`,
    INVALID_UTF8,
  ),
  standard(
    'body with a BOM, signed with the BOM',
    NOW,
    `v1,${wv1(NOW, Buffer.concat([BOM, Buffer.from(BODY)]))}`,
    Buffer.concat([BOM, Buffer.from(BODY)]),
  ),
  standard('empty webhook-id', NOW, `v1,${wv1(NOW, Buffer.from(BODY), '')}`, BODY, ''),
  standard('webhook-id with a dot', NOW, `v1,${wv1(NOW, Buffer.from(BODY), 'a.b')}`, BODY, 'a.b'),
];
