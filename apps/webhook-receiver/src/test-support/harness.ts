import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import { createLogger, createServiceRuntime, type ServiceRuntime } from '@manga-assist/service-runtime';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { startBedrockEmulator, type BedrockEmulator } from '@manga-assist/bedrock-emulator';
import { loadWebhookReceiverConfig } from '../config';
import { startWebhookReceiver, type WebhookReceiver } from '../service';
import { createContractValidator, type ContractValidator } from '@manga-assist/contract-testing';
import { webhookReceiverOpenApi } from '../openapi';
import { SOURCES, secretsKey, sourceNamed, type WebhookSourceName } from '../sources';

export const SECRETS = {
  stripe: 'whsec_test_stripe_current',
  stripeOld: 'whsec_test_stripe_previous',
  reviews: 'rev_test_secret',
  catalog: 'cat_test_secret',
};

/** The harness's active secret of any registered source (a new source gets one without editing this file). */
export const secretFor = (name: WebhookSourceName): string =>
  (SECRETS as Record<string, string>)[name] ?? `${name}_test_secret`;

/** WEBHOOK_SECRETS_<NAME> for every registered source; Stripe's carries a previous secret too (rotation). */
const secretsEnv = (): Record<string, string> =>
  Object.fromEntries(
    SOURCES.map(({ name }) => [
      secretsKey(name),
      name === 'stripe' ? `${SECRETS.stripe},${SECRETS.stripeOld}` : secretFor(name),
    ]),
  );

const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');

export interface Harness {
  stack: LocalStack;
  bedrock: BedrockEmulator;
  service: WebhookReceiver;
  runtime: ServiceRuntime;
  url: string;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const stack = await startLocalStack({ redis: false });
  const bedrock = await startBedrockEmulator({ host: '127.0.0.1', timeScale: 0.01 });
  const runtime = createServiceRuntime({
    service: 'webhook-receiver',
    logger: createLogger({ service: 'webhook-receiver', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    exit: () => undefined,
  });
  const config = loadWebhookReceiverConfig({
    ...stack.env,
    BEDROCK_ENDPOINT: bedrock.url,
    PORT: '0',
    HOST: '127.0.0.1',
    ...secretsEnv(),
    SENTIMENT_DEADLINE_MS: '800',
    FM_MAX_ATTEMPTS: '1',
    ...env,
  });
  const service = await startWebhookReceiver({ config, runtime });
  return {
    stack,
    bedrock,
    service,
    runtime,
    url: service.url,
    async stop() {
      await runtime.shutdown.trigger('test done');
      await bedrock.stop();
      await stack.stop();
    },
  };
}

export interface Sent {
  status: number;
  body: Record<string, unknown>;
  headers: globalThis.Headers;
}

let contract: ContractValidator | undefined;
/** Every delivery answer the harness reads is checked against the receiver's OpenAPI document. */
export const receiverContract = (): ContractValidator =>
  (contract ??= createContractValidator(webhookReceiverOpenApi()));

export async function post(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<Sent> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  receiverContract().check({
    method: 'POST',
    path: new URL(url).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: json,
  });
  return { status: res.status, body: json, headers: res.headers };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function sendStripe(
  base: string,
  payload: unknown,
  opts: { secret?: string; timestamp?: number; raw?: string } = {},
) {
  const body = opts.raw ?? JSON.stringify(payload);
  const signature = stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: opts.secret ?? SECRETS.stripe,
    timestamp: opts.timestamp ?? nowSeconds(),
  });
  return post(`${base}/webhooks/stripe`, { 'stripe-signature': signature }, body);
}

export function sendPartner(
  base: string,
  source: 'reviews' | 'catalog',
  payload: unknown,
  opts: { secret?: string; timestamp?: number; raw?: string | Buffer } = {},
) {
  const body = opts.raw ?? JSON.stringify(payload);
  const headers = sourceNamed(source).verification.scheme.sign({
    secret: opts.secret ?? secretFor(source),
    timestampSeconds: opts.timestamp ?? nowSeconds(),
    rawBody: body,
  });
  return post(`${base}/webhooks/${source}`, headers, body);
}

export function checkoutCompleted(eventId: string, object: Record<string, unknown> = {}) {
  return {
    id: eventId,
    object: 'event',
    type: 'checkout.session.completed',
    data: {
      object: {
        id: `cs_${eventId}`,
        object: 'checkout.session',
        amount_total: 1500,
        currency: 'jpy',
        customer_email: 'reader@example.jp',
        payment_intent: `pi_${eventId}`,
        metadata: { order_id: `order-${eventId}`, items: JSON.stringify([{ title: '呪術廻戦 1', qty: 1 }]) },
        ...object,
      },
    },
  };
}

/** Reads a queue until it stays empty, deleting what it read; returns the parsed message bodies. */
export async function drainQueue(stack: LocalStack, queueUrl: string, { idleReceives = 2 } = {}) {
  const bodies: Record<string, unknown>[] = [];
  let idle = 0;
  while (idle < idleReceives) {
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) {
      idle++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    idle = 0;
    for (const m of Messages) bodies.push(JSON.parse(m.Body ?? '{}'));
    await stack.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return bodies;
}
