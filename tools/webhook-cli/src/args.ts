import { readFileSync } from 'node:fs';
import { LOCAL_HOST, LOCAL_WEBHOOK_SECRETS, localPorts, portOffsetFromEnv } from '@manga-assist/local-stack';
import { catalogBatch, reviewSubmitted, stripeCheckoutCompleted } from './samples';
import type { Source } from './deliver';

export const USAGE = `usage: npm run webhook -- <stripe|review|catalog> [options]
  stripe   --amount 1500 --currency jpy [--locale ja|en|auto] [--country JP] [--email a@b.c] [--order ord-1]
           (amount in the currency's smallest unit, as Stripe sends it: jpy 1500 = ¥1,500, usd 1500 = $15.00)
  review   --text "最高の一冊でした" --rating 5 [--product manga-1] [--review-id rev-1]
  catalog  --items 25 [--type new_release|price_change|discontinued|metadata_update] [--batch batch-1]
  any      --file delivery.json (send this payload as is)  --url http://127.0.0.1:3001  --secret <secret>
Signs with the local secrets of npm start (or --secret) and prints the receiver's answer.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export interface WebhookCommand {
  source: Source;
  url: string;
  secret: string;
  payload: unknown;
}

const SOURCE_ALIASES: Record<string, Source> = {
  stripe: 'stripe',
  review: 'reviews',
  reviews: 'reviews',
  catalog: 'catalog',
};

/** argv -> what to send, or a UsageError naming the problem. Pure apart from reading --file. */
export function parseWebhookArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): WebhookCommand {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') throw new UsageError(name ? 'help' : 'which source?');
  const source = SOURCE_ALIASES[name];
  if (!source) throw new UsageError(`unknown source "${name}"`);
  const opts = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected "${arg}"`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    opts.set(arg.slice(2), value);
    i++;
  }
  const allowed: Record<Source, string[]> = {
    stripe: ['amount', 'currency', 'locale', 'country', 'email', 'order'],
    reviews: ['text', 'rating', 'product', 'review-id'],
    catalog: ['items', 'type', 'batch'],
  };
  for (const key of opts.keys()) {
    if (!['url', 'secret', 'file', ...allowed[source]].includes(key))
      throw new UsageError(`--${key} is not an option of ${name}`);
  }
  const int = (key: string, fallback: number, min: number, max: number) => {
    const raw = opts.get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${key} must be an integer from ${min} to ${max}`);
    return n;
  };

  let payload: unknown;
  const file = opts.get('file');
  if (file) {
    try {
      payload = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--file ${file}: ${(error as Error).message}`);
    }
  } else if (source === 'stripe') {
    const currency = opts.get('currency') ?? 'jpy';
    if (!/^[a-zA-Z]{3}$/.test(currency))
      throw new UsageError('--currency must be an ISO 4217 code such as jpy or usd');
    payload = stripeCheckoutCompleted({
      amount: int('amount', 1500, 0, 99_999_999),
      currency,
      locale: opts.get('locale'),
      country: opts.get('country')?.toUpperCase(),
      email: opts.get('email'),
      orderId: opts.get('order'),
    });
  } else if (source === 'reviews') {
    payload = reviewSubmitted({
      text: opts.get('text') ?? '絵がきれいで、物語にも引き込まれました。続きが楽しみです。',
      rating: int('rating', 5, 1, 5),
      productId: opts.get('product'),
      reviewId: opts.get('review-id'),
    });
  } else {
    const type = opts.get('type') ?? 'new_release';
    if (!['new_release', 'price_change', 'discontinued', 'metadata_update'].includes(type))
      throw new UsageError('--type must be new_release, price_change, discontinued or metadata_update');
    payload = catalogBatch({
      count: int('items', 3, 1, 500),
      type: type as 'new_release',
      batchId: opts.get('batch'),
    });
  }

  const ports = localPorts(portOffsetFromEnv(env));
  const url =
    opts.get('url') ?? env.WEBHOOK_RECEIVER_URL ?? `http://${LOCAL_HOST}:${ports['webhook-receiver']}`;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`not a URL: ${url}`);
  }
  return { source, url, secret: opts.get('secret') ?? LOCAL_WEBHOOK_SECRETS[source], payload };
}
